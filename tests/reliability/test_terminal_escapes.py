"""Issue 21 item 6: stored control and bidi characters never reach a terminal raw.

Text imported from TSV (or a TMX ``<ph type="x-tm-char">``) may hold ESC, BEL or a
right-to-left override. On a terminal ``concordance``, ``lookup`` and ``terms list``
show them as ``\\uXXXX``; error messages do so everywhere. Each case runs the real
``tm`` on a pseudo-terminal, so it sees what a user's terminal would receive.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import threading
from pathlib import Path

from ._support import run_tm, tm_cmd, tm_env

ZH = "按照国家统一部署推进要素市场化配置改革"
TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
LINK = "\x1b]8;;http://example.com\x1b\\click\x1b]8;;\x1b\\"
RLO = "\u202e"
EN = f"Per the {TITLE}national {CLEAR}plan {LINK} {RLO}reform"


def on_terminal(*args: str | Path) -> tuple[int, str]:
    """Run ``tm`` with stdout and stderr on a pseudo-terminal; its exit code and output."""
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    proc = subprocess.Popen(
        tm_cmd(*args),
        env=tm_env(),
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
    )
    os.close(slave)
    code = proc.wait(timeout=300)
    reader.join(30)
    os.close(master)
    return code, b"".join(chunks).decode("utf-8", errors="replace")


def assert_no_raw_controls(out: str) -> None:
    for ch in ("\x07", "\u202e", "\x1b]", "\x1b[2J", "\x9b"):
        assert ch not in out, (ch, out)


def hostile_db(tmp_path: Path) -> Path:
    tsv = tmp_path / "hostile.tsv"
    tsv.write_text(f"{ZH}\t{EN}\n", encoding="utf-8")
    db = tmp_path / "tm.db"
    result = run_tm("import", tsv, "--db", db)
    assert result.returncode == 0, result.stderr
    return db


def test_concordance_on_a_terminal_shows_escapes(tmp_path: Path) -> None:
    db = hostile_db(tmp_path)
    code, out = on_terminal("concordance", "要素", "--db", db)
    assert code == 0, out
    assert_no_raw_controls(out)
    assert "\\u001b]0;pwned\\u0007" in out
    assert "\\u202e" in out
    # Piped, the same command gives the stored text back unchanged.
    piped = run_tm("concordance", "要素", "--db", db, "--json")
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)[0]["target"] == EN


def test_lookup_on_a_terminal_shows_escapes(tmp_path: Path) -> None:
    db = hostile_db(tmp_path)
    code, out = on_terminal("lookup", ZH, "--db", db)
    assert code == 0, out
    assert_no_raw_controls(out)
    assert "\\u001b[2J" in out


def test_terms_list_on_a_terminal_shows_escapes(tmp_path: Path) -> None:
    glossary = tmp_path / "g.zh-en.yaml"
    glossary.write_text(
        'entries:\n- zh: 要素市场\n  en: "factor \\e]0;pwned\\a market \\u202e"\n',
        encoding="utf-8",
    )
    code, out = on_terminal("terms", "list", "--glossary", glossary)
    assert code == 0, out
    assert_no_raw_controls(out)
    assert "factor \\u001b]0;pwned\\u0007 market" in out


def test_error_messages_escape_file_names_even_when_piped(tmp_path: Path) -> None:
    name = tmp_path / f"bad{TITLE}{RLO}.tmx"
    name.write_text("<tmx><body><tu>", encoding="utf-8")
    result = run_tm("import", name, "--db", tmp_path / "tm.db")
    assert result.returncode == 3, result.stderr
    assert_no_raw_controls(result.stderr)
    assert "bad\\u001b]0;pwned\\u0007\\u202e.tmx" in result.stderr
