"""Units and occurrences as table rows, and rows back as units: the codecs.

Everything here follows the column lists of :mod:`tm.store.schema`, so a column added
there is written and read without a change here. Pure functions of plain values:
an import can build rows in a worker process and send them to the writer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from tm.models import Occurrence, TranslationUnit
from tm.store.schema import (
    OCCURRENCE_COLUMNS,
    UNIT_COLUMNS,
    Column,
    RowContext,
    names,
    read_columns,
)
from tm.text.normalize import match_key

UNIT_READ = read_columns(UNIT_COLUMNS)
# The SELECT list :func:`row_to_unit` reads: ``id`` and every column with a field.
UNIT_SELECT = "id, " + names(UNIT_READ)
OCCURRENCE_READ = read_columns(OCCURRENCE_COLUMNS)


def dumps(value: Any) -> str:
    """Compact JSON for the props/notes/codes columns (tuples become lists)."""
    if value == ():  # most units: skip the encoder, it is a visible cost on import
        return "[]"
    return json.dumps(
        [list(v) if isinstance(v, tuple) else v for v in value]
        if isinstance(value, tuple)
        else value,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def loads(text: str) -> tuple[Any, ...]:
    """A JSON list column as a tuple, with inner lists as tuples (props' pairs)."""
    if text == "[]":
        return ()
    return tuple(tuple(v) if isinstance(v, list) else v for v in json.loads(text))


def _writer(c: Column) -> Callable[[Any, Any], Any]:
    if c.derive is not None:
        return c.derive
    field = c.field
    if field is None:
        raise ValueError(f"column {c.name} has neither a field nor a derive function")
    if c.json:
        return lambda obj, _ctx: dumps(getattr(obj, field))
    return lambda obj, _ctx: getattr(obj, field)


_UNIT_WRITERS = tuple(_writer(c) for c in UNIT_COLUMNS)
_OCCURRENCE_WRITERS = tuple(_writer(c) for c in OCCURRENCE_COLUMNS)
_UNIT_FIELDS = tuple((c.field, c.json) for c in UNIT_READ)
_OCCURRENCE_FIELDS = tuple(c.field or "" for c in OCCURRENCE_READ)


def unit_row(u: TranslationUnit, stamp: str, user: str) -> tuple[Any, ...]:
    """The values of a new ``units`` row, in the order of :data:`UNIT_COLUMNS`.

    Missing creation fields are filled with ``stamp`` and ``user``.
    """
    ctx = RowContext(stamp, user, match_key(u.source), match_key(u.target))
    return tuple(w(u, ctx) for w in _UNIT_WRITERS)


def occurrence_row(occ: Occurrence, unit: TranslationUnit) -> tuple[Any, ...]:
    """The values of an ``occurrences`` row after its ids, per :data:`OCCURRENCE_COLUMNS`."""
    return tuple(w(occ, unit) for w in _OCCURRENCE_WRITERS)


NO_OCCURRENCE = (None,) * len(OCCURRENCE_COLUMNS)


def unit_occurrences(u: TranslationUnit) -> tuple[Occurrence | None, ...]:
    """Every occurrence a unit brings to the store (``(None,)`` for none): one staged row each."""
    if u.occurrence is None and not u.other_occurrences:
        return (None,)
    return tuple(o for o in (u.occurrence, *u.other_occurrences) if o is not None)


def row_to_unit(
    r: Sequence[Any], occ: Occurrence | None = None, others: Sequence[Occurrence] = ()
) -> TranslationUnit:
    """A ``SELECT {UNIT_SELECT}`` row as a unit, with its first and other occurrences."""
    fields: dict[str, Any] = {
        name: loads(value) if is_json else value
        for (name, is_json), value in zip(_UNIT_FIELDS, r[1:], strict=True)
        if name is not None
    }
    return TranslationUnit(
        id=r[0], occurrence=occ, other_occurrences=tuple(others), **fields
    )


# The SELECT list :func:`row_to_occurrence` reads, after the unit id and the
# document name (``o.`` is the occurrences table).
OCCURRENCE_SELECT = ", ".join(f"o.{c.name}" for c in OCCURRENCE_READ)


def row_to_occurrence(document: str, values: Sequence[Any]) -> Occurrence:
    """``values`` (in :data:`OCCURRENCE_SELECT` order) as an occurrence of ``document``."""
    fields: dict[str, Any] = dict(zip(_OCCURRENCE_FIELDS, values, strict=True))
    return Occurrence(document=document, **fields)
