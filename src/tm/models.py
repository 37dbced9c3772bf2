"""Value objects that cross module boundaries: units, occurrences, reports.

Dates are kept in the TMX basic format ``YYYYMMDDThhmmssZ`` (UTC) so that a TMX round
trip never changes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path


def now_stamp() -> str:
    """The current UTC time as ``YYYYMMDDThhmmssZ``."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


class UnitStatus(StrEnum):
    """How far a unit's translation got, as the file it came from says.

    Only confirmed units enter a TM by default; unconfirmed ones (fuzzy, needing
    review, no state at all) only on request, kept with ``STATUS_PROP`` so that
    look-ups mark and penalise them; untranslated ones (no target, a copy of the
    source, state ``new``) never.
    """

    CONFIRMED = "confirmed"
    UNCONFIRMED = "unconfirmed"
    UNTRANSLATED = "untranslated"


# A stored unit's status prop: present (value "unconfirmed") only on a lower-status
# unit; ``STATUS_NOTE_PROP`` says why, e.g. "XLIFF state needs-review-translation".
STATUS_PROP = "x-tm-status"
STATUS_NOTE_PROP = "x-tm-status-note"


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

    ``occurrence`` is where the unit was read (or first stored); a unit that occurs
    several times carries the rest in ``other_occurrences``, in order (a TMX that tm
    exported, or ``iter_units(all_occurrences=True)``). A store keeps them all.
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
    other_occurrences: tuple[Occurrence, ...] = ()

    @property
    def unconfirmed(self) -> bool:
        """True for a unit taken from an unconfirmed target (``--include-unconfirmed``)."""
        return (STATUS_PROP, UnitStatus.UNCONFIRMED) in self.props

    @property
    def status_note(self) -> str:
        """Why the unit is unconfirmed, as its source file said ("" when confirmed)."""
        return next((v for k, v in self.props if k == STATUS_NOTE_PROP), "")


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
    had_sentences: bool = False
    anchor_terms: int = 0  # glossary terms the sentence aligner used as anchors
    warnings: list[str] = field(default_factory=list)
    # Units the status screen kept out (tm.formats.status): no target, a copy of the
    # source, state new/needs-translation; and unconfirmed targets (fuzzy, needing
    # review, no state) unless ``include_unconfirmed``.
    skipped_untranslated: int = 0
    skipped_unconfirmed: int = 0
    # Unconfirmed units taken as lower-status units (``--include-unconfirmed``).
    unconfirmed_taken: int = 0
    # Units already in the TM as unconfirmed that this file confirms.
    confirmed_existing: int = 0
    # Why units were skipped or taken as unconfirmed: reason → count.
    reasons: dict[str, int] = field(default_factory=dict)

    def status_summary(self) -> str:
        """One phrase for the import line, e.g. "461 untranslated, 3 unconfirmed skipped"."""
        parts = []
        if self.skipped_untranslated:
            parts.append(f"{self.skipped_untranslated} untranslated")
        if self.skipped_unconfirmed:
            parts.append(f"{self.skipped_unconfirmed} unconfirmed")
        out = f"{', '.join(parts)} skipped" if parts else ""
        if self.unconfirmed_taken:
            taken = f"{self.unconfirmed_taken} unconfirmed taken as lower-status units"
            out = f"{out}; {taken}" if out else taken
        if self.confirmed_existing:
            done = f"{self.confirmed_existing} unconfirmed units now confirmed"
            out = f"{out}; {done}" if out else done
        if self.reasons and out:
            why = ", ".join(f"{r} ×{n}" for r, n in sorted(self.reasons.items()))
            out += f" ({why})"
        return out


# -- matching (fuzzy look-up, concordance, sub-segment recall) -------------------------


class MatchKind(StrEnum):
    """How a TM unit matches a query: same context too, same key, or similar.

    ``repaired``: a fuzzy match whose every difference (numbers, dates, list labels,
    Latin tokens, glossary terms) was carried into its English (``Match.repaired_target``).
    """

    CONTEXT = "context"
    EXACT = "exact"
    REPAIRED = "repaired"
    FUZZY = "fuzzy"


@dataclass(frozen=True, slots=True)
class DiffSpan:
    """One difference between the query and a TM unit's source (or target, for target search).

    ``start``/``end`` index the stored TM text; ``query_start``/``query_end`` the query as
    typed. ``op`` edits the query into the TM text: ``replace``; ``insert`` (text only
    the TM has: ``query_start == query_end``); ``delete`` (text only the query has:
    ``start == end``).
    """

    op: str
    start: int
    end: int
    query_start: int
    query_end: int


@dataclass(frozen=True, slots=True)
class Penalty:
    """Why a match scores less than its edit distance alone would give.

    Attributes:
        reason: ``formatting`` (width/punctuation form/whitespace/case only),
            ``unconfirmed`` (the unit came from an unconfirmed target),
            ``punctuation`` (only punctuation differs), ``numbers``, ``enumerator``
            (the list label opening the text differs or is missing on one side) or
            ``full-stop`` (a final full stop on one side only).
        detail: a short human-readable explanation.
        spans: (start, end) spans in the stored TM text that carry the difference.
        query_spans: the matching spans in the query.
    """

    reason: str
    detail: str
    spans: tuple[tuple[int, int], ...] = ()
    query_spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Repair:
    """One difference between the query and the TM source, and what became of it.

    Attributes:
        kind: ``number``, ``date``, ``label``, ``full-stop``, ``latin`` or ``term``.
        tm: the TM source's text (``""`` when only the query has it).
        query: the query's text (``""`` when only the TM source has it).
        target_span: where the new English is in ``Match.repaired_target``; None when
            the difference was not repaired.
        tm_target_span: the English it replaced in the TM unit's target (an empty span
            where something was inserted); None when not repaired.
        reason: why it was not repaired ("" when it was).
    """

    kind: str
    tm: str
    query: str
    target_span: tuple[int, int] | None = None
    tm_target_span: tuple[int, int] | None = None
    reason: str = ""

    @property
    def done(self) -> bool:
        return self.target_span is not None


@dataclass(frozen=True, slots=True)
class Flag:
    """A QA error on a TM unit that makes its English unsafe to reuse as it is.

    Attributes:
        check: the QA check (``untranslated-han``, ``term-forbidden``, ``truncated``,
            ``empty-target``).
        message: what is wrong, as the check says it.
        spans: the offending (start, end) spans in the unit's target.
    """

    check: str
    message: str
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    """One TM unit offered for a query, with its score and why.

    ``score`` is 0–101: 101 context match, 100 exact, 99 formatting/punctuation only,
    else the Levenshtein similarity of the texts without their list labels and final
    full stops (capped at 98), less a small fixed penalty for a differing label or
    full stop, and capped at 90 when numbers differ and were not all repaired.
    ``similarity`` is the plain edit-distance similarity of those texts.

    ``repaired_target`` is the unit's English with the query's numbers, dates, list
    labels, Latin tokens and glossary terms carried in (None when nothing was
    repaired); ``repairs`` lists every such difference, repaired or not (then with a
    reason). ``flags`` are QA errors on the unit: a flagged unit ranks below a clean
    one of nearly the same score.
    """

    score: float
    kind: MatchKind
    unit: TranslationUnit
    similarity: float
    penalties: tuple[Penalty, ...] = ()
    diff: tuple[DiffSpan, ...] = ()
    repaired_target: str | None = None
    repairs: tuple[Repair, ...] = ()
    flags: tuple[Flag, ...] = ()

    @property
    def id(self) -> int | None:
        return self.unit.id

    @property
    def source(self) -> str:
        return self.unit.source

    @property
    def target(self) -> str:
        return self.unit.target

    @property
    def origin(self) -> str | None:
        occ = self.unit.occurrence
        return occ.document if occ else None

    @property
    def offered_target(self) -> str:
        """The English to offer: the repaired one when there is one."""
        return self.repaired_target if self.repaired_target is not None else self.target


@dataclass(frozen=True, slots=True)
class ConcordanceHit:
    """A unit whose source or target contains the searched text.

    Attributes:
        unit: the TM unit (both sides: the aligned other side is ``unit.target``/``source``).
        side: the side the hit was found on (``source`` or ``target``).
        spans: (start, end) spans of the hit in that side's stored text.
        frequency: how many hits share this unit's rendering (the other side's key).
        score: for a fragment hit, the similarity (0–100) of the query's text to the
            TM text at ``spans`` (100 when it is contained as it is).
        english: for a fragment hit, the English to offer: the TM clause's own
            English when ``english_scope`` is ``clause``, else the unit's target.
        english_scope: ``clause`` (the clause's alignment inside its sentence pair is
            confident), ``unit`` (the whole unit's English), or "" (concordance).
    """

    unit: TranslationUnit
    side: str
    spans: tuple[tuple[int, int], ...]
    frequency: int = 1
    score: float = 100.0
    english: str = ""
    english_scope: str = ""


@dataclass(frozen=True, slots=True)
class FragmentHit:
    """A clause of the query found inside TM units (sub-segment recall).

    Attributes:
        clause: the query's text that was found (a clause, or the stretch a TM text
            contained in the query covers), as written in the query.
        query_start: where it starts in the query.
        query_end: where it ends.
        hits: the TM units, best first (see ``ConcordanceHit.score``/``english``).
        kind: ``clause`` (the query's clause matches a TM clause, exactly or at 80+)
            or ``contained`` (a whole TM source or an aligned TM clause lies inside
            the query: memoQ's longest-substring concordance).
    """

    clause: str
    query_start: int
    query_end: int
    hits: tuple[ConcordanceHit, ...]
    kind: str = "clause"


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


# -- term base ------------------------------------------------------------------
# Plain frozen records; reading, matching and writing live in tm.terms and tm.formats.


class TermStatus(StrEnum):
    """Review status of an entry."""

    APPROVED = "approved"
    PROPOSED = "proposed"
    DEPRECATED = "deprecated"


class HitKind(StrEnum):
    """What a hit matched: the Chinese term, or one kind of English rendering."""

    SOURCE = "source"
    APPROVED = "approved"
    VARIANT = "variant"
    FORBIDDEN = "forbidden"


STATUSES: tuple[str, ...] = tuple(s.value for s in TermStatus)


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where an entry was read from: a file and the 1-based line of its ``zh``."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        path = _shown(self.path)
        return f"{path}:{self.line}" if self.line is not None else path


def _shown(path: str) -> str:
    """A path under the working directory is shown relative to it (shorter, and stable)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return path


@dataclass(frozen=True, slots=True)
class GlossaryHeader:
    """The ``glossary:`` block of a YAML glossary file."""

    name: str = ""
    source_lang: str = "zh-CN"
    target_lang: str = "en-US"
    domain: str = ""
    owner: str = ""


@dataclass(frozen=True, slots=True)
class TermEntry:
    """One concept: a Chinese term and its English renderings.

    Attributes:
        zh: the Chinese term as written.
        en: the approved English rendering ("" only for a proposed entry).
        variants: other acceptable renderings.
        forbidden: renderings a reviewer must flag.
        note: definition or usage.
        status: approved, proposed or deprecated.
        category: free text (place_name, institution, policy_term …).
        seen: occurrences per document id, in file order, e.g. (("000", 3),).
        source: the file and line the entry came from (None for a new entry).
    """

    zh: str
    en: str = ""
    variants: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    note: str = ""
    status: str = TermStatus.APPROVED
    category: str = ""
    seen: tuple[tuple[str, int], ...] = ()
    source: SourceRef | None = field(default=None, compare=False)

    def renderings(self) -> tuple[tuple[str, HitKind], ...]:
        """Every English rendering with its kind: approved, then variants, then forbidden."""
        out: list[tuple[str, HitKind]] = []
        if self.en:
            out.append((self.en, HitKind.APPROVED))
        out.extend((v, HitKind.VARIANT) for v in self.variants)
        out.extend((f, HitKind.FORBIDDEN) for f in self.forbidden)
        return tuple(out)

    @property
    def seen_total(self) -> int:
        return sum(n for _, n in self.seen)


@dataclass(frozen=True, slots=True)
class TermHit:
    """A term found in a text.

    Attributes:
        entry: the entry matched.
        start: index of the first character in the original text.
        end: index after the last character in the original text.
        text: ``original[start:end]``.
        lang: "zh" for a hit on the Chinese term, "en" for an English rendering.
        kind: SOURCE for a Chinese hit; APPROVED, VARIANT or FORBIDDEN for English.
        rendering: for an English hit, the rendering as written in the entry.
    """

    entry: TermEntry
    start: int
    end: int
    text: str
    lang: str
    kind: HitKind
    rendering: str = ""


# -- a document being translated: segment workflow -----------------------------------


class SegmentStatus(StrEnum):
    """Where a document segment stands, as CAT tools show it (memoQ, Trados, OmegaT).

    ``empty``: nothing typed. ``draft``: typed (or edited after confirming) but not
    confirmed; the text is kept, not offered as a match. ``translated``: confirmed by
    the translator; its translation is in the project TM. ``propagated``: filled from
    a confirmed earlier repetition of the same source (auto-propagation), not yet
    looked at; confirming it makes it ``translated``. ``reviewed``: a reviewer
    signed it off.
    """

    EMPTY = "empty"
    DRAFT = "draft"
    TRANSLATED = "translated"
    PROPAGATED = "propagated"
    REVIEWED = "reviewed"

    @property
    def done(self) -> bool:
        """True when the segment has a confirmed translation (it counts as done)."""
        return self in (
            SegmentStatus.TRANSLATED,
            SegmentStatus.PROPAGATED,
            SegmentStatus.REVIEWED,
        )


@dataclass(frozen=True, slots=True)
class SegmentState:
    """One segment of a document in a project: its status and texts.

    Attributes:
        document: the document's name (as its occurrences record it).
        position: the segment's number in the document, from 1.
        source: the segment's source text (a state whose source no longer matches
            the document at that position is stale and ignored).
        status: see :class:`SegmentStatus`.
        target: the text in the editor: the draft, or the confirmed translation.
        confirmed: the translation confirmed into the project TM (None: never).
        committed: what the last commit put into the master TM for this position.
        committed_new: that commit created the master's unit (it held no unit with
            this source and target before), so replacing it may remove the unit.
        changed_at: when the state last changed (``YYYYMMDDThhmmssZ``).
        changed_by: who changed it.
    """

    document: str
    position: int
    source: str
    status: SegmentStatus = SegmentStatus.EMPTY
    target: str = ""
    confirmed: str | None = None
    committed: str | None = None
    committed_new: bool = False
    changed_at: str | None = None
    changed_by: str | None = None
