"""Spread a QA run over processes: the unit sweep, then the corpus checks.

The sweep (``tm.qa.sweep``: per-unit checks, consistency keys, the term base
prefilter) is independent per unit and dominates a large run, so worker processes
sweep slices of the unit list and send back findings and compact rows. The corpus
checks are independent of each other once the sweep is done, so each (the term checks
together, as they share one term usage scan) is one task; the executor hands the next
task to whichever process is free, which balances the load without a cost table.

The workers get what they need as explicit arguments of their initializer: the units
and the plan (or the context), plus the fast paths turned off in the parent. Where
``fork`` exists it is used, because the children then inherit those arguments instead
of unpickling them (pickling a million units costs more than the sweep saves);
elsewhere the platform's start method pickles them, which is slower but gives the same
result.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
from array import array
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from tm import fastpath
from tm.models import QAIssue, TranslationUnit
from tm.qa.base import Check, QAContext
from tm.qa.consistency import Seg
from tm.qa.sweep import Plan, Swept, sweep

Row = tuple[int, str, tuple[int, int], tuple[int, int], str, str]
# Checks that share a lazily built statistic (the term usage) run in one task.
TOGETHER = ("term-inconsistent", "term-forbidden", "term-mismatch")
# Slices per worker: a TM often stores sentence units and paragraphs in long runs that
# cost very differently, and the last slice should not leave a worker idle.
SLICES_PER_WORKER = 16

# What this worker process was given by its initializer (empty in the parent).
_given: dict[str, Any] = {}


def _executor(workers: int, *initargs: Any) -> Executor:
    methods = mp.get_all_start_methods()
    context = mp.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start,
        initargs=(fastpath.off(), *initargs),
    )


@contextmanager
def _pool(workers: int, *initargs: Any) -> Iterator[Executor]:
    """The worker pool of one run. On Ctrl+C (or any failure) the workers are stopped
    at once instead of finishing their slices, and the error goes on to the caller."""
    procs = _executor(workers, *initargs)
    try:
        yield procs
    except BaseException:
        running = getattr(procs, "_processes", None) or {}
        for proc in list(running.values()):
            proc.terminate()
        procs.shutdown(wait=False, cancel_futures=True)
        raise
    procs.shutdown(wait=True)


def _start(off: frozenset[str], *args: Any) -> None:
    # Ctrl+C reaches every process of the terminal's group: the parent stops the run,
    # and a worker that died of it too would print its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fastpath.set_off(off)
    _given["args"] = args


def sweep_parallel(
    pool: Sequence[TranslationUnit], plan: Plan, *, workers: int, counted: bool = False
) -> Swept:
    """Sweep ``pool`` with ``plan`` in ``workers`` processes; the same result as serial
    (with the per-unit counts when ``counted``)."""
    step = max(2000, len(pool) // (workers * SLICES_PER_WORKER) + 1)
    bounds = [(a, min(a + step, len(pool)), counted) for a in range(0, len(pool), step)]
    out = Swept(counts=array("q") if counted else None)
    with _pool(workers, pool, plan) as procs:
        for f, srows, crows, tids, counts in procs.map(_sweep_slice, bounds):
            out.found.extend(f)
            out.segs.extend(_seg(pool, r) for r in srows)
            out.clauses.extend(_seg(pool, r) for r in crows)
            out.term_candidates.extend(pool[i] for i in tids)
            if out.counts is not None and counts is not None:
                out.counts.extend(counts)
    return out


def _seg(pool: Sequence[TranslationUnit], r: Row) -> Seg:
    return Seg(r[1], pool[r[0]], r[2], r[3], r[4], r[5])


def _sweep_slice(
    bounds: tuple[int, int, bool],
) -> tuple[list[QAIssue], list[Row], list[Row], list[int], array[int] | None]:
    pool, plan = _given["args"]
    a, b, counted = bounds
    chunk = pool[a:b]
    done = sweep(plan, chunk, Swept(counts=array("q") if counted else None))
    index = {id(u): a + i for i, u in enumerate(chunk)}
    return (
        done.found,
        [_row(index, s) for s in done.segs],
        [_row(index, s) for s in done.clauses],
        [index[id(u)] for u in done.term_candidates],
        done.counts,
    )


def _row(index: dict[int, int], s: Seg) -> Row:
    return (index[id(s.unit)], s.level, s.src, s.tgt, s.skey, s.tkey)


def corpus_parallel(
    pool: Sequence[TranslationUnit],
    checks: Sequence[Check],
    ctx: QAContext,
    *,
    workers: int,
) -> list[QAIssue]:
    """Run corpus checks in ``workers`` processes; findings in ``checks`` order.

    ``ctx.stats`` (the sweep's segments, clauses and term candidates) goes to the
    processes with the units; the term usage they build comes back into it for the
    report.
    """
    names = [c.name for c in checks]
    together = tuple(n for n in names if n in TOGETHER)
    tasks = ([together] if together else []) + [
        (n,) for n in names if n not in TOGETHER
    ]
    results: dict[str, list[QAIssue]] = {}
    by_name = {c.name: c for c in checks}
    with _pool(min(workers, len(tasks)), pool, ctx, by_name) as procs:
        for found, stats in procs.map(_corpus_task, tasks):
            results.update(found)
            ctx.stats.update(stats)
    return [f for n in names for f in results[n]]


def _corpus_task(
    names: tuple[str, ...],
) -> tuple[dict[str, list[QAIssue]], dict[str, Any]]:
    pool, ctx, checks = _given["args"]
    found = {n: list(checks[n].func(pool, ctx)) for n in names}
    return found, {k: ctx.stats[k] for k in ("term_usage",) if k in ctx.stats}


__all__ = ["corpus_parallel", "sweep_parallel"]
