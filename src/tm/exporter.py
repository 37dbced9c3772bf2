"""TMX export, with a large TM read and serialized in worker processes.

Reading a unit back and serializing its ``<tu>`` cost about the same and nothing
ties one unit to the next, so two processes each take ranges of ids, read them from
the store and return their ``<tu>`` elements as bytes; this process writes them in
order (``tm.formats.tmx.write_tmx_parts``): the same file :func:`write_tmx` writes,
byte for byte. A small TM, or one in memory, is exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tm.formats.tmx import TMXHeader, tu_bytes, write_tmx, write_tmx_parts
from tm.models import TranslationUnit
from tm.store import open_store
from tm.workers import ordered_map

if TYPE_CHECKING:
    from tm.store.base import Store

# Below this many units one process is quicker than starting two.
PARALLEL_MIN = 20_000
# Ids per piece a worker reads and serializes.
PIECE_IDS = 5_000
WORKERS = 2


@dataclass(frozen=True, slots=True)
class _Piece:
    url: str
    header: TMXHeader
    segtype: str | None
    source_lang: str | None
    target_lang: str | None
    after: int
    upto: int


def export_tmx(
    store: Store,
    dest: str | Path | IO[bytes],
    *,
    header: TMXHeader,
    segtype: str | None = None,
    source_lang: str | None = None,
    target_lang: str | None = None,
    workers: bool | None = None,
) -> int:
    """Write the TM (or its units of one segtype) as TMX; returns the unit count.

    Args:
        store: the TM.
        dest: a path (replaced atomically) or a binary stream.
        header: the TMX header.
        segtype: only units of this segtype.
        source_lang: written as every unit's source language (the store is untouched).
        target_lang: the same for the target language.
        workers: read and serialize in worker processes; None decides by the TM's size.
    """
    if workers is None:
        workers = store.path is not None or store.backend != "sqlite"
        workers = workers and store.count_units() >= PARALLEL_MIN
    if not workers:
        units = store.iter_units(segtype=segtype, all_occurrences=True)
        return write_tmx(relabel(units, source_lang, target_lang), dest, header=header)
    pieces = [
        _Piece(store.url, header, segtype, source_lang, target_lang, after, upto)
        for after, upto in _ranges(store)
    ]
    parts = ordered_map(_serialize, pieces, workers=WORKERS, ahead=2 * WORKERS)
    return write_tmx_parts(parts, dest, header=header)


def _ranges(store: Store) -> Iterator[tuple[int, int]]:
    """``(after, upto)`` id ranges of about PIECE_IDS ids that cover every unit."""
    bounds = store.id_bounds()
    if bounds is None:
        return
    after, top = bounds[0] - 1, bounds[1]
    while after < top:
        yield after, min(after + PIECE_IDS, top)
        after += PIECE_IDS


_STORES: dict[str, Any] = {}


def _serialize(piece: _Piece) -> tuple[bytes, int]:
    """Worker: the ``<tu>`` elements of one id range (the store opened once per process)."""
    store = _STORES.get(piece.url)
    if store is None:
        store = _STORES[piece.url] = open_store(piece.url, create=False, readonly=True)
    units = store.iter_units(
        segtype=piece.segtype,
        all_occurrences=True,
        after=piece.after,
        upto=piece.upto,
    )
    return tu_bytes(relabel(units, piece.source_lang, piece.target_lang), piece.header)


def relabel(
    units: Iterable[TranslationUnit], source_lang: str | None, target_lang: str | None
) -> Iterator[TranslationUnit]:
    """Export under other language codes (``--source-lang zh-Hans``) without touching the store."""
    for u in units:
        if source_lang or target_lang:
            u = replace(
                u,
                source_lang=source_lang or u.source_lang,
                target_lang=target_lang or u.target_lang,
            )
        yield u
