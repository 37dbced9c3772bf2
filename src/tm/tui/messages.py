"""Messages that workers post back to screens: small dataclasses, one per result.

Workers run ``TMService`` calls in threads; ``post_message`` is thread-safe, so every
result reaches the UI as one of these (toolong's ``messages.py`` pattern).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from tm.models import ConcordanceHit, FragmentHit, Match, TermHit


@dataclass
class MatchesReady(Message):
    """Look-up results for one query (a segment or what the user typed)."""

    query: str
    matches: list[tuple[str, Match]]
    terms: list[TermHit] = field(default_factory=list)
    elapsed_ms: float = 0.0


@dataclass
class FragmentsReady(Message):
    """Sub-segment hits for a query that had no whole match."""

    query: str
    fragments: list[FragmentHit]


@dataclass
class SegmentMatches(Message):
    """Document mode: matches and terms of segment ``index`` (``error`` if it failed)."""

    index: int
    matches: list[tuple[str, Match]]
    terms: list[TermHit] = field(default_factory=list)
    error: str = ""


@dataclass
class ConcordanceReady(Message):
    """Concordance hits for the text searched."""

    query: str
    hits: list[ConcordanceHit]
    renderings: list[tuple[tuple[int, int], ...]] = field(default_factory=list)


@dataclass
class BandsReady(Message):
    """Best match scores for a run of document segments (index → score or None)."""

    scores: dict[int, float | None]


@dataclass
class QaDone(Message):
    """A QA run finished: findings plus the term-consistency rows."""

    findings: list[Any]
    consistency: list[tuple[str, str, str, str, int]] = field(default_factory=list)
    units: int = 0
    error: str = ""
    with_project: bool = False


@dataclass
class WorkFailed(Message):
    """A worker hit a TMError: show its text instead of crashing."""

    what: str
    error: str
