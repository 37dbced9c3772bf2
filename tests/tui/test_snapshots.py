"""Snapshot tests of the four screens at 100×32 (update on purpose: --snapshot-update)."""

from __future__ import annotations

from typing import Any

from tests.tui.snapshot_app import build_app

SIZE = (100, 32)


async def settled(pilot: Any) -> None:
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.3)  # past the lookup screen's typing pause
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


class TestLookup:
    def test_typed_phrase(self, snap_compare):
        async def run_before(pilot: Any) -> None:
            await settled(pilot)
            await pilot.press(*"按照国家统一部署")
            await settled(pilot)

        assert snap_compare(build_app(), terminal_size=SIZE, run_before=run_before)

    def test_help(self, snap_compare):
        assert snap_compare(build_app(), terminal_size=SIZE, press=["f1"])


class TestDocument:
    def test_exact_match_segment(self, snap_compare):
        async def run_before(pilot: Any) -> None:
            await settled(pilot)
            screen = pilot.app.screen
            row = min(i for i, s in screen.scores.items() if s is not None and s >= 100)
            screen.action_move(row)
            await settled(pilot)
            await pilot.press("ctrl+1")
            await settled(pilot)

        assert snap_compare(
            build_app(document=True), terminal_size=SIZE, run_before=run_before
        )


class TestReview:
    def test_findings(self, snap_compare):
        async def run_before(pilot: Any) -> None:
            await settled(pilot)
            await pilot.press("f4")
            await settled(pilot)

        assert snap_compare(build_app(), terminal_size=SIZE, run_before=run_before)


class TestGlossary:
    def test_search(self, snap_compare):
        async def run_before(pilot: Any) -> None:
            await settled(pilot)
            await pilot.press("f5")
            await settled(pilot)
            await pilot.press("slash", *"地价")
            await settled(pilot)

        assert snap_compare(build_app(), terminal_size=SIZE, run_before=run_before)
