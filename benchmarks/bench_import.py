"""Import and export throughput: a TMX of N units built from ../shared/corpora.

Prints units/s for import and export and the peak RSS of this process.

    python benchmarks/bench_import.py            # 300k units
    python benchmarks/bench_import.py --size 20000
"""

from __future__ import annotations

import argparse
import gzip
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tm.formats.tmx import TMXHeader, write_tmx
from tm.models import Occurrence, SegType, TranslationUnit
from tm.service import TMService

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
FILES = (
    "tw_moj_laws.paragraphs.zh-en.tsv.gz",
    "python_docs_3.13.zh_CN.zh-en.tsv.gz",
    "wmt_news_test_2017-2022.zh-en.tsv.gz",
    "tw_moj_laws.titles_headings.zh-en.tsv.gz",
)


def corpus_pairs(limit: int) -> Iterator[tuple[str, str]]:
    """Distinct (zh, en) pairs from the corpora, up to ``limit``."""
    seen: set[tuple[str, str]] = set()
    for name in FILES:
        with gzip.open(CORPORA / name, "rt", encoding="utf-8") as fh:
            for line in fh:
                cols = line.rstrip("\n").split("\t")
                if len(cols) < 2 or not cols[0].strip() or not cols[1].strip():
                    continue
                pair = (cols[-2], cols[-1]) if len(cols) > 2 else (cols[0], cols[1])
                if pair in seen:
                    continue
                seen.add(pair)
                yield pair
                if len(seen) >= limit:
                    return


def units(limit: int) -> Iterator[TranslationUnit]:
    for i, (zh, en) in enumerate(corpus_pairs(limit)):
        yield TranslationUnit(
            source=zh,
            target=en,
            segtype=SegType.SENTENCE,
            occurrence=Occurrence("bench.tmx", i),
        )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--size", type=int, default=300_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmx = Path(tmp) / "bench.tmx"
        t = time.perf_counter()
        n = write_tmx(units(args.size), tmx, header=TMXHeader())
        build = time.perf_counter() - t
        print(
            f"built {tmx.name}: {n} units, {tmx.stat().st_size / 1e6:.1f} MB in {build:.1f} s"
        )
        with TMService.open(Path(tmp) / "bench.db") as service:
            t = time.perf_counter()
            report = service.import_file(tmx)
            imp = time.perf_counter() - t
            print(
                f"import: {report.added} units in {imp:.1f} s = {report.added / imp:,.0f} units/s"
                f" (sentence splitting off: TMX units are sentence-level)"
            )
            t = time.perf_counter()
            out = service.export(Path(tmp) / "out.tmx", fmt="tmx")
            exp = time.perf_counter() - t
            print(f"export: {out} units in {exp:.1f} s = {out / exp:,.0f} units/s")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
