"""Quality checks for a zh→en translation memory.

``run_checks(units, termbase=...)`` runs the registered checks (``CHECKS``: name →
:class:`Check`) over units and returns a :class:`QAReport`. Per-unit checks live in
``segment.py``, term checks in ``terminology.py``, cross-unit consistency in
``consistency.py``, whole-target structure in ``structure.py``, clauses with no
counterpart in ``omission.py``; ``report.py`` writes CSV and HTML. Findings whose
fingerprint is marked false positive are dropped (and counted) so later runs honour
the marks.
"""

from __future__ import annotations

import gc
import os
import threading
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tm import fastpath
from tm.errors import ConfigError
from tm.models import QAIssue, Severity, TranslationUnit
from tm.qa import (  # noqa: F401
    consistency,
    form,
    omission,
    segment,
    structure,
    terminology,
)
from tm.qa.base import CHECKS, Check, QAContext
from tm.qa.merge import merge_findings
from tm.qa.sweep import Plan, Swept, first_occurrences, make_plan, reuse, sweep

ProgressFn = Callable[[int], None]
PARALLEL_MIN = 20_000
SLICE = 5000  # units swept between progress reports and cancel checks
SEGMENT_CHECKS = {
    "source-inconsistent",
    "target-inconsistent",
    "clause-inconsistent",
    "near-source-inconsistent",
}
TERM_CHECKS = {"term-inconsistent", "term-forbidden", "term-mismatch"}


@dataclass(frozen=True, slots=True)
class QAReport:
    """The findings of one QA run plus what was checked.

    Attributes:
        findings: findings not marked false positive, sorted by severity then check.
        checks: names of the checks that ran.
        units: how many units were checked.
        suppressed: findings dropped because they are marked false positive.
    """

    findings: tuple[QAIssue, ...]
    checks: tuple[str, ...]
    units: int
    suppressed: int = 0
    term_usage: tuple[Any, ...] = field(default=())

    def counts(self) -> dict[str, int]:
        """Findings per check, in registry order (0 for checks that found nothing)."""
        c = Counter(f.check for f in self.findings)
        return {name: c.get(name, 0) for name in self.checks}

    def summary(self) -> dict[str, Any]:
        sev = Counter(f.severity.value for f in self.findings)
        return {
            "units": self.units,
            "findings": len(self.findings),
            "suppressed": self.suppressed,
            "by_severity": {s.value: sev.get(s.value, 0) for s in Severity},
            "by_check": self.counts(),
        }

    def worst(self) -> Severity | None:
        return max(
            (f.severity for f in self.findings), key=lambda s: s.rank, default=None
        )

    def fails(self, threshold: Severity | str) -> bool:
        """True when a finding at or above ``threshold`` exists."""
        level = Severity(threshold).rank
        return any(f.severity.rank >= level for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: ``{"findings": [...], "summary": {...}}``.

        Each finding has exactly check, severity, units, source, target, span, message
        and fix; ``summary["fingerprints"]`` lists their fingerprints in the same order
        (what ``tm qa mark`` takes).
        """
        summary = self.summary()
        summary["fingerprints"] = [f.fingerprint for f in self.findings]
        return {
            "findings": [finding_dict(f) for f in self.findings],
            "summary": summary,
        }


def finding_dict(f: QAIssue) -> dict[str, Any]:
    span = f.span
    return {
        "check": f.check,
        "severity": f.severity.value,
        "units": list(f.units),
        "source": f.source,
        "target": f.target,
        "span": (
            {"side": span.side, "start": span.start, "end": span.end, "text": span.text}
            if span
            else None
        ),
        "message": f.message,
        "fix": f.fix,
    }


def select_checks(names: Iterable[str] | None) -> list[Check]:
    """The checks to run, in registry order; unknown names raise ConfigError."""
    if names is None:
        return list(CHECKS.values())
    wanted = [n.strip() for n in names if n.strip()]
    unknown = [n for n in wanted if n not in CHECKS]
    if unknown:
        raise ConfigError(
            f"unknown QA check(s): {', '.join(unknown)}",
            hint=f"choose from {', '.join(CHECKS)}",
        )
    return [c for c in CHECKS.values() if c.name in wanted]


def run_checks(
    units: Iterable[TranslationUnit],
    *,
    checks: Iterable[str] | None = None,
    termbase: Any = None,
    marks: Iterable[str] = (),
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    workers: int = 1,
) -> QAReport:
    """Run QA checks over ``units`` and return the report.

    Args:
        units: the units to check (paragraph and, when aligned, sentence units).
        checks: names of the checks to run (default: all registered).
        termbase: a ``tm.terms.TermBase``; without it term checks find nothing.
        marks: fingerprints marked false positive; matching findings are dropped.
        progress: called with the number of units checked so far.
        cancel: set it to stop early; the report then covers what was checked.
        workers: processes for a large run (see ``tm.qa.parallel``); 0 means one
            per CPU. Results are the same.

    Raises:
        ConfigError: an unknown check name.
    """
    selected = select_checks(checks)
    if workers == 0:
        workers = os.cpu_count() or 1
    pool: Sequence[TranslationUnit] = (
        units if isinstance(units, Sequence) else list(units)
    )
    with _collector_paused():
        return _run(pool, selected, termbase, marks, progress, cancel, workers)


COLLECTOR_PAUSE = fastpath.register(
    "collector-pause",
    "the cyclic garbage collector is paused during a run",
)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one run (reference counting still frees).

    Why: a run allocates millions of small acyclic objects (segments, keys, findings)
    and frees almost none until it ends, so the collector's generation counts keep
    triggering full collections that walk them all and find nothing to free; in forked
    workers each walk also touches, and so copies, every inherited page. Reference
    counting frees everything a run drops, as it has no cycles to leave behind.
    """
    enabled = gc.isenabled()
    if fastpath.on(COLLECTOR_PAUSE):
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(
    pool: Sequence[TranslationUnit],
    selected: list[Check],
    termbase: Any,
    marks: Iterable[str],
    progress: ProgressFn | None,
    cancel: threading.Event | None,
    workers: int,
) -> QAReport:
    ctx = QAContext(termbase=termbase)
    names = {c.name for c in selected}
    plan = make_plan(
        pool,
        [c for c in selected if c.scope == "unit"],
        ctx,
        want_segments=bool(names & SEGMENT_CHECKS),
        want_clauses="clause-inconsistent" in names,
        want_terms=bool(names & TERM_CHECKS),
    )
    swept = _sweep(pool, plan, progress, cancel, workers)
    if plan.segments:
        ctx.stats["segments"] = swept.segs
    if plan.clauses:
        ctx.stats["clauses"] = swept.clauses
    if plan.terms:
        ctx.stats["term_candidates"] = swept.term_candidates
    found = form.continued(swept.found, pool) if "truncated" in names else swept.found
    if not (cancel is not None and cancel.is_set()):
        found.extend(
            _corpus(pool, [c for c in selected if c.scope == "corpus"], ctx, workers)
        )
    marked = set(marks)
    kept, seen = [], set()
    suppressed = 0
    for f in found:
        if f.fingerprint in marked:
            suppressed += 1
        elif (f.check, f.fingerprint, f.units) not in seen:
            seen.add((f.check, f.fingerprint, f.units))
            kept.append(f)
    order = {name: i for i, name in enumerate(CHECKS)}
    kept = merge_findings(kept, order)
    kept.sort(key=lambda f: (-f.severity.rank, order[f.check], f.units))
    return QAReport(
        findings=tuple(kept),
        checks=tuple(c.name for c in selected),
        units=len(pool),
        suppressed=suppressed,
        term_usage=tuple(ctx.stats.get("term_usage", ())),
    )


def _corpus(
    pool: Sequence[TranslationUnit],
    checks: Sequence[Check],
    ctx: QAContext,
    workers: int,
) -> list[QAIssue]:
    """Findings of the corpus checks, in their order (in processes for a large run)."""
    if workers > 1 and len(pool) >= PARALLEL_MIN and len(checks) > 1:
        from tm.qa.parallel import corpus_parallel

        return corpus_parallel(pool, checks, ctx, workers=workers)
    return [f for c in checks for f in c.func(pool, ctx)]


def _sweep(
    pool: Sequence[TranslationUnit],
    plan: Plan,
    progress: ProgressFn | None,
    cancel: threading.Event | None,
    workers: int,
) -> Swept:
    """The sweep of ``pool``: of its first occurrences only when units repeat (a
    repeat takes a copy of its first occurrence's results), in processes for a large
    run."""
    first = first_occurrences(pool)
    where = (
        range(len(pool))
        if first is None
        else [j for i, j in enumerate(first) if i == j]
    )
    distinct = pool if first is None else [pool[i] for i in where]
    if workers > 1 and len(distinct) >= PARALLEL_MIN:
        from tm.qa.parallel import sweep_parallel

        swept = sweep_parallel(
            distinct, plan, workers=workers, counted=first is not None
        )
        if progress:
            progress(_checked(pool, plan))
        covered = len(pool)
    else:
        swept, covered = _serial(pool, distinct, where, plan, progress, cancel, first)
    if first is None:
        return swept
    return reuse(pool[:covered], first, swept)


def _checked(units: Sequence[TranslationUnit], plan: Plan) -> int:
    """How many of ``units`` the per-unit checks read."""
    if plan.skip_sentences:
        return sum(u.segtype != "sentence" for u in units)
    return len(units)


def _serial(
    pool: Sequence[TranslationUnit],
    distinct: Sequence[TranslationUnit],
    where: Sequence[int],
    plan: Plan,
    progress: ProgressFn | None,
    cancel: threading.Event | None,
    first: list[int] | None,
) -> tuple[Swept, int]:
    """The serial sweep of ``distinct`` (at ``where`` in ``pool``), and how many units
    of ``pool`` it covers: all, unless cancelled (the repeats of a swept unit that
    stand before the next unswept one count as covered)."""
    out = Swept(counts=array("q") if first is not None else None)
    checked = covered = 0
    for a in range(0, len(distinct), SLICE):
        sweep(plan, distinct[a : a + SLICE], out)
        end = where[a + SLICE] if a + SLICE < len(distinct) else len(pool)
        checked += _checked(pool[covered:end], plan)
        covered = end
        if progress:
            progress(checked)
        if cancel is not None and cancel.is_set():
            break
    return out, covered


__all__ = [
    "CHECKS",
    "Check",
    "QAContext",
    "QAReport",
    "finding_dict",
    "run_checks",
    "select_checks",
]
