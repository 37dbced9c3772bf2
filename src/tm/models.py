"""Value objects that cross module boundaries: units, occurrences, reports.

Dates are kept in the TMX basic format ``YYYYMMDDThhmmssZ`` (UTC) so that a TMX round
trip never changes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


def now_stamp() -> str:
    """The current UTC time as ``YYYYMMDDThhmmssZ``."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


class SegType(StrEnum):
    PARAGRAPH = "paragraph"
    SENTENCE = "sentence"
    PHRASE = "phrase"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class Occurrence:
    """Where a unit occurs: a document, a position in it and the context around it.

    Attributes:
        document: name of the origin document (file name, or TMX ``x-document`` prop).
        position: 0-based index of the paragraph pair in the document.
        sub: sentence index inside the paragraph (0 for paragraph units).
        prev_source: source text of the previous unit of the same segtype, if any.
        next_source: source text of the next unit, if any.
        section: the section path the unit sits in, e.g. ``附件1 … > 一、… > (一)…``.
    """

    document: str
    position: int
    sub: int = 0
    prev_source: str | None = None
    next_source: str | None = None
    section: str = ""


@dataclass(frozen=True, slots=True)
class TranslationUnit:
    """One source/target pair.

    ``source`` and ``target`` are the text exactly as read. Inline tags are kept as
    single placeholder characters (see ``tm.formats._xml``); their XML is in
    ``source_codes``/``target_codes`` so a writer can restore them.
    """

    source: str
    target: str
    source_lang: str = "zh-CN"
    target_lang: str = "en-US"
    segtype: str = SegType.PARAGRAPH
    tuid: str | None = None
    created_at: str | None = None
    created_by: str | None = None
    changed_at: str | None = None
    changed_by: str | None = None
    props: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    source_codes: tuple[str, ...] = ()
    target_codes: tuple[str, ...] = ()
    occurrence: Occurrence | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A document the TM holds units from, with the metadata its header gave."""

    name: str
    meta: tuple[tuple[str, str], ...] = ()
    units: int = 0


@dataclass(slots=True)
class ImportReport:
    """What one import did. Mutable while the import runs; returned when it ends."""

    path: str
    format: str
    read: int = 0
    added: int = 0
    duplicates: int = 0
    occurrences_added: int = 0
    sentences_added: int = 0
    warnings: list[str] = field(default_factory=list)


# -- QA ------------------------------------------------------------------------


class Severity(StrEnum):
    """How bad a QA finding is; ordered error > warning > info."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, slots=True)
class Span:
    """An offending stretch of text: ``side`` is ``source`` or ``target``."""

    side: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class QAIssue:
    """One QA finding, on one unit or (for consistency checks) on several.

    Attributes:
        check: the registered check name, e.g. ``untranslated-han``.
        severity: error, warning or info.
        units: ids of the units involved (first one is the representative).
        source: the source text the finding is about (of the first unit).
        target: the target text the finding is about.
        spans: offending spans in ``source``/``target``.
        message: one sentence a reviewer reads.
        fix: a suggested fix, or "".
        fingerprint: stable id of the finding across runs, for false-positive marks.
        data: extra structured detail (e.g. renderings with counts), as (key, value) pairs.
    """

    check: str
    severity: Severity
    units: tuple[int, ...]
    source: str
    target: str
    message: str
    spans: tuple[Span, ...] = ()
    fix: str = ""
    fingerprint: str = ""
    data: tuple[tuple[str, object], ...] = ()

    @property
    def span(self) -> Span | None:
        return self.spans[0] if self.spans else None


Finding = QAIssue
