"""One sweep over the units: per-unit checks, consistency keys and term candidates.

Everything a QA run needs from each unit on its own is computed in a single pass, unit
by unit, so what two steps ask about the same text (the enumerator that the numbers
and enumerator checks and the consistency key all strip) is still in the small caches
of ``tm.text.labels`` and ``tm.text.segment`` when the second step asks. The
serial run sweeps the whole TM in slices (for progress and cancel); the forked run
(``tm.qa.parallel``) sweeps one slice per task. Corpus checks then work on the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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
    """What one sweep found: findings, segments, clauses and term candidates, in order."""

    found: list[QAIssue] = field(default_factory=list)
    segs: list[Seg] = field(default_factory=list)
    clauses: list[Seg] = field(default_factory=list)
    term_candidates: list[TranslationUnit] = field(default_factory=list)


def sweep(
    plan: Plan, units: Sequence[TranslationUnit], into: Swept | None = None
) -> Swept:
    """Sweep ``units`` (a slice of the TM) with ``plan``; results go into ``into``."""
    out = into if into is not None else Swept()
    found, segs, pieces, cands = out.found, out.segs, out.clauses, out.term_candidates
    checks, ctx = plan.checks, plan.ctx
    maybe = plan.prefilter
    prefilter_on = fastpath.on(TERM_PREFILTER)
    for u in units:
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
    return out
