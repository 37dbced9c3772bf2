"""Concurrency: 4 processes × 10k units imported at once into each backend while a
fifth process runs look-ups.

Each writer takes its own slice of distinct zh-en pairs from ../shared/corpora and
imports it as files of 1,000 units (one transaction each, the way ``tm import``
works); then, so that writers collide on the same rows, it imports 1,000 units of its
neighbour's slice in reverse order: those must be deduplicated, never stored twice.
The reader loops until the writers are done: an exact-key look-up, a concordance
query (2–4 characters cut from a TM sentence) and, when ``tm.match`` is available, a
fuzzy look-up of an edited TM sentence; then it runs the same mix on the idle TM.

The TM holds ``--base`` units (10,000) before the writers start; the reader's queries
come from them, so look-ups under load and idle ask for the same things.

Prints, per backend: units stored (base + writers × per-writer, all distinct),
duplicates, errors (must be 0), import wall time, and look-up latency (median, p95,
max) under load and idle.

    python benchmarks/bench_concurrency.py                 # SQLite, + PostgreSQL if TM_TEST_POSTGRES_DSN
    python benchmarks/bench_concurrency.py --pg postgresql://postgres@127.0.0.1:55441/tmtest
    python benchmarks/bench_concurrency.py --per-writer 2000 --backends sqlite
    python benchmarks/bench_concurrency.py --crossing      # multi-call transactions

With ``--crossing`` each transaction makes two ``add_units`` calls: the writer's own
next file, then the next writer's matching file reversed. Every writer holds its own
file when it asks for its neighbour's, in a ring: without writers taking turns, this
is a deadlock that a retry of the second call cannot undo (issue 9's named gap).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_import import corpus_pairs  # noqa: E402

from tm.models import Occurrence, TranslationUnit  # noqa: E402
from tm.store import open_store  # noqa: E402
from tm.text.normalize import match_key  # noqa: E402

FILE_SIZE = 1_000


def writer(
    url: str,
    me: int,
    slices: list[list[tuple[str, str]]],
    overlap: int,
    go: Any,
    out: Any,
    crossing: bool = False,
) -> None:
    """Import slice ``me`` file by file, then part of the next slice backwards.

    With ``crossing``, each transaction adds an own file and then the next slice's
    matching file, backwards (no separate overlap file).
    """
    added = dups = errors = 0
    try:
        store = open_store(url)
    except Exception as exc:
        out.put(("writer", me, 0, 0, 1, f"open: {exc}"))
        return
    go.wait()
    own, nxt = slices[me], slices[(me + 1) % len(slices)]
    files = [own[i : i + FILE_SIZE] for i in range(0, len(own), FILE_SIZE)]
    if crossing:
        theirs = [nxt[i : i + FILE_SIZE][::-1] for i in range(0, len(nxt), FILE_SIZE)]
        transactions = [[f, t] for f, t in zip(files, theirs, strict=True)]
    else:
        files.append(list(reversed(nxt[:overlap])))
        transactions = [[f] for f in files]
    last = ""
    for n, calls in enumerate(transactions):
        try:
            with store.transaction():
                results = [
                    store.add_units(_file_units(f"w{me}-f{n}.tmx", c * FILE_SIZE, rows))
                    for c, rows in enumerate(calls)
                ]
            added += sum(r.added for r in results)
            dups += sum(r.duplicates for r in results)
        except Exception as exc:  # counted and reported, the benchmark goes on
            errors += 1
            last = f"{type(exc).__name__}: {exc}"
    store.close()
    out.put(("writer", me, added, dups, errors, last))


def _file_units(
    document: str, start: int, rows: list[tuple[str, str]]
) -> list[TranslationUnit]:
    return [
        TranslationUnit(zh, en, occurrence=Occurrence(document, start + i))
        for i, (zh, en) in enumerate(rows)
    ]


def reader(url: str, pool: list[tuple[str, str]], go: Any, stop: Any, out: Any) -> None:
    """Look-ups in a loop while the writers run, then the same mix on the idle TM."""
    from tm.service import TMService

    store = open_store(url)
    service = TMService(store)
    fuzzy = hasattr(service, "lookup")
    rng = random.Random(5)
    if fuzzy:
        service.lookup(pool[0][0])  # build the index on the TM as it is before the rush
    go.wait()
    loaded = _lookups(service, pool, rng, fuzzy, until=stop.is_set)
    done = len(loaded["exact"])
    idle = _lookups(
        service, pool, rng, fuzzy, until=lambda: False, count=min(max(done, 50), 2000)
    )
    store.close()
    out.put(("reader", loaded, idle, fuzzy))


def _lookups(
    service: Any,
    pool: list[tuple[str, str]],
    rng: random.Random,
    fuzzy: bool,
    *,
    until: Any,
    count: int | None = None,
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"exact": [], "concordance": [], "fuzzy": []}
    store = service.store
    while not until() and (count is None or len(times["exact"]) < count):
        zh, _ = rng.choice(pool)
        key = match_key(zh)
        t = time.perf_counter()
        store.exact(key)
        times["exact"].append(time.perf_counter() - t)
        size = rng.randint(2, 4)
        start = rng.randrange(max(1, len(key) - size))
        t = time.perf_counter()
        store.concordance(key[start : start + size], limit=20)
        times["concordance"].append(time.perf_counter() - t)
        if fuzzy:
            edited = zh[: len(zh) // 2] + "的" + zh[len(zh) // 2 + 1 :]
            t = time.perf_counter()
            service.lookup(edited, min_score=70, limit=5)
            times["fuzzy"].append(time.perf_counter() - t)
    return times


def run(
    backend: str,
    url: str,
    writers: int,
    per_writer: int,
    overlap: int,
    base: int,
    crossing: bool = False,
) -> None:
    everything = list(corpus_pairs(base + writers * per_writer))
    rng = random.Random(1)
    rng.shuffle(everything)
    base_pairs, pairs = everything[:base], everything[base:]
    slices = [pairs[i * per_writer : (i + 1) * per_writer] for i in range(writers)]
    with open_store(url) as store:  # the team's TM as it was before the rush
        store.add_units(
            TranslationUnit(zh, en, occurrence=Occurrence("base.tmx", i))
            for i, (zh, en) in enumerate(base_pairs)
        )
    ctx = mp.get_context("spawn")
    go, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=writer, args=(url, i, slices, overlap, go, out, crossing))
        for i in range(writers)
    ]
    look = ctx.Process(target=reader, args=(url, base_pairs or pairs, go, stop, out))
    for p in [*procs, look]:
        p.start()
    time.sleep(3)  # let every process import tm and connect before the start signal
    t0 = time.perf_counter()
    go.set()
    results = [out.get() for _ in procs]
    wall = time.perf_counter() - t0
    stop.set()
    _, loaded, idle, fuzzy = out.get()
    for p in [*procs, look]:
        p.join()
    with open_store(url) as store:
        stored = store.count_units()
        distinct = len({(u.source, u.target) for u in store.iter_units()})
    added = sum(r[2] for r in results)
    errors = sum(r[4] for r in results)
    expected = len(set(everything))
    extra = per_writer if crossing else overlap
    shape = (
        "each transaction = 2 calls: own file, then the neighbour's file reversed"
        if crossing
        else f"+{overlap:,} of a neighbour's, reversed"
    )
    print(
        f"== {backend}: {writers} writers × {per_writer:,} units ({shape})"
        f" into a TM of {base:,} units while 1 reader looks up"
    )
    print(
        f"units stored: {stored:,} = {base:,} base + {stored - base:,} from the writers"
        f" (distinct {distinct:,}; expected {expected:,})"
        f" {'OK' if stored == distinct == expected else 'MISMATCH'}"
    )
    print(
        f"added by writers: {added:,}; duplicates skipped: {sum(r[3] for r in results):,}"
    )
    print(
        f"errors: {errors}"
        + "".join(f"\n  writer {r[1]}: {r[5]}" for r in results if r[4])
    )
    print(
        f"import wall time: {wall:.1f} s = {writers * (per_writer + extra) / wall:,.0f} units/s"
    )
    kinds = ["exact", "concordance"] + (["fuzzy"] if fuzzy else [])
    for kind in kinds:
        print(f"{kind:>12} under load: {_summary(loaded[kind])}")
        print(f"{kind:>12} idle:       {_summary(idle[kind])}")
    if not fuzzy:
        print(
            "(tm.match not available: look-ups are store.exact and store.concordance only)"
        )
    sys.stdout.flush()


def _summary(times: list[float]) -> str:
    if not times:
        return "no look-ups"
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return (
        f"n={len(ms):,} median {statistics.median(ms):.2f} ms,"
        f" p95 {p95:.2f} ms, max {ms[-1]:.1f} ms"
    )


def _pg_schema_url(dsn: str, schema: str) -> str:
    parts = urlsplit(dsn)
    opt = "options=" + quote(f"-csearch_path={schema},public", safe="")
    query = f"{parts.query}&{opt}" if parts.query else opt
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--per-writer", type=int, default=10_000)
    ap.add_argument("--overlap", type=int, default=1_000)
    ap.add_argument(
        "--base",
        type=int,
        default=10_000,
        help="units in the TM before the writers start",
    )
    ap.add_argument(
        "--pg",
        default=os.environ.get("TM_TEST_POSTGRES_DSN"),
        help="PostgreSQL URL (default: $TM_TEST_POSTGRES_DSN); a fresh schema is used",
    )
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument(
        "--crossing",
        action="store_true",
        help="two add_units calls per transaction, crossing with the next writer",
    )
    args = ap.parse_args()
    backends = args.backends.split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as tmp:
            run(
                "sqlite",
                str(Path(tmp) / "conc.db"),
                args.writers,
                args.per_writer,
                args.overlap,
                args.base,
                args.crossing,
            )
    if "postgres" in backends:
        if not args.pg:
            print("== postgres: skipped (no --pg and no TM_TEST_POSTGRES_DSN)")
            return
        import psycopg

        schema = f"bench_conc_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            run(
                "postgresql",
                _pg_schema_url(args.pg, schema),
                args.writers,
                args.per_writer,
                args.overlap,
                args.base,
                args.crossing,
            )
        finally:
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
