"""SQLiteStore: the embedded default, on plain sqlite3 (sqlite-utils for introspection).

WAL mode so readers never block the writer; a busy timeout so a second writer waits
instead of failing with "database is locked". One write connection; each reading
thread gets its own connection (datasette's model), so TUI workers can read while an
import writes.

Writes go straight into the tables: ``add_batches`` gives each new unit the next id
itself (the writer holds SQLite's one write lock, so nobody else hands out ids),
finds units the TM already has through the 8-byte identity hash (compared text by
text when a hash matches), and inserts units and occurrences with ``executemany``.
Concordance scans the match keys: the FTS5 trigram index it used cost more than the
rest of an import and as much disk as the units themselves (see the README).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tm.errors import StoreError
from tm.models import Occurrence, TranslationUnit, now_stamp
from tm.store.base import Added, AddResult, KeyRow, Progress
from tm.store.rows import (
    OCCURRENCE_SELECT,
    UNIT_SELECT,
    PreparedBatch,
    dumps,
    row_to_occurrence,
    row_to_unit,
)
from tm.store.schema import (
    OCCURRENCE_COLUMNS,
    OCCURRENCE_NAMES,
    UNIT_COLUMNS,
    UNIT_NAMES,
    Dialect,
    Migration,
    common_migrations,
    ordered,
)
from tm.store.sql import SQLStore

if TYPE_CHECKING:
    import sqlite_utils

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

# Concordance scans the keys instead (measured in the README): the index cost more
# than the rest of an import, and as much disk as the units.
DROP_FTS = """
DROP TRIGGER IF EXISTS units_ai;
DROP TRIGGER IF EXISTS units_ad;
DROP TRIGGER IF EXISTS units_au;
DROP TABLE IF EXISTS units_fts;
"""

MIGRATIONS: list[Migration] = ordered(
    [
        *common_migrations(Dialect(pk="INTEGER PRIMARY KEY")),
        Migration("0004_units_fts_trigram", FTS),
        Migration("0006_units_fts_bulk", FTS_BULK),
        Migration("0009_drop_units_fts", DROP_FTS),
    ]
)


# New units go in with the id the writer gives them (?1); a unit without a tuid gets
# its id as tuid, so a TMX round trip keeps it stable (what rows.stored_row does).
INSERT_UNIT = (
    f"INSERT INTO units (id, {UNIT_NAMES}) VALUES (?1, "
    + ", ".join(
        f"coalesce(?{n + 2}, CAST(?1 AS TEXT))" if c.name == "tuid" else f"?{n + 2}"
        for n, c in enumerate(UNIT_COLUMNS)
    )
    + ")"
)
INSERT_OCCURRENCE = (
    f"INSERT INTO occurrences (unit_id, document_id, {OCCURRENCE_NAMES})"
    f" VALUES (?, ?{', ?' * len(OCCURRENCE_COLUMNS)}) ON CONFLICT DO NOTHING"
)
# Page cache of the write connection: the hash indexes take inserts in random order,
# and a cache that holds them keeps a large import from slowing as the TM grows.
WRITE_CACHE_KIB = 64 * 1024
# Page size of a new database (SQLite's default is 4096; an existing file keeps its
# own). Importing 100k units into 8 KB pages took 0.3-0.5 s less CPU (fewer pages to
# log, checksum and copy back at the checkpoint) and made the file 6 % smaller;
# 16 and 32 KB did worse than 8.
PAGE_SIZE = 8192
# Key rows fetched at a time by iter_keys (the reader's lock is held per fetch).
KEY_ROWS = 4096


class SQLiteStore(SQLStore):
    """A TM in one SQLite file (or ``:memory:``).

    Args:
        path: the database file; ``:memory:`` for a TM that lives as long as the store.
        create: when False, a missing file is an error instead of a new TM.
        readonly: open for reading only (no migrations, no writes).

    Raises:
        StoreError: the file is missing (``create=False``), not a tm database,
            corrupt, or written by a newer tm.
    """

    backend = "sqlite"
    migrations = MIGRATIONS

    def __init__(
        self, path: str | Path, *, create: bool = True, readonly: bool = False
    ) -> None:
        self.location = self.url = str(path)
        self.path = None if self.location == ":memory:" else self.location
        self.readonly = readonly
        self._create = create
        self._lock = threading.RLock()
        self._local = threading.local()
        # every thread's reader, to close them all; its own lock, as the write lock is
        # held for whole transactions
        self._readers: list[tuple[sqlite3.Connection, threading.Lock]] = []
        self._readers_lock = threading.Lock()
        # Held while a statement of the shared connection runs (readers of an
        # in-memory or read-only TM, and the writer's own reads in a transaction).
        self._shared_use = threading.Lock()
        self._closed = False
        self._depth = 0
        self._tx_owner = 0
        self._next_id = 0  # the next unit id, while add_batches holds the write lock
        if (
            self.location != ":memory:"
            and not create
            and not Path(self.location).exists()
        ):
            raise StoreError(
                f"no TM database at {self.location}",
                hint="import a file first: tm import FILE",
            )
        # A TM on a read-only disk or without write permission is opened to read; a
        # write then fails with a clear StoreError instead of "unable to open".
        self._no_write = not _writable(self.location)
        if self._no_write:
            self.readonly = readonly = True
        self._conn = self._connect(write=not readonly)
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
            raise _store_error(self.location, exc) from exc
        except StoreError:
            self._conn.close()
            raise

    # -- connections -------------------------------------------------------------

    def _connect(self, *, write: bool) -> sqlite3.Connection:
        try:
            if self.location == ":memory:":
                conn = sqlite3.connect(
                    ":memory:", isolation_level=None, check_same_thread=False
                )
            elif write:
                _make_parent(self.location)
                conn = sqlite3.connect(
                    self.location, isolation_level=None, check_same_thread=False
                )
            else:
                conn = self._connect_ro()
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if write and self.location != ":memory:":
                self._refuse_foreign(conn)  # before WAL: that alone changes the file
                # Before WAL and the first table: it only takes on an empty file.
                conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise _store_error(self.location, exc) from exc
        return conn

    def _connect_ro(self) -> sqlite3.Connection:
        uri = Path(self.location).absolute().as_uri()
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
            raise _store_error(self.location, exc) from exc
        if "tm_migrations" in tables or (not tables and self._create):
            return
        conn.close()
        if not tables:
            raise StoreError(
                f"no TM database at {self.location} (an empty SQLite file)",
                hint="import a file first: tm import FILE",
            )
        shown = ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")
        raise StoreError(
            f"{self.location} is a SQLite database of another program, not a tm TM "
            f"(its tables: {shown}); it was left unchanged",
            hint="give --db a new file name, or the path of a tm TM",
        )

    def _check_file(self) -> None:
        try:
            self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise _store_error(self.location, exc) from exc

    def _reader(self) -> sqlite3.Connection:
        """The calling thread's read connection; inside a transaction, the writer's own."""
        return self._reader_in_use()[0]

    def _reader_in_use(self) -> tuple[sqlite3.Connection, threading.Lock]:
        """The calling thread's read connection and the lock to hold while a statement
        of it runs: :meth:`close` takes it before closing the connection, as closing
        one under a running statement crashes SQLite (a TUI quit while a look-up
        thread still read)."""
        self._ensure_open()
        in_own_tx = self._depth and self._tx_owner == threading.get_ident()
        if self.location == ":memory:" or in_own_tx or self.readonly:
            return self._conn, self._shared_use
        held: tuple[sqlite3.Connection, threading.Lock] | None = getattr(
            self._local, "reader", None
        )
        if held is None:
            held = (self._connect(write=False), threading.Lock())
            self._local.reader = held
            with self._readers_lock:
                self._readers.append(held)
        return held

    def _ensure_open(self) -> None:
        if self._closed:
            raise StoreError("the TM store is closed")

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            # Worker threads' readers too, and the writer last: SQLite removes the
            # -wal and -shm files when the last connection to the file closes. Each
            # is closed once the statement it runs (in another thread) has ended.
            with self._readers_lock:
                readers, self._readers = self._readers, []
            for conn, in_use in (*readers, (self._conn, self._shared_use)):
                with in_use, contextlib.suppress(sqlite3.Error):
                    conn.close()

    # -- schema ------------------------------------------------------------------

    def _db(self) -> sqlite_utils.Database:
        """sqlite-utils over this thread's read connection (``tm db info`` only).

        Imported here: it brings click, dateutil and its plugin machinery, a tenth of
        a second that a look-up does not need.
        """
        import sqlite_utils

        return sqlite_utils.Database(self._reader(), recursive_triggers=False)

    def _has_table(self, name: str) -> bool:
        # What sqlite-utils' table_names() reads, without importing it on every open.
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        try:
            return self._reader().execute(sql, (name,)).fetchone() is not None
        except sqlite3.DatabaseError as exc:
            raise _store_error(self.location, exc) from exc

    def _run_script(self, sql: str) -> None:
        for stmt in _statements(sql):
            self._conn.execute(stmt)

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        return max(self._conn.executemany(sql, rows).rowcount, 0)

    def _info_extra(self) -> dict[str, Any]:
        db = self._db()
        return {
            "sqlite_version": sqlite3.sqlite_version,
            "file_bytes": os.path.getsize(self.path) if self.path else 0,
            "journal_mode": db.journal_mode,
        }

    # -- writes ------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (nested calls join the outer one)."""
        self._ensure_open()
        if self.readonly:
            if self._no_write:
                raise StoreError(
                    f"{self.location}: the database is read-only (no write permission or a "
                    "read-only disk); nothing was written",
                    hint="copy it somewhere writable, or fix its permissions",
                )
            raise StoreError(f"{self.location} is opened read-only")
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
                raise _store_error(self.location, exc) from exc
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
                raise _store_error(self.location, exc) from exc

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
                    raise _store_error(self.location, exc) from exc
                log.info(
                    "%s: waiting for another tm process to finish writing",
                    self.location,
                )
            except sqlite3.DatabaseError as exc:
                raise _store_error(self.location, exc) from exc

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

    def add_batches(
        self,
        batches: Iterable[PreparedBatch],
        *,
        progress: Progress | None = None,
        on_added: Added | None = None,
    ) -> AddResult:
        """Write prepared units and their occurrences, in one transaction.

        All or nothing: if ``batches`` raises part-way (a malformed file), nothing
        is added.
        """
        added = occ_added = n = 0
        try:
            with self.transaction():
                self._conn.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
                self._next_id = self._conn.execute(
                    "SELECT coalesce(max(id), 0) + 1 FROM units"
                ).fetchone()[0]
                doc_ids: dict[str, int] = {}
                with self._writing(empty=self._next_id == 1):
                    for batch in batches:
                        ids, new = self._resolve(batch)
                        self._conn.executemany(
                            INSERT_UNIT, [(ids[i], *batch.rows[i]) for i in new]
                        )
                        added += len(new)
                        if on_added is not None and new:
                            on_added(
                                [ids[i] for i in new], [batch.rows[i] for i in new]
                            )
                        occ_added += self._add_occurrences(batch, ids, doc_ids)
                        n += len(batch)
                        if progress:
                            progress(n)
        except sqlite3.DatabaseError as exc:
            raise _store_error(self.location, exc) from exc
        return AddResult(added=added, duplicates=n - added, occurrences_added=occ_added)

    def _new_ids(self, n: int) -> list[int]:
        # The writer holds SQLite's one write lock: the ids above the largest are free.
        first, self._next_id = self._next_id, self._next_id + n
        return list(range(first, first + n))

    def _with_hashes(self, column: str, hashes: list[int]) -> str:
        return f"{column} IN ({','.join('?' * len(hashes))})"

    def _hash_params(self, hashes: list[int]) -> list[Any]:
        return list(hashes)

    def _add_occurrences(
        self, batch: PreparedBatch, ids: list[int], doc_ids: dict[str, int]
    ) -> int:
        """Insert the batch's occurrences (those already stored are skipped); the count."""
        self._add_documents(batch, doc_ids)
        return self._executemany(
            INSERT_OCCURRENCE,
            (
                (uid, doc_ids[doc], *row)
                for uid, occs in zip(ids, batch.occurrences, strict=True)
                for doc, row in occs
            ),
        )

    # -- reads -------------------------------------------------------------------

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        conn, in_use = self._reader_in_use()
        try:
            with in_use:
                self._ensure_open()  # closed while this thread waited
                return conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _store_error(self.location, exc) from exc

    def _first_occurrences(self, ids: list[int]) -> dict[int, Occurrence]:
        """Each unit's first occurrence, read alone: a sentence a team's documents
        repeat (a heading, a closing formula) can have thousands, and a look-up
        shows only the first."""
        out: dict[int, Occurrence] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            rows = self._query(
                f"SELECT o.unit_id, d.name, {OCCURRENCE_SELECT} FROM occurrences o"
                " JOIN documents d ON d.id = o.document_id WHERE o.id IN"
                " (SELECT min(id) FROM occurrences"
                f" WHERE unit_id IN ({marks}) GROUP BY unit_id)",
                chunk,
            )
            for r in rows:
                out[r[0]] = row_to_occurrence(r[1], r[2:])
        return out

    def _unit_occurrences(self, ids: list[int]) -> dict[int, list[Occurrence]]:
        out: dict[int, list[Occurrence]] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            rows = self._query(
                f"SELECT o.unit_id, d.name, {OCCURRENCE_SELECT} FROM occurrences o"
                f" JOIN documents d ON d.id = o.document_id WHERE o.unit_id IN ({marks})"
                " ORDER BY o.unit_id, o.id",
                chunk,
            )
            for r in rows:
                out.setdefault(r[0], []).append(row_to_occurrence(r[1], r[2:]))
        return out

    def iter_keys(self, *, side: str = "source", after: int = 0) -> Iterator[KeyRow]:
        """Match keys of the units with an id above ``after``, in id order."""
        col = "source_key" if side == "source" else "target_key"
        conn, in_use = self._reader_in_use()
        try:
            with in_use:
                cur = conn.execute(
                    f"SELECT id, {col}, source_lang, target_lang, segtype FROM units"
                    " WHERE id > ? ORDER BY id",
                    (after,),
                )
            while True:
                # The statement runs only under the lock: the consumer may take its
                # time between rows, and close() must not wait for it.
                with in_use:
                    self._ensure_open()
                    rows = cur.fetchmany(KEY_ROWS)
                if not rows:
                    return
                for r in rows:
                    yield KeyRow(r[0], r[1], r[2], r[3], r[4])
        except sqlite3.DatabaseError as exc:
            raise _store_error(self.location, exc) from exc

    def get_units(self, ids: Iterable[int]) -> list[TranslationUnit]:
        ids = list(ids)
        rows: dict[int, Any] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            for r in self._query(
                f"SELECT {UNIT_SELECT} FROM units WHERE id IN ({marks})", chunk
            ):
                rows[r[0]] = r
        occs = self._first_occurrences(list(rows))
        return [row_to_unit(rows[i], occs.get(i)) for i in ids if i in rows]


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
