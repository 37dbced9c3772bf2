"""Spread the per-unit work of a QA run over processes (fork only).

Per-unit checks, the consistency keys and the term base prefilter are independent per
unit; they dominate a large run, so forked workers compute them on slices of the unit
list (inherited, not pickled) and send back findings and compact rows. Grouping and the
corpus checks then run in the parent on what came back. Without ``fork`` (Windows,
macOS defaults) :func:`prepare` returns None and the caller runs serially.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Sequence
from typing import Any

from tm.models import QAIssue, TranslationUnit
from tm.qa.base import Check, QAContext
from tm.qa.consistency import Seg, all_clauses, segments
from tm.qa.terminology import term_candidates, term_units

Row = tuple[int, str, tuple[int, int], tuple[int, int], str, str]

_JOB: dict[str, Any] = {}


def prepare(
    pool: Sequence[TranslationUnit],
    per_unit: Sequence[TranslationUnit],
    unit_checks: Sequence[Check],
    ctx: QAContext,
    *,
    workers: int,
    want_segments: bool,
    want_terms: bool,
) -> list[QAIssue] | None:
    """Run the per-unit work in ``workers`` processes; fill ``ctx.stats``; return findings.

    Returns None when fork is unavailable (the caller then works serially).
    """
    if "fork" not in mp.get_all_start_methods():
        return None
    sentences = any(u.segtype == "sentence" for u in pool)
    _JOB.update(
        pool=pool,
        per_unit={id(u) for u in per_unit},
        checks=list(unit_checks),
        ctx=ctx,
        derive=not sentences,
        sentences=sentences,
        segments=want_segments,
        terms=want_terms and ctx.termbase is not None,
    )
    step = max(2000, len(pool) // (workers * 8) + 1)
    bounds = [(a, min(a + step, len(pool))) for a in range(0, len(pool), step)]
    found: list[QAIssue] = []
    segs: list[Seg] = []
    pieces: list[Seg] = []
    cands: list[TranslationUnit] = []
    try:
        with mp.get_context("fork").Pool(workers) as procs:
            for f, srows, crows, tids in procs.imap(_work, bounds):
                found.extend(f)
                segs.extend(_seg(pool, r) for r in srows)
                pieces.extend(_seg(pool, r) for r in crows)
                cands.extend(pool[i] for i in tids)
    finally:
        _JOB.clear()
    if want_segments:
        ctx.stats["segments"] = segs
        ctx.stats["clauses"] = pieces
    if want_terms and ctx.termbase is not None:
        ctx.stats["term_candidates"] = cands
    return found


def _seg(pool: Sequence[TranslationUnit], r: Row) -> Seg:
    return Seg(r[1], pool[r[0]], r[2], r[3], r[4], r[5])


def _work(
    bounds: tuple[int, int],
) -> tuple[list[QAIssue], list[Row], list[Row], list[int]]:
    a, b = bounds
    pool = _JOB["pool"]
    chunk = pool[a:b]
    ctx = _JOB["ctx"]
    keep = _JOB["per_unit"]
    found: list[QAIssue] = []
    for u in chunk:
        if id(u) in keep:
            for c in _JOB["checks"]:
                found.extend(c.func(u, ctx))
    index = {id(u): a + i for i, u in enumerate(chunk)}
    srows: list[Row] = []
    crows: list[Row] = []
    if _JOB["segments"]:
        segs = segments(chunk, derive=_JOB["derive"])
        srows = [_row(index, s) for s in segs]
        crows = [_row(index, s) for s in all_clauses(segs)]
    tids: list[int] = []
    if _JOB["terms"]:
        units = (
            [u for u in chunk if u.segtype == "sentence"]
            if _JOB["sentences"]
            else chunk
        )
        tids = [index[id(u)] for u in term_candidates(units, ctx.termbase)]
    return found, srows, crows, tids


def _row(index: dict[int, int], s: Seg) -> Row:
    return (index[id(s.unit)], s.level, s.src, s.tgt, s.skey, s.tkey)


__all__ = ["prepare", "term_units"]
