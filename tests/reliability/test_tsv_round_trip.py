"""Issue 21 items 11 and 13: what a TMX brings in, TSV and CSV exports carry back out.

Units holding line and paragraph separators (U+2028/2029/0085) or the C0 separators
(VT, FF, FS, GS, RS, which a TMX carries as ``<ph type="x-tm-char">``) export to TSV
and CSV and import again unit for unit. NUL is refused at import with file:line (exit
3): PostgreSQL cannot store it and no table reader takes it back, so SQLite and
PostgreSQL now behave the same. Each case runs the real ``tm`` command.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ._support import count_units, run_tm, units_checksum

CHARS = {
    "line-separator": "\u2028",
    "paragraph-separator": "\u2029",
    "next-line": "\u0085",
    "vertical-tab": "\x0b",
    "form-feed": "\x0c",
    "file-separator": "\x1c",
    "group-separator": "\x1d",
    "record-separator": "\x1e",
}
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="t"'
    ' creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en"'
    ' srclang="zh-CN" datatype="plaintext"/><body>\n'
)


def in_tmx(ch: str) -> str:
    return f'<ph type="x-tm-char">U+{ord(ch):04X}</ph>' if ord(ch) < 0x20 else ch


def tmx(chars: dict[str, str]) -> str:
    tus = [
        f'<tu><tuv xml:lang="zh-CN"><seg>第{i}条{in_tmx(c)}规定</seg></tuv>'
        f'<tuv xml:lang="en-US"><seg>Article {i}{in_tmx(c)} ({name})</seg></tuv></tu>\n'
        for i, (name, c) in enumerate(chars.items(), 1)
    ]
    return HEAD + "".join(tus) + "</body></tmx>\n"


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
def test_separators_round_trip_through_tables(fmt: str, tmp_path: Path) -> None:
    source = tmp_path / "ctl.tmx"
    source.write_text(tmx(CHARS), encoding="utf-8")
    db = tmp_path / "tm.db"
    assert run_tm("import", source, "--db", db).returncode == 0
    table = tmp_path / f"tm.{fmt}"
    result = run_tm("export", "--db", db, "-o", table)
    assert result.returncode == 0, result.stderr
    again = tmp_path / "again.db"
    result = run_tm("import", table, "--db", again)
    assert result.returncode == 0, result.stderr
    assert units_checksum(again) == units_checksum(db)


def test_nul_is_refused_at_import_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "nul.tmx"
    source.write_text(tmx({**CHARS, "nul": "\x00"}), encoding="utf-8")
    db = tmp_path / "tm.db"
    result = run_tm("import", source, "--db", db)
    assert result.returncode == 3, result.stderr
    assert f"{source}:{len(CHARS) + 3}: a NUL character" in result.stderr
    assert not db.exists() or count_units(db) == 0  # an import is a transaction
