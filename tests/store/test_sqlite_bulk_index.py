"""SQLite's bulk import path: the FTS5 index it fills equals what per-row triggers gave.

``add_units`` stages rows and fills the trigram index once per call (migration
``0006_units_fts_bulk`` dropped the per-row insert trigger). These tests compare the
index with one SQLite rebuilds from the units table itself, and upgrade a database
written with the old trigger.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tm.formats.bilingual import doc_units, read_bilingual
from tm.service import TMService
from tm.store.sqlite import FTS, MIGRATIONS, SQLiteStore, _statements
from tm.text.normalize import match_key

OLD_TRIGGER = next(s for s in _statements(FTS) if "units_ai" in s)


def _index_terms(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    """Every (trigram, unit, column, offset) the FTS5 index holds."""
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms"
        " USING fts5vocab(main, units_fts, instance)"
    )
    return conn.execute("SELECT * FROM temp.fts_terms ORDER BY 1, 2, 3, 4").fetchall()


def _rebuilt_terms(db: Path) -> list[tuple[object, ...]]:
    """The index SQLite builds from the units table, on a copy of ``db``."""
    copy = db.with_name("rebuilt.db")
    src = sqlite3.connect(db)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.execute("INSERT INTO units_fts (units_fts) VALUES ('rebuild')")
    dst.commit()
    terms = _index_terms(dst)
    dst.close()
    return terms


def _check_index(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    # rank 1: compare the index with the external content table, row by row.
    conn.execute(
        "INSERT INTO units_fts (units_fts, rank) VALUES ('integrity-check', 1)"
    )
    terms = _index_terms(conn)
    conn.close()
    assert terms == _rebuilt_terms(db)
    return terms


def test_seed_import_index_equals_rebuild(seed_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "tm.db"
    with TMService.open(db) as service:
        first = service.import_file(seed_path)
        assert (first.added, first.sentences_added) == (305, 1109)
    terms = _check_index(db)
    assert terms
    with TMService.open(db) as service:
        again = service.import_file(seed_path)
        assert (again.added, again.occurrences_added) == (0, 0)
    assert _check_index(db) == terms


def test_new_units_get_their_id_as_tuid(seed_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "tm.db"
    with TMService.open(db) as service:
        service.import_file(seed_path, sentences=False)
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT id, tuid FROM units").fetchall()
    conn.close()
    assert len(rows) == 305
    assert all(tuid == str(i) for i, tuid in rows)


def _old_schema_db(path: Path, seed_path: Path) -> int:
    """A TM as tm wrote it before 0006: per-row trigger, units inserted one by one."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "CREATE TABLE tm_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    for m in MIGRATIONS:
        if m.name >= "0006":
            continue
        for stmt in _statements(m.sql):
            conn.execute(stmt)
        conn.execute("INSERT INTO tm_migrations VALUES (?, 'x')", (m.name,))
    conn.execute("INSERT INTO meta VALUES ('schema_version', '5')")
    assert conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name = 'units_ai'"
    ).fetchone() == (1,)
    pairs = read_bilingual(seed_path).pairs[:40]
    for p in pairs:
        key = match_key(p.zh)
        conn.execute(
            "INSERT INTO units (source, target, source_lang, target_lang, segtype,"
            " source_key, target_key, source_len, tuid) VALUES (?,?,?,?,?,?,?,?,NULL)"
            " ON CONFLICT DO NOTHING",
            (p.zh, p.en, "zh-CN", "en-US", "paragraph", key, match_key(p.en), len(key)),
        )
    n = conn.execute("SELECT count(*) FROM units").fetchone()[0]
    conn.close()
    return int(n)


def test_old_schema_db_migrates_and_indexes_once(
    seed_path: Path, tmp_path: Path
) -> None:
    db = tmp_path / "old.db"
    old_units = _old_schema_db(db, seed_path)
    with SQLiteStore(db) as store:
        assert "0006_units_fts_bulk" in store.info().migrations
        names = {r[0] for r in store._query("SELECT name FROM sqlite_master")}
        assert "units_ai" not in names
        assert {"units_ad", "units_au"} <= names  # edits and deletes still reindex
        doc = read_bilingual(seed_path)
        with store.transaction():
            store.add_document(doc.name, doc.meta)
            result = store.add_units(doc_units(doc))
        assert result.added == 305 - old_units
        assert store.count_units() == 305
        # Every unit is found exactly once, old and new alike.
        for key in ("发展改革委", "要素", "数据"):
            by_index = [u.id for u in store.concordance(key)]
            scan = [
                r[0]
                for r in store._query(
                    "SELECT id FROM units WHERE instr(source_key, ?) > 0 ORDER BY id",
                    (key,),
                )
            ]
            assert by_index == scan
            assert by_index
    _check_index(db)


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_batches_keep_order_and_dedup(
    seed_path: Path, tmp_path: Path, batch_size: int
) -> None:
    """Ids follow the file and repeats (across batch edges) become occurrences."""
    doc = read_bilingual(seed_path)
    units = list(doc_units(doc))
    with SQLiteStore(tmp_path / "tm.db") as store:
        with store.transaction():
            store.add_document(doc.name, doc.meta)
            result = store.add_units(units, batch_size=batch_size)
        assert (result.added, result.duplicates, result.occurrences_added) == (
            305,
            len(units) - 305,
            len(units),
        )
        firsts: dict[tuple[str, str], int] = {}
        for u in units:
            firsts.setdefault((u.source, u.target), len(firsts) + 1)
        stored = {(u.source, u.target): u.id for u in store.iter_units()}
        assert stored == firsts
