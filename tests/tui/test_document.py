"""Pilot tests of document mode: the Changsha–Zhuzhou–Xiangtan action plan against the
seed TM (the State Council's 2025 approval of factor-market reform pilots).

Segments 1 and 3 of the plan are the same notice title, 2 and 7 the issuing office.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, TextArea

from tests.tui.conftest import SIZE, settle
from tm.formats.tmx import iter_tmx
from tm.formats.xliff import iter_target_states, iter_xliff
from tm.models import SegmentStatus
from tm.service import TMService
from tm.tui.screens.dialogs import ConfirmDialog, GoToDialog
from tm.tui.screens.document import AUTOSAVE_DELAY, DocumentScreen
from tm.tui.screens.lookup import LookupScreen
from tm.tui.widgets.keyline import KeyLine
from tm.tui.widgets.match_view import MatchDetail, MatchTable
from tm.tui.widgets.progress import ProgressLine
from tm.tui.widgets.term_panel import TermPanel

TITLE, OFFICE, TITLE_AGAIN, OFFICE_AGAIN = 0, 1, 2, 6


def best_row(app) -> int:
    """The first segment with a 100+ match (the seed and the plan share a few)."""
    scores = app.screen.scores
    return next(i for i, s in sorted(scores.items()) if s is not None and s >= 100)


def fuzzy_row(app) -> int:
    scores = app.screen.scores
    return next(i for i, s in sorted(scores.items()) if s is not None and s < 100)


def cell(screen: DocumentScreen, row: int, column: str) -> str:
    return str(screen.query_one("#segments", DataTable).get_cell(str(row), column))


def status_of(screen: DocumentScreen, row: int) -> SegmentStatus:
    assert screen.project is not None
    return screen.project.state(row).status


async def test_segments_bands_and_focus(seed_app, next_doc_path, seed_db):
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DocumentScreen)
        with TMService.open(seed_db) as service:
            expected = service.document_segments(next_doc_path)
            analysis = service.analyze(next_doc_path)
        assert screen.segments == expected
        table = screen.query_one("#segments", DataTable)
        assert table.row_count == len(expected)
        assert len(screen.scores) == len(expected)
        assert cell(screen, best_row(app), "band") in ("100", "101")
        status = str(screen.query_one("#status").render())
        expected_summary = "Bands: " + "  ".join(
            f"{b} {c.segments}" for b, c in analysis.bands.items() if c.segments
        )
        assert expected_summary in status
        # Typing goes to the target editor at once, as in OmegaT; Tab goes round the
        # panes in the order they stand.
        assert isinstance(app.focused, TextArea)
        assert [w.id for w in screen.focus_chain] == [
            "segments",
            "matches",
            "detail-scroll",
            "terms",
            "target",
        ]
        await pilot.press(*"Notice")
        assert screen.query_one("#target", TextArea).text == "Notice"


async def test_moving_shows_matches_with_english_and_terms(seed_app, next_doc_path):
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        row = best_row(app)
        for _ in range(row):
            await pilot.press("ctrl+down")
        await settle(pilot)
        assert screen.current == row
        table = screen.query_one(MatchTable)
        assert table.matches
        assert table.matches[0][1].score >= 100
        # Every row shows its English, not only the highlighted one.
        for n, (_, match) in enumerate(table.matches):
            shown = str(table.get_row_at(n)[2])
            assert match.target[:8] in shown
            assert match.source[:4] in shown
        hits = app.find_terms(screen.segments[row])
        panel = screen.query_one(TermPanel).plain_text()
        for hit in hits:
            assert hit.entry.zh in panel


async def test_fuzzy_match_differences_on_both_sides_and_unedited_warning(
    seed_app, next_doc_path
):
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        row = fuzzy_row(app)
        screen.go_to(row)
        await settle(pilot)
        match = screen.query_one(MatchTable).matches[0][1]
        assert match.score < 100
        # The segment's own text has its differences coloured too, not only the TM's.
        source = screen.query_one("#seg-source").render()
        assert any("red" in str(s.style) for s in source.spans)
        detail = screen.query_one(MatchDetail).render()
        assert "Seg" in detail.plain
        assert "TM" in detail.plain
        await pilot.press("ctrl+r")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert status_of(screen, row) is SegmentStatus.DRAFT  # warned, not confirmed
        assert "unedited" in str(screen.query_one("#status").render())
        await pilot.press("ctrl+s")  # the translator insists
        await settle(pilot)
        assert status_of(screen, row) is SegmentStatus.TRANSLATED


async def test_confirm_replaces_propagates_and_updates_bands_and_progress(
    seed_app, next_doc_path
):
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert cell(screen, TITLE_AGAIN, "band") == "new"
        editor = screen.query_one("#target", TextArea)
        editor.text = "Notice A"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.current == OFFICE  # confirming moves on
        assert status_of(screen, TITLE) is SegmentStatus.TRANSLATED
        assert status_of(screen, TITLE_AGAIN) is SegmentStatus.PROPAGATED
        assert cell(screen, TITLE, "status") == "✓"
        assert cell(screen, TITLE_AGAIN, "status") == "⇣"
        # the repetition's band follows at once: the project layer has it now
        assert cell(screen, TITLE_AGAIN, "band") in ("100", "101")
        assert "2/478 seg" in str(screen.query_one(ProgressLine).render())
        # Corrected twice: still one unit for the segment, with both occurrences.
        for english in ("Notice B", "Notice C"):
            screen.go_to(TITLE)
            editor.text = english
            await pilot.press("ctrl+s")
            await settle(pilot)
        layer = screen.project.layer.store
        units = [u for u in layer.iter_units(all_occurrences=True)]
        assert [u.target for u in units] == ["Notice C"]
        assert len(units[0].other_occurrences) == 1
        assert "re-confirmed" in str(screen.query_one("#status").render())


async def test_drafts_are_saved_as_typed_and_when_leaving(
    seed_app, next_doc_path, seed_db
):
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press(*"Notice on")
        await pilot.pause(AUTOSAVE_DELAY + 0.2)
        assert screen.project.state(TITLE).target == "Notice on"
        assert status_of(screen, TITLE) is SegmentStatus.DRAFT
        assert cell(screen, TITLE, "status") == "✎"
        await pilot.press(*" issuing")
        await pilot.press("ctrl+down")  # leaving saves at once
        assert screen.project.state(TITLE).target == "Notice on issuing"
        await pilot.press(*"Office")
        await pilot.press("ctrl+q")  # quitting keeps the last edit too
    again = seed_app(document=next_doc_path)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = again.screen
        assert screen.query_one("#target", TextArea).text == "Notice on issuing"
        assert status_of(screen, OFFICE) is SegmentStatus.DRAFT
        assert screen.project.state(OFFICE).target == "Office"
        # a draft is never a match
        screen.go_to(TITLE_AGAIN)
        await settle(pilot)
        offered = [m.target for _, m in screen.query_one(MatchTable).matches]
        assert "Notice on issuing" not in offered


async def test_keys_go_to_next_unfinished_find_term_review(seed_app, next_doc_path):
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("ctrl+g")
        assert isinstance(app.screen, GoToDialog)
        await pilot.press(*"16", "enter")
        await settle(pilot)
        assert screen.current == 15
        assert isinstance(app.focused, TextArea)
        # Ctrl+T inserts the rendering of a term the target lacks.
        hits = app.find_terms(screen.segments[15])
        assert hits, "segment 16 has glossary terms"
        await pilot.press("ctrl+t")
        editor = screen.query_one("#target", TextArea)
        first = sorted(hits, key=lambda h: h.start)[0].entry
        assert first.en in editor.text
        # Find: source or target text; Enter goes to the next hit.
        await pilot.press("ctrl+f")
        box = screen.query_one("#find", Input)
        assert app.focused is box
        await pilot.press(*"办公厅")
        await settle(pilot)
        assert screen.current == OFFICE  # the search wraps round past the end
        await pilot.press("enter")
        await settle(pilot)
        assert screen.current == OFFICE_AGAIN
        await pilot.press("enter")
        await settle(pilot)
        assert screen.current == OFFICE
        await pilot.press("escape")
        assert isinstance(app.focused, TextArea)
        # Confirm, sign off with F8, and Ctrl+U skips to what is left to do.
        editor.text = "General Office"
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen.go_to(OFFICE)
        await pilot.press("f8")
        assert status_of(screen, OFFICE) is SegmentStatus.REVIEWED
        assert cell(screen, OFFICE, "status") == "✔"
        screen.go_to(OFFICE)
        await pilot.press("ctrl+u")
        assert screen.current == TITLE_AGAIN
        # F2 opens the lookup screen with the current segment as the query.
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        query = app.screen.query_one("#query", Input).value
        assert query == screen.segments[TITLE_AGAIN]


async def test_commit_export_and_reopen_the_exported_xliff(
    seed_app, next_doc_path, seed_db, tmp_path: Path
):
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        row = best_row(app)
        screen.go_to(row)
        await settle(pilot)
        before = app.service.store.count_units()
        best = screen.query_one(MatchTable).matches[0][1]
        await pilot.press("ctrl+1")
        assert screen.query_one("#target", TextArea).text == best.offered_target
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.service.store.count_units() == before  # master untouched
        await pilot.press("ctrl+e")
        await pilot.pause()
        tmx, xlf = screen.project.export_paths()
        assert [u.target for u in iter_tmx(tmx)] == [best.offered_target]
        states = list(iter_target_states(xlf))
        assert states[row].state == "translated"
        assert [u.target for u in iter_xliff(xlf) if u.target] == [best.offered_target]
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert "Committed 1 segment" in str(screen.query_one("#status").render())
    with TMService.open(seed_db) as service:
        found = [
            u
            for u in service.store.iter_units(segtype="sentence")
            if u.target == best.offered_target and u.source == screen.segments[row]
        ]
        assert found
    # The exported XLIFF opened in tm tui: its targets and statuses are there.
    copy = tmp_path / "plan.xlf"
    copy.write_bytes(xlf.read_bytes())
    again = seed_app(document=copy)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = again.screen
        assert status_of(screen, row) is SegmentStatus.TRANSLATED
        assert cell(screen, row, "status") == "✓"
        assert "1/478 seg" in str(screen.query_one(ProgressLine).render())


async def test_80_by_24_stacks_panes_and_the_key_line_fits(seed_app, next_doc_path):
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.go_to(best_row(app))
        await settle(pilot)
        keys = screen.query_one(KeyLine)
        assert keys.size.height <= 2
        shown = keys.render().plain
        for label in ("Confirm", "Commit", "Help", "Lookup", "QA", "Glossary", "Quit"):
            assert label in shown
        for name in ("#segments", "#matches", "#terms", "#target", "#seg-source"):
            widget = screen.query_one(name)
            assert widget.size.height >= 1, name
            assert widget.region.bottom <= 24, name
        table = screen.query_one(MatchTable)
        assert table.virtual_size.width <= table.size.width  # no sideways scrolling
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        keys = app.screen.query_one(KeyLine)
        assert keys.size.height == 1
        segments = app.screen.query_one("#segments", DataTable)
        assert [c.label.plain for c in segments.columns.values()][-1] == "Target"


async def test_title_term_count_follows_a_glossary_edit(seed_app, next_doc_path):
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        count = app.count_terms()
        assert f"{count} terms" in str(app.screen.query_one("#doc-title").render())
        await pilot.press("f5")
        await settle(pilot)
        app.screen.save_new({"zh": "试点行动方案", "en": "pilot action plan"})
        await pilot.press("f3")
        await settle(pilot)
        assert f"{count + 1} terms" in str(app.screen.query_one("#doc-title").render())


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
