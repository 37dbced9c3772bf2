"""What the SQL backends share: the reads whose SQL is the same, QA marks, and the
one migration runner.

:class:`SQLStore` implements most of the :class:`~tm.store.base.Store` protocol once;
SQLiteStore and PostgresStore differ in their drivers (``?`` vs ``%s`` parameters),
in how they index text and in how they write in bulk: they provide the hooks below
(abstract, so a backend that forgets one cannot be instantiated) and the protocol's
remaining methods (iter_keys), which mypy
checks against the protocol where ``open_store`` returns them.
"""

from __future__ import annotations

import contextlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any, Self

from tm.errors import NotFound, StoreError
from tm.locations import user
from tm.models import (
    Occurrence,
    SegmentState,
    SegmentStatus,
    TranslationUnit,
    now_stamp,
)
from tm.store.base import AddResult, Progress, StoreInfo
from tm.store.rows import (
    IDENT,
    OCCURRENCE_SELECT,
    UNIT_SELECT,
    PreparedBatch,
    dumps,
    identity_of,
    prepare_batches,
    row_to_occurrence,
    row_to_unit,
)
from tm.store.schema import (
    META_TABLE,
    MIGRATIONS_TABLE,
    SCHEMA_VERSION_KEY,
    Migration,
    text_hash,
    unit_identity,
)
from tm.text.normalize import match_key

EDITS_KEY = "edits"  # meta row counting target edits: see SQLStore.edit_version
# The key columns concordance searches, per side.
KEY_COLUMNS = {
    "source": ("source_key",),
    "target": ("target_key",),
    "both": ("source_key", "target_key"),
}
# Identity hashes probed per query (within SQLite's parameter limit).
PROBE_CHUNK = 999
# Tables whose row counts ``tm db info`` shows.
INFO_TABLES = ("units", "occurrences", "documents", "qa_marks")


def default_user() -> str:
    """Who writes, when the caller does not say: ``$TM_USER``, else the login name
    (resolved in ``tm.locations``)."""
    return user()


def filters(param: str, **kw: str | None) -> tuple[str, list[Any]]:
    """``AND col = <param>`` for each value given, and the values."""
    where = ""
    params: list[Any] = []
    for col, value in kw.items():
        if value is not None:
            where += f" AND {col} = {param}"
            params.append(value)
    return where, params


class SQLStore(ABC):
    """The shared part of the SQL backends (see the module docstring).

    Attributes:
        backend: ``sqlite`` or ``postgresql``.
        location: where the TM is, for people (a path, or a URL without password).
        path: the database file, beside which side-car files go; None when the TM
            is not a file (a server, or SQLite in memory).
        url: what ``open_store`` takes to open the TM again (in a worker process).
        readonly: opened for reading only.
        migrations: this backend's migrations, in order.
        P: the driver's parameter mark.
    """

    backend: str
    location: str
    path: str | None
    url: str
    readonly: bool
    migrations: Sequence[Migration]
    P = "?"
    # ``column`` contains the parameter (a substring test that needs no index).
    CONTAINS = "instr({}, ?) > 0"
    # While add_batches writes into a TM that had no units: the identity hashes of
    # the units written so far (None otherwise). See _resolve.
    _written: set[int] | None = None

    # -- what a backend provides -----------------------------------------------------

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """One write transaction; nested calls join the outer one (the protocol's)."""

    @abstractmethod
    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        """Rows of a read, on this thread's read connection (the writer's own inside
        this thread's transaction), so other threads never see uncommitted rows.

        Raises:
            StoreError: the query failed (driver error wrapped), or the store is closed.
        """

    @abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run a statement on the write connection; returns the driver's cursor
        (``rowcount`` and ``fetchall()`` are read from it). Called inside
        :meth:`transaction` for writes."""

    @abstractmethod
    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run a statement once per row on the write connection, in its transaction;
        returns how many rows it changed."""

    @abstractmethod
    def add_batches(
        self, batches: Iterable[PreparedBatch], *, progress: Progress | None = None
    ) -> AddResult:
        """See :meth:`tm.store.base.Store.add_batches`."""

    @abstractmethod
    def _new_ids(self, n: int) -> list[int]:
        """``n`` unused unit ids, ascending (called by a writer holding the write turn)."""

    @abstractmethod
    def _with_hashes(self, column: str, hashes: list[int]) -> str:
        """``WHERE`` condition: ``column`` is one of ``hashes`` (bound by the caller
        with :meth:`_hash_params`)."""

    @abstractmethod
    def _hash_params(self, hashes: list[int]) -> list[Any]:
        """The parameters :meth:`_with_hashes` binds."""

    @abstractmethod
    def add_document(self, name: str, meta: dict[str, str] | None = None) -> int:
        """See :meth:`tm.store.base.Store.add_document`."""

    @abstractmethod
    def get_units(self, ids: Iterable[int]) -> list[TranslationUnit]:
        """See :meth:`tm.store.base.Store.get_units`."""

    @abstractmethod
    def _unit_occurrences(self, ids: list[int]) -> dict[int, list[Occurrence]]:
        """Each of these units' occurrences, in the order they were stored."""

    @abstractmethod
    def _has_table(self, name: str) -> bool:
        """Whether the TM's schema has a table of that name."""

    @abstractmethod
    def _run_script(self, sql: str) -> None:
        """Run a migration's statements on the write connection, in its transaction."""

    @abstractmethod
    def _info_extra(self) -> dict[str, Any]:
        """Backend details for :meth:`info` (versions, sizes, modes)."""

    def _before_write(self) -> None:
        """Called in a transaction before its first write (PostgreSQL: one writer)."""
        return None

    def _lock_schema(self) -> None:
        """Called in the migration transaction before it reads what is applied."""
        return None

    def _first_occurrences(self, ids: list[int]) -> dict[int, Occurrence]:
        return {i: occs[0] for i, occs in self._unit_occurrences(ids).items()}

    @abstractmethod
    def close(self) -> None:
        """See :meth:`tm.store.base.Store.close`."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ------------------------------------------------------------------------

    def _applied(self) -> list[str]:
        """The names of the migrations this database has had, in order."""
        if not self._has_table("tm_migrations"):
            return []
        return [
            r[0] for r in self._query("SELECT name FROM tm_migrations ORDER BY name")
        ]

    def _check_version(self, applied: Iterable[str] | None = None) -> None:
        known = {m.name for m in self.migrations}
        unknown = [
            n
            for n in (applied if applied is not None else self._applied())
            if n not in known
        ]
        if unknown:
            raise StoreError(
                f"{self.location} was written by a newer tm (schema migration {unknown[-1]})",
                hint="upgrade tm to open this database",
            )

    def migrate(self) -> list[str]:
        """Apply pending migrations in one transaction; returns the names applied.

        An up-to-date database takes no write lock, so opening a TM to read never
        waits for an import. Processes that open a new database at once take turns
        (SQLite's single writer; an advisory lock on PostgreSQL) and each migration
        runs once.
        """
        applied = self._applied()
        self._check_version(applied)
        if {m.name for m in self.migrations} <= set(applied):
            return []
        done: list[str] = []
        with self.transaction():
            self._before_write()
            self._lock_schema()
            self._execute(MIGRATIONS_TABLE)
            self._execute(META_TABLE)
            applied = self._applied()
            self._check_version(applied)
            p = self.P
            for m in self.migrations:
                if m.name in applied:
                    continue
                if m.sql.strip():
                    self._run_script(m.sql)
                if m.run is not None:
                    m.run(self)
                self._execute(
                    f"INSERT INTO tm_migrations (name, applied_at) VALUES ({p}, {p})",
                    (m.name, now_stamp()),
                )
                done.append(m.name)
            self._execute(
                f"INSERT INTO meta (key, value) VALUES ({p}, {p})"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (SCHEMA_VERSION_KEY, str(len(self.migrations))),
            )
        return done

    def info(self) -> StoreInfo:
        applied = self._applied()
        return StoreInfo(
            backend=self.backend,
            location=self.location,
            schema_version=len(applied),
            migrations=tuple(applied),
            extra={**self._info_extra(), "rows": self._row_counts(applied)},
        )

    def _row_counts(self, applied: list[str]) -> dict[str, int]:
        if not applied:
            return {}
        return {
            t: int(self._query(f"SELECT count(*) FROM {t}")[0][0]) for t in INFO_TABLES
        }

    # -- writes --------------------------------------------------------------------------

    def add_units(
        self,
        units: Iterable[TranslationUnit],
        *,
        batch_size: int = 1000,
        progress: Progress | None = None,
        user: str | None = None,
    ) -> AddResult:
        """Add units (deduplicated on source, target, languages, segtype) and their
        occurrences, in one transaction (see the protocol)."""
        batches = prepare_batches(
            units, stamp=now_stamp(), user=user or default_user(), size=batch_size
        )
        return self.add_batches(batches, progress=progress)

    def _add_documents(self, batch: PreparedBatch, doc_ids: dict[str, int]) -> None:
        """Note in ``doc_ids`` (name → id) the documents the batch's occurrences name,
        adding those the TM lacks."""
        for name in batch.documents():
            if name not in doc_ids:
                doc_ids[name] = self.add_document(name)

    def _resolve(self, batch: PreparedBatch) -> tuple[list[int], list[int]]:
        """Each row's unit id, and the positions of the rows that are new units.

        A row whose identity the TM (or an earlier row of the batch) has gets that
        unit's id, found through the identity hash and confirmed text by text; the
        first row of each new identity gets a new id, in order. Called inside the
        writer's transaction, after its first write took the write turn, so no one
        else adds units in between.
        """
        hashes = [r[IDENT] for r in batch.rows]
        written = self._written
        if written is not None:
            # Into a TM that was empty: a batch whose hashes are new and distinct is
            # new units throughout, with nothing to ask the database (the probes and
            # this loop were a sixth of a 100k-unit import's writer).
            if written.isdisjoint(hashes):
                distinct = set(hashes)
                if len(distinct) == len(hashes):
                    written |= distinct
                    return self._new_ids(len(hashes)), list(range(len(hashes)))
            written.update(hashes)
        known = self._known(hashes)
        ids: list[int] = []
        new: list[int] = []
        for i, row in enumerate(batch.rows):
            identity = identity_of(row)
            same = known.get(row[IDENT])
            uid = None
            if same is None:
                known[row[IDENT]] = same = []
            else:
                for other, other_id in same:
                    if other == identity:
                        uid = other_id
                        break
            if uid is None:
                uid = -len(new) - 1  # a placeholder until the ids are drawn
                new.append(i)
                same.append((identity, uid))
            ids.append(uid)
        fresh = self._new_ids(len(new)) if new else []
        return [fresh[-u - 1] if u < 0 else u for u in ids], new

    @contextlib.contextmanager
    def _writing(self, empty: bool) -> Iterator[None]:
        """add_batches' writes, into a TM that had no units if ``empty``."""
        self._written = set() if empty else None
        try:
            yield
        finally:
            self._written = None

    def _known(self, hashes: list[int]) -> dict[int, list[tuple[Any, int]]]:
        """Stored units with these identity hashes: hash → [(identity, id)]."""
        known: dict[int, list[tuple[Any, int]]] = {}
        for i in range(0, len(hashes), PROBE_CHUNK):
            chunk = hashes[i : i + PROBE_CHUNK]
            for r in self._query(
                "SELECT ident, source_lang, target_lang, segtype, source, target, id"
                f" FROM units WHERE {self._with_hashes('ident', chunk)}",
                self._hash_params(chunk),
            ):
                known.setdefault(r[0], []).append((tuple(r[1:6]), r[6]))
        return known

    # -- reads ---------------------------------------------------------------------------

    def concordance(
        self, key: str, *, side: str = "source", limit: int | None = None
    ) -> list[TranslationUnit]:
        """Units whose source (or target, or either) key contains ``key``: a scan of
        the keys (see the README for why no trigram index any more)."""
        if not key:
            return []
        cols = KEY_COLUMNS[side]
        cond = " OR ".join(self.CONTAINS.format(c) for c in cols)
        lim = f" LIMIT {int(limit)}" if limit else ""
        rows = self._query(
            f"SELECT id FROM units WHERE {cond} ORDER BY id{lim}", [key] * len(cols)
        )
        return self.get_units(r[0] for r in rows)

    def exact(
        self, key: str, *, source_lang: str | None = None
    ) -> list[TranslationUnit]:
        where, params = filters(self.P, source_lang=source_lang)
        rows = self._query(
            f"SELECT id FROM units WHERE key_hash = {self.P} AND source_key = {self.P}"
            f"{where} ORDER BY id",
            [text_hash(key), key, *params],
        )
        return self.get_units(r[0] for r in rows)

    def units_after(self, prev_key: str) -> set[int]:
        """Ids of units whose previous unit in some document has the match key ``prev_key``."""
        rows = self._query(
            f"SELECT unit_id, prev_source FROM occurrences WHERE prev_hash = {self.P}",
            (text_hash(prev_key),),
        )
        return {r[0] for r in rows if match_key(r[1]) == prev_key}

    def iter_units(
        self,
        *,
        segtype: str | None = None,
        source_lang: str | None = None,
        batch: int = 2000,
        all_occurrences: bool = False,
        after: int = 0,
        upto: int | None = None,
    ) -> Iterator[TranslationUnit]:
        """All units in id order, each with its first occurrence (or all: an export)."""
        where, params = filters(self.P, segtype=segtype, source_lang=source_lang)
        if upto is not None:
            where += f" AND id <= {int(upto)}"
        last = after
        while True:
            rows = self._query(
                f"SELECT {UNIT_SELECT} FROM units WHERE id > {self.P}{where}"
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
            f"SELECT d.name, {OCCURRENCE_SELECT}"
            " FROM occurrences o JOIN documents d ON d.id = o.document_id"
            f" WHERE o.unit_id = {self.P} ORDER BY o.id",
            (unit_id,),
        )
        return [row_to_occurrence(r[0], r[1:]) for r in rows]

    def id_bounds(self) -> tuple[int, int] | None:
        row = self._query("SELECT min(id), max(id) FROM units")[0]
        return None if row[0] is None else (int(row[0]), int(row[1]))

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

    # -- a reviewer's edit -------------------------------------------------------------

    def set_target(self, unit_id: int, target: str, *, user: str | None = None) -> None:
        """Replace a unit's target (a reviewer's fix); stamps changed_at/changed_by.

        Raises:
            NotFound: no unit with that id.
            StoreError: the TM already has a unit with this source and target.
        """
        p = self.P
        with self.transaction():
            self._before_write()
            units = self.get_units([unit_id])
            if not units:
                raise NotFound(f"no unit with id {unit_id}")
            edited = replace(units[0], target=target)
            ident = unit_identity(edited)
            same = self._query(
                f"SELECT id FROM units WHERE ident = {p} AND id <> {p} AND source_lang"
                f" = {p} AND target_lang = {p} AND segtype = {p} AND source = {p}"
                f" AND target = {p}",
                (
                    ident,
                    unit_id,
                    edited.source_lang,
                    edited.target_lang,
                    str(edited.segtype),
                    edited.source,
                    target,
                ),
            )
            if same:
                raise StoreError(
                    f"unit {unit_id}: the TM already has this source with that target",
                    hint="the duplicate can stay; mark this finding instead",
                )
            self._execute(
                f"UPDATE units SET target = {p}, target_key = {p}, ident = {p},"
                f" changed_at = {p}, changed_by = {p} WHERE id = {p}",
                (
                    target,
                    match_key(target),
                    ident,
                    now_stamp(),
                    user or default_user(),
                    unit_id,
                ),
            )
            self._execute(
                f"INSERT INTO meta (key, value) VALUES ({p}, '1') ON CONFLICT (key)"
                " DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)",
                (EDITS_KEY,),
            )

    # -- a unit's status (props), and replacing one occurrence's unit ------------------

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
        with self.transaction():
            self._before_write()
            cur = self._execute(
                f"UPDATE units SET props = {self.P} WHERE id = {self.P}",
                (dumps(props), unit_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"no unit with id {unit_id}")

    def remove_occurrence(self, unit_id: int, document: str, position: int) -> int:
        """Forget that unit ``unit_id`` occurs at ``position`` of ``document``.

        Returns how many occurrence rows went (0 when it was not recorded there).
        """
        p = self.P
        with self.transaction():
            self._before_write()
            cur = self._execute(
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
                cur = self._execute(
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
        return None

    # -- a project's segment states (see tm.models.SegmentState) -----------------------

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
            self._executemany(
                "INSERT INTO segment_states (document, position, source, status,"
                " target, confirmed, committed, committed_new, changed_at,"
                f" changed_by) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p},"
                f" {p}) ON CONFLICT (document, position) DO UPDATE SET"
                " source = excluded.source, status = excluded.status,"
                " target = excluded.target, confirmed = excluded.confirmed,"
                " committed = excluded.committed,"
                " committed_new = excluded.committed_new,"
                " changed_at = excluded.changed_at, changed_by = excluded.changed_by",
                rows,
            )

    # -- QA marks ----------------------------------------------------------------------

    def set_mark(
        self, fingerprint: str, check: str, note: str = "", user: str | None = None
    ) -> None:
        p = self.P
        with self.transaction():
            self._before_write()
            self._execute(
                "INSERT INTO qa_marks (fingerprint, check_name, note, marked_at, marked_by)"
                f" VALUES ({p}, {p}, {p}, {p}, {p})"
                " ON CONFLICT (fingerprint) DO UPDATE SET note = excluded.note",
                (fingerprint, check, note, now_stamp(), user or default_user()),
            )

    def clear_mark(self, fingerprint: str) -> None:
        with self.transaction():
            self._before_write()
            self._execute(
                f"DELETE FROM qa_marks WHERE fingerprint = {self.P}", (fingerprint,)
            )

    def marks(self) -> set[str]:
        return {r[0] for r in self._query("SELECT fingerprint FROM qa_marks")}
