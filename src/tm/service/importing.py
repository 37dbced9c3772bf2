"""What an import does around the store: counting, the status screen's companions,
and a TMX header's props kept for export.

The screen itself (which units are confirmed work) is ``tm.formats.status``; here are
the pieces that need the store as well as the reader, which is why they live in the
service layer that joins the two.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from tm.errors import FormatError
from tm.models import (
    STATUS_NOTE_PROP,
    STATUS_PROP,
    ImportReport,
    SegType,
    TranslationUnit,
    UnitStatus,
)
from tm.store import Store

MAX_SEGMENT_CHARS = 100_000
"""The longest source or target a TM stores. One 9 MB segment made every concordance
query that touched it take 17.8 s and 1.1 GB; the XML readers bound a unit likewise."""


def count_read(
    units: Iterable[TranslationUnit], report: ImportReport
) -> Iterator[TranslationUnit]:
    """Count every unit read, before the status screen drops any.

    Raises:
        FormatError: a unit's source or target is longer than ``MAX_SEGMENT_CHARS``
            (the import is a transaction: nothing of the file is kept).
    """
    for unit in units:
        report.read += 1
        for side, text in (("source", unit.source), ("target", unit.target)):
            if len(text) > MAX_SEGMENT_CHARS:
                raise FormatError(
                    report.path,
                    None,
                    f"unit {report.read} has a {side} of {len(text):,} characters; "
                    f"tm stores segments of up to {MAX_SEGMENT_CHARS:,}",
                    hint="split the text into paragraphs or sentences first",
                )
        yield unit


def note_levels(
    units: Iterable[TranslationUnit],
    report: ImportReport,
    paragraphs: list[TranslationUnit] | None = None,
) -> Iterator[TranslationUnit]:
    """Note sentence units as they pass; keep the paragraph ones when a list is given."""
    for unit in units:
        if unit.segtype == SegType.SENTENCE:
            report.had_sentences = True
        elif paragraphs is not None and unit.segtype == SegType.PARAGRAPH:
            paragraphs.append(unit)
        yield unit


class PendingUnits:
    """Units the TM holds as unconfirmed, and which of them an import confirms."""

    def __init__(self, units: dict[tuple[str, ...], TranslationUnit]) -> None:
        self.units = units
        self.confirmed: list[TranslationUnit] = []

    @classmethod
    def of(cls, store: Store) -> PendingUnits | None:
        """The store's unconfirmed units, or None when it holds none."""
        ids = store.ids_with_prop(STATUS_PROP, UnitStatus.UNCONFIRMED)
        if not ids:
            return None
        return cls({identity(u): u for u in store.get_units(ids)})

    def watch(self, units: Iterable[TranslationUnit]) -> Iterator[TranslationUnit]:
        """Pass units on, noting each confirmed one the TM holds as unconfirmed."""
        for unit in units:
            if not unit.unconfirmed:
                held = self.units.pop(identity(unit), None)
                if held is not None:
                    self.confirmed.append(held)
            yield unit

    def confirm(self, store: Store) -> int:
        """Clear the status of the units the import confirmed; returns how many."""
        for unit in self.confirmed:
            assert unit.id is not None
            keep = tuple(
                p for p in unit.props if p[0] not in (STATUS_PROP, STATUS_NOTE_PROP)
            )
            store.set_props(unit.id, keep)
        return len(self.confirmed)


def identity(u: TranslationUnit) -> tuple[str, ...]:
    """What makes two units the same unit in a store."""
    return (u.source, u.target, u.source_lang, u.target_lang, str(u.segtype))


def header_meta(
    store: Store,
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """Header props and notes of the TMX files imported, each distinct one once."""
    from tm.formats.tmx import HEADER_META

    props: dict[tuple[str, str], None] = {}
    notes: dict[str, None] = {}
    for _, meta in store.documents():
        raw = meta.get(HEADER_META)
        if not raw:
            continue
        kept = json.loads(raw)
        props.update(((p[0], p[1]), None) for p in kept.get("props", ()))
        notes.update((n, None) for n in kept.get("notes", ()))
    return tuple(props), tuple(notes)


def keep_tmx_header(store: Store, path: str) -> None:
    """Keep a TMX header's props and notes with the file's document, for export."""
    from tm.formats.tmx import HEADER_META, read_tmx_header

    props, notes = read_tmx_header(path)
    if props or notes:
        meta = json.dumps(
            {"props": props, "notes": notes}, ensure_ascii=False, separators=(",", ":")
        )
        store.add_document(Path(path).name, {HEADER_META: meta})
