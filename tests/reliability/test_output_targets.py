"""Issue 21 item 3: ``-o`` writes through FIFOs and symbolic links, never over them.

Output is written beside the destination and renamed over it, which is right for a
regular file and wrong for anything else: the rename replaced a named pipe (and, as
root, ``/dev/null``) with a regular file, and a symbolic link with a copy. Each case
runs the real ``tm`` command. (``/dev/null`` itself is not used: on the old code, as
root, the test would have destroyed it.)
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from ._support import run_tm

GLOSSARY = "entries:\n- zh: 要素市场\n  en: factor market\n"


def test_export_into_a_fifo_feeds_its_reader(tmp_path: Path, seed_db: Path) -> None:
    fifo = tmp_path / "out.tsv"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as fh:
            received.append(fh.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = run_tm("export", "--db", seed_db, "-o", fifo, timeout=120)
    if result.returncode != 0:  # free the reader, which waits for a writer
        with open(fifo, "wb"):
            pass
    reader.join(30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced by a file"
    assert received
    assert "中" in received[0].decode("utf-8")
    assert received[0].count(b"\n") > 100
    assert not list(tmp_path.glob(".*.part"))


def test_export_through_a_symlink_writes_its_target(
    tmp_path: Path, seed_db: Path
) -> None:
    target_dir = tmp_path / "shared"
    target_dir.mkdir()
    target = target_dir / "tm.tsv"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.tsv"
    link.symlink_to(target)
    result = run_tm("export", "--db", seed_db, "-o", link)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink(), "the link was replaced by a file"
    assert os.readlink(link) == str(target)
    text = target.read_text(encoding="utf-8")
    assert text != "old\n"
    assert "中" in text
    assert not list(tmp_path.glob(".*.part"))
    assert not list(target_dir.glob(".*.part"))


def test_terms_export_through_a_dangling_symlink_creates_its_target(
    tmp_path: Path,
) -> None:
    glossary = tmp_path / "g.zh-en.yaml"
    glossary.write_text(GLOSSARY, encoding="utf-8")
    target = tmp_path / "out" / "terms.csv"
    target.parent.mkdir()
    link = tmp_path / "terms.csv"
    link.symlink_to(target)
    result = run_tm("terms", "export", link, "--glossary", glossary)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert "factor market" in target.read_text(encoding="utf-8-sig")


def test_terms_add_keeps_a_symlinked_glossary_a_link(tmp_path: Path) -> None:
    real = tmp_path / "team" / "g.zh-en.yaml"
    real.parent.mkdir()
    real.write_text(GLOSSARY, encoding="utf-8")
    link = tmp_path / "g.zh-en.yaml"
    link.symlink_to(real)
    result = run_tm(
        "terms", "add", "标定地价", "benchmark land price", "--glossary", link
    )
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert "benchmark land price" in real.read_text(encoding="utf-8")
