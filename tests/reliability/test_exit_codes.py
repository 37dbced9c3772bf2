"""Issue 21 item 10: bad input and bad paths exit 2, 3 or 4 with a message, never 70.

Each case once ended in "tm: internal error" (exit 70): a code point no ``chr`` takes,
YAML the parser cannot hold, bytes that are not UTF-8, a database folder that cannot
be made. Each runs the real ``tm`` command.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ._support import SEED, run_tm, tm_cmd, tm_env

USAGE, INPUT, STORE = 2, 3, 4

TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence"
 o-tmf="t" adminlang="en" srclang="zh-CN" datatype="plaintext"/><body>
<tu><tuv xml:lang="zh-CN"><seg>第一条</seg></tuv><tuv xml:lang="en-US"><seg>Article 1</seg></tuv></tu>
<tu><tuv xml:lang="zh-CN"><seg>控制符<ph type="x-tm-char">{cp}</ph></seg></tuv>
<tuv xml:lang="en-US"><seg>control</seg></tuv></tu>
</body></tmx>
"""
XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="a.txt" source-language="zh-CN" target-language="en-US" datatype="plaintext">
<body><trans-unit id="1"><source>控制符<ph id="1" type="x-tm-char">{cp}</ph></source>
<target>control</target></trans-unit></body></file></xliff>
"""
CODE_POINTS = {"surrogate": "U+D800", "5000-digits": "U+" + "1" * 5000}


@pytest.mark.parametrize("cp", CODE_POINTS.values(), ids=list(CODE_POINTS))
def test_tmx_bad_character_placeholder_is_exit_3(cp: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.tmx"
    path.write_text(TMX.format(cp=cp), encoding="utf-8")
    db = tmp_path / "tm.db"
    result = run_tm("import", path, "--db", db)
    assert result.returncode == INPUT, result.stderr
    assert f"{path}:5: bad character placeholder" in result.stderr
    assert len(result.stderr) < 500


def test_tmx_good_character_placeholder_still_imports(tmp_path: Path) -> None:
    path = tmp_path / "good.tmx"
    path.write_text(TMX.format(cp="U+0001"), encoding="utf-8")
    result = run_tm("import", path, "--db", tmp_path / "tm.db")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("cp", CODE_POINTS.values(), ids=list(CODE_POINTS))
def test_xliff_bad_character_placeholder_is_exit_3(cp: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.xlf"
    path.write_text(XLIFF.format(cp=cp), encoding="utf-8")
    result = run_tm("import", path, "--db", tmp_path / "tm.db")
    assert result.returncode == INPUT, result.stderr
    assert f"{path}:4: bad character placeholder" in result.stderr


GLOSSARIES = {
    "nested-20000": "entries:\n- zh: 中\n  en: " + "[" * 20000 + "]" * 20000 + "\n",
    "seen-5000-digits": "entries:\n- zh: 中\n  en: x\n  seen: " + "1" * 5000 + "\n",
    "surrogate-escape": 'entries:\n- zh: 中\n  en: "\\ud800"\n',
}


@pytest.mark.parametrize("text", GLOSSARIES.values(), ids=list(GLOSSARIES))
def test_hostile_glossary_yaml_is_exit_3(text: str, tmp_path: Path) -> None:
    path = tmp_path / "g.zh-en.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_tm("terms", "list", "--glossary", path)
    assert result.returncode == INPUT, result.stderr
    assert str(path) in result.stderr
    assert "internal error" not in result.stderr
    assert "set_int_max_str_digits" not in result.stderr


def test_lookup_batch_of_invalid_utf8_names_the_line(
    tmp_path: Path, seed_db: Path
) -> None:
    batch = tmp_path / "queries.txt"
    batch.write_bytes("按照国家统一部署\n".encode() + b"\xff\xfe bad\n")
    result = run_tm("lookup", "--batch", batch, "--db", seed_db)
    assert result.returncode == INPUT, result.stderr
    assert f"{batch}:2: not valid UTF-8" in result.stderr


@pytest.mark.parametrize(
    "args", [("concordance",), ("lookup",), ("terms", "find")], ids=" ".join
)
def test_argument_that_is_not_utf8_is_a_usage_error(
    args: tuple[str, ...], seed_db: Path
) -> None:
    # Bytes as the shell passes them ($'\xff'): Python holds them as surrogates.
    argv = [os.fsencode(a) for a in tm_cmd(*args)] + [b"\xff", b"--db", bytes(seed_db)]
    if args[0] == "terms":
        argv = argv[:-2]
    result = subprocess.run(argv, env=tm_env(), capture_output=True, timeout=300)
    assert result.returncode == USAGE, result.stderr
    assert b"not valid UTF-8" in result.stderr


@pytest.mark.parametrize(
    "args",
    [("import", SEED), ("db", "migrate"), ("qa", "mark", "0123abcd")],
    ids=["import", "db-migrate", "qa-mark"],
)
def test_db_under_a_file_is_exit_4(args: tuple[str, ...], tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_tm(*args, "--db", blocker / "sub" / "tm.db")
    assert result.returncode == STORE, result.stderr
    # qa mark needs an existing TM (a reading command's refusal); the others would
    # create one and cannot make its folder
    expected = "no TM database" if args[0] == "qa" else "cannot create the folder"
    assert expected in result.stderr
