"""Issue 21 items 4 and 5: another program's SQLite file, and the first use of a new one.

A read-only command once opened ``--db`` for writing, added tm's tables to whatever
SQLite file it found and switched it to WAL. Now a file with tables but no tm schema
is refused by every command (exit 4, the file byte for byte the same), and an empty
file becomes a TM only through a command that writes. Six imports started at once
into a database that does not exist yet all succeed: the schema is created once.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from ._support import SEED, count_units, integrity, run_tm, start_tm, write_big_tmx

STORE = 4

READ_COMMANDS = [
    ("stats",),
    ("lookup", "按照国家统一部署"),
    ("concordance", "要素"),
    ("db", "info"),
    ("qa",),
]


def foreign_db(path: Path) -> Path:
    """A small SQLite database of another program, in rollback-journal mode."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("CREATE TABLE documents (name TEXT)")
    conn.executemany("INSERT INTO notes (body) VALUES (?)", [("a",), ("b",)])
    conn.commit()
    conn.close()
    return path


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()
    }


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: a[0])
def test_read_command_refuses_a_foreign_database(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    db = foreign_db(tmp_path / "other.db")
    before = digest(tmp_path)
    result = run_tm(*args, "--db", db)
    assert result.returncode == STORE, result.stderr
    assert "not a tm TM" in result.stderr
    assert "notes" in result.stderr
    assert digest(tmp_path) == before  # no -wal, no tables, no journal change


def test_import_refuses_a_foreign_database(tmp_path: Path) -> None:
    db = foreign_db(tmp_path / "other.db")
    before = digest(tmp_path)
    result = run_tm("import", SEED, "--db", db)
    assert result.returncode == STORE, result.stderr
    assert "not a tm TM" in result.stderr
    assert digest(tmp_path) == before


def test_empty_file_becomes_a_tm_only_by_a_writing_command(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    db.touch()
    for args in READ_COMMANDS:
        result = run_tm(*args, "--db", db)
        assert result.returncode == STORE, (args, result.stderr)
        assert "no TM database" in result.stderr
        assert db.stat().st_size == 0
        assert sorted(p.name for p in tmp_path.iterdir()) == ["new.db"]
    result = run_tm("import", SEED, "--db", db)
    assert result.returncode == 0, result.stderr
    assert count_units(db) > 100
    assert run_tm("stats", "--db", db).returncode == 0


def test_six_imports_into_a_new_database_at_once(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    files = []
    for i in range(6):
        path = tmp_path / f"part{i}.tmx"
        write_big_tmx(path, 200, tag=f"p{i}-")
        files.append(path)
    for _ in range(3):
        if db.exists():
            for p in tmp_path.glob("new.db*"):
                p.unlink()
        procs = [start_tm("import", f, "--db", db) for f in files]
        lookups = [start_tm("lookup", "按照国家统一部署", "--db", db) for _ in range(2)]
        for proc in procs:
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
        for proc in lookups:
            _, err = proc.communicate(timeout=300)
            # Before the first import commits there is no TM yet: a clear exit 4.
            assert proc.returncode == 0 or (
                proc.returncode == STORE and "no TM database" in err
            ), (proc.returncode, err)
        assert count_units(db) == 1200
        assert integrity(db) == "ok"
