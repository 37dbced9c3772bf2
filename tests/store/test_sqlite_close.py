"""Closing a SQLite TM leaves only the database file: the -wal and -shm files go
with the last connection, so every thread's reader must be closed (issue 20: they
stayed after the TUI quit, whose look-ups run in worker threads)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from tm.service import TMService


def test_close_removes_wal_and_shm_after_reads_in_other_threads(
    tmp_path: Path, examples_dir: Path
) -> None:
    db = tmp_path / "tm.db"
    service = TMService.open(db)
    service.import_file(examples_dir / "factor-reform-2025.zh-en.txt", sentences=False)
    found: list[int] = []

    def look_up() -> None:  # as a TUI worker does
        found.append(
            len(
                service.lookup(
                    "国务院关于全国部分地区要素市场化配置综合改革试点实施方案的批复"
                )
            )
        )

    workers = [threading.Thread(target=look_up) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(found) == 3
    assert all(n >= 1 for n in found)
    assert (tmp_path / "tm.db-wal").exists()
    service.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("tm.db")) == [
        "tm.db"
    ]


SLOW_READER = """
import sys, threading, time
from tm.store import open_store

store = open_store(sys.argv[1])
out = {}


def count() -> None:  # a statement that runs for a second or more, as a TUI look-up
    try:
        out["rows"] = store._query(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
            " WHERE x < 30000000) SELECT count(*) FROM c"
        )
    except Exception as exc:
        out["error"] = type(exc).__name__


reader = threading.Thread(target=count)
reader.start()
time.sleep(0.3)
store.close()  # as the TUI quits while its look-up thread still reads
reader.join()
print(out)
"""


def test_closing_while_another_thread_reads_waits_for_its_statement(
    tmp_path: Path, examples_dir: Path
) -> None:
    # Closing a connection under a running statement crashed SQLite (exit 139).
    db = tmp_path / "tm.db"
    with TMService.open(db) as service:
        service.import_file(examples_dir / "factor-reform-2025.zh-en.txt")
    script = tmp_path / "slow_reader.py"
    script.write_text(SLOW_READER, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(db)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{'rows': [(30000000,)]}"
