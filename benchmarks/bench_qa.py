"""Benchmark: ``tm qa`` over a large TM; prints the time and the findings per check.

Without ``--db`` the TM is built from ../shared/corpora, real pairs only, ``--size``
units (default 1,000,000): every pair of the parallel corpora (Taiwan laws paragraphs
and headings as zh-TW, Python docs, WMT news, TICO-19, FLORES, Tatoeba as zh-CN), then
a zh-CN copy of the Traditional laws and headings (OpenCC t2s), then sentence units
cut from the law paragraphs whose two sides split into the same number of sentences
(paired in order, ``segtype=sentence``, in both scripts), as an aligned TM would hold.
That gives about 660k distinct units; the rest, up to ``--size``, repeat them in the
same order as further occurrences (a TM exported one unit per occurrence holds such
repeats). The output says how many units of each kind were used. The rows are cached
in ``benchmarks/.cache`` (OpenCC takes minutes).

``--sample N`` QAs every k-th unit of that TM (N of them), so a quicker run keeps its mix.

With ``--db`` the units are read from that store (the time to read them is printed
apart) and QA runs as ``tm qa --db`` does.

``--fast-paths`` runs QA once with every fast path of ``tm.fastpath`` on, then once
with each one off, and prints the CPU time of each run and its ratio to the first
(above 1.00: the fast path pays). The findings of every run must equal the first's.

Usage::

    PYTHONPATH=src python benchmarks/bench_qa.py --workers 2 -o /tmp/qa.json
    PYTHONPATH=src python benchmarks/bench_qa.py --db big.db --workers 2
    PYTHONPATH=src python benchmarks/bench_qa.py --sample 100000 --fast-paths
"""

from __future__ import annotations

import argparse
import gzip
import resource
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tm.models import SegType, TranslationUnit  # noqa: E402
from tm.qa import run_checks  # noqa: E402
from tm.text.segment import sentence_spans  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
FILES = (
    "tw_moj_laws.paragraphs.zh-en.tsv.gz",
    "tw_moj_laws.titles_headings.zh-en.tsv.gz",
    "python_docs_3.13.zh_CN.zh-en.tsv.gz",
    "wmt_news_test_2017-2022.zh-en.tsv.gz",
    "tico19_test.zh-en.tsv.gz",
    "flores200_devtest.zh-en.tsv.gz",
    "tatoeba_test_v2021-08-07.zh-en.tsv.gz",
)
LAWS = FILES[0]


def read_pairs(name: str) -> Iterator[tuple[str, str]]:
    path = CORPORA / name
    if not path.exists():
        return
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            zh, _, en = line.rstrip("\n").partition("\t")
            if zh and en:
                yield zh, en


CACHE = ROOT / "benchmarks" / ".cache"


def corpus_units(size: int) -> tuple[list[TranslationUnit], Counter[str]]:
    """``size`` units from the corpora (see the module docstring), cached as TSV.

    The first run writes the rows to ``benchmarks/.cache`` (OpenCC is slow); later
    runs read them back.
    """
    cache = CACHE / f"qa-tm-{size}.tsv.gz"
    if not cache.exists():
        CACHE.mkdir(exist_ok=True)
        tmp = cache.with_suffix(".part")
        with gzip.open(tmp, "wt", encoding="utf-8") as fh:
            for kind, segtype, lang, zh, en in _rows(size):
                fh.write(f"{kind}\t{segtype}\t{lang}\t{zh}\t{en}\n")
        tmp.replace(cache)
    units: list[TranslationUnit] = []
    kinds: Counter[str] = Counter()
    with gzip.open(cache, "rt", encoding="utf-8") as fh:
        for line in fh:
            kind, segtype, lang, zh, en = line.rstrip("\n").split("\t")
            units.append(
                TranslationUnit(
                    zh, en, source_lang=lang, segtype=segtype, id=len(units) + 1
                )
            )
            kinds[kind] += 1
    return units, kinds


def _rows(size: int) -> Iterator[tuple[str, str, str, str, str]]:
    """(kind, segtype, source language, zh, en) rows, ``size`` of them."""
    import opencc

    t2s = opencc.OpenCC("t2s")
    made = 0
    para = SegType.PARAGRAPH

    def passes() -> Iterator[tuple[str, str, str, str, str]]:
        for name in FILES:
            lang = "zh-TW" if name.startswith("tw_") else "zh-CN"
            for zh, en in read_pairs(name):
                yield name.split(".")[0], para, lang, zh, en
        for name in FILES[:2]:
            for zh, en in read_pairs(name):
                simple = t2s.convert(zh)
                if simple != zh:
                    yield "laws, Simplified copy", para, "zh-CN", simple, en
        for zh, en in read_pairs(LAWS):
            zs, es = sentence_spans(zh, "zh"), sentence_spans(en, "en")
            if len(zs) < 2 or len(zs) != len(es):
                continue
            for (a, b), (c, d) in zip(zs, es, strict=True):
                kind = "laws, sentence units"
                yield kind, SegType.SENTENCE, "zh-TW", zh[a:b], en[c:d]
                yield (
                    kind + " (Simplified)",
                    SegType.SENTENCE,
                    "zh-CN",
                    (t2s.convert(zh[a:b])),
                    en[c:d],
                )

    while made < size:
        first = made
        for row in passes():
            yield row if first == 0 else ("repeated occurrence", *row[1:])
            made += 1
            if made >= size:
                return
        if made == first:
            return  # no corpora


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument(
        "--db", help="QA this store instead of building a TM from the corpora"
    )
    ap.add_argument("--glossary", default=str(ROOT / "glossary"))
    ap.add_argument(
        "--workers", type=int, default=1, help="processes (0 = one per CPU)"
    )
    ap.add_argument("--sample", type=int, help="QA every k-th unit, this many")
    ap.add_argument(
        "-o", "--output", help="write the findings here as tm qa --json does"
    )
    ap.add_argument(
        "--fast-paths",
        action="store_true",
        help="time a run without each fast path against one with all",
    )
    args = ap.parse_args(argv)
    from tm.terms import load_termbase

    termbase = load_termbase(args.glossary) if Path(args.glossary).exists() else None
    t0 = time.perf_counter()
    if args.db:
        from tm.store import open_store

        with open_store(args.db) as store:
            units = list(store.iter_units())
            marks = store.marks()
        print(
            f"read {len(units):,} units from {args.db} in {time.perf_counter() - t0:.1f} s"
        )
    else:
        units, kinds = corpus_units(args.size)
        if args.sample and args.sample < len(units):
            step = len(units) / args.sample
            units = [units[int(i * step)] for i in range(args.sample)]
            kinds = Counter({f"every {step:.1f}th unit of the above": len(units)})
        marks = set()
        print(f"built {len(units):,} units in {time.perf_counter() - t0:.1f} s:")
        for kind, n in kinds.items():
            print(f"  {kind:40} {n:>9,}")
    chars = sum(len(u.source) + len(u.target) for u in units) / max(1, len(units))
    print(f"mean length (source + target): {chars:.0f} characters")
    if args.fast_paths:
        return _fast_paths(units, termbase, args.workers)
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    report = run_checks(units, termbase=termbase, marks=marks, workers=args.workers)
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"QA: {wall:.1f} s wall, {cpu:.1f} s CPU in this process"
        + (
            f" (+{kids.ru_utime + kids.ru_stime:.1f} s in workers)"
            if args.workers != 1
            else ""
        )
        + f", {len(units) / wall:,.0f} units/s, workers={args.workers}"
    )
    if args.output:
        from tm.qa.report import write_json

        w0 = time.perf_counter()
        with open(args.output, "w", encoding="utf-8") as fh:
            write_json(report, fh)
        print(
            f"findings written to {args.output} in {time.perf_counter() - w0:.1f} s"
            f" ({Path(args.output).stat().st_size / 1e6:.0f} MB)"
        )
    print(
        f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        f" (largest worker: {kids.ru_maxrss / 1024:.0f} MB)"
    )
    print(f"findings: {len(report.findings):,}")
    for name, n in report.counts().items():
        print(f"  {name:26} {n:>9,}")
    return 0


def _timed(units: list[TranslationUnit], termbase: object, workers: int) -> tuple:
    cpu0 = time.process_time()
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall0 = time.perf_counter()
    report = run_checks(units, termbase=termbase, workers=workers)
    wall = time.perf_counter() - wall0
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu0
    cpu += kids.ru_utime + kids.ru_stime - kids0.ru_utime - kids0.ru_stime
    return report, cpu, wall


def _fast_paths(units: list[TranslationUnit], termbase: object, workers: int) -> int:
    from tm import fastpath

    base, cpu, wall = _timed(units, termbase, workers)
    print(f"{'all fast paths on':28} {cpu:7.1f} s CPU {wall:7.1f} s wall   1.00")
    for name, what in fastpath.FAST_PATHS.items():
        with fastpath.plain(name):
            report, c, w = _timed(units, termbase, workers)
        same = "same findings" if report.findings == base.findings else "DIFFERENT"
        print(
            f"{name + ' off':28} {c:7.1f} s CPU {w:7.1f} s wall   {c / cpu:.2f}  {same}"
        )
        print(f"{'':30}({what})")
    with fastpath.plain():
        report, c, w = _timed(units, termbase, workers)
    same = "same findings" if report.findings == base.findings else "DIFFERENT"
    print(f"{'all off':28} {c:7.1f} s CPU {w:7.1f} s wall   {c / cpu:.2f}  {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
