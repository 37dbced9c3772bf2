"""Concurrency on SQLite: readers during an import, two imports at once.

WAL lets readers go on while the one writer writes; a second writer queues behind the
first (busy timeout, then ``SQLiteStore._begin`` keeps waiting), so no "database is
locked" reaches the user, and since an import is one transaction, a reader sees the TM
before the file or after it, never half of it.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

from tm.models import TranslationUnit
from tm.service import TMService
from tm.store.sqlite import SQLiteStore

from ._support import (
    count_units,
    integrity,
    start_tm,
    tm_cmd,
    tm_env,
    write_big_tmx,
)

UNITS = 8_000
LONG_IMPORT = 40_000


def _read_until(proc: subprocess.Popen[str], db: Path, allowed: set[int]) -> int:
    """Read the TM in a loop from this process while ``proc`` writes; returns reads."""
    reads = 0
    with TMService.open(db) as service:
        while proc.poll() is None or reads == 0:
            stats = service.stats()
            assert stats["units"] in allowed, f"a reader saw {stats['units']} units"
            service.store.concordance("国家统一", limit=5)
            service.store.exact("按照国家统一部署")
            reads += 1
    return reads


def test_reader_while_import_writes(tmp_path: Path, guarded_db: Path) -> None:
    tmx = tmp_path / "big.tmx"
    write_big_tmx(tmx, UNITS, cut=20)
    before = count_units(guarded_db)
    proc = start_tm("import", tmx, "--db", guarded_db)
    reads = _read_until(proc, guarded_db, {before, before + UNITS})
    _out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "locked" not in err
    assert count_units(guarded_db) == before + UNITS
    assert reads > 1


def test_cli_stats_while_import_writes(tmp_path: Path, guarded_db: Path) -> None:
    """`tm stats` from another process opens the TM without waiting for the writer."""
    tmx = tmp_path / "big.tmx"
    # Large enough that the import outlasts starting `tm stats` on a busy machine.
    write_big_tmx(tmx, LONG_IMPORT, cut=20)
    before = count_units(guarded_db)
    proc = start_tm("import", tmx, "--db", guarded_db)
    _wait_for_writing(guarded_db, proc)
    runs = during = 0
    while proc.poll() is None or runs == 0:
        stats = subprocess.run(
            [*tm_cmd("stats", "--json", "--db", guarded_db)],
            env=tm_env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert stats.returncode == 0, stats.stderr
        assert "locked" not in stats.stderr
        runs += 1
        # Answered from inside the import's transaction: the TM before the file.
        during += json.loads(stats.stdout)["units"] == before
    proc.communicate()
    assert proc.returncode == 0
    assert count_units(guarded_db) == before + LONG_IMPORT
    assert during >= 1, "tm stats waited for the import to finish"


def _wait_for_writing(db: Path, proc: subprocess.Popen[str]) -> None:
    """Return once the import is inside its transaction: it holds the write lock.

    (The WAL does not show it: the writer keeps its pages in a large cache until the
    commit.)
    """
    deadline = time.monotonic() + 120
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        while True:
            assert proc.poll() is None, "the import ended before it was seen writing"
            assert time.monotonic() < deadline
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
            except sqlite3.OperationalError:
                return  # locked: the import is writing
            time.sleep(0.02)
    finally:
        conn.close()


def test_two_imports_at_once(tmp_path: Path, guarded_db: Path) -> None:
    before = count_units(guarded_db)
    files = []
    for tag in ("a", "b"):
        path = tmp_path / f"{tag}.tmx"
        write_big_tmx(path, UNITS, tag=tag, cut=20)
        files.append(path)
    same = tmp_path / "a-again.tmx"
    same.write_bytes(files[0].read_bytes())
    procs = [start_tm("import", f, "--db", guarded_db) for f in (*files, same)]
    for proc in procs:
        _out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err
        assert "locked" not in err
    # a.tmx twice adds it once; b.tmx adds its own: nothing lost, nothing doubled.
    assert count_units(guarded_db) == before + 2 * UNITS
    assert integrity(guarded_db) == "ok"


def _unit(i: int) -> TranslationUnit:
    return TranslationUnit(
        source=f"第{i}条 并发写入", target=f"Article {i}, concurrent"
    )


def test_threads_share_one_store(guarded_db: Path) -> None:
    """TUI-style: worker threads read through the same store an import thread writes."""
    before = count_units(guarded_db)
    errors: list[BaseException] = []
    reads = [0]
    done = threading.Event()
    with TMService.open(guarded_db) as service:

        def writer() -> None:
            try:
                for batch in range(5):
                    units = [_unit(batch * 1000 + i) for i in range(1000)]
                    service.store.add_units(units)
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                done.set()

        def reader() -> None:
            try:
                while not done.is_set():
                    n = service.store.count_units()
                    assert (n - before) % 1000 == 0, n  # whole batches only
                    service.store.concordance("并发写入", limit=3)
                    reads[0] += 1
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=f) for f in (writer, reader, reader)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    assert not errors, errors
    assert count_units(guarded_db) == before + 5000
    assert reads[0] > 0


def test_writer_queues_past_the_busy_timeout(guarded_db: Path) -> None:
    """A second writer waits for the first however long it writes, then succeeds."""
    first = SQLiteStore(guarded_db)
    second = SQLiteStore(guarded_db)
    second._conn.execute("PRAGMA busy_timeout = 100")  # let the wait loop do the work
    result: list[object] = []
    try:
        with first.transaction():
            first.add_units([_unit(1)])
            worker = threading.Thread(
                target=lambda: result.append(second.add_units([_unit(2)]))
            )
            worker.start()
            time.sleep(1.5)  # fifteen busy timeouts
            assert not result, "the second writer did not wait"
        worker.join(timeout=60)
        assert result, "the second writer never finished"
    finally:
        first.close()
        second.close()
    assert count_units(guarded_db) >= 2
