"""What an import does around the store: the status screen's companions, and a
TMX header's props kept for export (``tm.importer`` counts what it reads).

The screen itself (which units are confirmed work) is ``tm.formats.status``; here are
the pieces that need the store as well as the reader, which is why they live in the
service layer that joins the two.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from tm.models import (
    STATUS_NOTE_PROP,
    STATUS_PROP,
    ImportReport,
    SegType,
    TranslationUnit,
    UnitStatus,
)
from tm.store import Store


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
        # Identities of the held units an import brought confirmed, in order; a set,
        # so an import read twice (tm.importer retries a TMX read in parts) counts once.
        self.seen: dict[tuple[str, ...], None] = {}

    @property
    def confirmed(self) -> list[TranslationUnit]:
        """The held units the import brings confirmed."""
        return [self.units[key] for key in self.seen]

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
                key = identity(unit)
                if key in self.units:
                    self.seen[key] = None
            yield unit

    def confirm(self, store: Store) -> int:
        """Clear the status of the units the import confirmed; returns how many."""
        confirmed = self.confirmed
        for unit in confirmed:
            assert unit.id is not None
            keep = tuple(
                p for p in unit.props if p[0] not in (STATUS_PROP, STATUS_NOTE_PROP)
            )
            store.set_props(unit.id, keep)
        return len(confirmed)


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
