"""Issue 21 item 14, the small ones: each through the real ``tm`` command.

A key repeated inside one glossary entry, an empty ``--db``, libxml2's advice to set
a flag nobody can set, and ``.part`` files left by killed exports.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ._support import SEED, run_tm, tm_cmd, tm_env


def test_key_repeated_inside_an_entry_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "g.zh-en.yaml"
    path.write_text(
        "entries:\n- zh: 要素市场\n  en: factor market\n  en: factor markets\n",
        encoding="utf-8",
    )
    result = run_tm("terms", "list", "--glossary", path)
    assert result.returncode == 3, result.stderr
    assert f"{path}:4: field 'en' appears twice" in result.stderr


@pytest.mark.parametrize(
    "args", [("stats",), ("import", SEED)], ids=["stats", "import"]
)
def test_empty_db_name_is_a_usage_error(args: tuple[str, ...], tmp_path: Path) -> None:
    result = subprocess.run(
        tm_cmd(*args, "--db", ""),
        env=tm_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "--db" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no ./tm.db


def test_huge_text_node_message_names_no_libxml2_flag(tmp_path: Path) -> None:
    path = tmp_path / "huge.tmx"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header '
            'creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" '
            'adminlang="en" srclang="zh-CN" datatype="plaintext"/><body>\n'
            '<tu><tuv xml:lang="zh-CN"><seg>'
        )
        fh.write("规定" * 2_000_000)  # 12 MB of UTF-8 in one text node
        fh.write(
            '</seg></tuv><tuv xml:lang="en-US"><seg>x</seg></tuv></tu></body></tmx>'
        )
    result = run_tm("import", path, "--db", tmp_path / "tm.db")
    assert result.returncode == 3, result.stderr
    assert "XML_PARSE_HUGE" not in result.stderr
    assert "10,000,000 bytes" in result.stderr


def test_part_files_of_dead_writers_are_removed(tmp_path: Path, seed_db: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".out.tsv.{dead_pid}.k3j4h5g6.part"
    stale.write_bytes(b"x" * 1000)
    live = tmp_path / f".out.tsv.{1}.a1b2c3d4.part"  # pid 1 is always running
    live.write_bytes(b"y")
    other = tmp_path / f".other.tsv.{dead_pid}.k3j4h5g6.part"
    other.write_bytes(b"z")
    result = run_tm("export", "--db", seed_db, "-o", tmp_path / "out.tsv")
    assert result.returncode == 0, result.stderr
    assert not stale.exists()
    assert live.exists()
    assert other.exists()  # another output's: left to its own next write
