"""Issue 21 item 7: no CSV tm writes holds a cell a spreadsheet would run as a formula.

A cell starting with ``=``, ``+``, ``-`` or ``@`` gets the spreadsheets' text mark (a
leading apostrophe); tm's own readers remove it, so exports still import back whole.
Each case runs the real ``tm`` command.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ._support import run_tm, units_checksum

FORMULA = '=HYPERLINK("http://example.com/x","click")'
ROWS = [
    ("2025年增长5%。", f"{FORMULA} grew by 6%."),
    ("下降3个百分点", "-3 percentage points"),
    ("联系人", "@support +86 10 1234"),
    ("引号", "'=already marked"),
]


def cells(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    return [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]


def assert_defused(path: Path) -> None:
    for cell in cells(path):
        assert not cell or cell[0] not in "=+-@\t\r", (cell, path)


def hostile_db(tmp_path: Path) -> Path:
    tsv = tmp_path / "hostile.tsv"
    tsv.write_text("".join(f"{zh}\t{en}\n" for zh, en in ROWS), encoding="utf-8")
    db = tmp_path / "tm.db"
    result = run_tm("import", tsv, "--db", db)
    assert result.returncode == 0, result.stderr
    return db


def test_qa_csv_has_no_formula_cells(tmp_path: Path) -> None:
    db = hostile_db(tmp_path)
    out = tmp_path / "qa.csv"
    result = run_tm("qa", "--db", db, "--format", "csv", "-o", out)
    assert result.returncode in (0, 1), result.stderr
    assert "'" + FORMULA + " grew by 6%." in cells(out)
    assert_defused(out)


def test_tm_csv_export_is_defused_and_reads_back(tmp_path: Path) -> None:
    db = hostile_db(tmp_path)
    out = tmp_path / "tm.csv"
    result = run_tm("export", "--db", db, "-o", out)
    assert result.returncode == 0, result.stderr
    assert_defused(out)
    again = tmp_path / "again.db"
    result = run_tm("import", out, "--db", again)
    assert result.returncode == 0, result.stderr
    assert units_checksum(again) == units_checksum(db)


def test_terms_csv_export_is_defused_and_reads_back(tmp_path: Path) -> None:
    glossary = tmp_path / "g.zh-en.yaml"
    glossary.write_text(
        "entries:\n"
        '- zh: 公式\n  en: "=1+1"\n  note: "@note"\n'
        '- zh: 负增长\n  en: "-growth"\n  forbidden: ["+growth"]\n'
        '- zh: 撇号\n  en: "\'=text"\n',
        encoding="utf-8",
    )
    out = tmp_path / "terms.csv"
    result = run_tm("terms", "export", out, "--glossary", glossary)
    assert result.returncode == 0, result.stderr
    assert_defused(out)
    back = tmp_path / "back.yaml"
    result = run_tm("terms", "import", out, "--into", back, "--glossary", back)
    assert result.returncode == 0, result.stderr
    listed = run_tm("terms", "list", "--glossary", back, "--json")
    assert listed.returncode == 0, listed.stderr
    assert {"=1+1", "-growth", "'=text"} <= {e["en"] for e in _json(listed.stdout)}


def _json(text: str) -> list[dict[str, str]]:
    import json

    return list(json.loads(text))
