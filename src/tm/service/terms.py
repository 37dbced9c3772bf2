"""TermService: the term base (glossary files) as the shells see it.

One TermService stands for one glossary file or directory. It loads the term base on
first use and again whenever a file changed on disk (a hand edit, another process),
and it is the only writer: an edit copies the loaded term base, changes and saves the
copy, then swaps it in under a lock. A term base handed out by :meth:`TermService.load`
is therefore never changed afterwards, so TUI workers may search it while the glossary
screen saves an edit.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tm import locations
from tm.errors import ConfigError, NotFound
from tm.models import GlossaryHeader, TermEntry, TermHit
from tm.service.output import Destination, text_output
from tm.text.normalize import has_han, match_key

if TYPE_CHECKING:  # the term base reads YAML: load it on first use
    from tm.terms import TermBase
    from tm.terms.extract import Candidate

log = logging.getLogger(__name__)

TERM_EXPORT_FORMATS = ("tbx", "tbx2008", "tsv", "csv", "yaml")
YAML_SUFFIXES = (".yaml", ".yml")

AnchorTerms = list[tuple[str, tuple[str, ...]]]
Stamp = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True, slots=True)
class MergeCounts:
    """What merging a glossary file into the term base did."""

    added: int
    replaced: int
    skipped: int
    no_english: int = 0
    """Of the entries added or replaced, those without English (proposed ones)."""


class TermService:
    """Find, list, add, edit, import and export the terms of one glossary.

    Args:
        glossary: a glossary file or directory; default ``$TM_GLOSSARY``, else
            ``./glossary`` (see ``tm.locations.glossary_path``).
        create: a YAML file that does not exist yet is an empty glossary, created by
            the first :meth:`add` (the TUI's ``--glossary new.yaml``).
        recheck_seconds: how long a loaded glossary is used before its files are
            looked at again (0: at every use). A server looking up hundreds of
            segments a second sets a second: the look took 6 % of a look-up.
    """

    def __init__(
        self,
        glossary: str | Path | None = None,
        *,
        create: bool = False,
        recheck_seconds: float = 0.0,
    ) -> None:
        self.path = locations.glossary_path(glossary)
        self.chosen = locations.glossary_chosen(glossary)
        self.create = create and self.path.suffix in YAML_SUFFIXES
        self.recheck_seconds = recheck_seconds
        self._lock = threading.RLock()
        self._loaded: tuple[Stamp, TermBase] | None = None
        self._checked_at = -math.inf

    @classmethod
    def for_editing(cls, glossary: str | Path | None = None) -> TermService:
        """The term base that edits go to: the one named (argument or
        ``$TM_GLOSSARY``), else ``./glossary``, started as a new YAML file there when
        the folder does not exist (``tm.locations.glossary_edit_path``)."""
        return cls(locations.glossary_edit_path(glossary), create=True)

    def __repr__(self) -> str:
        return f"TermService({str(self.path)!r})"

    # -- loading -------------------------------------------------------------------

    def load(self) -> TermBase:
        """The term base, read again when a file changed since the last call.

        Do not change what it returns: edits go through :meth:`add`/:meth:`update`.

        Raises:
            NotFound: no glossary at ``path``. FormatError: a malformed file.
        """
        with self._lock:
            now = time.monotonic()
            if (
                self._loaded is not None
                and now - self._checked_at < self.recheck_seconds
            ):
                return self._loaded[1]
            stamp = _stamp(self.path)
            self._checked_at = now
            if self._loaded is not None and self._loaded[0] == stamp:
                return self._loaded[1]
            base = self._read()
            self._loaded = (stamp, base)
            return base

    def optional(self) -> TermBase | None:
        """The term base, or None when the default glossary is absent.

        A glossary the user named (an argument or ``$TM_GLOSSARY``) must exist.

        Raises:
            NotFound: a named glossary is missing. FormatError: a malformed file.
        """
        try:
            return self.load()
        except NotFound:
            if self.chosen:
                raise
            return None

    def _read(self) -> TermBase:
        from tm.terms import TermBase, load_termbase

        if self.create and not self.path.exists():
            return TermBase(
                headers={str(self.path): GlossaryHeader(name=self.path.stem)}
            )
        return load_termbase(self.path)

    # -- reading -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.load())

    def files(self) -> list[str]:
        """The glossary files, in the order they were read."""
        return list(self.load().headers)

    def find(
        self,
        text: str,
        *,
        lang: str | None = None,
        statuses: Iterable[str] | None = None,
    ) -> list[TermHit]:
        """Glossary terms in a segment, longest match first, with positions.

        Args:
            lang: ``zh`` finds the Chinese terms, ``en`` the English renderings
                (forbidden ones included); None picks by the text (Han → ``zh``).
        """
        if not text.strip():
            return []
        if lang is None:
            lang = "zh" if has_han(text) else "en"
        return self.load().find(text, lang, statuses=statuses)

    def lookup(self, zh: str) -> list[TermEntry]:
        """The entries of one Chinese term."""
        return self.load().lookup(zh)

    def entries(
        self,
        *,
        status: str | None = None,
        category: str | None = None,
        search: str = "",
    ) -> list[TermEntry]:
        """The entries in file order, filtered by status, category and a search string
        found in any text field (compared on match keys: width and case folded)."""
        return [
            e
            for e in self.load()
            if (status is None or e.status == status)
            and (category is None or e.category == category)
            and entry_contains(e, search)
        ]

    def anchor_terms(self) -> AnchorTerms | None:
        """(zh, renderings) pairs for the sentence aligner; None without a glossary."""
        base = self.optional()
        return base.anchor_pairs() if base is not None else None

    # -- editing -------------------------------------------------------------------

    def add(self, entry: TermEntry, *, replace_existing: bool = False) -> TermEntry:
        """Add one entry to its glossary file (a directory's first file) and save that file.

        Raises:
            TMError: the same zh and en is already there (unless replace_existing).
        """
        with self._lock:
            base = _copy(self.load())
            added = base.add(entry, replace_existing=replace_existing)
            self._save(base, added)
            return added

    def update(self, entry: TermEntry, **changes: object) -> TermEntry:
        """Replace ``entry`` by a copy with ``changes`` (keeping its place) and save its file.

        Raises:
            NotFound: the entry is no longer in the glossary (edited away on disk).
        """
        with self._lock:
            base = _copy(self.load())
            new = base.update(_same_entry(base, entry), **changes)
            self._save(base, new)
            return new

    def _save(self, base: TermBase, entry: TermEntry) -> None:
        if self.create:  # a new glossary may start a new folder (./glossary)
            self.path.parent.mkdir(parents=True, exist_ok=True)
        base.save(entry.source.path if entry.source is not None else None)
        self._loaded = (_stamp(self.path), base)

    def import_file(
        self,
        source: str | Path,
        *,
        into: str | Path | None = None,
        replace_existing: bool = False,
    ) -> MergeCounts:
        """Merge a TBX, CSV/TSV or YAML glossary into the term base.

        New entries go to ``into`` (default: the first glossary file), which is created
        if missing; an entry with the same zh and en is skipped, or replaced with
        ``replace_existing``.
        """
        from tm.terms import TermBase, load_termbase
        from tm.terms.base import read_any

        _, entries = read_any(Path(source))
        with self._lock:
            target = Path(into) if into is not None else None
            if target is None and self.create and not self.path.exists():
                target = self.path  # a new glossary (./glossary/terms.zh-en.yaml)
            if target is not None and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                base = TermBase(headers={str(target): GlossaryHeader(name=target.stem)})
            else:
                base = load_termbase(target if target is not None else self.path)
            no_english = _without_english(base, entries, replace_existing)
            added, replaced, skipped = base.merge(
                entries, path=target, replace_existing=replace_existing
            )
            base.save(str(target) if target is not None else None)
            self._loaded = None  # read again: `into` may be one file of several
        return MergeCounts(added, replaced, skipped, no_english)

    # -- export --------------------------------------------------------------------

    def export(self, dest: Destination, *, fmt: str = "tbx") -> int:
        """Write the term base; returns the entries written.

        Formats: TBX-Basic v3 (``tbx``), TBX 2008 (``tbx2008``), OmegaT tab text
        (``tsv``), ``csv`` or ``yaml``. ``dest`` is a path (replaced atomically) or a
        byte stream.
        """
        base = self.load()
        header = next(iter(base.headers.values()), GlossaryHeader())
        if fmt in ("tbx", "tbx2008"):
            from tm.formats.tbx import write_tbx

            dialect = "v3" if fmt == "tbx" else "2008"
            return write_tbx(base, dest, header=header, dialect=dialect)
        if fmt in ("tsv", "csv"):
            from tm.formats.glossary_table import write_glossary_table

            if isinstance(dest, (str, Path)):
                return write_glossary_table(base, dest, fmt=fmt)
            with text_output(dest) as fh:
                return write_glossary_table(base, fh, fmt=fmt)
        if fmt == "yaml":
            from tm.terms import dump_glossary

            with text_output(dest) as fh:
                fh.write(dump_glossary(header, base))
            return len(base)
        raise ConfigError(
            f"unknown term export format {fmt!r}",
            hint=f"choose one of {', '.join(TERM_EXPORT_FORMATS)}",
        )


def entry_contains(entry: TermEntry, needle: str) -> bool:
    """Whether ``needle`` occurs in any text field of the entry (on match keys)."""
    return contains(
        needle,
        entry.zh,
        entry.en,
        entry.note,
        entry.category,
        *entry.variants,
        *entry.forbidden,
    )


def contains(needle: str, *texts: str) -> bool:
    """Whether ``needle`` occurs in one of ``texts``, width, case and punctuation form
    folded (the match key); an empty needle is in everything."""
    if not needle:
        return True
    key = match_key(needle)
    return any(key in match_key(t) for t in texts)


def write_proposed_terms(candidates: Iterable[Candidate], dest: Destination) -> None:
    """Write term extraction candidates as proposed-status glossary YAML."""
    from tm.terms.extract import dump_candidates

    text = dump_candidates(list(candidates), GlossaryHeader(name="proposed"))
    with text_output(dest) as fh:
        fh.write(text)


def _without_english(
    base: TermBase, entries: list[TermEntry], replace_existing: bool
) -> int:
    """How many of ``entries`` without English a merge will add or replace."""
    seen: set[str] = set()
    count = 0
    for e in entries:
        if e.en:
            continue
        present = e.zh in seen or any(not x.en for x in base.lookup(e.zh))
        seen.add(e.zh)
        count += replace_existing or not present
    return count


def _copy(base: TermBase) -> TermBase:
    from tm.terms import TermBase

    return TermBase(base.entries, headers=base.headers)


def _same_entry(base: TermBase, entry: TermEntry) -> TermEntry:
    """``entry`` in ``base``: the same object, or an equal one after a reload from disk."""
    for e in base.entries:
        if e is entry:
            return e
    for e in base.entries:
        if e.zh == entry.zh and e.en == entry.en and e.source == entry.source:
            return e
    raise NotFound(f"term {entry.zh} is no longer in the glossary")


def _stamp(path: Path) -> Stamp:
    """Each file's name, modification time and size: a change means read again."""
    if not path.exists():
        return ()
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    out = []
    for f in files:
        st = f.stat()
        out.append((f.name, st.st_mtime_ns, st.st_size))
    return tuple(out)
