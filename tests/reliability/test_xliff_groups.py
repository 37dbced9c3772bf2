"""Issue 21 item 8: an XLIFF ``<group>`` is a container of units, not one huge unit.

8,000 trans-units inside one group were refused as "one unit holds more than 20000
elements"; the same file without the group imported. The memory bound still holds
for a real unit inside a group. Each case runs the real ``tm import``.
"""

from __future__ import annotations

from pathlib import Path

from ._support import count_units, run_tm, seed_units

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="a.txt" source-language="zh-CN" target-language="en-US" datatype="plaintext">
<body>
"""
TAIL = "</body></file></xliff>\n"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def trans_units(n: int, tag: str) -> str:
    pairs = [(u.source, u.target) for u in seed_units(200) if u.target]
    return "".join(
        f'<trans-unit id="{tag}{i}"><source>{_esc(pairs[i % len(pairs)][0])}（{tag}{i}）'
        f'</source><target state="final">{_esc(pairs[i % len(pairs)][1])} ({tag}{i})</target>'
        "</trans-unit>\n"
        for i in range(n)
    )


def test_8000_units_in_one_group_import(tmp_path: Path) -> None:
    path = tmp_path / "grouped.xlf"
    path.write_text(
        HEAD + '<group id="g1">\n' + trans_units(8000, "a") + "</group>\n" + TAIL,
        encoding="utf-8",
    )
    db = tmp_path / "tm.db"
    result = run_tm("import", path, "--db", db)
    assert result.returncode == 0, result.stderr
    assert count_units(db) == 8000


def test_nested_groups_import(tmp_path: Path) -> None:
    body = (
        '<group id="outer">'
        + trans_units(3000, "a")
        + '<group id="inner">'
        + trans_units(3000, "b")
        + "</group>"
        + trans_units(3000, "c")
        + "</group>"
        + trans_units(10, "d")
    )
    path = tmp_path / "nested.xlf"
    path.write_text(HEAD + body + TAIL, encoding="utf-8")
    db = tmp_path / "tm.db"
    result = run_tm("import", path, "--db", db)
    assert result.returncode == 0, result.stderr
    assert count_units(db) == 9010


def test_one_huge_unit_inside_a_group_is_still_refused(tmp_path: Path) -> None:
    huge = (
        '<trans-unit id="x"><source>规定'
        + '<x id="1"/>' * 25_000
        + "</source><target>rule</target></trans-unit>"
    )
    path = tmp_path / "huge.xlf"
    path.write_text(
        HEAD + '<group id="g">' + huge + "</group>" + TAIL, encoding="utf-8"
    )
    result = run_tm("import", path, "--db", tmp_path / "tm.db")
    assert result.returncode == 3, result.stderr
    assert "more than 20000 elements" in result.stderr
