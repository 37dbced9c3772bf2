"""Quitting the TUI leaves no SQLite -wal/-shm files beside the TM (issue 20): its
look-ups read the TM from worker threads, and each of their connections must close."""

from __future__ import annotations

from pathlib import Path

from tests.tui.conftest import SIZE, settle


async def test_quit_leaves_no_wal_or_shm(seed_app, seed_db: Path) -> None:
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"按照国家统一部署")
        await settle(pilot)
        assert list(seed_db.parent.glob("seed.db-wal"))  # the TM is in WAL mode, open
        await pilot.press("ctrl+q")
        await pilot.pause()
    left = sorted(p.name for p in seed_db.parent.glob("seed.db-*"))
    assert left == []
