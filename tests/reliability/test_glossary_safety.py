"""Issue 21, the glossary: tm never writes a glossary file it then cannot read.

Every case runs the real ``tm`` command. An entry without English is either refused
(exit 2, the file unchanged) or written as a proposed entry that ``tm terms list``
reads back; a TBX entry with only English is refused with file:line (exit 3), never
stored with the English as its Chinese.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ._support import run_tm

USAGE, INPUT = 2, 3

TBX_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="{lang}" xmlns="urn:iso:std:iso:30042:ed-2">
<tbxHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></tbxHeader>
<text><body>
<conceptEntry id="c1"><langSec xml:lang="zh-CN"><termSec><term>要素市场</term></termSec>
</langSec><langSec xml:lang="en"><termSec><term>factor market</term></termSec></langSec>
</conceptEntry>
"""
ZH_ONLY = """<conceptEntry id="c2"><langSec xml:lang="zh-CN"><termSec><term>标定地价</term>
</termSec></langSec></conceptEntry>
"""
EN_ONLY = """<conceptEntry id="c2"><langSec xml:lang="en"><termSec>
<term>benchmark land price</term></termSec></langSec></conceptEntry>
"""
TBX_TAIL = "</body></text></tbx>\n"


def glossary(tmp_path: Path) -> Path:
    path = tmp_path / "g.zh-en.yaml"
    path.write_text("entries:\n- zh: 要素市场\n  en: factor market\n", encoding="utf-8")
    return path


def listed(path: Path) -> list[list[str]]:
    result = run_tm("terms", "list", "--glossary", path)
    assert result.returncode == 0, result.stderr
    return [line.split("\t") for line in result.stdout.splitlines()]


def test_terms_add_without_english_writes_a_readable_proposed_entry(
    tmp_path: Path, seed_db: Path
) -> None:
    path = glossary(tmp_path)
    result = run_tm("terms", "add", "仅中文", "--glossary", path)
    assert result.returncode == 0, result.stderr
    assert "proposed" in result.stderr
    rows = listed(path)
    assert ["仅中文", "", "proposed", ""] in rows
    assert run_tm("terms", "find", "仅中文一词", "--glossary", path).returncode == 0
    result = run_tm("qa", "--glossary", path, "--db", seed_db)
    assert result.returncode in (0, 1), result.stderr


@pytest.mark.parametrize("status", ["approved", "deprecated"])
def test_terms_add_approved_without_english_is_refused(
    status: str, tmp_path: Path
) -> None:
    path = glossary(tmp_path)
    before = path.read_bytes()
    result = run_tm("terms", "add", "仅中文", "--status", status, "--glossary", path)
    assert result.returncode == USAGE, result.stderr
    assert "'en'" in result.stderr
    assert "hint:" in result.stderr
    assert path.read_bytes() == before
    assert len(listed(path)) == 1


def test_terms_add_blank_chinese_is_refused(tmp_path: Path) -> None:
    path = glossary(tmp_path)
    before = path.read_bytes()
    result = run_tm("terms", "add", "   ", "state", "--glossary", path)
    assert result.returncode == USAGE, result.stderr
    assert path.read_bytes() == before


def test_tbx_entry_with_only_chinese_is_imported_as_proposed(tmp_path: Path) -> None:
    tbx = tmp_path / "zh-only.tbx"
    tbx.write_text(TBX_HEAD.format(lang="zh-CN") + ZH_ONLY + TBX_TAIL, "utf-8")
    into = tmp_path / "into.yaml"
    result = run_tm("terms", "import", tbx, "--into", into, "--glossary", into)
    assert result.returncode == 0, result.stderr
    assert "1 without English, kept as proposed" in result.stderr
    assert sorted(listed(into)) == sorted(
        [
            ["要素市场", "factor market", "approved", ""],
            ["标定地价", "", "proposed", ""],
        ]
    )
    # The TBX itself, used as the glossary, reads the same way.
    assert sorted(listed(tbx)) == sorted(listed(into))


def test_tbx_entry_with_only_english_is_refused(tmp_path: Path) -> None:
    tbx = tmp_path / "en-only.tbx"
    text = TBX_HEAD.format(lang="en") + EN_ONLY + TBX_TAIL
    tbx.write_text(text, "utf-8")
    into = tmp_path / "into.yaml"
    result = run_tm("terms", "import", tbx, "--into", into, "--glossary", into)
    assert result.returncode == INPUT, result.stderr
    line = text[: text.index('<conceptEntry id="c2"')].count("\n") + 1
    assert f"{tbx}:{line}: entry has no Chinese term" in result.stderr
    assert not into.exists()
