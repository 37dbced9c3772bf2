"""Spread a QA run over processes (fork only): the unit sweep, then the corpus checks.

The sweep (``tm.qa.sweep``: per-unit checks, consistency keys, the term base
prefilter) is independent per unit and dominates a large run, so forked workers sweep
slices of the unit list (inherited, not pickled) and send back findings and compact
rows. The corpus checks are independent of each other once the sweep is done, so
:func:`corpus_forked` runs them in groups, one group per process, and the parent puts
their findings back in registry order. Without ``fork`` (Windows, macOS defaults)
both return None and the caller works serially.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Sequence
from typing import Any

from tm.models import QAIssue, TranslationUnit
from tm.qa.base import Check, QAContext
from tm.qa.consistency import Seg
from tm.qa.sweep import Plan, Swept, sweep

Row = tuple[int, str, tuple[int, int], tuple[int, int], str, str]

_JOB: dict[str, Any] = {}


def sweep_forked(
    pool: Sequence[TranslationUnit], plan: Plan, *, workers: int
) -> Swept | None:
    """Sweep ``pool`` with ``plan`` in ``workers`` processes; the same result as serial.

    Returns None when fork is unavailable (the caller then sweeps serially).
    """
    if "fork" not in mp.get_all_start_methods():
        return None
    _JOB.update(pool=pool, plan=plan)
    # Many small slices: a TM often stores sentence units and paragraphs in long runs
    # that cost very differently, and the last slice should not leave a worker idle.
    step = max(2000, len(pool) // (workers * 32) + 1)
    bounds = [(a, min(a + step, len(pool))) for a in range(0, len(pool), step)]
    out = Swept()
    try:
        with mp.get_context("fork").Pool(workers) as procs:
            for f, srows, crows, tids in procs.imap(_work, bounds):
                out.found.extend(f)
                out.segs.extend(_seg(pool, r) for r in srows)
                out.clauses.extend(_seg(pool, r) for r in crows)
                out.term_candidates.extend(pool[i] for i in tids)
    finally:
        _JOB.clear()
    return out


def _seg(pool: Sequence[TranslationUnit], r: Row) -> Seg:
    return Seg(r[1], pool[r[0]], r[2], r[3], r[4], r[5])


def _work(
    bounds: tuple[int, int],
) -> tuple[list[QAIssue], list[Row], list[Row], list[int]]:
    a, b = bounds
    chunk = _JOB["pool"][a:b]
    done = sweep(_JOB["plan"], chunk)
    index = {id(u): a + i for i, u in enumerate(chunk)}
    return (
        done.found,
        [_row(index, s) for s in done.segs],
        [_row(index, s) for s in done.clauses],
        [index[id(u)] for u in done.term_candidates],
    )


def _row(index: dict[int, int], s: Seg) -> Row:
    return (index[id(s.unit)], s.level, s.src, s.tgt, s.skey, s.tkey)


# Relative cost of the corpus checks (CPU seconds on 200k units of the benchmark TM),
# to share them fairly between processes; a check not listed counts 0.5.
COST = {
    "target-inconsistent": 1.1,
    "near-source-inconsistent": 0.9,
    "clause-inconsistent": 0.7,
    "source-inconsistent": 0.5,
    "length-ratio": 0.5,
    "term-inconsistent": 0.3,  # the term checks share one term usage scan
    "term-forbidden": 0.02,
    "term-mismatch": 0.02,
    "enumerator-consistency": 0.25,
}
# Checks that share a lazily built statistic must run in the same process.
_TOGETHER = ("term-inconsistent", "term-forbidden", "term-mismatch")


def corpus_forked(
    pool: Sequence[TranslationUnit],
    checks: Sequence[Check],
    ctx: QAContext,
    *,
    workers: int,
) -> list[QAIssue] | None:
    """Run corpus checks in ``workers`` processes; findings in ``checks`` order.

    ``ctx.stats`` (the sweep's segments, clauses and term candidates) is inherited by
    the processes; the term usage they build comes back into it for the report.
    Returns None when fork is unavailable.
    """
    if "fork" not in mp.get_all_start_methods() or len(checks) < 2:
        return None
    groups = _share([c.name for c in checks], workers)
    _JOB.update(pool=pool, ctx=ctx, checks={c.name: c for c in checks})
    results: dict[str, list[QAIssue]] = {}
    try:
        with mp.get_context("fork").Pool(len(groups)) as procs:
            for found, stats in procs.imap(_corpus_work, groups):
                results.update(found)
                ctx.stats.update(stats)
    finally:
        _JOB.clear()
    return [f for c in checks for f in results[c.name]]


def _share(names: list[str], workers: int) -> list[tuple[str, ...]]:
    """Groups of check names of about equal cost (largest first), at most ``workers``."""
    units: list[list[str]] = []
    together = [n for n in names if n in _TOGETHER]
    if together:
        units.append(together)
    units.extend([n] for n in names if n not in _TOGETHER)
    units.sort(key=lambda u: -sum(COST.get(n, 0.5) for n in u))
    groups: list[list[str]] = [[] for _ in range(min(workers, len(units)))]
    loads = [0.0] * len(groups)
    for u in units:
        i = loads.index(min(loads))
        groups[i].extend(u)
        loads[i] += sum(COST.get(n, 0.5) for n in u)
    return [tuple(g) for g in groups]


def _corpus_work(
    names: tuple[str, ...],
) -> tuple[dict[str, list[QAIssue]], dict[str, Any]]:
    pool, ctx, checks = _JOB["pool"], _JOB["ctx"], _JOB["checks"]
    found = {n: list(checks[n].func(pool, ctx)) for n in names}
    return found, {k: ctx.stats[k] for k in ("term_usage",) if k in ctx.stats}


__all__ = ["corpus_forked", "sweep_forked"]
