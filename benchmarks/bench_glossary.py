"""Glossary coverage and precision, measured against hand judgments.

Coverage: of the candidates that `tm terms extract` proposes on the State Council's
2025 approval of factor-market reform pilots (examples/factor-reform-2025.zh-en.txt),
those judged terms in benchmarks/glossary_candidates.judged.tsv and recurring at least
twice in the approval's Chinese: how many have a glossary entry. Also split in two
halves (parity of the CRC-32 of the Chinese, as in bench_terms.py), and the glossary's
entries that recur in the approval but were judged non-terms.

Precision: the share of right entries in benchmarks/glossary_sample.judged.tsv (a
random sample judged by hand), with a warning for judged entries that have changed or
gone since, so the sample can be re-judged.

``--before REV`` also measures the glossary as it was at a git revision. ``--extract``
imports the approval into a temporary TM with the glossary as aligner anchors, runs the
extractor and counts candidates the judged file does not cover (new ones to judge).

    PYTHONPATH=src python benchmarks/bench_glossary.py [--glossary glossary]
        [--before REV] [--extract] [--top 1500]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tm.formats.bilingual import read_bilingual  # noqa: E402
from tm.terms import TermEntry, load_termbase  # noqa: E402

SEED = ROOT / "examples" / "factor-reform-2025.zh-en.txt"
CANDIDATES = ROOT / "benchmarks" / "glossary_candidates.judged.tsv"
SAMPLE = ROOT / "benchmarks" / "glossary_sample.judged.tsv"
GLOSSARY_FILE = "glossary/factor-markets.zh-en.yaml"


def read_tsv(path: Path) -> list[dict[str, str]]:
    lines = [
        ln for ln in path.read_text("utf-8").splitlines() if not ln.startswith("#")
    ]
    return list(csv.DictReader(lines, delimiter="\t"))


def approval_counts(terms: set[str]) -> dict[str, int]:
    """Occurrences of each term in the approval's 333 bullet paragraphs."""
    paras = [p.zh for p in read_bilingual(SEED).pairs if p.index is not None]
    return {t: sum(p.count(t) for p in paras) for t in terms}


def glossary_at(rev: str, tmp: Path) -> Path:
    text = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:{GLOSSARY_FILE}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = tmp / "glossary-before.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def half(zh: str) -> int:
    return zlib.crc32(zh.encode("utf-8")) % 2


def coverage(name: str, entries: list[TermEntry], judged: list[dict[str, str]]) -> None:
    have = {e.zh for e in entries}
    counts = approval_counts({r["zh"] for r in judged} | have)
    terms = [
        r["zh"] for r in judged if r["judgment"] == "term" and counts[r["zh"]] >= 2
    ]
    print(f"{name}: {len(entries)} entries")
    for label, part in (
        ("A", [t for t in terms if half(t) == 0]),
        ("B", [t for t in terms if half(t) == 1]),
        ("all", terms),
    ):
        hit = sum(1 for t in part if t in have)
        print(
            f"  coverage {label:3}: {hit}/{len(part)} judged terms recurring "
            f"(≥2×) in the approval have an entry = {hit / max(1, len(part)):.3f}"
        )
    non_terms = {r["zh"] for r in judged if r["judgment"] == "non-term"}
    listed = sorted(
        e.zh for e in entries if e.zh in non_terms and counts.get(e.zh, 0) >= 2
    )
    print(f"  entries judged non-terms: {len(listed)} {' '.join(listed)}")
    missing = [t for t in terms if t not in have]
    if missing:
        print(f"  judged terms without an entry: {' '.join(missing)}")


def precision(entries: list[TermEntry]) -> None:
    sample = read_tsv(SAMPLE)
    right = [r for r in sample if r["verdict"] == "right"]
    print(
        f"judged sample: {len(right)}/{len(sample)} entries right = "
        f"{len(right) / len(sample):.3f}"
    )
    for r in sample:
        if r["verdict"] != "right":
            print(f"  wrong: {r['zh']} — {r['reason']}")
    by_zh = {e.zh: e for e in entries}
    for r in sample:
        entry = by_zh.get(r["zh"])
        if entry is None:
            print(f"  changed since judged: {r['zh']} is gone")
        elif entry.en != r["en"] and r["verdict"] == "right":
            print(f"  changed since judged: {r['zh']} is now {entry.en!r}")


def unjudged(glossary: Path, judged: list[dict[str, str]], top: int) -> None:
    from tm.service import TMService

    known = {r["zh"] for r in judged}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.process_time()
        with TMService.open(Path(tmp) / "tm.db") as svc:
            svc.import_file(SEED, glossary=glossary)
            cands = svc.extract_terms(top=top, glossary=glossary)
        cpu = time.process_time() - t0
    new = [c for c in cands if c.zh not in known]
    print(
        f"extractor: {len(cands)} candidates ({cpu:.1f}s CPU), {len(new)} not in the "
        f"judged file: {' '.join(c.zh for c in new[:40])}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--glossary", type=Path, default=ROOT / "glossary")
    ap.add_argument("--before", default=None, help="also measure the glossary at REV")
    ap.add_argument("--extract", action="store_true", help="list unjudged candidates")
    ap.add_argument("--top", type=int, default=1500)
    args = ap.parse_args()
    judged = read_tsv(CANDIDATES)
    with tempfile.TemporaryDirectory() as tmp:
        if args.before:
            old = list(load_termbase(glossary_at(args.before, Path(tmp))))
            coverage(f"glossary at {args.before}", old, judged)
        entries = list(load_termbase(args.glossary))
        coverage(f"glossary {args.glossary}", entries, judged)
    precision(entries)
    if args.extract:
        unjudged(args.glossary, judged, args.top)


if __name__ == "__main__":
    main()
