"""What the SQL backends share: row codecs and the queries whose SQL is the same.

SQLiteStore and PostgresStore differ in their drivers (``?`` vs ``%s`` parameters),
in how they index text and in how they write in bulk; the plain reads, the QA marks
and the row <-> unit conversion live here once, so both give the same answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from tm.locations import user
from tm.models import (
    Occurrence,
    SegmentState,
    SegmentStatus,
    TranslationUnit,
    now_stamp,
)
from tm.text.normalize import match_key

EDITS_KEY = "edits"  # meta row counting target edits: see SQLQueries.edit_version

UNIT_COLUMNS = (
    "id, source, target, source_lang, target_lang, segtype, tuid, created_at, created_by, "
    "changed_at, changed_by, props, notes, source_codes, target_codes"
)


def default_user() -> str:
    """$TM_USER or the login name (resolved in ``tm.locations``)."""
    return user()


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


def unit_row(u: TranslationUnit, stamp: str, user: str) -> tuple[Any, ...]:
    """The values of a new ``units`` row, in the order of the table's columns after id.

    Missing creation fields are filled with ``stamp`` and ``user``.
    """
    skey = match_key(u.source)
    return (
        u.source,
        u.target,
        u.source_lang,
        u.target_lang,
        str(u.segtype),
        skey,
        match_key(u.target),
        len(skey),
        u.tuid,
        u.created_at or stamp,
        u.created_by or user,
        u.changed_at,
        u.changed_by,
        dumps(u.props),
        dumps(u.notes),
        dumps(u.source_codes),
        dumps(u.target_codes),
    )


def unit_occurrences(u: TranslationUnit) -> tuple[Occurrence | None, ...]:
    """Every occurrence a unit brings to the store (``(None,)`` for none): one staged row each."""
    if u.occurrence is None and not u.other_occurrences:
        return (None,)
    return tuple(o for o in (u.occurrence, *u.other_occurrences) if o is not None)


def occurrence_values(occ: Occurrence | None, document: Any) -> tuple[Any, ...]:
    """A staged occurrence: document (name or id), position, sub, context and section.

    Eight NULLs when the unit has no occurrence.
    """
    if occ is None:
        return (None,) * 8
    return (
        document,
        occ.position,
        occ.sub,
        occ.prev_source,
        occ.next_source,
        match_key(occ.prev_source) if occ.prev_source is not None else None,
        match_key(occ.next_source) if occ.next_source is not None else None,
        occ.section,
    )


def row_to_unit(
    r: Any, occ: Occurrence | None, others: Iterable[Occurrence] = ()
) -> TranslationUnit:
    """A ``SELECT {UNIT_COLUMNS}`` row as a unit, with its first and other occurrences."""
    return TranslationUnit(
        id=r[0],
        source=r[1],
        target=r[2],
        source_lang=r[3],
        target_lang=r[4],
        segtype=r[5],
        tuid=r[6],
        created_at=r[7],
        created_by=r[8],
        changed_at=r[9],
        changed_by=r[10],
        props=tuple((k, v) for k, v in json.loads(r[11])),
        notes=tuple(json.loads(r[12])),
        source_codes=tuple(json.loads(r[13])),
        target_codes=tuple(json.loads(r[14])),
        occurrence=occ,
        other_occurrences=tuple(others),
    )


def filters(param: str, **kw: str | None) -> tuple[str, list[Any]]:
    """``AND col = <param>`` for each value given, and the values."""
    where = ""
    params: list[Any] = []
    for col, value in kw.items():
        if value is not None:
            where += f" AND {col} = {param}"
            params.append(value)
    return where, params


class SQLQueries:
    """Store methods whose SQL both backends share; ``P`` is the driver's parameter mark.

    The backend provides ``_query(sql, params)``, ``_unit_occurrences(ids)``,
    ``transaction()`` and the write connection ``_conn``.
    """

    P = "?"
    _conn: Any

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        raise NotImplementedError

    def _unit_occurrences(self, ids: list[int]) -> dict[int, list[Occurrence]]:
        """Each unit's occurrences in the order they were stored."""
        raise NotImplementedError

    def _first_occurrences(self, ids: list[int]) -> dict[int, Occurrence]:
        return {i: occs[0] for i, occs in self._unit_occurrences(ids).items()}

    def transaction(self) -> Any:
        raise NotImplementedError

    def _before_write(self) -> None:
        """Called in a transaction before its first write (PostgreSQL: one writer)."""

    def iter_units(
        self,
        *,
        segtype: str | None = None,
        source_lang: str | None = None,
        batch: int = 2000,
        all_occurrences: bool = False,
    ) -> Iterator[TranslationUnit]:
        """All units in id order, each with its first occurrence (or all: an export)."""
        where, params = filters(self.P, segtype=segtype, source_lang=source_lang)
        last = 0
        while True:
            rows = self._query(
                f"SELECT {UNIT_COLUMNS} FROM units WHERE id > {self.P}{where}"
                f" ORDER BY id LIMIT {int(batch)}",
                [last, *params],
            )
            if not rows:
                return
            if all_occurrences:
                lists = self._unit_occurrences([r[0] for r in rows])
                for r in rows:
                    occs = lists.get(r[0]) or []
                    yield row_to_unit(r, occs[0] if occs else None, occs[1:])
            else:
                firsts = self._first_occurrences([r[0] for r in rows])
                for r in rows:
                    yield row_to_unit(r, firsts.get(r[0]))
            last = rows[-1][0]

    def occurrences(self, unit_id: int) -> list[Occurrence]:
        rows = self._query(
            "SELECT d.name, o.position, o.sub, o.prev_source, o.next_source, o.section"
            " FROM occurrences o JOIN documents d ON d.id = o.document_id"
            f" WHERE o.unit_id = {self.P} ORDER BY o.id",
            (unit_id,),
        )
        return [Occurrence(*r) for r in rows]

    def count_units(self) -> int:
        return int(self._query("SELECT count(*) FROM units")[0][0])

    def data_version(self) -> str:
        """Changes whenever units are added: used to invalidate in-memory indexes."""
        row = self._query("SELECT count(*), coalesce(max(id), 0) FROM units")[0]
        return f"{row[0]}:{row[1]}"

    def edit_version(self) -> int:
        """How many target edits the TM has seen; an index of target keys compares it.

        ``data_version`` follows added units only; an edit changes no count, so it
        is counted here rather than by scanning every unit's timestamp.
        """
        rows = self._query(f"SELECT value FROM meta WHERE key = {self.P}", (EDITS_KEY,))
        return int(rows[0][0]) if rows else 0

    def set_target(self, unit_id: int, target: str, *, user: str | None = None) -> None:
        """Replace a unit's target (a reviewer's fix); stamps changed_at/changed_by.

        Raises:
            NotFound: no unit with that id.
            StoreError: the TM already has a unit with this source and target.
        """
        from tm.errors import NotFound, StoreError

        p = self.P
        with self.transaction():
            self._before_write()
            try:
                cur = self._conn.execute(
                    f"UPDATE units SET target = {p}, target_key = {p}, changed_at = {p},"
                    f" changed_by = {p} WHERE id = {p}",
                    (
                        target,
                        match_key(target),
                        now_stamp(),
                        user or default_user(),
                        unit_id,
                    ),
                )
            except self._unique_violation() as exc:
                raise StoreError(
                    f"unit {unit_id}: the TM already has this source with that target",
                    hint="the duplicate can stay; mark this finding instead",
                ) from exc
            if cur.rowcount == 0:
                raise NotFound(f"no unit with id {unit_id}")
            self._conn.execute(
                f"INSERT INTO meta (key, value) VALUES ({p}, '1') ON CONFLICT (key)"
                " DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)",
                (EDITS_KEY,),
            )

    def _unique_violation(self) -> type[Exception]:
        raise NotImplementedError

    def ids_with_prop(self, key: str, value: str) -> list[int]:
        """Ids of the units whose props hold ``(key, value)``, in id order.

        A scan of the props column: meant for rare props (the unconfirmed status).
        """
        needle = json.dumps([key, value], ensure_ascii=False, separators=(",", ":"))
        like = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._query(
            f"SELECT id FROM units WHERE props LIKE {self.P} ESCAPE '\\' ORDER BY id",
            (f"%{like}%",),
        )
        return [int(r[0]) for r in rows]

    def set_props(self, unit_id: int, props: tuple[tuple[str, str], ...]) -> None:
        """Replace a unit's props (a status change: text and dates stay as they are).

        Raises:
            NotFound: no unit with that id.
        """
        from tm.errors import NotFound

        with self.transaction():
            self._before_write()
            cur = self._conn.execute(
                f"UPDATE units SET props = {self.P} WHERE id = {self.P}",
                (dumps(props), unit_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"no unit with id {unit_id}")

    def documents(self) -> list[tuple[str, dict[str, str]]]:
        return [
            (r[0], json.loads(r[1]))
            for r in self._query("SELECT name, meta FROM documents ORDER BY id")
        ]

    def stats(self) -> dict[str, Any]:
        units = self.count_units()
        occ = int(self._query("SELECT count(*) FROM occurrences")[0][0])
        langs = [
            f"{r[0]}→{r[1]}"
            for r in self._query(
                "SELECT DISTINCT source_lang, target_lang FROM units ORDER BY 1, 2"
            )
        ]
        by_segtype = {
            r[0]: r[1]
            for r in self._query(
                "SELECT segtype, count(*) FROM units GROUP BY 1 ORDER BY 1"
            )
        }
        return {
            "units": units,
            "occurrences": occ,
            "languages": langs,
            "documents": [name for name, _ in self.documents()],
            "by_segtype": by_segtype,
        }

    # -- replacing one occurrence's unit (a corrected translation) ----------------

    def remove_occurrence(self, unit_id: int, document: str, position: int) -> int:
        """Forget that unit ``unit_id`` occurs at ``position`` of ``document``.

        Returns how many occurrence rows went (0 when it was not recorded there).
        """
        p = self.P
        with self.transaction():
            self._before_write()
            cur = self._conn.execute(
                f"DELETE FROM occurrences WHERE unit_id = {p} AND position = {p}"
                f" AND document_id IN (SELECT id FROM documents WHERE name = {p})",
                (unit_id, position, document),
            )
            return max(int(cur.rowcount), 0)

    def delete_orphans(self, ids: Iterable[int]) -> int:
        """Delete those of the units ``ids`` that no longer occur anywhere.

        A unit that still has an occurrence stays. Returns how many were deleted.
        """
        wanted = sorted(set(ids))
        if not wanted:
            return 0
        p = self.P
        deleted = 0
        with self.transaction():
            self._before_write()
            for unit_id in wanted:
                cur = self._conn.execute(
                    f"DELETE FROM units WHERE id = {p} AND NOT EXISTS"
                    f" (SELECT 1 FROM occurrences WHERE unit_id = {p})",
                    (unit_id, unit_id),
                )
                deleted += max(int(cur.rowcount), 0)
            if deleted:
                self._units_deleted()
        return deleted

    def _units_deleted(self) -> None:
        """Called in the transaction that deleted units (PostgreSQL bumps its version)."""

    # -- a project's segment states (see tm.models.SegmentState) ------------------

    def segment_states(self, document: str) -> list[SegmentState]:
        """The stored states of ``document``'s segments, by position."""
        rows = self._query(
            "SELECT document, position, source, status, target, confirmed, committed,"
            " committed_new, changed_at, changed_by FROM segment_states"
            f" WHERE document = {self.P} ORDER BY position",
            (document,),
        )
        return [
            SegmentState(
                document=r[0],
                position=int(r[1]),
                source=r[2],
                status=SegmentStatus(r[3]),
                target=r[4],
                confirmed=r[5],
                committed=r[6],
                committed_new=bool(r[7]),
                changed_at=r[8],
                changed_by=r[9],
            )
            for r in rows
        ]

    def save_segment_states(
        self, states: Iterable[SegmentState], *, user: str | None = None
    ) -> None:
        """Write segment states (replacing those at the same document and position).

        ``changed_at``/``changed_by`` are stamped now unless a state carries them.
        """
        p = self.P
        stamp, who = now_stamp(), user or default_user()
        rows = [
            (
                s.document,
                s.position,
                s.source,
                str(s.status),
                s.target,
                s.confirmed,
                s.committed,
                int(s.committed_new),
                s.changed_at or stamp,
                s.changed_by or who,
            )
            for s in states
        ]
        if not rows:
            return
        with self.transaction():
            self._before_write()
            for row in rows:
                self._conn.execute(
                    "INSERT INTO segment_states (document, position, source, status,"
                    " target, confirmed, committed, committed_new, changed_at,"
                    f" changed_by) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p},"
                    f" {p}) ON CONFLICT (document, position) DO UPDATE SET"
                    " source = excluded.source, status = excluded.status,"
                    " target = excluded.target, confirmed = excluded.confirmed,"
                    " committed = excluded.committed,"
                    " committed_new = excluded.committed_new,"
                    " changed_at = excluded.changed_at, changed_by = excluded.changed_by",
                    row,
                )

    # -- QA marks ----------------------------------------------------------------

    def set_mark(
        self, fingerprint: str, check: str, note: str = "", user: str | None = None
    ) -> None:
        p = self.P
        with self.transaction():
            self._before_write()
            self._conn.execute(
                "INSERT INTO qa_marks (fingerprint, check_name, note, marked_at, marked_by)"
                f" VALUES ({p}, {p}, {p}, {p}, {p})"
                " ON CONFLICT (fingerprint) DO UPDATE SET note = excluded.note",
                (fingerprint, check, note, now_stamp(), user or default_user()),
            )

    def clear_mark(self, fingerprint: str) -> None:
        with self.transaction():
            self._before_write()
            self._conn.execute(
                f"DELETE FROM qa_marks WHERE fingerprint = {self.P}", (fingerprint,)
            )

    def marks(self) -> set[str]:
        return {r[0] for r in self._query("SELECT fingerprint FROM qa_marks")}
