"""Strict link precision/recall/F1 of the aligner on a gold alignment set.

A link counts only when both its Chinese and its English index sets are exactly right.
The aligner sees the gold sentences as they are (``align_presegmented``) and estimates
its length model from the file itself, as ``tm align --presegmented`` does.

Usage:
    PYTHONPATH=src python benchmarks/eval_align.py [GOLD.jsonl] [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "dev" / "gold_alignment.dev.jsonl"


def link_set(links: list) -> set[tuple[tuple[int, ...], tuple[int, ...]]]:
    return {(tuple(z), tuple(e)) for z, e in links}


def evaluate(
    gold_path: Path, *, show_errors: bool = False, terms: list | None = None
) -> dict[str, float]:
    """Score the aligner on ``gold_path``; returns precision, recall, F1 and counts."""
    from tm.align import align_presegmented

    rows = [
        json.loads(line) for line in gold_path.open(encoding="utf-8") if line.strip()
    ]
    results = align_presegmented([(r["zh"], r["en"]) for r in rows], terms=terms)
    tp = n_pred = n_gold = 0
    for row, res in zip(rows, results, strict=True):
        gold = link_set(row["links"])
        pred = {(lk.zh, lk.en) for lk in res.links}
        tp += len(gold & pred)
        n_pred += len(pred)
        n_gold += len(gold)
        if show_errors and gold != pred:
            print(f"pair {row.get('pair_index')}: missed {sorted(gold - pred)}")
            print(f"    wrong {sorted(pred - gold)}")
            for lk in res.links:
                print(f"    {list(lk.zh)}-{list(lk.en)} conf {lk.confidence:.3f}")
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {
        "pairs": len(rows),
        "gold_links": n_gold,
        "predicted_links": n_pred,
        "correct": tp,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", type=Path, default=DEV)
    parser.add_argument("--errors", action="store_true", help="print wrong pairs")
    parser.add_argument(
        "--glossary",
        type=Path,
        default=ROOT / "glossary",
        help="also score with this glossary's terms as anchors (as tm import does)",
    )
    args = parser.parse_args(argv)
    if not args.gold.exists():
        print(f"no gold file at {args.gold}", file=sys.stderr)
        return 3
    from tm.terms import load_termbase

    print(f"gold: {args.gold}")
    anchored = load_termbase(args.glossary).anchor_pairs()
    for name, terms in (("no glossary", None), (f"{args.glossary}", anchored)):
        scores = evaluate(args.gold, show_errors=args.errors, terms=terms)
        print(f"-- anchors: {name}")
        for key, value in scores.items():
            print(f"{key:>16}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
