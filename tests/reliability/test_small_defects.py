"""Issue 21 item 14, the small ones: each through the real ``tm`` command.

A key repeated inside one glossary entry, an empty ``--db``, libxml2's advice to set
a flag nobody can set, ``.part`` files left by killed exports, and Ctrl+C during a
parallel QA run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ._support import SEED, run_tm, tm_cmd, tm_env, write_big_tmx


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


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (read from /proc: no extra tool)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _state(pid: int) -> str:
    """A process's scheduler state (R running, S sleeping …); "" once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_ctrl_c_during_parallel_qa_prints_no_worker_tracebacks(tmp_path: Path) -> None:
    tmx, db, out = tmp_path / "big.tmx", tmp_path / "tm.db", tmp_path / "qa.json"
    write_big_tmx(tmx, 60_000, cut=40)
    assert run_tm("import", tmx, "--db", db, timeout=600).returncode == 0
    # The signal can land just after QA's last worker finished (QA then ends well):
    # that race lost, the run is tried again.
    for _ in range(3):
        interrupted = _qa_interrupted_while_a_worker_waits(db, out)
        if interrupted is not None:
            break
    else:
        # Seen under CI's load: the timing this test needs was never met. A skip
        # says so in the summary; a failure would say QA is wrong, which it is not.
        pytest.skip("QA finished before each of 3 interrupts (a loaded machine)")
    proc, err, workers = interrupted
    assert proc.returncode == 130, err
    assert "Traceback" not in err, err
    assert "Process " not in err, err
    assert err.strip() == "Interrupted."
    assert not out.exists()
    time.sleep(0.5)
    assert not [w for w in workers if Path(f"/proc/{w}").exists()], "workers left"


def _qa_interrupted_while_a_worker_waits(
    db: Path, out: Path
) -> tuple[subprocess.Popen[str], str, list[int]] | None:
    """``tm qa --workers 2`` sent Ctrl+C once one of its corpus-check workers waits
    for work: the process, its stderr and its workers; None if QA ended first."""
    # A terminal's Ctrl+C is SIGINT to the whole process group, workers included.
    proc = subprocess.Popen(
        tm_cmd("qa", "--workers", "2", "--db", db, "-o", out),
        env=tm_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    # QA runs two pools: the sweep's, then the corpus checks'. The second has fewer
    # tasks than workers at its end, and an idle worker is where Ctrl+C used to
    # print a traceback: wait until that pool is up.
    deadline = time.monotonic() + 300
    seen: set[int] = set()
    while len(seen) < 3 and proc.poll() is None:
        assert time.monotonic() < deadline, "the second QA pool never started"
        seen.update(_children(proc.pid))
        time.sleep(0.1)
    # Then until one worker has waited for work for 0.2 s (it sleeps on its queue; a
    # busy one is running or runnable), for a second at most: under CI's load no
    # worker was ever seen waiting before QA ended, and Ctrl+C to busy workers must
    # print no traceback either. The workers are read again at each look: the
    # first pool's may still be leaving when the second's start.
    idle: dict[int, int] = {}
    give_up = time.monotonic() + 1.0
    while (
        max(idle.values(), default=0) < 2
        and proc.poll() is None
        and time.monotonic() < give_up
    ):
        idle = {
            w: idle.get(w, 0) + 1 if _state(w) == "S" else 0
            for w in _children(proc.pid)
        }
        time.sleep(0.1)
    workers = list(idle)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        out.unlink(missing_ok=True)
        return None
    return proc, err, workers
