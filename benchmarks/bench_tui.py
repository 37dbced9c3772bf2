"""Benchmark: keystroke → matches shown in the TUI's lookup screen, on a large TM.

Also timed in the same run: a 4,000-character paste into the lookup box (bracketed
paste, until its matches are shown) and, in document mode on the
Changsha–Zhuzhou–Xiangtan action plan, Ctrl+↓ until the next segment's matches and
terms are shown.

Drives the real app headless (``App.run_test``): for each query, the query minus its
last character is put in the box and its look-up allowed to finish, then the last
character's key event is posted to the app (as the terminal driver does) and the clock runs until the lookup screen has rendered the
matches for the full query (its ``MatchesReady`` handler has run). That is the
latency a translator feels per keystroke. The service-only look-up time of the same
queries is printed beside it, so the UI's share is visible.

The TM and queries come from ``bench_lookup.py`` (the matching benchmark's builder:
~1M units of ../shared/corpora law text); the index is loaded from its cache or
built once before timing, and that time is printed separately.

Usage:
    python benchmarks/bench_tui.py                     # 1M units, 200 queries
    python benchmarks/bench_tui.py --size 50000 --queries 50
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_lookup import build_db, make_queries  # noqa: E402
from textual import events  # noqa: E402
from textual.worker import WorkerCancelled  # noqa: E402

from tm.service import TMService  # noqa: E402
from tm.tui.app import make_app  # noqa: E402
from tm.tui.messages import MatchesReady  # noqa: E402
from tm.tui.screens.document import DocumentScreen  # noqa: E402
from tm.tui.screens.lookup import LOOKUP_MIN_SCORE, LookupScreen  # noqa: E402
from tm.tui.widgets.match_view import MatchTable  # noqa: E402

DOCUMENT = ROOT / "examples" / "changzhutan-action-plan.zh.txt"
PASTE_CHARS = 4000

BUDGET_MS = 50.0


def typed(query: str) -> str:
    query = query.strip()
    while query and not query[-1].isalnum():
        query = query[:-1]
    return query


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


# When each query's matches were shown: stamped inside the screen's handler (wrapped
# below), so the waiting loop's own scheduling does not count.
SHOWN: dict[str, float] = {}
_EVENTS: dict[int, asyncio.Event] = {}


def _signal() -> asyncio.Event:
    """The event of the running loop (each asyncio.run has its own)."""
    return _EVENTS.setdefault(id(asyncio.get_running_loop()), asyncio.Event())


def _stamp_shown() -> None:
    """Wrap LookupScreen.on_matches_ready to stamp the time its matches are shown."""
    handler = LookupScreen.on_matches_ready

    def shown(self: LookupScreen, message: MatchesReady) -> None:
        handler(self, message)
        if self.shown_query == message.query:
            SHOWN[message.query] = time.perf_counter()
            _signal().set()

    LookupScreen.on_matches_ready = shown  # type: ignore[method-assign]


async def wait_shown(screen: LookupScreen, query: str, timeout: float = 10.0) -> float:
    """Wait until the screen has shown the matches of ``query``; returns the time then."""
    deadline = time.perf_counter() + timeout
    while query not in SHOWN:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise TimeoutError(f"no matches shown for {query!r}")
        _signal().clear()
        if query in SHOWN:
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_signal().wait(), left)
    return SHOWN[query]


async def settle(app: Any) -> None:
    """Wait for the app's workers; one a newer look-up cancelled counts as done."""
    with contextlib.suppress(WorkerCancelled):
        await app.workers.wait_for_complete()


async def drive(service: TMService, queries: list[str]) -> list[float]:
    app = make_app(service=service, glossary=ROOT / "glossary")
    latencies: list[float] = []
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LookupScreen)
        box = screen.query_one("#query")
        for query in queries:
            SHOWN.clear()
            box.value = query[:-1]  # type: ignore[attr-defined]
            box.cursor_position = len(query) - 1  # type: ignore[attr-defined]
            if query[:-1].strip():
                await wait_shown(screen, query[:-1].strip())
            await settle(app)
            # Post the key the way the terminal driver does (pilot.press would also
            # wait for the whole app to go idle, which is not what a user waits for).
            t0 = time.perf_counter()
            SHOWN.pop(query.strip(), None)
            app.post_message(events.Key(query[-1], query[-1]))
            shown = await wait_shown(screen, query.strip())
            latencies.append((shown - t0) * 1000)
            await settle(app)
    return latencies


async def paste(service: TMService, text: str) -> float:
    """ms from a bracketed paste of ``text`` to its matches shown."""
    app = make_app(service=service, glossary=ROOT / "glossary")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LookupScreen)
        box = screen.query_one("#query")
        SHOWN.clear()
        t0 = time.perf_counter()
        box.post_message(events.Paste(text))
        shown = await wait_shown(screen, text.strip(), timeout=120)
        return (shown - t0) * 1000


async def next_segment(service: TMService, moves: int) -> list[float]:
    """ms from Ctrl+↓ to the next segment's matches and terms shown."""
    app = make_app(service=service, glossary=ROOT / "glossary", document=DOCUMENT)
    out: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DocumentScreen)
        await settle(app)  # the bands of the whole document
        table = screen.query_one(MatchTable)
        for _ in range(moves):
            target = screen.current + 1
            t0 = time.perf_counter()
            app.post_message(events.Key("ctrl+down", None))
            deadline = t0 + 30
            while screen.current != target or target not in screen.matches:
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"segment {target + 1} not shown")
                await asyncio.sleep(0.0005)
            out.append((time.perf_counter() - t0) * 1000)
            assert table.matches == screen.matches[target]
            await settle(app)
    return out


def main() -> None:
    _stamp_shown()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--db", default=None, help="TM (built there if a missing SQLite file)"
    )
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    db = args.db or f"/tmp/tm_bench_{args.size}.db"
    build_db(db, args.size)
    # The timed keystroke is the last character: make it a letter or a Han character
    # (trailing punctuation dropped), as when typing a segment.
    queries = [typed(q) for _, q in make_queries(db, args.queries)]
    queries = [q for q in queries if len(q) >= 2]

    service = TMService.open(db)
    units = service.store.count_units()
    t0 = time.perf_counter()
    service.lookup(queries[0])  # loads (or builds and caches) the candidate index
    ready = time.perf_counter() - t0

    direct = []
    for q in queries:
        t = time.perf_counter()
        service.lookup_layers(q.strip(), min_score=LOOKUP_MIN_SCORE, limit=5)
        direct.append((time.perf_counter() - t) * 1000)

    cpu0 = time.process_time()
    latencies = asyncio.run(drive(service, queries))  # the app closes the service
    cpu = time.process_time() - cpu0
    under = sum(1 for v in latencies if v <= BUDGET_MS) / len(latencies)
    print(f"TM: {db} ({units:,} units); index ready in {ready:.1f}s")
    print(f"queries: {len(latencies)} (min score {LOOKUP_MIN_SCORE}, top 5)")
    print(
        "keystroke → matches shown (ms): "
        f"median {statistics.median(latencies):.1f}  p90 {pct(latencies, 90):.1f}  "
        f"p99 {pct(latencies, 99):.1f}  max {max(latencies):.1f}"
    )
    print(f"within {BUDGET_MS:.0f} ms: {under:.1%}")
    print(
        "service look-up alone (ms): "
        f"median {statistics.median(direct):.1f}  p99 {pct(direct, 99):.1f}"
    )
    print(
        "keystroke / service alone: median "
        f"{statistics.median(latencies) / statistics.median(direct):.2f}x  p99 "
        f"{pct(latencies, 99) / pct(direct, 99):.2f}x"
    )
    print(f"CPU time of the keystroke run: {cpu:.1f}s for {len(latencies)} keys")
    print(flush=True)

    long_query = ""
    for q in queries:
        long_query += q
        if len(long_query) >= PASTE_CHARS:
            break
    pasted = asyncio.run(paste(warm(db, queries[0]), long_query[:PASTE_CHARS]))
    print(f"paste of {PASTE_CHARS:,} characters → matches shown: {pasted:.0f} ms")
    moves = asyncio.run(next_segment(warm(db, queries[0]), 60))
    print(
        "document mode, Ctrl+↓ → matches and terms shown (ms): "
        f"median {statistics.median(moves):.1f}  p90 {pct(moves, 90):.1f}  "
        f"p99 {pct(moves, 99):.1f}  max {max(moves):.1f}"
    )


def warm(db: str, query: str) -> TMService:
    """The TM opened again (an app closes its service), its index loaded."""
    service = TMService.open(db)
    service.lookup(query)
    return service


if __name__ == "__main__":
    main()
