"""Store safety: read-only, newer-schema, corrupt and full-disk databases.

Each gets a clear one-line message and exit code 4 (STORE) for what it cannot do, and
the database file is left exactly as it was (nothing half-written, nothing "repaired").
The read-only and full-disk cases mount a small tmpfs, which needs root; elsewhere
they skip with the reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._support import (
    SEED,
    count_units,
    integrity,
    run_tm,
    units_checksum,
    write_big_tmx,
)

STORE = 4


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_line(stderr: str, *words: str) -> None:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines, "no message"
    assert lines[0].startswith("tm: error: "), lines[0]
    assert all(ln.startswith("  hint:") for ln in lines[1:]), stderr
    for word in words:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"


def _checkpointed(db: Path) -> Path:
    """Fold the WAL into the main file so the file alone is the whole TM."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 32 MiB tmpfs mounted for this test (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(mnt: Path, leave: int) -> None:
    """Fill the tmpfs until only about ``leave`` bytes are free."""
    free = shutil.disk_usage(mnt).free
    with open(mnt / "ballast", "wb") as fh:
        fh.write(b"\0" * max(free - leave, 0))


# -- read-only -------------------------------------------------------------------------------


def test_read_only_disk(tmpfs: Path, seed_db: Path) -> None:
    db = tmpfs / "tm.db"
    shutil.copy(_checkpointed(seed_db), db)
    before, units = _digest(db), count_units(db)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    stats = run_tm("stats", "--json", "--db", db)
    assert stats.returncode == 0, stats.stderr  # reading still works
    assert json.loads(stats.stdout)["units"] == units
    result = run_tm("import", SEED, "--db", db)
    assert result.returncode == STORE, result.stderr
    _one_line(result.stderr, "read-only")
    assert _digest(db) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_read_only_file(tmp_path: Path, seed_db: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "tm.db"
    shutil.copy(_checkpointed(seed_db), db)
    before = _digest(db)
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        result = run_tm("import", SEED, "--db", db)
        stats = run_tm("stats", "--db", db)
    finally:
        folder.chmod(0o755)
    assert result.returncode == STORE, result.stderr
    _one_line(result.stderr, "read-only")
    assert stats.returncode == 0, stats.stderr
    assert _digest(db) == before


# -- a newer schema ----------------------------------------------------------------------------


def test_database_from_a_newer_tm(guarded_db: Path, guarded_sum: str) -> None:
    conn = sqlite3.connect(guarded_db)
    conn.execute(
        "INSERT INTO tm_migrations (name, applied_at) VALUES ('9999_from_the_future', 'x')"
    )
    conn.commit()
    conn.close()
    before = _digest(_checkpointed(guarded_db))
    for args in (
        ("stats",),
        ("import", SEED),
        ("export", "-o", guarded_db.with_name("out.tmx")),
    ):
        result = run_tm(*args, "--db", guarded_db)
        assert result.returncode == STORE, (args, result.stderr)
        _one_line(result.stderr, "newer tm", "9999_from_the_future")
    assert units_checksum(guarded_db) == guarded_sum
    assert _digest(guarded_db) == before
    assert not guarded_db.with_name("out.tmx").exists()


# -- corrupt files -------------------------------------------------------------------------------


def _garbage(db: Path) -> None:
    db.write_bytes(os.urandom(64 * 1024))


def _torn_pages(db: Path) -> None:
    """Overwrite 512 bytes of every other page after the first: a damaged disk."""
    size = db.stat().st_size
    with open(db, "r+b") as fh:
        for offset in range(8192, size, 8192):
            fh.seek(offset)
            fh.write(os.urandom(512))


def _wrong_header(db: Path) -> None:
    with open(db, "r+b") as fh:
        fh.write(b"Not SQLite at all\0")


@pytest.mark.parametrize("damage", [_garbage, _torn_pages, _wrong_header])
def test_corrupt_database(damage: object, seed_db: Path, tmp_path: Path) -> None:
    db = _checkpointed(seed_db)
    damage(db)  # type: ignore[operator]
    before = _digest(db)
    for args in (
        ("stats",),
        ("import", SEED),
        ("export", "-o", tmp_path / "out.tmx"),
    ):
        result = run_tm(*args, "--db", db)
        assert result.returncode == STORE, (args, result.returncode, result.stderr)
        _one_line(result.stderr, "corrupt")
    assert _digest(db) == before
    assert not (tmp_path / "out.tmx").exists()


def test_not_a_database_at_all(tmp_path: Path) -> None:
    """A file that is plainly something else (a TMX given as --db) is not overwritten."""
    wrong = tmp_path / "client.tmx"
    wrong.write_text("<tmx/>", encoding="utf-8")
    result = run_tm("import", SEED, "--db", wrong)
    assert result.returncode == STORE, result.stderr
    _one_line(result.stderr, "corrupt")
    assert wrong.read_text(encoding="utf-8") == "<tmx/>"


# -- a full disk -----------------------------------------------------------------------------------


def test_full_disk_during_import(tmpfs: Path, seed_db: Path, tmp_path: Path) -> None:
    db = tmpfs / "tm.db"
    shutil.copy(_checkpointed(seed_db), db)
    before_sum, before_count = units_checksum(db), count_units(db)
    tmx = tmp_path / "big.tmx"
    write_big_tmx(tmx, 5_000, cut=20)
    _fill(tmpfs, 600 * 1024)
    result = run_tm("import", tmx, "--db", db, timeout=600)
    assert result.returncode == STORE, result.stderr
    _one_line(result.stderr, "disk is full")
    assert integrity(db) == "ok"
    assert units_checksum(db) == before_sum
    (tmpfs / "ballast").unlink()
    again = run_tm("import", tmx, "--db", db, timeout=600)
    assert again.returncode == 0, again.stderr  # with room again, it completes
    assert count_units(db) == before_count + 5_000


def test_full_disk_during_export(tmpfs: Path, seed_db: Path) -> None:
    out = tmpfs / "out.tmx"
    out.write_bytes(b"<!-- last week's export -->\n")
    _fill(tmpfs, 64 * 1024)
    result = run_tm("export", "-o", out, "--db", seed_db)
    assert result.returncode != 0
    _one_line(result.stderr, "cannot write", str(out))
    assert out.read_bytes() == b"<!-- last week's export -->\n"
    assert {p.name for p in tmpfs.iterdir()} == {"out.tmx", "ballast"}  # no .part left
