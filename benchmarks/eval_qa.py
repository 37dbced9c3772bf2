"""Recall and precision of ``tm qa`` against a hand-made list of real inconsistencies.

Usage::

    PYTHONPATH=src python benchmarks/eval_qa.py [--gold ../shared/dev/gold_inconsistencies.dev.yaml]
        [--seed examples/factor-reform-2025.zh-en.txt] [--glossary glossary] [-v]

The seed is imported into an in-memory TM; QA runs with all checks; every finding's units
are mapped back to seed pair indices (0-based over the bulleted pairs, as the gold counts
them; a unit repeated in several pairs maps to all of them).

Matching a finding to a gold item (each gold item is matched at most once for recall):

* a (term rendered differently), b (same or near-identical Chinese translated
  differently), d (numbering): the item has groups of pairs (one per rendering or
  translation). A finding of a family check (a: term-inconsistent; b: source-inconsistent, near-source-inconsistent, target-inconsistent,
  clause-inconsistent;
  d: enumerator-consistency, enumerator) matches when its pairs meet at least two of
  the groups. For b, a piece of the gold Chinese (split at …… (NFKC: ......) and bracketed
  alternatives, 6+ characters, on the match key) must also be in the finding's source.
  For a, the finding must be about the gold term (the gold ``zh`` up to the first space).
* c (Chinese left in the English): an untranslated-han finding on that pair whose span
  is the Chinese.
* e (truncation / omission): a length-ratio, truncated, numbers or source-inconsistent
  finding on one of the item's pairs, or a term finding there whose term shares a Han
  character run with the item's missing Chinese.

Halves: the items sorted by id, every other one: positions 0, 2, 4 … are the *tune*
half, 1, 3, 5 … the *report* half (a fixed, written-down split that puts every family
in both). ``--half tune`` or ``--half report`` keeps one; tune on one, quote the other. ``--half all``
(the default) prints both halves and the whole.

Recall = matched items / items. The dev list is a sample (every fifth item of the full
list), so a finding that matches no item is not necessarily wrong. Precision is therefore
estimated on *attributable* findings: findings that meet the rule above with one group
instead of two, i.e. that are about a gold item (same term, same source text, same
pair); precision = attributable findings that match an item / attributable findings.
The raw share of in-scope findings that match any item is printed too (a lower bound).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tm.models import QAIssue  # noqa: E402
from tm.qa import run_checks  # noqa: E402
from tm.service import TMService  # noqa: E402
from tm.text.normalize import match_key  # noqa: E402

FAMILY = {
    "a": {
        "term-inconsistent",
        "term-forbidden",
        "term-mismatch",
        "rendering-inconsistent",
    },
    "b": {
        "source-inconsistent",
        "near-source-inconsistent",
        "target-inconsistent",
        "clause-inconsistent",
    },
    "c": {"untranslated-han"},
    "d": {"enumerator-consistency", "enumerator"},
    "e": {
        "length-ratio",
        "truncated",
        "numbers",
        "source-inconsistent",
        "term-mismatch",
        "term-forbidden",
        "term-inconsistent",
    },
}
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def halves(gold: list[dict]) -> dict[str, str]:
    """Item id → "tune" or "report" (see the module docstring)."""
    ids = sorted(g["id"] for g in gold)
    return {i: ("tune" if k % 2 == 0 else "report") for k, i in enumerate(ids)}


def load_gold(path: Path) -> list[dict]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = []
    for section, entries in raw.items():
        fam = section[0]
        for e in entries or []:
            item = {"id": e["id"], "family": fam, "raw": e}
            if fam == "a":
                item["groups"] = [set(r["pairs"]) for r in e["renderings"]]
                item["term"] = str(e["zh"]).split()[0]
            elif fam == "b":
                item["groups"] = [set(t["pairs"]) for t in e["translations"]]
                zh = match_key(str(e["zh"]).split(" (")[0])
                item["pieces"] = [
                    p for p in re.split(r"…+|\.{2,}|\(.*?\)", zh) if len(p) >= 6
                ]
            elif fam == "d":
                item["groups"] = [set(r["pairs"]) for r in e["renderings"]]
            elif fam == "c":
                item["groups"] = [{e["pair_index"]}]
                item["han"] = e["chinese_in_target"]
            else:
                p = e["pair_index"]
                item["groups"] = [set(p if isinstance(p, list) else [p])]
                missing = " ".join(
                    [*map(str, e.get("missing_zh", [])), str(e.get("missing", ""))]
                )
                item["han"] = set(_HAN.findall(missing))
            items.append(item)
    return items


def matches(item: dict, f: QAIssue, pairs: set[int], *, need: int = 2) -> bool:
    """Whether finding ``f`` (on seed ``pairs``) reports ``item``.

    ``need`` is how many of an inconsistency item's groups the finding must meet: 2 to
    match it, 1 to be *about* it (attributable).
    """
    fam = item["family"]
    if f.check not in FAMILY[fam]:
        return False
    groups = item["groups"]
    if fam in "abd":
        if sum(1 for g in groups if g & pairs) < need:
            return False
        if fam == "a":
            return item["term"] == dict(f.data).get("term")
        if fam == "b":
            return any(piece in match_key(f.source) for piece in item["pieces"])
        return True
    if fam == "c":
        return (
            bool(groups[0] & pairs)
            and f.span is not None
            and f.span.text == item["han"]
        )
    if not groups[0] & pairs:
        return False
    if f.check.startswith("term-") or f.check == "rendering-inconsistent":
        return any(h in str(dict(f.data).get("term", "")) for h in item["han"])
    return True


def touches(item: dict, f: QAIssue, pairs: set[int]) -> bool:
    """Whether a finding is about the item: same term or source, on one of its groups."""
    return matches(item, f, pairs, need=1)


def evaluate(
    gold: list[dict],
    findings: list[QAIssue],
    pair_of: dict[int, list[int]],
    verbose: bool,
) -> dict:
    in_scope = set().union(*FAMILY.values())
    fpairs = [set(p for u in f.units for p in pair_of.get(u, [])) for f in findings]
    matched_items: dict[str, int] = {}
    matched_findings: set[int] = set()
    attributable: set[int] = set()
    for i, (f, ps) in enumerate(zip(findings, fpairs, strict=True)):
        for item in gold:
            if touches(item, f, ps):
                attributable.add(i)
            if matches(item, f, ps):
                matched_findings.add(i)
                matched_items.setdefault(item["id"], i)
    scoped = [i for i, f in enumerate(findings) if f.check in in_scope]
    if verbose:
        for item in gold:
            i = matched_items.get(item["id"])
            print(
                f"  {item['id']}: "
                + (
                    f"{findings[i].check}: {findings[i].message[:110]}"
                    if i is not None
                    else "MISSED"
                )
            )
        for i in sorted(attributable - matched_findings):
            print(
                f"  unmatched attributable: {findings[i].check} {sorted(fpairs[i])[:8]} {findings[i].message[:120]}"
            )
    return {
        "items": len(gold),
        "matched": len(matched_items),
        "recall": len(matched_items) / len(gold),
        "attributable": len(attributable),
        "attributable_matched": len(attributable & matched_findings),
        "precision": len(attributable & matched_findings) / max(1, len(attributable)),
        "in_scope": len(scoped),
        "raw_precision": len(matched_findings & set(scoped)) / max(1, len(scoped)),
        "missed": [it["id"] for it in gold if it["id"] not in matched_items],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--gold",
        type=Path,
        default=ROOT.parent / "shared/dev/gold_inconsistencies.dev.yaml",
    )
    ap.add_argument(
        "--seed", type=Path, default=ROOT / "examples/factor-reform-2025.zh-en.txt"
    )
    ap.add_argument("--glossary", type=Path, default=ROOT / "glossary")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--half", choices=("tune", "report", "all"), default="all")
    args = ap.parse_args(argv)
    from tm.terms import load_termbase

    with TMService.open(":memory:") as service:
        service.import_file(args.seed)
        units = list(service.store.iter_units())
        pair_of = {
            u.id: sorted(
                {
                    o.position - 1
                    for o in service.store.occurrences(u.id)
                    if o.position > 0
                }
            )
            for u in units
            if u.id is not None
        }
    report = run_checks(units, termbase=load_termbase(args.glossary))
    gold = load_gold(args.gold)
    half_of = halves(gold)
    if args.half != "all":
        gold = [g for g in gold if half_of[g["id"]] == args.half]
    else:
        for half in ("tune", "report"):
            part = [g for g in gold if half_of[g["id"]] == half]
            r = evaluate(part, list(report.findings), pair_of, False)
            print(
                f"{half} half: {r['matched']}/{r['items']} recall {r['recall']:.3f}"
                f" (missed: {', '.join(r['missed']) or '-'})"
            )
    res = evaluate(gold, list(report.findings), pair_of, args.verbose)
    print(
        f"gold items: {res['items']}  matched: {res['matched']}  recall: {res['recall']:.3f}"
    )
    print(
        f"attributable findings: {res['attributable']}  matching: {res['attributable_matched']}"
        f"  precision: {res['precision']:.3f}"
    )
    print(
        f"in-scope findings: {res['in_scope']}  raw precision vs the sample: {res['raw_precision']:.3f}"
    )
    print(f"missed: {', '.join(res['missed']) or '-'}")
    print(
        "findings per check: "
        + ", ".join(f"{k} {v}" for k, v in report.counts().items())
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
