"""One sweep over the units: per-unit checks, consistency keys and term candidates.

Everything a QA run needs from each unit on its own is computed in a single pass, unit
by unit, so what two steps ask about the same text (the enumerator that the numbers
and enumerator checks and the consistency key all strip) is still in the small caches
of ``tm.text.labels`` and ``tm.text.segment`` when the second step asks. The
serial run sweeps the whole TM in slices (for progress and cancel); the forked run
(``tm.qa.parallel``) sweeps one slice per task. Corpus checks then work on the result.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import Any

from tm import fastpath
from tm.models import QAIssue, TranslationUnit
from tm.qa.base import Check, QAContext
from tm.qa.consistency import Seg, clauses, unit_segments
from tm.qa.terminology import TERM_PREFILTER, term_prefilter


@dataclass(frozen=True, slots=True)
class Plan:
    """What a sweep computes, fixed for one run.

    Attributes:
        checks: the per-unit checks to run.
        ctx: the run's context (term base, statistics).
        skip_sentences: per-unit checks skip sentence units (the TM has paragraphs,
            whose text the sentence units repeat; see ``primary_units``).
        derive: consistency also compares sentence pairs cut from paragraphs (the
            TM has no sentence units).
        segments: compute consistency segments.
        clauses: compute the clauses of sentence-level segments.
        terms: collect the units that may hold a glossary term.
        term_sentences: only sentence units are read for terms (the TM has them).
        prefilter: the term prefilter (None: every unit is a candidate).
        tkeys: target keys computed so far in this run (see ``unit_segments``);
            each forked worker fills its own copy.
    """

    checks: tuple[Check, ...]
    ctx: QAContext
    skip_sentences: bool
    derive: bool
    segments: bool
    clauses: bool
    terms: bool
    term_sentences: bool
    prefilter: Any = None
    tkeys: dict[str, str] = field(default_factory=dict)


def make_plan(
    pool: Sequence[TranslationUnit],
    unit_checks: Sequence[Check],
    ctx: QAContext,
    *,
    want_segments: bool,
    want_clauses: bool,
    want_terms: bool,
) -> Plan:
    """The plan for sweeping ``pool``, decided once from the whole TM."""
    sentences = any(u.segtype == "sentence" for u in pool)
    others = any(u.segtype != "sentence" for u in pool)
    terms = want_terms and ctx.termbase is not None
    return Plan(
        checks=tuple(unit_checks),
        ctx=ctx,
        skip_sentences=sentences and others,
        derive=not sentences,
        segments=want_segments or want_clauses,
        clauses=want_clauses,
        terms=terms,
        term_sentences=sentences,
        prefilter=term_prefilter(ctx.termbase) if terms else None,
    )


@dataclass(slots=True)
class Swept:
    """What one sweep found: findings, segments, clauses and term candidates, in order.

    ``counts`` (when asked for) holds four numbers per unit swept, in order: how many
    findings, segments, clauses and term candidates (0 or 1) the unit gave.
    """

    found: list[QAIssue] = field(default_factory=list)
    segs: list[Seg] = field(default_factory=list)
    clauses: list[Seg] = field(default_factory=list)
    term_candidates: list[TranslationUnit] = field(default_factory=list)
    counts: array[int] | None = None


def sweep(
    plan: Plan, units: Sequence[TranslationUnit], into: Swept | None = None
) -> Swept:
    """Sweep ``units`` (a slice of the TM) with ``plan``; results go into ``into``."""
    out = into if into is not None else Swept()
    found, segs, pieces, cands = out.found, out.segs, out.clauses, out.term_candidates
    counts = out.counts
    checks, ctx = plan.checks, plan.ctx
    maybe = plan.prefilter
    prefilter_on = fastpath.on(TERM_PREFILTER)
    for u in units:
        if counts is not None:
            before = (len(found), len(segs), len(pieces), len(cands))
        sentence = u.segtype == "sentence"
        if checks and not (plan.skip_sentences and sentence):
            for c in checks:
                found.extend(c.func(u, ctx))
        if plan.segments:
            for s in unit_segments(u, plan.derive, plan.tkeys):
                segs.append(s)
                if plan.clauses and s.level != "paragraph":
                    pieces.extend(clauses(s))
        if (
            plan.terms
            and (sentence or not plan.term_sentences)
            and (maybe is None or not prefilter_on or maybe.search(u.source))
        ):
            cands.append(u)
        if counts is not None:
            counts.extend(
                (
                    len(found) - before[0],
                    len(segs) - before[1],
                    len(pieces) - before[2],
                    len(cands) - before[3],
                )
            )
    return out


# -- repeated units ------------------------------------------------------------------

REPEAT_REUSE = fastpath.register(
    "repeat-reuse",
    "a unit repeated in the TM (same texts, kind and languages) reuses the sweep of "
    "its first occurrence",
)


def first_occurrences(pool: Sequence[TranslationUnit]) -> list[int] | None:
    """For each unit, the index of the first unit of ``pool`` the sweep reads alike;
    None when no unit repeats one before it (or the fast path is off).

    A TM exported one unit per occurrence, or one that holds a document twice, repeats
    units; the sweep reads a unit's texts, kind and languages only (never its id or
    metadata), so a repeat gives what its first occurrence gave, moved onto it.
    """
    if not fastpath.on(REPEAT_REUSE):
        return None
    seen: dict[tuple[str, str, str, str, str], int] = {}
    first = [
        seen.setdefault(
            (u.source, u.target, u.segtype, u.source_lang, u.target_lang), i
        )
        for i, u in enumerate(pool)
    ]
    return first if len(seen) < len(pool) else None


def reuse(pool: Sequence[TranslationUnit], first: Sequence[int], done: Swept) -> Swept:
    """The sweep of ``pool`` from ``done``, the sweep (with counts) of its first
    occurrences in order: each repeat gets a copy of its first occurrence's findings,
    segments, clauses and term candidacy, on itself, where it stands in ``pool``."""
    assert done.counts is not None
    counts = done.counts
    # Where each first occurrence's results start in done's lists.
    starts = [array("q", [0, *accumulate(counts[kind::4])]) for kind in range(4)]
    lists: tuple[list[Any], ...] = (
        done.found,
        done.segs,
        done.clauses,
        done.term_candidates,
    )
    out = Swept()
    into: tuple[list[Any], ...] = (
        out.found,
        out.segs,
        out.clauses,
        out.term_candidates,
    )
    rank = array("q", bytes(8 * len(pool)))  # a first occurrence's place in done
    k = flushed = 0
    for i, u in enumerate(pool):
        j = first[i]
        if j == i:
            rank[i] = k
            k += 1
            continue
        for have, got, at in zip(lists, into, starts, strict=True):
            got.extend(have[at[flushed] : at[k]])  # the first occurrences before it
        flushed = k
        r = rank[j]
        f0, s0, c0, t0 = (at[r] for at in starts)
        f1, s1, c1, t1 = (at[r + 1] for at in starts)
        ids = (u.id,) if u.id is not None else ()
        out.found.extend(replace(f, units=ids) for f in done.found[f0:f1])
        out.segs.extend(_moved(s, u) for s in done.segs[s0:s1])
        out.clauses.extend(_moved(s, u) for s in done.clauses[c0:c1])
        if t1 > t0:
            out.term_candidates.append(u)
    for have, got, at in zip(lists, into, starts, strict=True):
        got.extend(have[at[flushed] : at[k]])
    return out


def _moved(s: Seg, u: TranslationUnit) -> Seg:
    return Seg(s.level, u, s.src, s.tgt, s.skey, s.tkey)
