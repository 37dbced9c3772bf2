"""Fixtures for the TUI tests: the seed TM, a private glossary copy, no cursor blink."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tm.tui.app import TMApp, make_app

SIZE = (100, 32)


@pytest.fixture(scope="session", autouse=True)
def snapshot_tms() -> Iterator[None]:
    """Remove the snapshot tests' seed TMs when the session ends (9 MB each)."""
    yield
    from tests.tui.snapshot_app import remove_tms

    remove_tms()


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop the Input/TextArea cursor from blinking, so screens are stable."""
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


@pytest.fixture
def glossary_copy(glossary_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the shipped glossary (the glossary screen writes to it)."""
    dest = tmp_path / "glossary"
    shutil.copytree(glossary_dir, dest)
    return dest


@pytest.fixture
def seed_app(seed_db: Path, glossary_copy: Path) -> Callable[..., TMApp]:
    """Build the app on a private seed TM and glossary copy (document optional)."""

    def build(**kw: Any) -> TMApp:
        kw.setdefault("glossary", glossary_copy)
        return make_app(seed_db, **kw)

    return build


async def settle(pilot: Any) -> None:
    """Let workers and look-up threads finish and their messages render."""
    for _ in range(2):
        await wait_idle(pilot)
        await pilot.pause(0.3)  # past the lookup screen's typing pause
    await wait_idle(pilot)
    await pilot.pause()


async def wait_idle(pilot: Any, timeout: float = 120.0) -> None:
    """Workers done and every look-up thread idle (``tm.tui.workers``)."""
    import time

    from tm.tui.workers import all_idle

    deadline = time.monotonic() + timeout
    while True:
        await pilot.app.workers.wait_for_complete()
        if all_idle():
            await pilot.pause()  # the last result's message
            if all_idle():
                return
        if time.monotonic() > deadline:
            raise TimeoutError("look-up threads still busy")
        await pilot.pause(0.02)
