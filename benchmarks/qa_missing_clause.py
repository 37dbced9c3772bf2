"""Precision of the missing-clause check, on slices of a real TM tuned on and held out.

Usage::

    PYTHONPATH=src python benchmarks/qa_missing_clause.py [--show]
        [--judged benchmarks/qa_missing_clause.judged.yaml]

The seed TM has few omissions of a whole clause, so the check is also measured on the
Taiwan laws paragraphs of ``../shared/corpora`` (zh-TW → en), each slice a TM of its
own (the lexicon is learned per TM, as ``tm qa`` learns it). The *tune* slices were
read while the check's thresholds were set; the *held-out* slices and the seed were run
once the thresholds were fixed, and judged then. Each finding is joined by
fingerprint with the judged sample (true: a clause is missing; trivial: the English
compresses the clause, a reviewer would let it pass; false: the clause is there).

``--show`` prints the unjudged findings with their text, for a reviewer to judge.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tm.models import QAIssue, TranslationUnit  # noqa: E402
from tm.qa import run_checks  # noqa: E402
from tm.service import TMService  # noqa: E402

LAWS = ROOT.parent / "shared/corpora/tw_moj_laws.paragraphs.zh-en.tsv.gz"
# (part, first paragraph, paragraphs)
SLICES = (
    ("tune", 0, 20_000),
    ("tune", 100_000, 30_000),
    ("held-out", 50_000, 30_000),
    ("held-out", 150_000, 30_000),
    ("held-out", 200_000, 30_000),
)


def law_slice(start: int, size: int) -> list[TranslationUnit]:
    with gzip.open(LAWS, "rt", encoding="utf-8") as f:
        rows = [
            line.rstrip("\n").split("\t")[:2]
            for line in itertools.islice(f, start, start + size)
        ]
    return [
        TranslationUnit(
            source=zh, target=en, source_lang="zh-TW", target_lang="en-US", id=i + 1
        )
        for i, (zh, en) in enumerate(rows)
    ]


def seed_units(seed: Path) -> list[TranslationUnit]:
    with TMService.open(":memory:") as service:
        service.import_file(seed)
        return list(service.store.iter_units())


def findings(units: list[TranslationUnit]) -> tuple[list[QAIssue], float]:
    t0 = time.process_time()
    report = run_checks(units, checks=["missing-clause"])
    return list(report.findings), time.process_time() - t0


def cut_recall(units: list[TranslationUnit]) -> tuple[int, int, int]:
    """Cut the longest English clause from each seed sentence whose two sides have as
    many clauses, one sentence at a time: how many cuts are found, and at the clause.

    Returns (cuts, found, found at the right source clause).
    """
    from dataclasses import replace

    from tm.qa import omission
    from tm.qa.base import QAContext
    from tm.qa.lexicon import learn_lexicon
    from tm.text.segment import clause_spans

    sentences = [u for u in units if u.segtype == "sentence"]
    lexicon = learn_lexicon(sentences)
    cuts = found = placed = 0
    for u in sentences:
        zc, ec = clause_spans(u.source, "zh"), clause_spans(u.target, "en")
        if len(zc) != len(ec) or len(zc) < 2:
            continue
        k = max(range(len(ec)), key=lambda j: ec[j][1] - ec[j][0])
        a, b = ec[k]
        cut = (u.target[:a] + u.target[b:].lstrip(", ;")).strip()
        pool = [replace(x, target=cut) if x.id == u.id else x for x in sentences]
        ctx = QAContext(stats={"lexicon": lexicon})
        mine = [f for f in omission.missing_clause(pool, ctx) if f.units == (u.id,)]
        cuts += 1
        found += bool(mine)
        placed += any(s.start == zc[k][0] for f in mine for s in f.spans)
    return cuts, found, placed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--judged",
        type=Path,
        default=ROOT / "benchmarks" / "qa_missing_clause.judged.yaml",
    )
    ap.add_argument(
        "--seed", type=Path, default=ROOT / "examples/factor-reform-2025.zh-en.txt"
    )
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args(argv)
    judged = {
        j["fingerprint"]: j
        for j in (
            yaml.safe_load(args.judged.read_text()) if args.judged.exists() else []
        )
        or []
    }
    runs = [
        (part, f"laws {start}+{size}", law_slice(start, size))
        for part, start, size in SLICES
    ]
    runs.append(("held-out", "seed", seed_units(args.seed)))
    totals: dict[str, Counter[str]] = {}
    for part, name, units in runs:
        found, cpu = findings(units)
        c: Counter[str] = Counter()
        for f in found:
            j = judged.get(f.fingerprint)
            c[j["verdict"] if j else "unjudged"] += 1
            if args.show and not j:
                print(f"== {f.fingerprint} [{part} {name}] {f.message}")
                print(f"   ZH {f.source}\n   EN {f.target}")
        totals.setdefault(part, Counter()).update(c)
        print(
            f"{part:8} {name:18} {len(units):6} units {len(found):3} findings"
            f" {cpu:5.1f} s CPU  true {c['true']} trivial {c['trivial']}"
            f" false {c['false']} unjudged {c['unjudged']}"
        )
    cuts, found, placed = cut_recall(runs[-1][2])
    print(
        f"seed sentences with their longest English clause cut: {found} of {cuts}"
        f" found ({found / max(cuts, 1):.2f}), {placed} at the cut clause"
    )
    for part, c in totals.items():
        n = c["true"] + c["trivial"] + c["false"]
        if n:
            print(
                f"{part}: {n} judged, precision {(c['true'] + c['trivial']) / n:.2f}"
                f" (strict {c['true'] / n:.2f})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
