"""Units and occurrences as table rows, and rows back as units: the codecs.

Everything here follows the column lists of :mod:`tm.store.schema`, so a column added
there is written and read without a change here. Pure functions of plain values:
an import can build rows in a worker process and send them to the writer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
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


def _compiled(name: str, params: str, expr: str, env: dict[str, Any]) -> Any:
    """``def name(params): return expr``, compiled once from a column list.

    The codecs run once per unit on import and export: one expression per row costs
    a third of a loop over the column objects.
    """
    exec(f"def {name}({params}):\n    return {expr}\n", env)
    return env[name]


def _row_builder(name: str, columns: Sequence[Column]) -> Callable[[Any, Any], Any]:
    """``f(obj, ctx) -> tuple`` of the columns' values: each column's
    ``derive(obj, ctx)``, its field as JSON, or its field."""
    env: dict[str, Any] = {"dumps": dumps}
    values = []
    for i, c in enumerate(columns):
        if c.derive is not None:
            env[f"derive{i}"] = c.derive
            values.append(f"derive{i}(obj, ctx)")
        elif c.field is None:
            raise ValueError(
                f"column {c.name} has neither a field nor a derive function"
            )
        elif c.json:
            # dumps' own shortcut for (), inline: four calls a unit saved on import.
            values.append(f"('[]' if obj.{c.field} == () else dumps(obj.{c.field}))")
        else:
            values.append(f"obj.{c.field}")
    builder: Callable[[Any, Any], Any] = _compiled(
        name, "obj, ctx", f"({', '.join(values)},)", env
    )
    return builder


def _reader(cls: type, name: str, first: str, columns: Sequence[Column]) -> Any:
    """``f(head, values, …) -> cls(first=head, <field>=values[i], …)``; JSON decoded."""
    args = [f"{first}=head"]
    for i, c in enumerate(columns):
        value = f"values[{i}]"
        args.append(f"{c.field}=loads({value})" if c.json else f"{c.field}={value}")
    return _compiled(
        name,
        "head, values, **more",
        f"cls({', '.join(args)}, **more)",
        {"cls": cls, "loads": loads},
    )


_unit_values = _row_builder("unit_values", UNIT_COLUMNS)
_occurrence_values = _row_builder("occurrence_values", OCCURRENCE_COLUMNS)
_unit_from_row = _reader(TranslationUnit, "unit_from_row", "id", UNIT_READ)
_occurrence_from_row = _reader(
    Occurrence, "occurrence_from_row", "document", OCCURRENCE_READ
)


def unit_row(u: TranslationUnit, stamp: str, user: str) -> tuple[Any, ...]:
    """The values of a new ``units`` row, in the order of :data:`UNIT_COLUMNS`.

    Missing creation fields are filled with ``stamp`` and ``user``.
    """
    ctx = RowContext(stamp, user, match_key(u.source), match_key(u.target))
    row: tuple[Any, ...] = _unit_values(u, ctx)
    return row


def occurrence_row(occ: Occurrence, unit: TranslationUnit) -> tuple[Any, ...]:
    """The values of an ``occurrences`` row after its ids, per :data:`OCCURRENCE_COLUMNS`."""
    row: tuple[Any, ...] = _occurrence_values(occ, unit)
    return row


NO_OCCURRENCE = (None,) * len(OCCURRENCE_COLUMNS)

_UNIT_INDEX = {c.name: i for i, c in enumerate(UNIT_COLUMNS)}
IDENT = _UNIT_INDEX["ident"]
TUID = _UNIT_INDEX["tuid"]
SOURCE_KEY = _UNIT_INDEX["source_key"]
# What makes a unit itself, taken from its row: compared when two hashes agree.
identity_of = itemgetter(
    *(
        _UNIT_INDEX[n]
        for n in ("source_lang", "target_lang", "segtype", "source", "target")
    )
)


def stored_row(uid: int, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """``(id, *row)`` for a new unit; without a tuid of its own it gets its id as tuid,
    so a TMX round trip keeps it stable."""
    if row[TUID] is not None:
        return (uid, *row)
    return (uid, *row[:TUID], str(uid), *row[TUID + 1 :])


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """Units ready to be written: their rows, computed ahead of the writer.

    Plain tuples of text and numbers, cheap to send from a worker process.

    Attributes:
        rows: one per unit, in the order of :data:`~tm.store.schema.UNIT_COLUMNS`.
        occurrences: per unit, its occurrences as (document name, row in the order
            of :data:`~tm.store.schema.OCCURRENCE_COLUMNS`); empty for none.
    """

    rows: list[tuple[Any, ...]]
    occurrences: list[tuple[tuple[str, tuple[Any, ...]], ...]]

    def __len__(self) -> int:
        return len(self.rows)

    def documents(self) -> list[str]:
        """The document names the batch's occurrences refer to, each once, in order."""
        return list(dict.fromkeys(d for occs in self.occurrences for d, _ in occs))


def prepare_unit(
    u: TranslationUnit, stamp: str, user: str
) -> tuple[tuple[Any, ...], tuple[tuple[str, tuple[Any, ...]], ...]]:
    """A unit's row and its occurrences' rows (see :class:`PreparedBatch`)."""
    occ = u.occurrence
    if not u.other_occurrences:  # most units: one occurrence or none
        one = () if occ is None else ((occ.document, occurrence_row(occ, u)),)
        return unit_row(u, stamp, user), one
    occs = tuple(
        (o.document, occurrence_row(o, u))
        for o in (u.occurrence, *u.other_occurrences)
        if o is not None
    )
    return unit_row(u, stamp, user), occs


def prepare_batches(
    units: Iterable[TranslationUnit], *, stamp: str, user: str, size: int = 1000
) -> Iterator[PreparedBatch]:
    """The units as batches of ``size`` prepared rows (the last one may be shorter)."""
    rows: list[tuple[Any, ...]] = []
    occurrences: list[tuple[tuple[str, tuple[Any, ...]], ...]] = []
    for u in units:
        row, occs = prepare_unit(u, stamp, user)
        rows.append(row)
        occurrences.append(occs)
        if len(rows) >= size:
            yield PreparedBatch(rows, occurrences)
            rows, occurrences = [], []
    if rows:
        yield PreparedBatch(rows, occurrences)


def row_to_unit(
    r: Sequence[Any], occ: Occurrence | None = None, others: Sequence[Occurrence] = ()
) -> TranslationUnit:
    """A ``SELECT {UNIT_SELECT}`` row as a unit, with its first and other occurrences."""
    unit: TranslationUnit = _unit_from_row(
        r[0], r[1:], occurrence=occ, other_occurrences=tuple(others)
    )
    return unit


# The SELECT list :func:`row_to_occurrence` reads, after the unit id and the
# document name (``o.`` is the occurrences table).
OCCURRENCE_SELECT = ", ".join(f"o.{c.name}" for c in OCCURRENCE_READ)


def row_to_occurrence(document: str, values: Sequence[Any]) -> Occurrence:
    """``values`` (in :data:`OCCURRENCE_SELECT` order) as an occurrence of ``document``."""
    occurrence: Occurrence = _occurrence_from_row(document, values)
    return occurrence
