"""Benchmark: fuzzy look-up through the index vs an exhaustive scan, at cutoffs 50 and 70.

The TM is built from ../shared/corpora: the Taiwan law paragraphs (Traditional) split
into sentences at 。！？；, plus the paragraphs themselves, plus a Simplified copy of
both made with OpenCC, up to ``--size`` units. Queries: a third are TM sentences as
they are, a third TM sentences edited (insertions, deletions, substitutions, a changed
number), a third unseen sentences from the WMT news and Tatoeba files.

For each cutoff it prints the CPU time per query (best of 3 runs) of three paths that
must give the same answer: ``auto`` (per query, the index takes the cheaper of its
q-gram candidates and a scan of the length window), ``q-grams`` and ``window`` (each
forced), and of the exhaustive scan (every unit, timed on a subsample), per query kind
too; and the share of queries whose top-5 (ids and scores) is identical on all of
them. Then the index build time and the RSS it adds.

Usage:
    python benchmarks/bench_lookup.py                      # 1M units, 300 queries
    python benchmarks/bench_lookup.py --size 200000 --queries 150
    python benchmarks/bench_lookup.py --db postgresql://localhost/tm_bench
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tm.locations import numpy_defaults  # noqa: E402

# As the tm command does, before numpy is imported: the in-process figures are tm's.
numpy_defaults()

from tm.match import Matcher  # noqa: E402
from tm.match_index import CandidateIndex, cache_path  # noqa: E402
from tm.models import SegType, TranslationUnit  # noqa: E402
from tm.store import open_store  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
LAWS = CORPORA / "tw_moj_laws.paragraphs.zh-en.tsv.gz"
NEWS = CORPORA / "wmt_news_test_2017-2022.zh-en.tsv.gz"
TATOEBA = CORPORA / "tatoeba_test_v2021-08-07.zh-en.tsv.gz"
SENTENCE = re.compile(r"[^。！？；]+[。！？；]?")
CUTOFFS = (50.0, 70.0)
TOP = 5


def read_pairs(path: Path) -> Iterator[tuple[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            zh, _, en = line.rstrip("\n").partition("\t")
            if zh and en:
                yield zh, en


def law_units(size: int) -> Iterator[TranslationUnit]:
    """Sentence units, then paragraph units, then Simplified copies, until ``size``."""
    pairs = list(read_pairs(LAWS))
    sentences = [
        (s.strip(), en)
        for zh, en in pairs
        for s in SENTENCE.findall(zh)
        if len(s.strip()) >= 2
    ]
    n = 0
    batches = [(sentences, SegType.SENTENCE), (pairs, SegType.PARAGRAPH)]
    for convert in (False, True):
        cc = _opencc() if convert else None
        for rows, segtype in batches:
            for zh, en in rows:
                if n >= size:
                    return
                yield TranslationUnit(
                    cc.convert(zh) if cc else zh,
                    en,
                    source_lang="zh-CN" if cc else "zh-TW",
                    segtype=segtype,
                )
                n += 1


def _opencc():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def build_db(path: str, size: int) -> None:
    store = open_store(path)
    try:
        if store.count_units() >= size * 0.95:
            return
        t0 = time.perf_counter()
        result = store.add_units(law_units(size), batch_size=20_000)
        print(
            f"built TM: {result.added:,} units added in {time.perf_counter() - t0:.0f}s",
            flush=True,
        )
    finally:
        store.close()


def edit(text: str, rng: random.Random) -> str:
    """A TM sentence as a translator might meet it again: a few edits, maybe a number."""
    chars = list(text)
    if rng.random() < 0.4:
        digits = [
            i for i, c in enumerate(chars) if c.isdigit() or c in "一二三四五六七八九十"
        ]
        if digits:
            i = rng.choice(digits)
            chars[i] = rng.choice("123456789" if chars[i].isdigit() else "二三五七九")
    for _ in range(rng.randint(1, max(1, len(chars) // 10))):
        op = rng.choice("ids")
        i = rng.randrange(len(chars)) if chars else 0
        if op == "i":
            chars.insert(i, rng.choice("的和及与在对其应本法条"))
        elif op == "d" and len(chars) > 2:
            del chars[i]
        elif chars:
            chars[i] = rng.choice("国家政府规定办理机关")
    return "".join(chars)


def make_queries(store_path: str, n: int, seed: int = 4) -> list[tuple[str, str]]:
    """(kind, query): a third TM sentences as they are, a third edited, a third unseen."""
    rng = random.Random(seed)
    store = open_store(store_path, create=False)
    try:
        keys = [r.key for r in store.iter_keys()]
    finally:
        store.close()
    third = n // 3
    picked = rng.sample(keys, 2 * third)
    verbatim = [("from the TM", k) for k in picked[:third]]
    edited = [("edited", edit(k, rng)) for k in picked[third:]]
    unseen = [zh for zh, _ in read_pairs(NEWS)] + [zh for zh, _ in read_pairs(TATOEBA)]
    return (
        verbatim + edited + [("unseen", q) for q in rng.sample(unseen, n - 2 * third)]
    )


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def timed(fn: Callable[[], object], runs: int = 3) -> tuple[float, object]:
    """Best CPU time of ``runs`` calls (ms) and the last result."""
    best = float("inf")
    out: object = None
    for _ in range(runs):
        t = time.process_time()
        out = fn()
        best = min(best, (time.process_time() - t) * 1000)
    return best, out


def forced(path: str | None) -> None:
    """Make every look-up take one path (None: let the index choose per query)."""
    CandidateIndex.prefer_scan = (  # type: ignore[method-assign]
        _CHOOSE if path is None else (lambda self, codes, ms: path == "window")
    )


_CHOOSE = CandidateIndex.prefer_scan


def run_cutoff(
    matcher: Matcher, queries: list[tuple[str, str]], cutoff: float, scan_sample: int
) -> None:
    times: dict[str, list[float]] = {"auto": [], "q-grams": [], "window": []}
    by_kind: dict[str, list[tuple[float, float]]] = {}
    same = 0
    scan_times: list[float] = []
    sample = set(range(0, len(queries), max(1, len(queries) // scan_sample)))
    for i, (kind, q) in enumerate(queries):
        results = {}
        for path, name in ((None, "auto"), ("index", "q-grams"), ("window", "window")):
            forced(path)
            ms, results[name] = timed(
                lambda q=q: matcher.rank(q, min_score=cutoff, limit=TOP)  # type: ignore[misc]
            )
            times[name].append(ms)
        forced(None)
        if i in sample:
            ms, ref = timed(
                lambda q=q: matcher.rank(  # type: ignore[misc]
                    q, min_score=cutoff, limit=TOP, exhaustive=True
                ),
            )
            scan_times.append(ms)
            by_kind.setdefault(kind, []).append((times["auto"][-1], ms))
        else:
            ref = matcher.rank(
                q, min_score=cutoff, limit=TOP, exhaustive=True, workers=2
            )
        same += all(_key(r) == _key(ref) for r in results.values())  # type: ignore[arg-type]
    scan_med = statistics.median(scan_times)
    auto_med = statistics.median(times["auto"])
    print(f"-- min score {cutoff:g}, top {TOP}, CPU ms per query (best of 3 runs)")
    for name in ("auto", "q-grams", "window"):
        v = times[name]
        print(
            f"  {name:8s} median {statistics.median(v):7.2f}  p99 {pct(v, 99):7.2f}"
            f"  max {max(v):7.2f}"
        )
    print(
        f"  scan     median {scan_med:7.2f}  (every unit, best of 3 runs,"
        f" {len(scan_times)} queries)"
    )
    for kind, pairs in by_kind.items():
        a = statistics.median(p[0] for p in pairs)
        b = statistics.median(p[1] for p in pairs)
        print(f"  {kind:12s} auto {a:7.2f} vs scan {b:7.2f} ms ({len(pairs)} queries)")
    worst = max(
        (p[0] / p[1] for pairs in by_kind.values() for p in pairs if p[1] > 0),
        default=0.0,
    )
    print(
        f"  scan median / auto median: {scan_med / max(auto_med, 1e-9):.1f}x;"
        f" slowest auto query vs its scan: {worst:.2f}x"
    )
    print(
        f"  identical top-{TOP} (ids and scores) on all three paths and the scan:"
        f" {100 * same / len(queries):.1f}% of {len(queries)}"
    )


def seed_analysis(runs: int = 5) -> None:
    """`tm analyze` of the Changsha–Zhuzhou–Xiangtan action plan on the seed TM (cutoff 50)."""
    import tempfile

    from tm.service import TMService

    examples = ROOT / "examples"
    with tempfile.TemporaryDirectory() as tmp, TMService.open(Path(tmp) / "s.db") as s:
        s.import_file(examples / "factor-reform-2025.zh-en.txt")
        s.matcher().ensure_index()
        units = s.store.count_units()
        doc = examples / "changzhutan-action-plan.zh.txt"
        best = {}
        for exhaustive in (False, True) * runs:
            t = time.process_time()
            s.analyze(doc, exhaustive=exhaustive)
            took = time.process_time() - t
            best[exhaustive] = min(best.get(exhaustive, took), took)
    print(
        "analysis of the Changsha–Zhuzhou–Xiangtan action plan on the seed TM"
        f" ({units:,} units): indexed {best[False]:.3f} s"
        f" CPU, exhaustive {best[True]:.3f} s CPU (best of {runs})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--db", default=None, help="TM to use (built there if a missing SQLite file)"
    )
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--scan-sample", type=int, default=30)
    args = ap.parse_args()
    seed_analysis()
    db = args.db or f"/tmp/tm_bench_{args.size}.db"
    build_db(db, args.size)  # builds a missing or short TM, SQLite or PostgreSQL alike
    queries = make_queries(db, args.queries)

    store = open_store(db, create=False)
    matcher = Matcher(store)
    cached = not db.startswith("postgres") and cache_path(db, "source").exists()
    rss0 = rss_mb()
    t0 = time.perf_counter()
    tiers = matcher.ensure_index()  # the main index, and units added since (if any)
    build = time.perf_counter() - t0
    rss1 = rss_mb()
    how = "loaded from its cache file" if cached else "built from the store"
    units = sum(len(tier) for tier in tiers)
    print(f"TM: {units:,} units ({db}); index {how} in {build:.1f}s")
    print(
        f"queries: {len(queries)} (a third TM sentences as they are, a third edited,"
        " a third unseen news/Tatoeba); paths: auto (the index chooses per query),"
        " q-grams (candidates always), window (the length window scanned always)"
    )
    for cutoff in CUTOFFS:
        run_cutoff(matcher, queries, cutoff, args.scan_sample)
    store.close()
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} during the run")
    print(
        f"index RSS: +{rss1 - rss0:.0f} MB over the open store"
        f" (arrays {sum(t.nbytes() for t in tiers) / 2**20:.0f} MB); process peak"
        f" {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


def _key(scored: list) -> list[tuple[int, float]]:  # type: ignore[type-arg]
    return [(s.unit_id, round(s.score, 6)) for s in scored]


if __name__ == "__main__":
    main()
