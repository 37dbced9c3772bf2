"""Term base value objects: an entry, a hit in a segment, a glossary file's header.

These are plain frozen records; reading, matching and writing live in sibling modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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
        return f"{self.path}:{self.line}" if self.line is not None else self.path


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
