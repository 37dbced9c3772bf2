"""Issue 2's bad inputs through the real CLI: the right outcome and an unchanged TM.

Each file either imports cleanly or fails with ONE line ``tm: error: FILE:LINE: …``
(plus an optional hint line), exit code 3, and a TM whose units, occurrences and
documents hash the same before and after.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ._support import (
    SEED,
    count_units,
    run_tm,
    seed_tmx_text,
    units_checksum,
    write_big_tmx,
)

INPUT = 3


def assert_refused(path: Path, db: Path, before: str, *words: str) -> str:
    result = run_tm("import", path, "--db", db)
    assert result.returncode == INPUT, (result.returncode, result.stderr)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    m = re.match(rf"^tm: error: {re.escape(str(path))}:(\d+): (.+)$", lines[0])
    assert m, f"not 'tm: error: FILE:LINE: …': {lines[0]!r}"
    assert all(ln.startswith("  hint:") for ln in lines[1:]), result.stderr
    for word in words:
        assert word.lower() in m.group(2).lower(), m.group(2)
    assert result.stdout == ""
    assert units_checksum(db) == before
    return m.group(2)


def test_truncated_tmx(tmp_path: Path, guarded_db: Path, guarded_sum: str) -> None:
    data = seed_tmx_text().encode()
    for cut in (len(data) // 2, len(data) - 10, 200):
        path = tmp_path / f"cut{cut}.tmx"
        path.write_bytes(data[:cut])
        assert_refused(path, guarded_db, guarded_sum)


def test_tmx_with_undefined_entity(
    tmp_path: Path, guarded_db: Path, guarded_sum: str
) -> None:
    text = seed_tmx_text()
    at = text.index("<seg>", len(text) // 2) + len("<seg>")
    path = tmp_path / "entity.tmx"
    path.write_text(text[:at] + "&nbsp;" + text[at:], encoding="utf-8")
    line = text[:at].count("\n") + 1
    msg = assert_refused(path, guarded_db, guarded_sum, "nbsp")
    result = run_tm("import", path, "--db", guarded_db)
    assert f"{path}:{line}:" in result.stderr, (line, msg)


@pytest.mark.parametrize("name", ["empty.txt", "empty.tmx", "empty.tsv", "blank.txt"])
def test_empty_file(
    name: str, tmp_path: Path, guarded_db: Path, guarded_sum: str
) -> None:
    path = tmp_path / name
    path.write_bytes(b"" if name.startswith("empty") else b"\xef\xbb\xbf\n  \n\n")
    assert_refused(path, guarded_db, guarded_sum, "empty")


def test_gbk_seed_file_imports_cleanly(tmp_path: Path) -> None:
    """The seed as a Chinese Windows tool saves it (GB18030, GBK's superset: GBK has no
    "•") imports the same units as the UTF-8 original."""
    path = tmp_path / SEED.name
    path.write_bytes(SEED.read_text(encoding="utf-8").encode("gb18030"))
    utf8_db, gb_db = tmp_path / "utf8.db", tmp_path / "gb.db"
    assert run_tm("import", SEED, "--db", utf8_db).returncode == 0
    result = run_tm("import", path, "--db", gb_db)
    assert result.returncode == 0, result.stderr
    assert units_checksum(gb_db) == units_checksum(utf8_db)


def test_gbk_tsv_imports_cleanly(tmp_path: Path) -> None:
    rows = (
        "zh-CN\ten-US\n按照国家统一部署\tIn accordance with the unified national plan\n"
    )
    utf8, gbk = tmp_path / "u" / "t.tsv", tmp_path / "g" / "t.tsv"
    for path, enc in ((utf8, "utf-8"), (gbk, "gbk")):
        path.parent.mkdir()
        path.write_bytes(rows.encode(enc))
        result = run_tm("import", path, "--db", path.with_suffix(".db"))
        assert result.returncode == 0, result.stderr
    assert units_checksum(gbk.with_suffix(".db")) == units_checksum(
        utf8.with_suffix(".db")
    )


def test_gbk_tmx_without_declaration_is_refused(
    tmp_path: Path, guarded_db: Path, guarded_sum: str
) -> None:
    """XML without an encoding declaration is UTF-8; GBK bytes in it are an error."""
    text = seed_tmx_text().split("\n", 1)[1]  # drop the declaration
    path = tmp_path / "gbk.tmx"
    path.write_bytes(text.encode("gbk", errors="replace"))
    assert_refused(path, guarded_db, guarded_sum)


def _utf16_tmx(tmp_path: Path, units: int, db: Path) -> None:
    path = tmp_path / "trados.tmx"
    write_big_tmx(path, units, encoding="utf-16", cut=20)
    assert path.read_bytes()[:2] == b"\xff\xfe"
    before = count_units(db)
    result = run_tm("import", path, "--db", db, timeout=900)
    assert result.returncode == 0, result.stderr
    assert f"{units} units added" in result.stdout
    assert count_units(db) == before + units


def test_utf16_tmx_imports_cleanly(tmp_path: Path, guarded_db: Path) -> None:
    _utf16_tmx(tmp_path, 3_000, guarded_db)


@pytest.mark.slow
def test_utf16_tmx_of_100k_units(tmp_path: Path, guarded_db: Path) -> None:
    _utf16_tmx(tmp_path, 100_000, guarded_db)
