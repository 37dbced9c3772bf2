"""TermBase: the loaded glossary, its lookup indexes and its edits.

Recognition is a longest-match scan over a normalized key. For each start position the
scan grows the candidate while it is still a prefix of some term (a set of the proper
prefixes up to ``PREFIX_DEPTH`` items; longer terms are compared whole), so a position
costs one set lookup unless a term really starts there; this keeps a 124k-entry base
(CC-CEDICT) at thousands of segments per second in pure Python without an automaton.
All matches are collected, then chosen longest first, leftmost on ties, without
overlaps. Chinese matches on ``match_key`` (width, punctuation, case)
and positions map back to the original text; English matches on token stems
(``tm.terms.english``), so word boundaries and plurals are handled.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tm.errors import ConfigError, ExitCode, NotFound, TMError
from tm.locations import glossary_path
from tm.models import (
    GlossaryHeader,
    HitKind,
    SourceRef,
    TermEntry,
    TermHit,
    TermStatus,
)
from tm.terms.english import phrase_key, tokens
from tm.terms.glossary import entry_problem, read_glossary, write_glossary
from tm.text.normalize import fold_with_map, match_key

log = logging.getLogger(__name__)

GLOSSARY_SUFFIXES = (".yaml", ".yml")
_SPACE = re.compile(r"\s")
_STATUS_ORDER = {
    TermStatus.APPROVED: 0,
    TermStatus.PROPOSED: 1,
    TermStatus.DEPRECATED: 2,
}


class TermExists(TMError):
    """An entry with the same Chinese and English is already in the term base."""

    exit_code = ExitCode.USAGE


class InvalidEntry(TMError):
    """An entry the glossary loader would refuse (no Chinese, an approved entry
    without English …): refused before it is saved, so the file stays readable."""

    exit_code = ExitCode.USAGE


def check_entry(entry: TermEntry) -> None:
    """Refuse an entry that the glossary file could not hold.

    Raises:
        InvalidEntry: names the field and the rule, with a hint for the usual case.
    """
    problem = entry_problem(entry.zh, entry.en, entry.status)
    if problem is None:
        return
    field_name, msg = problem
    hint = None
    if field_name == "en":
        hint = (
            "give the English rendering, or use status proposed for a term without one"
        )
    raise InvalidEntry(f"term {entry.zh}: field {field_name!r}: {msg}", hint=hint)


PREFIX_DEPTH = 12
"""How many leading items of a key the prefix set holds. Beyond that depth a scan
compares the few keys that share those items directly, so the index grows with the
total length of the keys, not with its square (one 20,000-character term held
200 million characters of prefixes)."""


@dataclass(slots=True)
class _Index:
    """Keys → payloads, plus the short proper prefixes of every key (to stop a scan
    early) and the keys longer than ``PREFIX_DEPTH``, by their first items."""

    full: dict[Hashable, list[Any]] = field(default_factory=dict)
    prefixes: set[Hashable] = field(default_factory=set)
    long: dict[Hashable, list[Sequence[Any]]] = field(default_factory=dict)

    def add(self, key: Sequence[Any], payload: Any) -> None:
        if not key:
            return
        payloads = self.full.setdefault(key, [])
        if not payloads and len(key) > PREFIX_DEPTH:
            same_start = self.long.setdefault(key[:PREFIX_DEPTH], [])
            bisect.insort(same_start, key, key=len)
        payloads.append(payload)
        for n in range(1, min(len(key), PREFIX_DEPTH + 1)):
            self.prefixes.add(key[:n])

    def scan(
        self, seq: Sequence[Any], *, overlapping: bool = False
    ) -> list[tuple[int, int]]:
        """Longest-first, non-overlapping ``(start, length)`` matches in ``seq``.

        With ``overlapping`` every match, in order of start then length.
        """
        full, prefixes = self.full, self.prefixes
        n = len(seq)
        found: list[tuple[int, int]] = []
        for i in range(n):
            size = 1
            while i + size <= n:
                if size > PREFIX_DEPTH:
                    found.extend(self._long_at(seq, i))
                    break
                piece = seq[i : i + size]
                if piece in full:
                    found.append((i, size))
                if piece not in prefixes:
                    break
                size += 1
        return found if overlapping else choose_longest(found, n)

    def _long_at(self, seq: Sequence[Any], i: int) -> Iterator[tuple[int, int]]:
        """The keys longer than ``PREFIX_DEPTH`` that occur in ``seq`` at ``i``."""
        for key in self.long.get(seq[i : i + PREFIX_DEPTH], ()):
            size = len(key)
            if i + size <= len(seq) and seq[i : i + size] == key:
                yield i, size


def choose_longest(found: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    """Pick ``(start, length)`` spans longest first (leftmost on ties), never overlapping."""
    if len(found) <= 1:
        return found
    taken = bytearray(n)
    chosen: list[tuple[int, int]] = []
    for start, size in sorted(found, key=lambda s: (-s[1], s[0])):
        if not any(taken[start : start + size]):
            taken[start : start + size] = b"\x01" * size
            chosen.append((start, size))
    chosen.sort()
    return chosen


def _key_with_map(text: str) -> tuple[str, Sequence[int]]:
    """``fold_with_map`` with a fast path for text the key only changes char for char.

    Text already in NFKC without whitespace changes only through the punctuation
    table and case folding; if the length is kept, position i maps to i.
    """
    if unicodedata.is_normalized("NFKC", text) and not _SPACE.search(text):
        key = match_key(text)
        if len(key) == len(text):
            return key, range(len(text))
    return fold_with_map(text)


class TermBase:
    """A set of term entries from one or more glossary files, with lookup and edits.

    Args:
        entries: the entries, in file order.
        headers: the header of each file read, by path (``save`` writes them back).
    """

    def __init__(
        self,
        entries: Iterable[TermEntry] = (),
        *,
        headers: dict[str, GlossaryHeader] | None = None,
    ) -> None:
        self.entries: list[TermEntry] = list(entries)
        self.headers: dict[str, GlossaryHeader] = dict(headers or {})
        self._zh: _Index | None = None
        self._en: _Index | None = None

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[TermEntry]:
        return iter(self.entries)

    def __repr__(self) -> str:
        return f"TermBase({len(self.entries)} entries, files={list(self.headers)})"

    # -- lookup --------------------------------------------------------------------

    def find(
        self,
        text: str,
        lang: str = "zh",
        *,
        statuses: Iterable[str] | None = None,
        overlapping: bool = False,
    ) -> list[TermHit]:
        """All terms in ``text``: longest match first, non-overlapping, in text order.

        Args:
            text: a segment.
            lang: "zh" looks for the Chinese terms; "en" for every English rendering
                (approved, variant, forbidden), with plural folding.
            statuses: keep only entries with these statuses (default: all).
            overlapping: every occurrence of every term (Chinese only), also those
                inside or across a longer one (QA checks each).

        Returns:
            Hits sorted by start; several entries with the same key share a span.
        """
        keep = set(statuses) if statuses is not None else None
        if lang.split("-")[0].lower() == "en":
            hits = self._find_en(text)
        else:
            hits = self._find_zh(text, overlapping=overlapping)
        if keep is not None:
            hits = [h for h in hits if h.entry.status in keep]
        return hits

    def lookup(self, zh: str) -> list[TermEntry]:
        """Entries whose Chinese term equals ``zh`` (on the normalized key)."""
        index = self._zh_index()
        return [self.entries[i] for i in index.full.get(match_key(zh), [])]

    def anchor_pairs(self) -> list[tuple[str, tuple[str, ...]]]:
        """(zh, every English rendering) per entry, for the sentence aligner.

        Forbidden and deprecated renderings are included: they are what flawed or
        older translations really wrote, and alignment only needs evidence that two
        sentences correspond, not that the rendering is right.
        """
        return [(e.zh, tuple(text for text, _ in e.renderings())) for e in self.entries]

    def renderings_in(self, entry: TermEntry, en_text: str) -> list[TermHit]:
        """Which of the entry's renderings occur in an English text.

        Longest rendering wins where two overlap, so "marked land price" (forbidden)
        is reported rather than the "land price" inside it.
        """
        toks = tokens(en_text)
        stems = tuple(t for t, _, _ in toks)
        index = _Index()
        for rendering, kind in entry.renderings():
            index.add(phrase_key(rendering), (rendering, kind))
        hits: list[TermHit] = []
        for start, size in index.scan(stems):
            rendering, kind = index.full[stems[start : start + size]][0]
            hits.append(
                self._en_hit(entry, toks, start, size, en_text, rendering, kind)
            )
        return hits

    def _find_zh(self, text: str, *, overlapping: bool = False) -> list[TermHit]:
        index = self._zh_index()
        key, where = _key_with_map(text)
        hits: list[TermHit] = []
        for start, size in index.scan(key, overlapping=overlapping):
            a, b = where[start], where[start + size - 1] + 1
            for i in index.full[key[start : start + size]]:
                hits.append(
                    TermHit(self.entries[i], a, b, text[a:b], "zh", HitKind.SOURCE)
                )
        return hits

    def _find_en(self, text: str) -> list[TermHit]:
        index = self._en_index()
        toks = tokens(text)
        stems = tuple(t for t, _, _ in toks)
        hits: list[TermHit] = []
        for start, size in index.scan(stems):
            for i, rendering, kind in index.full[stems[start : start + size]]:
                hits.append(
                    self._en_hit(
                        self.entries[i], toks, start, size, text, rendering, kind
                    )
                )
        return hits

    @staticmethod
    def _en_hit(
        entry: TermEntry,
        toks: list[tuple[str, int, int]],
        start: int,
        size: int,
        text: str,
        rendering: str,
        kind: HitKind,
    ) -> TermHit:
        a, b = toks[start][1], toks[start + size - 1][2]
        return TermHit(entry, a, b, text[a:b], "en", kind, rendering)

    def _order(self) -> list[int]:
        return sorted(
            range(len(self.entries)),
            key=lambda i: _STATUS_ORDER.get(self.entries[i].status, 3),  # type: ignore[call-overload]
        )

    def _zh_index(self) -> _Index:
        if self._zh is None:
            index = _Index()
            for i in self._order():
                index.add(match_key(self.entries[i].zh), i)
            self._zh = index
        return self._zh

    def _en_index(self) -> _Index:
        if self._en is None:
            index = _Index()
            for i in self._order():
                for rendering, kind in self.entries[i].renderings():
                    index.add(phrase_key(rendering), (i, rendering, kind))
            self._en = index
        return self._en

    # -- edits ---------------------------------------------------------------------

    def add(
        self,
        entry: TermEntry,
        *,
        path: str | Path | None = None,
        replace_existing: bool = False,
    ) -> TermEntry:
        """Add an entry (to the file ``path``, default the only/first file read).

        Raises:
            TMError: an entry with the same zh and en exists and ``replace_existing`` is off.
            InvalidEntry: the entry breaks a rule of the glossary file (no English for
                an approved entry …).
        """
        check_entry(entry)
        same = [e for e in self.lookup(entry.zh) if e.en == entry.en]
        if same and not replace_existing:
            raise TermExists(
                f"term {entry.zh} → {entry.en or '(none)'} is already in the glossary",
                hint="replace it with --replace, or change it in the YAML file",
            )
        target = str(path) if path is not None else self._default_file()
        if target is None:
            raise ConfigError(
                "no glossary file to add to", hint="give --glossary FILE.yaml"
            )
        self.headers.setdefault(target, GlossaryHeader(name=Path(target).stem))
        entry = replace(entry, source=SourceRef(target, None))
        if same:
            self.entries[self.entries.index(same[0])] = entry
        else:
            self.entries.append(entry)
        self._invalidate()
        return entry

    def update(self, entry: TermEntry, **changes: Any) -> TermEntry:
        """Replace ``entry`` by a copy with ``changes``; keeps its place and file.

        Raises:
            NotFound: ``entry`` is not here. InvalidEntry: the changed entry breaks a
                rule of the glossary file.
        """
        try:
            pos = next(i for i, e in enumerate(self.entries) if e is entry)
        except StopIteration:
            raise NotFound(f"term {entry.zh} is not in this term base") from None
        new = replace(entry, **changes)
        check_entry(new)
        self.entries[pos] = new
        self._invalidate()
        return new

    def remove(self, entry: TermEntry) -> None:
        """Remove an entry (by identity)."""
        before = len(self.entries)
        self.entries = [e for e in self.entries if e is not entry]
        if len(self.entries) == before:
            raise NotFound(f"term {entry.zh} is not in this term base")
        self._invalidate()

    def merge(
        self,
        entries: Iterable[TermEntry],
        *,
        path: str | Path | None = None,
        replace_existing: bool = False,
    ) -> tuple[int, int, int]:
        """Add entries read from elsewhere; returns (added, replaced, skipped).

        An entry with the same zh and en as one already here is skipped, or replaces
        it with ``replace_existing``.
        """
        added = replaced = skipped = 0
        for entry in entries:
            exists = any(e.en == entry.en for e in self.lookup(entry.zh))
            if exists and not replace_existing:
                skipped += 1
                continue
            self.add(entry, path=path, replace_existing=True)
            if exists:
                replaced += 1
            else:
                added += 1
        return added, replaced, skipped

    def save(self, path: str | Path | None = None) -> list[str]:
        """Write each file's entries back in their order; returns the paths written.

        With ``path``, write only the entries read from (or added to) that file.
        """
        paths = [str(path)] if path is not None else list(self.headers)
        for p in paths:
            header = self.headers.get(p, GlossaryHeader(name=Path(p).stem))
            mine = [
                e for e in self.entries if e.source is not None and e.source.path == p
            ]
            write_glossary(p, header, mine)
        return paths

    def _default_file(self) -> str | None:
        return next(iter(self.headers), None)

    def _invalidate(self) -> None:
        self._zh = None
        self._en = None


# -- loading ---------------------------------------------------------------------------


def default_glossary_path() -> Path:
    """``$TM_GLOSSARY``, else ``./glossary``, else the repository's ``glossary/``."""
    return glossary_path()


Reader = Callable[[Path], tuple[GlossaryHeader, list[TermEntry]]]


def load_termbase(path_or_dir: str | Path | None = None) -> TermBase:
    """Load a glossary file, or every ``*.yaml`` in a directory (in name order).

    A ``.tbx``, ``.csv`` or ``.tsv`` file is read through ``tm.formats`` as well.

    Raises:
        NotFound: the path does not exist.
        FormatError: a file is malformed (file, line and field named).
    """
    path = Path(path_or_dir) if path_or_dir is not None else default_glossary_path()
    if not path.exists():
        raise NotFound(
            f"glossary not found: {path}",
            hint="give --glossary PATH or set TM_GLOSSARY",
        )
    files = (
        sorted(p for p in path.iterdir() if p.suffix in GLOSSARY_SUFFIXES)
        if path.is_dir()
        else [path]
    )
    base = TermBase()
    for f in files:
        header, entries = read_any(f)
        base.headers[str(f)] = header
        base.entries.extend(entries)
    log.debug("loaded %d terms from %d file(s)", len(base), len(files))
    return base


def read_any(path: Path) -> tuple[GlossaryHeader, list[TermEntry]]:
    """Read one glossary file of any supported kind, chosen by its extension."""
    suffix = path.suffix.lower()
    if suffix == ".tbx":
        from tm.formats.tbx import read_tbx

        return read_tbx(path)
    if suffix in (".csv", ".tsv", ".txt", ".utf8"):
        from tm.formats.glossary_table import read_glossary_table

        return read_glossary_table(path)
    return read_glossary(path)
