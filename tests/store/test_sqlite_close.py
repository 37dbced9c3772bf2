"""Closing a SQLite TM leaves only the database file: the -wal and -shm files go
with the last connection, so every thread's reader must be closed (issue 20: they
stayed after the TUI quit, whose look-ups run in worker threads)."""

from __future__ import annotations

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
