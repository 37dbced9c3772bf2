"""SQLiteStore: the embedded default, on sqlite-utils.

WAL mode so readers never block the writer; a busy timeout so a second writer waits
instead of failing with "database is locked". One write connection; each reading
thread gets its own connection (datasette's model), so TUI workers can read while an
import writes. An FTS5 trigram index over the match keys serves concordance.

``add_units`` fills that index itself, once per call, from the rows the call added
(one ``INSERT ... SELECT`` at the end of its transaction) rather than by a per-row
trigger: the per-row path cost three times as much (benchmarks/bench_import.py).
Updates and deletes still go through triggers.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from tm.errors import StoreError
from tm.models import Occurrence, TranslationUnit, now_stamp
from tm.store._common import (
    UNIT_COLUMNS,
    SQLQueries,
    default_user,
    dumps,
    filters,
    occurrence_values,
    row_to_unit,
    unit_occurrences,
    unit_row,
)
from tm.store.base import AddResult, KeyRow, Progress, StoreInfo
from tm.store.schema import SCHEMA_VERSION_KEY, Migration, common_migrations

BUSY_TIMEOUT_MS = 60_000
# How long a writer queues behind another one (a large import) before giving up.
WRITER_WAIT_S = 6 * 3600
log = logging.getLogger(__name__)

FTS = """
CREATE VIRTUAL TABLE units_fts USING fts5(
    source_key, target_key, content='units', content_rowid='id', tokenize='trigram'
);
CREATE TRIGGER units_ai AFTER INSERT ON units BEGIN
    INSERT INTO units_fts (rowid, source_key, target_key) VALUES (new.id, new.source_key, new.target_key);
END;
CREATE TRIGGER units_ad AFTER DELETE ON units BEGIN
    INSERT INTO units_fts (units_fts, rowid, source_key, target_key)
    VALUES ('delete', old.id, old.source_key, old.target_key);
END;
CREATE TRIGGER units_au AFTER UPDATE OF source_key, target_key ON units BEGIN
    INSERT INTO units_fts (units_fts, rowid, source_key, target_key)
    VALUES ('delete', old.id, old.source_key, old.target_key);
    INSERT INTO units_fts (rowid, source_key, target_key) VALUES (new.id, new.source_key, new.target_key);
END;
"""

# add_units indexes its new rows in bulk (see _index_new_units); a per-row trigger
# as well would index them twice.
FTS_BULK = "DROP TRIGGER IF EXISTS units_ai;"

MIGRATIONS: list[Migration] = [
    *common_migrations("INTEGER PRIMARY KEY", "source", "target"),
    Migration("0004_units_fts_trigram", FTS),
    Migration("0006_units_fts_bulk", FTS_BULK),
]
MIGRATIONS.sort(key=lambda m: m.name)


# add_units stages each batch of rows here, then merges it with two INSERT ... SELECT
# statements: SQLite does the deduplication and the unit-id look-ups without a
# round trip to Python per unit.
UNIT_INSERT_COLUMNS = (
    "source, target, source_lang, target_lang, segtype, source_key, target_key,"
    " source_len, tuid, created_at, created_by, changed_at, changed_by, props, notes,"
    " source_codes, target_codes"
)
OCCURRENCE_COLUMNS = (
    "document_id, position, sub, prev_source, next_source, prev_key, next_key, section"
)
STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS tm_stage (ord INTEGER PRIMARY KEY,"
    f" {UNIT_INSERT_COLUMNS}, {OCCURRENCE_COLUMNS})"
)
STAGE_INSERT = f"INSERT INTO temp.tm_stage VALUES (NULL{', ?' * 25})"
# "WHERE true" keeps SQLite from reading ON CONFLICT as a join constraint.
MERGE_UNITS = (
    f"INSERT INTO units ({UNIT_INSERT_COLUMNS}) SELECT {UNIT_INSERT_COLUMNS}"
    " FROM temp.tm_stage WHERE true ORDER BY ord ON CONFLICT DO NOTHING"
)
MERGE_OCCURRENCES = (
    "INSERT INTO occurrences (unit_id, segtype, document_id, position, sub, prev_source,"
    " next_source, prev_key, next_key, section)"
    " SELECT u.id, s.segtype, s.document_id, s.position, s.sub, s.prev_source,"
    " s.next_source, s.prev_key, s.next_key, s.section"
    " FROM temp.tm_stage s JOIN units u ON u.source_lang = s.source_lang"
    " AND u.target_lang = s.target_lang AND u.segtype = s.segtype"
    " AND u.source = s.source AND u.target = s.target"
    " WHERE s.document_id IS NOT NULL ORDER BY s.ord ON CONFLICT DO NOTHING"
)


class SQLiteStore(SQLQueries):
    """A TM in one SQLite file (or ``:memory:``)."""

    backend = "sqlite"

    def __init__(
        self, path: str | Path, *, create: bool = True, readonly: bool = False
    ) -> None:
        self.path = str(path)
        self.readonly = readonly
        self._create = create
        self._lock = threading.RLock()
        self._local = threading.local()
        self._closed = False
        self._depth = 0
        self._tx_owner = 0
        if self.path != ":memory:" and not create and not Path(self.path).exists():
            raise StoreError(
                f"no TM database at {self.path}",
                hint="import a file first: tm import FILE",
            )
        # A TM on a read-only disk or without write permission is opened to read; a
        # write then fails with a clear StoreError instead of "unable to open".
        self._no_write = not _writable(self.path)
        if self._no_write:
            self.readonly = readonly = True
        self._conn = self._connect(write=not readonly)
        self.db = sqlite_utils.Database(self._conn)
        try:
            self._check_file()
            if readonly:
                self._refuse_foreign(self._conn)
            if not readonly:
                self.migrate()
            else:
                self._check_version()
        except sqlite3.DatabaseError as exc:
            # A corrupt page can first show in the migrations table, not sqlite_master.
            self._conn.close()
            raise _store_error(self.path, exc) from exc
        except StoreError:
            self._conn.close()
            raise

    # -- connections -------------------------------------------------------------

    def _connect(self, *, write: bool) -> sqlite3.Connection:
        try:
            if self.path == ":memory:":
                conn = sqlite3.connect(
                    ":memory:", isolation_level=None, check_same_thread=False
                )
            elif write:
                _make_parent(self.path)
                conn = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False
                )
            else:
                conn = self._connect_ro()
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if write and self.path != ":memory:":
                self._refuse_foreign(conn)  # before WAL: that alone changes the file
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise _store_error(self.path, exc) from exc
        return conn

    def _connect_ro(self) -> sqlite3.Connection:
        uri = Path(self.path).absolute().as_uri()
        conn = sqlite3.connect(
            uri + "?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
        if not self._no_write:
            return conn
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            conn.close()
        # A WAL database on read-only media cannot create its -shm index: nobody can
        # be writing it either, so read it as immutable.
        return sqlite3.connect(
            uri + "?immutable=1",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )

    def _refuse_foreign(self, conn: sqlite3.Connection) -> None:
        """Leave another program's SQLite database as it is.

        A file with tables but no ``tm_migrations`` is not a TM: every command refuses
        it. An empty one becomes a TM only for a command that writes (``create``).

        Raises:
            StoreError: the file is another program's database, or empty and this
                command only reads.
        """
        try:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _store_error(self.path, exc) from exc
        if "tm_migrations" in tables or (not tables and self._create):
            return
        conn.close()
        if not tables:
            raise StoreError(
                f"no TM database at {self.path} (an empty SQLite file)",
                hint="import a file first: tm import FILE",
            )
        shown = ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")
        raise StoreError(
            f"{self.path} is a SQLite database of another program, not a tm TM "
            f"(its tables: {shown}); it was left unchanged",
            hint="give --db a new file name, or the path of a tm TM",
        )

    def _check_file(self) -> None:
        try:
            self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise _store_error(self.path, exc) from exc

    def _reader(self) -> sqlite3.Connection:
        """The calling thread's read connection; inside a transaction, the writer's own."""
        self._ensure_open()
        in_own_tx = self._depth and self._tx_owner == threading.get_ident()
        if self.path == ":memory:" or in_own_tx or self.readonly:
            writer: sqlite3.Connection = self._conn
            return writer
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect(write=False)
            self._local.conn = conn
        return conn

    def _ensure_open(self) -> None:
        if self._closed:
            raise StoreError("the TM store is closed")

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            for conn in (getattr(self._local, "conn", None), self._conn):
                if conn is not None:
                    with contextlib.suppress(sqlite3.Error):
                        conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ------------------------------------------------------------------

    def _applied(self) -> list[str]:
        if "tm_migrations" not in self.db.table_names():
            return []
        return [
            r[0]
            for r in self._conn.execute("SELECT name FROM tm_migrations ORDER BY name")
        ]

    def _check_version(self) -> None:
        known = {m.name for m in MIGRATIONS}
        unknown = [n for n in self._applied() if n not in known]
        if unknown:
            raise StoreError(
                f"{self.path} was written by a newer tm (schema migration {unknown[-1]})",
                hint="upgrade tm to open this database",
            )

    def migrate(self) -> list[str]:
        """Apply pending migrations; returns the names applied."""
        self._check_version()
        applied = set(self._applied())
        if applied >= {m.name for m in MIGRATIONS}:
            # Up to date: take no write lock, so opening the TM to read never waits
            # for (or fails behind) an import that is writing.
            return []
        done: list[str] = []
        with self.transaction():
            # Read again under the write lock: another tm may have created the schema
            # since (six imports started at once into a new file).
            applied = set(self._applied())
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS tm_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)"
            )
            for m in MIGRATIONS:
                if m.name in applied:
                    continue
                for stmt in _statements(m.sql):
                    self._conn.execute(stmt)
                self._conn.execute(
                    "INSERT INTO tm_migrations (name, applied_at) VALUES (?, ?)",
                    (m.name, now_stamp()),
                )
                done.append(m.name)
            self._conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (SCHEMA_VERSION_KEY, str(len(MIGRATIONS))),
            )
        return done

    def info(self) -> StoreInfo:
        size = os.path.getsize(self.path) if self.path != ":memory:" else 0
        return StoreInfo(
            backend="sqlite",
            location=self.path,
            schema_version=len(self._applied()),
            migrations=tuple(self._applied()),
            extra={
                "sqlite_version": sqlite3.sqlite_version,
                "file_bytes": size,
                "journal_mode": self._conn.execute("PRAGMA journal_mode").fetchone()[0],
            },
        )

    # -- writes ------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (nested calls join the outer one)."""
        self._ensure_open()
        if self.readonly:
            if self._no_write:
                raise StoreError(
                    f"{self.path}: the database is read-only (no write permission or a "
                    "read-only disk); nothing was written",
                    hint="copy it somewhere writable, or fix its permissions",
                )
            raise StoreError(f"{self.path} is opened read-only")
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._begin()
            self._depth = 1
            self._tx_owner = threading.get_ident()
            try:
                yield
            except sqlite3.DatabaseError as exc:  # disk full, corrupt page, I/O error
                self._depth = 0
                self._rollback()
                raise _store_error(self.path, exc) from exc
            except BaseException:
                self._depth = 0
                self._rollback()
                raise
            self._depth = 0
            try:
                self._conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                raise _store_error(self.path, exc) from exc

    def _rollback(self) -> None:
        # SQLite may already have rolled back by itself (SQLITE_FULL, SQLITE_IOERR); a
        # second ROLLBACK then fails and must not hide the error that caused it.
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("ROLLBACK")

    def _begin(self) -> None:
        """BEGIN IMMEDIATE, queueing behind another writer for up to WRITER_WAIT_S.

        SQLite has one writer at a time; an import holds it for its whole file, which
        may outlast the busy timeout. A second import or a QA mark waits its turn
        rather than failing with "database is locked".
        """
        deadline = time.monotonic() + WRITER_WAIT_S
        while True:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                locked = "locked" in str(exc) or "busy" in str(exc)
                if not locked or time.monotonic() >= deadline:
                    raise _store_error(self.path, exc) from exc
                log.info(
                    "%s: waiting for another tm process to finish writing", self.path
                )
            except sqlite3.DatabaseError as exc:
                raise _store_error(self.path, exc) from exc

    def add_document(self, name: str, meta: dict[str, str] | None = None) -> int:
        with self.transaction():
            row = self._conn.execute(
                "SELECT id, meta FROM documents WHERE name = ?", (name,)
            ).fetchone()
            if row:
                if meta and json.loads(row[1]) != meta:
                    merged = {**json.loads(row[1]), **meta}
                    self._conn.execute(
                        "UPDATE documents SET meta = ? WHERE id = ?",
                        (dumps(merged), row[0]),
                    )
                return int(row[0])
            cur = self._conn.execute(
                "INSERT INTO documents (name, meta, imported_at) VALUES (?, ?, ?)",
                (name, dumps(meta or {}), now_stamp()),
            )
            return int(cur.lastrowid or 0)

    def add_units(
        self,
        units: Iterable[TranslationUnit],
        *,
        batch_size: int = 1000,
        progress: Progress | None = None,
        user: str | None = None,
    ) -> AddResult:
        """Add units (deduplicated on source, target, languages, segtype) and their occurrences.

        All in one transaction: if ``units`` raises part-way (a malformed file), nothing
        is added.
        """
        user = user or default_user()
        stamp = now_stamp()
        added = occ_added = n = 0
        doc_ids: dict[str, int] = {}
        batch: list[tuple[Any, ...]] = []
        try:
            with self.transaction():
                cur = self._conn.cursor()
                cur.execute(STAGE)
                cur.execute("DELETE FROM temp.tm_stage")
                last_id = cur.execute(
                    "SELECT coalesce(max(id), 0) FROM units"
                ).fetchone()[0]
                for unit in units:
                    batch.extend(self._stage_rows(unit, stamp, user, doc_ids))
                    n += 1
                    if len(batch) >= batch_size:
                        added, occ_added = _merge(cur, batch, added, occ_added)
                        batch = []
                        if progress:
                            progress(n)
                added, occ_added = _merge(cur, batch, added, occ_added)
                _index_new_units(cur, last_id)
        except sqlite3.DatabaseError as exc:
            raise _store_error(self.path, exc) from exc
        if progress:
            progress(n)
        return AddResult(added=added, duplicates=n - added, occurrences_added=occ_added)

    def _stage_rows(
        self, u: TranslationUnit, stamp: str, user: str, doc_ids: dict[str, int]
    ) -> Iterator[tuple[Any, ...]]:
        """``tm_stage`` rows: the unit's columns, then one occurrence's (or NULLs)."""
        row = unit_row(u, stamp, user)
        for occ in unit_occurrences(u):
            doc_id = None
            if occ is not None:
                doc_id = doc_ids.get(occ.document)
                if doc_id is None:
                    doc_id = doc_ids[occ.document] = self.add_document(occ.document)
            yield (*row, *occurrence_values(occ, doc_id))

    # -- reads -------------------------------------------------------------------

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        conn = self._reader()
        try:
            return conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _store_error(self.path, exc) from exc

    def _unit_occurrences(self, ids: list[int]) -> dict[int, list[Occurrence]]:
        out: dict[int, list[Occurrence]] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            rows = self._query(
                "SELECT o.unit_id, d.name, o.position, o.sub, o.prev_source, o.next_source, o.section"
                f" FROM occurrences o JOIN documents d ON d.id = o.document_id WHERE o.unit_id IN ({marks})"
                " ORDER BY o.unit_id, o.id",
                chunk,
            )
            for r in rows:
                out.setdefault(r[0], []).append(Occurrence(*r[1:]))
        return out

    def iter_keys(self, *, side: str = "source", after: int = 0) -> Iterator[KeyRow]:
        """Match keys of the units with an id above ``after``, in id order."""
        col = "source_key" if side == "source" else "target_key"
        conn = self._reader()
        try:
            cur = conn.execute(
                f"SELECT id, {col}, source_lang, target_lang, segtype FROM units"
                " WHERE id > ? ORDER BY id",
                (after,),
            )
            for r in cur:
                yield KeyRow(r[0], r[1], r[2], r[3], r[4])
        except sqlite3.DatabaseError as exc:
            raise _store_error(self.path, exc) from exc

    def get_units(self, ids: Iterable[int]) -> list[TranslationUnit]:
        ids = list(ids)
        rows: dict[int, Any] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            for r in self._query(
                f"SELECT {UNIT_COLUMNS} FROM units WHERE id IN ({marks})", chunk
            ):
                rows[r[0]] = r
        occs = self._first_occurrences(list(rows))
        return [row_to_unit(rows[i], occs.get(i)) for i in ids if i in rows]

    def exact(
        self, key: str, *, source_lang: str | None = None
    ) -> list[TranslationUnit]:
        where, params = filters("?", source_lang=source_lang)
        rows = self._query(
            f"SELECT id FROM units WHERE source_key = ?{where} ORDER BY id",
            [key, *params],
        )
        return self.get_units(r[0] for r in rows)

    def units_after(self, prev_key: str) -> set[int]:
        """Ids of units whose previous unit in some document has the match key ``prev_key``."""
        return {
            r[0]
            for r in self._query(
                "SELECT unit_id FROM occurrences WHERE prev_key = ?", (prev_key,)
            )
        }

    def concordance(
        self, key: str, *, side: str = "source", limit: int | None = None
    ) -> list[TranslationUnit]:
        """Units whose source (or target, or either) key contains ``key`` as a substring.

        Keys of 3+ characters use the FTS5 trigram index; shorter ones scan with instr().
        """
        if not key:
            return []
        cols = {
            "source": ["source_key"],
            "target": ["target_key"],
            "both": ["source_key", "target_key"],
        }[side]
        lim = f" LIMIT {int(limit)}" if limit else ""
        if len(key) >= 3:
            phrase = '"' + key.replace('"', '""') + '"'
            match = (
                " OR ".join(f"{c} : {phrase}" for c in cols)
                if len(cols) > 1
                else f"{cols[0]} : {phrase}"
            )
            sql = f"SELECT rowid FROM units_fts WHERE units_fts MATCH ? ORDER BY rowid{lim}"
            params: list[Any] = [match]
        else:
            cond = " OR ".join(f"instr({c}, ?) > 0" for c in cols)
            sql = f"SELECT id FROM units WHERE {cond} ORDER BY id{lim}"
            params = [key] * len(cols)
        return self.get_units(r[0] for r in self._query(sql, params))

    # -- tui: editing a unit's target --------------------------------------------

    def _unique_violation(self) -> type[Exception]:
        return sqlite3.IntegrityError


def _merge(
    cur: sqlite3.Cursor, batch: list[tuple[Any, ...]], added: int, occ_added: int
) -> tuple[int, int]:
    """Move a batch of staged rows into units and occurrences; returns the new totals.

    A unit already in the TM (or earlier in the batch) is skipped; its occurrence
    is linked to the stored unit through the identity index.
    """
    if not batch:
        return added, occ_added
    cur.executemany(STAGE_INSERT, batch)
    cur.execute(MERGE_UNITS)
    added += max(cur.rowcount, 0)
    cur.execute(MERGE_OCCURRENCES)
    occ_added += max(cur.rowcount, 0)
    cur.execute("DELETE FROM temp.tm_stage")
    return added, occ_added


def _index_new_units(cur: sqlite3.Cursor, last_id: int) -> None:
    """Give the units added after ``last_id`` their tuid and their full-text entries.

    Every unit gets a stable tuid (its id, unless the file gave one), so a TMX round
    trip keeps it. The caller holds the write lock and SQLite hands out ids above the
    largest one, so the new rows are exactly those above ``last_id``.
    """
    cur.execute(
        "UPDATE units SET tuid = CAST(id AS TEXT) WHERE id > ? AND tuid IS NULL",
        (last_id,),
    )
    cur.execute(
        "INSERT INTO units_fts (rowid, source_key, target_key)"
        " SELECT id, source_key, target_key FROM units WHERE id > ? ORDER BY id",
        (last_id,),
    )


def _statements(sql: str) -> list[str]:
    """Split a migration into statements; trigger bodies keep their inner semicolons."""
    out: list[str] = []
    buf = ""
    for line in sql.strip().splitlines():
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _make_parent(path: str) -> None:
    """Create the database's folder; one that cannot be made is a StoreError (exit 4)."""
    parent = Path(path).parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where a folder should be, no permission …
        raise StoreError(
            f"{path}: cannot create the folder {parent} ({exc.strerror or exc})",
            hint="give --db a path in a folder that exists or can be made",
        ) from exc


def _writable(path: str) -> bool:
    """False when an existing database file, or its folder, cannot be written."""
    p = Path(path)
    if path == ":memory:" or not p.exists():
        return True
    return os.access(p, os.W_OK) and os.access(p.absolute().parent, os.W_OK)


def _store_error(path: str, exc: sqlite3.DatabaseError) -> StoreError:
    msg = str(exc)
    if "readonly" in msg or "read-only" in msg:
        return StoreError(
            f"{path}: the database is read-only ({msg})",
            hint="check the file's permissions",
        )
    if "not a database" in msg or "malformed" in msg:
        return StoreError(
            f"{path}: not a tm database or corrupt ({msg})",
            hint="restore it from a backup or a TMX export",
        )
    if "locked" in msg or "busy" in msg:
        return StoreError(
            f"{path}: the database stayed locked by another process ({msg})"
        )
    if "full" in msg:
        return StoreError(f"{path}: the disk is full ({msg}); nothing was written")
    if "unable to open" in msg:
        return StoreError(f"{path}: cannot open the database ({msg})")
    return StoreError(f"{path}: {msg}")


def utc_iso(stamp: str | None) -> str | None:
    """``YYYYMMDDThhmmssZ`` → ISO 8601 for display; other strings are returned as they are."""
    if not stamp:
        return stamp
    try:
        return (
            datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).isoformat()
        )
    except ValueError:
        return stamp
