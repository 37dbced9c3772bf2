"""Tables, columns and ordered, named migrations, for both backends.

The columns of ``units`` and ``occurrences`` are defined once, here: the tables,
the backends' staging tables, the INSERT and SELECT lists and the unit <-> row
codecs (``tm.store.rows``) are all derived from :data:`UNIT_COLUMNS` and
:data:`OCCURRENCE_COLUMNS`. Adding a column is one line: a :class:`Column` whose
``since`` names the migration that adds it (``ALTER TABLE … ADD COLUMN`` is then
generated for databases that predate it), and, when it carries a field of
:class:`~tm.models.TranslationUnit`, that field's name.

The SQL is written in the subset SQLite and PostgreSQL share; where they differ
(primary keys, indexes on long text) a :class:`Dialect` fills the gap, and each
backend adds its own migrations (full-text or trigram indexes). A migration, once
released, never changes: add a new one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tm.models import Occurrence, TranslationUnit
from tm.text.normalize import match_key

SCHEMA_VERSION_KEY = "schema_version"
MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS tm_migrations"
    " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
)
META_TABLE = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)"


class RowContext:
    """What a derived ``units`` column may use besides the unit: computed once per unit.

    Made for every unit an import writes and dropped once its row is built: a plain
    class, a fifth of a frozen dataclass's cost to make.

    Attributes:
        stamp: the time of the import (``YYYYMMDDThhmmssZ``), for missing dates.
        user: who imports, for missing creators.
        source_key: the unit's source match key.
        target_key: the unit's target match key.
    """

    __slots__ = ("source_key", "stamp", "target_key", "user")

    def __init__(self, stamp: str, user: str, source_key: str, target_key: str) -> None:
        self.stamp = stamp
        self.user = user
        self.source_key = source_key
        self.target_key = target_key


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table, as both backends create, write and read it.

    Attributes:
        name: the column name.
        sql: its type and constraints in the shared SQL subset (``TEXT NOT NULL``).
        field: the :class:`~tm.models.TranslationUnit` attribute it stores, read
            back into the unit; None for a column only tm's queries use (a key).
        json: the field is a tuple stored as compact JSON.
        derive: computes the value written: ``(unit, RowContext)`` for a units
            column, ``(occurrence, unit)`` for an occurrences column; by default
            the field's value.
        since: the migration that added the column to existing databases; None
            when the table was created with it.
    """

    name: str
    sql: str
    field: str | None = None
    json: bool = False
    derive: Callable[[Any, Any], Any] | None = None
    since: str | None = None

    def ddl(self) -> str:
        return f"{self.name} {self.sql}"


def _created_at(u: TranslationUnit, ctx: RowContext) -> str:
    return u.created_at or ctx.stamp


def _created_by(u: TranslationUnit, ctx: RowContext) -> str:
    return u.created_by or ctx.user


def text_hash(*parts: str) -> int:
    """A stable signed 64-bit hash of the parts (what the hash columns hold).

    Two texts with one hash are told apart by comparing the texts themselves, so a
    collision never merges two units; it only costs a comparison.
    """
    data = "\x00".join(parts).encode("utf-8", "surrogatepass")
    digest = hashlib.blake2b(data, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def unit_identity(u: TranslationUnit, ctx: RowContext | None = None) -> int:
    """The hash of what makes a unit itself: languages, segtype, source and target."""
    return text_hash(u.source_lang, u.target_lang, str(u.segtype), u.source, u.target)


def _prev_hash(o: Occurrence, u: TranslationUnit) -> int | None:
    return text_hash(match_key(o.prev_source)) if o.prev_source is not None else None


HASHES = "0007_hash_columns"

# The columns of ``units`` after ``id``, in table order.
UNIT_COLUMNS: tuple[Column, ...] = (
    Column("source", "TEXT NOT NULL", "source"),
    Column("target", "TEXT NOT NULL", "target"),
    Column("source_lang", "TEXT NOT NULL", "source_lang"),
    Column("target_lang", "TEXT NOT NULL", "target_lang"),
    Column("segtype", "TEXT NOT NULL", "segtype", derive=lambda u, c: str(u.segtype)),
    Column("source_key", "TEXT NOT NULL", derive=lambda u, c: c.source_key),
    Column("target_key", "TEXT NOT NULL", derive=lambda u, c: c.target_key),
    Column("source_len", "INTEGER NOT NULL", derive=lambda u, c: len(c.source_key)),
    Column("tuid", "TEXT", "tuid"),
    Column("created_at", "TEXT", "created_at", derive=_created_at),
    Column("created_by", "TEXT", "created_by", derive=_created_by),
    Column("changed_at", "TEXT", "changed_at"),
    Column("changed_by", "TEXT", "changed_by"),
    Column("props", "TEXT NOT NULL DEFAULT '[]'", "props", json=True),
    Column("notes", "TEXT NOT NULL DEFAULT '[]'", "notes", json=True),
    Column("source_codes", "TEXT NOT NULL DEFAULT '[]'", "source_codes", json=True),
    Column("target_codes", "TEXT NOT NULL DEFAULT '[]'", "target_codes", json=True),
    # Identity (a unit is stored once) and exact look-up go through 8-byte hashes:
    # indexes on the text itself held every text a second time.
    Column("ident", "BIGINT", derive=unit_identity, since=HASHES),
    Column(
        "key_hash", "BIGINT", derive=lambda u, c: text_hash(c.source_key), since=HASHES
    ),
)

# The columns of ``occurrences`` after ``id``, ``unit_id`` and ``document_id``
# (``segtype`` repeats the unit's, so the identity index can tell levels apart).
OCCURRENCE_COLUMNS: tuple[Column, ...] = (
    Column("segtype", "TEXT NOT NULL", derive=lambda o, u: str(u.segtype)),
    Column("position", "INTEGER NOT NULL", "position"),
    Column("sub", "INTEGER NOT NULL DEFAULT 0", "sub"),
    Column("prev_source", "TEXT", "prev_source"),
    Column("next_source", "TEXT", "next_source"),
    # Written by tm before 0007; units_after now finds the previous unit by hash.
    Column("prev_key", "TEXT", derive=lambda o, u: None),
    Column("next_key", "TEXT", derive=lambda o, u: None),
    Column("section", "TEXT NOT NULL DEFAULT ''", "section"),
    Column("prev_hash", "BIGINT", derive=_prev_hash, since=HASHES),
)


def names(columns: Iterable[Column]) -> str:
    """``a, b, c``: the columns' names as a SQL list."""
    return ", ".join(c.name for c in columns)


def read_columns(columns: Iterable[Column]) -> tuple[Column, ...]:
    """The columns read back into a unit or occurrence (those with a field)."""
    return tuple(c for c in columns if c.field is not None)


def stage_ddl(columns: Iterable[Column]) -> str:
    """The columns as a staging table holds them: the same types, no constraints."""
    return ", ".join(f"{c.name} {c.sql.split()[0]}" for c in columns)


UNIT_NAMES = names(UNIT_COLUMNS)
OCCURRENCE_NAMES = names(OCCURRENCE_COLUMNS)


@dataclass(frozen=True, slots=True)
class Dialect:
    """What the shared DDL needs to know of a backend.

    Attributes:
        pk: the primary-key column type.
        long_text: a template (``{}`` = column) for long text in a btree index:
            ``{}`` in SQLite; ``md5({})`` in PostgreSQL, whose btree refuses rows
            over ~2.7 kB.
    """

    pk: str
    long_text: str = "{}"

    def text(self, column: str) -> str:
        return self.long_text.format(column)


@dataclass(frozen=True, slots=True)
class Migration:
    """One named step of the schema.

    Attributes:
        name: sorts the migrations; recorded in ``tm_migrations`` once applied.
        sql: statements to run (a backend may substitute names in them first).
        run: Python to run after the SQL, with the store in its transaction (for
            data a statement cannot compute); None for pure SQL.
    """

    name: str
    sql: str = ""
    run: Callable[[Any], None] | None = None


DOCUMENTS = """
CREATE TABLE documents (
    id {pk},
    name TEXT NOT NULL UNIQUE,
    meta TEXT NOT NULL DEFAULT '{{}}',
    imported_at TEXT NOT NULL
);
"""

QA_MARKS = """
CREATE TABLE qa_marks (
    fingerprint TEXT PRIMARY KEY,
    check_name TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    marked_at TEXT NOT NULL,
    marked_by TEXT
);
"""

# A project TM's workflow state per document segment (tm.service.project): status,
# draft and confirmed text, and what the last commit put into the master. Keyed by
# the occurrence (document, position), not by unit: a draft has no unit yet, and
# repetitions share one unit but not their status.
SEGMENT_STATES = """
CREATE TABLE segment_states (
    document TEXT NOT NULL,
    position INTEGER NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    confirmed TEXT,
    committed TEXT,
    committed_new INTEGER NOT NULL DEFAULT 0,
    changed_at TEXT NOT NULL,
    changed_by TEXT,
    PRIMARY KEY (document, position)
);
"""


def create_table(
    table: str, dialect: Dialect, head: Iterable[str], columns: Iterable[Column]
) -> str:
    """``CREATE TABLE`` with an ``id`` primary key, the ``head`` lines, then ``columns``."""
    lines = [f"id {dialect.pk}", *head, *(c.ddl() for c in columns)]
    return f"CREATE TABLE {table} (\n    " + ",\n    ".join(lines) + "\n);\n"


def _original(columns: Iterable[Column]) -> list[Column]:
    return [c for c in columns if c.since is None]


def common_migrations(dialect: Dialect) -> list[Migration]:
    """The migrations both backends run, in the backend's dialect.

    Tables are created with the columns that have no ``since``; each later column is
    added by the migration its ``since`` names (see :func:`added_columns`).
    """
    t = dialect.text
    units = create_table("units", dialect, (), _original(UNIT_COLUMNS)) + (
        "CREATE UNIQUE INDEX units_identity ON units"
        f" (source_lang, target_lang, segtype, {t('source')}, {t('target')});\n"
        f"CREATE INDEX units_source_key ON units ({t('source_key')});\n"
        f"CREATE INDEX units_target_key ON units ({t('target_key')});\n"
        "CREATE INDEX units_len ON units (source_lang, source_len);\n"
    )
    occurrences = create_table(
        "occurrences",
        dialect,
        (
            "unit_id INTEGER NOT NULL REFERENCES units (id)",
            "document_id INTEGER NOT NULL REFERENCES documents (id)",
        ),
        _original(OCCURRENCE_COLUMNS),
    ) + (
        "CREATE UNIQUE INDEX occurrences_identity ON occurrences"
        " (document_id, segtype, position, sub, unit_id);\n"
        "CREATE INDEX occurrences_unit ON occurrences (unit_id);\n"
        f"CREATE INDEX occurrences_prev ON occurrences ({t('prev_key')});\n"
    )
    return [
        Migration("0001_documents", DOCUMENTS.format(pk=dialect.pk)),
        Migration("0002_units", units),
        Migration("0003_occurrences", occurrences),
        Migration("0005_qa_marks", QA_MARKS),
        Migration(HASHES, run=fill_hashes),
        Migration("0008_hash_indexes", HASH_INDEXES),
        Migration("0011_segment_states", SEGMENT_STATES),
    ]


# Identity, exact look-up and context go through the hash columns; the indexes on
# the texts and keys themselves go (they held every text a second time), as does the
# length index the matcher's own index replaced.
HASH_INDEXES = """
CREATE INDEX units_ident ON units (ident);
CREATE INDEX units_key_hash ON units (key_hash);
CREATE INDEX occurrences_prev_hash ON occurrences (prev_hash) WHERE prev_hash IS NOT NULL;
DROP INDEX units_identity;
DROP INDEX units_source_key;
DROP INDEX units_target_key;
DROP INDEX units_len;
DROP INDEX occurrences_prev;
"""
FILL_BATCH = 5000


def fill_hashes(store: Any) -> None:
    """Compute the hash columns of the rows an older tm wrote (migration 0007).

    Runs inside the migration's transaction on the store's write connection
    (``store._query`` reads there, ``store._executemany`` writes).
    """
    p = store.P
    last = 0
    while True:
        rows = store._query(
            "SELECT id, source_lang, target_lang, segtype, source, target, source_key"
            f" FROM units WHERE id > {p} ORDER BY id LIMIT {FILL_BATCH}",
            (last,),
        )
        if not rows:
            break
        store._executemany(
            f"UPDATE units SET ident = {p}, key_hash = {p} WHERE id = {p}",
            [(text_hash(*r[1:6]), text_hash(r[6]), r[0]) for r in rows],
        )
        last = rows[-1][0]
    last = 0
    while True:
        rows = store._query(
            f"SELECT id, prev_key FROM occurrences WHERE id > {p} AND prev_key IS NOT NULL"
            f" ORDER BY id LIMIT {FILL_BATCH}",
            (last,),
        )
        if not rows:
            break
        store._executemany(
            f"UPDATE occurrences SET prev_hash = {p} WHERE id = {p}",
            [(text_hash(r[1]), r[0]) for r in rows],
        )
        last = rows[-1][0]


# Every table defined by a column list, with its list.
TABLES: tuple[tuple[str, tuple[Column, ...]], ...] = (
    ("units", UNIT_COLUMNS),
    ("occurrences", OCCURRENCE_COLUMNS),
)


def added_columns(
    tables: Iterable[tuple[str, Iterable[Column]]] = TABLES,
) -> dict[str, str]:
    """``ALTER TABLE … ADD COLUMN`` statements per migration name, from ``since``."""
    out: dict[str, str] = {}
    for table, columns in tables:
        for c in columns:
            if c.since is not None:
                step = f"ALTER TABLE {table} ADD COLUMN {c.ddl()};\n"
                out[c.since] = out.get(c.since, "") + step
    return out


def ordered(
    migrations: Iterable[Migration],
    tables: Iterable[tuple[str, Iterable[Column]]] = TABLES,
) -> list[Migration]:
    """The migrations by name, each preceded by the columns it adds to the tables."""
    steps = {m.name: m for m in migrations}
    for name, sql in added_columns(tables).items():
        m = steps.get(name, Migration(name))
        steps[name] = Migration(name, sql + m.sql, m.run)
    return [steps[n] for n in sorted(steps)]
