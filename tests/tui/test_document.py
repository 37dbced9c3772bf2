"""Pilot tests of document mode on seed 003 against the seed TM."""

from __future__ import annotations

from textual.widgets import DataTable, TextArea

from tests.tui.conftest import SIZE, settle
from tm.formats.tmx import iter_tmx
from tm.formats.xliff import iter_xliff
from tm.service import TMService
from tm.tui.screens.dialogs import ConfirmDialog
from tm.tui.screens.document import DocumentScreen
from tm.tui.widgets.match_view import MatchTable
from tm.tui.widgets.term_panel import TermPanel


def best_row(app) -> int:
    """The first segment with a 100+ match (the seed and seed 003 share a few)."""
    scores = app.screen.scores
    return next(i for i, s in sorted(scores.items()) if s is not None and s >= 100)


async def test_segments_and_bands(seed_app, next_doc_path, seed_db):
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DocumentScreen)
        with TMService.open(seed_db) as service:
            expected = service.document_segments(next_doc_path)
        assert screen.segments == expected
        table = screen.query_one("#segments", DataTable)
        assert table.row_count == len(expected)
        assert len(screen.scores) == len(expected)
        assert any(s is not None and s >= 100 for s in screen.scores.values())
        band_cell = table.get_cell(str(best_row(app)), "band")
        assert str(band_cell) in ("100", "101")
        status = str(screen.query_one("#status").render())
        with TMService.open(seed_db) as service:
            analysis = service.analyze(next_doc_path)
        expected_summary = "Bands: " + "  ".join(
            f"{b} {c.segments}" for b, c in analysis.bands.items() if c.segments
        )
        assert expected_summary in status


async def test_moving_shows_matches_and_terms(seed_app, next_doc_path):
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = best_row(app)
        for _ in range(row):
            await pilot.press("down")
        await settle(pilot)
        screen = app.screen
        assert screen.current == row
        matches = screen.query_one(MatchTable).matches
        assert matches
        assert matches[0][1].score >= 100
        hits = app.find_terms(screen.segments[row])
        panel = str(screen.query_one(TermPanel).render())
        for hit in hits:
            assert hit.entry.zh in panel


async def test_insert_confirm_goes_to_project_layer_only(
    seed_app, next_doc_path, seed_db
):
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = best_row(app)
        screen = app.screen
        screen.action_move(row)
        await settle(pilot)
        before = app.service.store.count_units()
        editor = screen.query_one("#target", TextArea)
        table = screen.query_one(MatchTable)
        best = table.matches[0][1]
        if len(table.matches) > 1:  # Ctrl+R inserts the highlighted match
            table.move_cursor(row=1)
            await pilot.press("ctrl+r")
            # A repaired match inserts its repaired English (附件1 from 附件10).
            assert editor.text == table.matches[1][1].offered_target
        await pilot.press("ctrl+1")
        assert editor.text == best.offered_target
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.targets[row] == best.offered_target
        assert screen.current == row + 1  # confirming moves on
        assert app.service.store.count_units() == before  # master untouched
        project = screen.project
        units = list(project.layer.store.iter_units())
        assert [(u.source, u.target) for u in units] == [
            (screen.segments[row], best.offered_target)
        ]
        assert units[0].occurrence.document == next_doc_path.name
        # Export the project layer as TMX.
        await pilot.press("ctrl+e")
        await pilot.pause()
        tmx = app.service.project_path(next_doc_path).with_suffix(".tmx")
        assert [u.target for u in iter_tmx(tmx)] == [best.target]
        xlf = tmx.with_suffix(".xlf")
        units = list(iter_xliff(xlf))
        assert [u.source for u in units] == screen.segments
        assert [u.target for u in units if u.target] == [best.target]
        # Commit to master, after saying yes.
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
    with TMService.open(seed_db) as service:
        found = [
            u
            for u in service.store.iter_units(segtype="sentence")
            if u.target == best.target and u.source == screen.segments[row]
        ]
        assert found


async def test_typed_target_and_navigation_keys(seed_app, next_doc_path):
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("enter")  # into the editor
        assert isinstance(app.focused, TextArea)
        await pilot.press(*"Index No.")
        await pilot.press("ctrl+down")
        assert screen.current == 1
        await pilot.press("ctrl+up")
        assert screen.current == 0
        assert (
            screen.query_one("#target", TextArea).text == "Index No."
        )  # the draft is kept
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.targets[0] == "Index No."
        await pilot.press(
            "ctrl+3"
        )  # segment 1 may have fewer matches: a message, no crash


async def test_reopening_restores_confirmed_segments(seed_app, next_doc_path):
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#target", TextArea).text = "Notice"
        await pilot.press("ctrl+s")
        await settle(pilot)
    again = seed_app(document=next_doc_path)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.screen.targets == {0: "Notice"}
        assert (
            str(again.screen.query_one("#segments", DataTable).get_cell("0", "done"))
            == "✓"
        )


async def test_document_mode_without_document(seed_app):
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, DocumentScreen)
        assert "No document open" in str(app.screen.query_one("#doc-title").render())
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+1")
        await pilot.pause()
        assert "No" in str(app.screen.query_one("#status").render())
