"""Snapshot tests of the screens (update on purpose: --snapshot-update, then look at
the SVGs). Document mode, look-up and QA review at 80×24 (stacked panes, two-line
key line) and 160×48; help and glossary at 100×32."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tui.conftest import wait_idle
from tests.tui.snapshot_app import build_app

SIZE = (100, 32)
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


async def settled(pilot: Any) -> None:
    for _ in range(2):
        await wait_idle(pilot)
        await pilot.pause(0.3)  # past the lookup screen's typing pause
    await wait_idle(pilot)
    await pilot.pause()


class TestLookup:
    @pytest.mark.parametrize("size", SIZES)
    def test_typed_phrase(self, snap_compare, size):
        async def run_before(pilot: Any) -> None:
            await settled(pilot)
            await pilot.press(*"按照国家统一部署")
            await settled(pilot)

        assert snap_compare(build_app(), terminal_size=size, run_before=run_before)

    @pytest.mark.parametrize("size", SIZES)
    def test_fuzzy_match_with_differences(self, snap_compare, size):
        async def run_before(pilot: Any) -> None:
            await settled(pilot)
            pilot.app.screen.set_query("开展10个要素市场化配置综合改革试点工作")
            await settled(pilot)

        assert snap_compare(build_app(), terminal_size=size, run_before=run_before)

    def test_help(self, snap_compare):
        assert snap_compare(build_app(), terminal_size=SIZE, press=["f1"])


class TestDocument:
    @pytest.mark.parametrize("size", SIZES)
    def test_exact_match_segment(self, snap_compare, size):
        async def run_before(pilot: Any) -> None:
            await settled(pilot)
            screen = pilot.app.screen
            row = min(i for i, s in screen.scores.items() if s is not None and s >= 100)
            screen.go_to(row)
            await settled(pilot)
            await pilot.press("ctrl+1")
            await settled(pilot)

        assert snap_compare(
            build_app(document=True), terminal_size=size, run_before=run_before
        )

    @pytest.mark.parametrize("size", SIZES)
    def test_statuses_after_confirming_a_repeated_segment(self, snap_compare, size):
        async def run_before(pilot: Any) -> None:
            await settled(pilot)
            screen = pilot.app.screen
            screen.query_one("#target").text = "Notice of the General Office"
            await pilot.press("ctrl+s")  # segment 3 repeats it: propagated
            await settled(pilot)
            await pilot.press(*"General Office of the Hunan")  # a draft
            await settled(pilot)

        assert snap_compare(
            build_app(document=True), terminal_size=size, run_before=run_before
        )


class TestReview:
    @pytest.mark.parametrize("size", SIZES)
    def test_findings(self, snap_compare, size):
        async def run_before(pilot: Any) -> None:
            await settled(pilot)
            await pilot.press("f4")
            await settled(pilot)

        assert snap_compare(build_app(), terminal_size=size, run_before=run_before)


class TestGlossary:
    def test_search(self, snap_compare):
        async def run_before(pilot: Any) -> None:
            await settled(pilot)
            await pilot.press("f5")
            await settled(pilot)
            await pilot.press("slash", *"地价")
            await settled(pilot)

        assert snap_compare(build_app(), terminal_size=SIZE, run_before=run_before)
