"""The QA check registry and the context checks run in.

A check is a small function registered by name with a severity; the first line of its
docstring is its title (Translate Toolkit's decorators do the same). Per-unit checks take
``(unit, ctx)``; corpus checks take ``(units, ctx)`` and see the whole TM at once, which
consistency and term-usage checks need. Both yield :class:`~tm.models.QAIssue`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tm.models import QAIssue, Severity, Span, TranslationUnit
from tm.text.normalize import spaceless_key

UnitCheck = Callable[[TranslationUnit, "QAContext"], Iterable[QAIssue]]
CorpusCheck = Callable[[Sequence[TranslationUnit], "QAContext"], Iterable[QAIssue]]


@dataclass(frozen=True, slots=True)
class Check:
    """A registered check: its name, function, severity, title and scope."""

    name: str
    func: Callable[..., Iterable[QAIssue]]
    severity: Severity
    title: str
    scope: str  # "unit" or "corpus"


CHECKS: dict[str, Check] = {}


@dataclass(slots=True)
class QAContext:
    """What checks share during one run: the term base and corpus statistics.

    Attributes:
        termbase: a ``tm.terms.TermBase`` or None (term checks then yield nothing).
        stats: corpus-wide figures computed once before the per-unit pass (the length
            model lives here), keyed by name.
    """

    termbase: Any = None
    stats: dict[str, Any] = field(default_factory=dict)


def primary_units(units: Sequence[TranslationUnit]) -> Sequence[TranslationUnit]:
    """The units per-unit checks read: all but sentence units, when there are others.

    Sentence units aligned from the TM's paragraphs repeat their text; checking both
    would report every number or stray character twice.
    """
    rest = [u for u in units if u.segtype != "sentence"]
    return rest if rest else units


def register(
    name: str, severity: Severity | str, *, scope: str = "unit"
) -> Callable[[Callable[..., Iterable[QAIssue]]], Callable[..., Iterable[QAIssue]]]:
    """Register a check under ``name``; its docstring's first line is the title."""

    def deco(
        func: Callable[..., Iterable[QAIssue]],
    ) -> Callable[..., Iterable[QAIssue]]:
        title = (func.__doc__ or name).strip().splitlines()[0].rstrip(".")
        CHECKS[name] = Check(name, func, Severity(severity), title, scope)
        return func

    return deco


def target_span(unit: TranslationUnit, start: int, end: int) -> Span:
    return Span("target", start, end, unit.target[start:end])


def source_span(unit: TranslationUnit, start: int, end: int) -> Span:
    return Span("source", start, end, unit.source[start:end])


def fingerprint(check: str, *parts: str) -> str:
    """A finding's stable id: the check plus normalized texts, not unit ids.

    Unit ids change when a file is checked in memory or re-imported; the texts do not,
    so a false-positive mark keeps holding.
    """
    h = hashlib.sha1(check.encode("utf-8"))
    for p in parts:
        h.update(b"\x1f" + p.encode("utf-8"))
    return h.hexdigest()[:16]


def issue(
    check: str,
    unit: TranslationUnit,
    message: str,
    *,
    spans: Sequence[Span] = (),
    fix: str = "",
    units: Sequence[int] | None = None,
    key: Sequence[str] = (),
    data: Sequence[tuple[str, object]] = (),
    severity: Severity | None = None,
) -> QAIssue:
    """Build a finding for ``unit`` with the check's registered severity.

    ``key`` are the texts that identify the finding for its fingerprint; by default
    the unit's source and target plus the spans' texts.
    """
    ids = (
        tuple(units)
        if units is not None
        else ((unit.id,) if unit.id is not None else ())
    )
    parts = list(key) or [
        spaceless_key(unit.source),
        spaceless_key(unit.target),
        *(f"{s.side}:{s.text}" for s in spans),
    ]
    return QAIssue(
        check=check,
        severity=severity or CHECKS[check].severity,
        units=ids,
        source=unit.source,
        target=unit.target,
        message=message,
        spans=tuple(spans),
        fix=fix,
        fingerprint=fingerprint(check, *parts),
        data=tuple(data),
    )
