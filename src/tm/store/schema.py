"""Tables, indexes and ordered, named migrations.

The SQL is written in the subset SQLite and PostgreSQL share; each backend adds its
own full-text/trigram index in a backend-specific migration. A migration, once
released, never changes: add a new one.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION_KEY = "schema_version"


@dataclass(frozen=True, slots=True)
class Migration:
    name: str
    sql: str


UNITS = """
CREATE TABLE units (
    id {pk},
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    segtype TEXT NOT NULL,
    source_key TEXT NOT NULL,
    target_key TEXT NOT NULL,
    source_len INTEGER NOT NULL,
    tuid TEXT,
    created_at TEXT,
    created_by TEXT,
    changed_at TEXT,
    changed_by TEXT,
    props TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '[]',
    source_codes TEXT NOT NULL DEFAULT '[]',
    target_codes TEXT NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX units_identity ON units (source_lang, target_lang, segtype, {source_ident}, {target_ident});
CREATE INDEX units_source_key ON units ({source_key_ident});
CREATE INDEX units_target_key ON units ({target_key_ident});
CREATE INDEX units_len ON units (source_lang, source_len);
"""

DOCUMENTS = """
CREATE TABLE documents (
    id {pk},
    name TEXT NOT NULL UNIQUE,
    meta TEXT NOT NULL DEFAULT '{{}}',
    imported_at TEXT NOT NULL
);
"""

OCCURRENCES = """
CREATE TABLE occurrences (
    id {pk},
    unit_id INTEGER NOT NULL REFERENCES units (id),
    document_id INTEGER NOT NULL REFERENCES documents (id),
    segtype TEXT NOT NULL,
    position INTEGER NOT NULL,
    sub INTEGER NOT NULL DEFAULT 0,
    prev_source TEXT,
    next_source TEXT,
    prev_key TEXT,
    next_key TEXT,
    section TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX occurrences_identity ON occurrences (document_id, segtype, position, sub, unit_id);
CREATE INDEX occurrences_unit ON occurrences (unit_id);
CREATE INDEX occurrences_prev ON occurrences ({prev_key_ident});
"""

FALSE_POSITIVES = """
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


def common_migrations(
    pk: str, source_ident: str, target_ident: str, *, key_ident: str = "{}"
) -> list[Migration]:
    """The migrations both backends run, with the backend's primary-key type.

    Args:
        pk: the primary-key column type.
        source_ident: how the identity index names the source text (``source`` in
            SQLite; ``md5(source)`` in PostgreSQL, whose btree cannot hold long text).
        target_ident: the same for the target text.
        key_ident: a template (``{}`` = column) for the match-key indexes, for the
            same reason: ``md5({})`` in PostgreSQL.
    """
    fmt = {
        "pk": pk,
        "source_ident": source_ident,
        "target_ident": target_ident,
        **{
            f"{col}_ident": key_ident.format(col)
            for col in ("source_key", "target_key", "prev_key")
        },
    }
    return [
        Migration("0001_documents", DOCUMENTS.format(**fmt)),
        Migration("0002_units", UNITS.format(**fmt)),
        Migration("0003_occurrences", OCCURRENCES.format(**fmt)),
        Migration("0005_qa_marks", FALSE_POSITIVES.format(**fmt)),
        Migration("0007_segment_states", SEGMENT_STATES),
    ]
