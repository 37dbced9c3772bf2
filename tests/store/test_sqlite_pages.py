"""A new SQLite TM is made with 8 KB pages; a TM made with SQLite's default 4 KB
pages (every TM before this) keeps them, and imports and look-ups go on as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tm.service import TMService
from tm.store import sqlite as sqlite_store

QUERY = "国务院关于全国部分地区要素市场化配置综合改革试点实施方案的批复"


def _page_size(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("PRAGMA page_size").fetchone()[0])


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_a_new_tm_has_8_kb_pages(tmp_path: Path, seed_path: Path) -> None:
    db = tmp_path / "tm.db"
    with TMService.open(db) as service:
        service.import_file(seed_path, sentences=False)
        assert service.lookup(QUERY)
    assert _page_size(db) == 8192
    assert _integrity(db) == "ok"


def test_a_tm_with_4_kb_pages_keeps_them(
    tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "old.db"
    monkeypatch.setattr(sqlite_store, "PAGE_SIZE", 4096)  # as the code before made it
    with TMService.open(db) as service:
        first = service.import_file(seed_path, sentences=False)
    monkeypatch.undo()
    assert _page_size(db) == 4096
    with TMService.open(db) as service:
        again = service.import_file(seed_path)  # the sentence level is new
        matches = service.lookup(QUERY)
        units = service.store.count_units()
    assert first.added > 0
    assert again.sentences_added > 0
    assert matches
    assert matches[0].score > 90
    assert units == first.added + again.sentences_added
    assert _page_size(db) == 4096
    assert _integrity(db) == "ok"
