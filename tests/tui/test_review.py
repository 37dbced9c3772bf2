"""Pilot tests of the QA review screen on the seed TM with the shipped glossary."""

from __future__ import annotations

from collections import Counter

from textual.widgets import DataTable, Input, OptionList, TextArea

from tests.tui.conftest import SIZE, settle
from tm.service import TMService
from tm.tui.screens.dialogs import EditTextDialog
from tm.tui.screens.review import ConsistencyScreen, ReviewScreen
from tm.tui.screens.unit import UnitScreen


async def open_review(app, pilot) -> ReviewScreen:
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


async def test_findings_grouped_by_check_with_counts(seed_app, seed_db, glossary_copy):
    with TMService.open(seed_db, glossary=glossary_copy) as service:
        report = service.qa()
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        assert len(screen.findings) == len(report.findings) > 0
        options = screen.query_one("#checks", OptionList)
        labels = [
            str(options.get_option_at_index(i).prompt)
            for i in range(options.option_count)
        ]
        assert labels[0] == f"All ({len(report.findings)})"
        for check, n in Counter(f.check for f in report.findings).items():
            assert f"{check} ({n})" in labels
        # Pick the second check: the table narrows to it.
        await pilot.press("tab", "tab")  # filter box → checks
        options.focus()
        await pilot.press("down")
        await pilot.pause()
        chosen = options.get_option_at_index(1).id
        assert screen.shown
        assert all(f.check == chosen for f in screen.shown)


async def test_severity_and_text_filters(seed_app):
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        total = len(screen.shown)
        await pilot.press("v")  # severity: error
        assert screen.severity == "error"
        assert all(f.severity.value == "error" for f in screen.shown)
        await pilot.press("v", "v", "v")  # back to all
        assert len(screen.shown) == total
        term = next(f for f in screen.findings if f.check == "term-forbidden")
        needle = term.message.split()[0]
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        app.focused.value = needle
        await pilot.pause()
        assert screen.shown
        assert all(
            needle in (f.message + f.source + f.target + f.fix) for f in screen.shown
        )


async def test_detail_highlights_the_span(seed_app):
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        f = screen.selected()
        assert f is not None
        assert f.spans
        detail = screen.query_one("#finding-detail").render()
        span = f.spans[0]
        styled = [s for s in detail.spans if "yellow" in str(s.style)]
        assert styled, "the offending span is highlighted"
        assert span.text in detail.plain


async def test_jump_edit_mark_and_rerun(seed_app, seed_db):
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        screen.query_one("#findings", DataTable).focus()
        first = screen.selected()
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, UnitScreen)
        assert app.screen.unit_id == first.units[0]
        await pilot.press("escape")
        await pilot.pause()
        # Edit the unit's target: remove the untranslated Chinese.
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditTextDialog)
        area = app.screen.query_one(TextArea)
        fixed = (
            area.text.replace(first.spans[0].text, "standard land price")
            if first.spans
            else area.text + " (fixed)"
        )
        area.text = fixed
        await pilot.press("ctrl+s")
        await settle(pilot)
        unit, _ = app.service.unit_details(first.units[0])
        assert unit.target == fixed
        assert unit.changed_at
        assert first not in screen.findings  # re-run after the edit
        # Mark the (new) first finding as a false positive.
        victim = screen.selected()
        await pilot.press("f")
        await pilot.pause()
        assert victim.fingerprint in app.service.store.marks()
        assert all(f.fingerprint != victim.fingerprint for f in screen.findings)
        await pilot.press("r")
        await settle(pilot)
        assert all(f.fingerprint != victim.fingerprint for f in screen.findings)


async def test_term_consistency_view(seed_app):
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ConsistencyScreen)
        rows = app.screen.rows
        assert rows[0][:2] == ("长株潭", "Changsha-Zhuzhou-Xiangtan")
        assert all(count >= 1 for *_, count in rows)
        table = app.screen.query_one(DataTable)
        assert table.row_count == len(rows)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


async def test_apply_fix_with_x(seed_app, seed_db):
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        screen.query_one("#findings", DataTable).focus()
        screen.query_one("#qa-filter", Input).value = ""
        # pick a spacing finding: its fix is text to write, and the check agrees
        target = next(f for f in screen.shown if f.check == "spacing")
        table = screen.query_one("#findings", DataTable)
        table.move_cursor(row=screen.shown.index(target))
        await pilot.pause()
        assert "x applies it" in screen.query_one("#finding-detail").render().plain
        await pilot.press("x")
        await pilot.pause()
        unit, _ = app.service.unit_details(target.units[0])
        assert unit.target != target.target
        assert unit.target.replace(" ", "") == target.target.replace(" ", "")
        assert target not in screen.findings
        assert "Fixed unit" in str(screen.query_one("#status").render())
        # advice that needs a human is not applied
        human = next(f for f in screen.shown if f.check == "length-ratio")
        table.move_cursor(row=screen.shown.index(human))
        await pilot.press("x")
        await pilot.pause()
        assert "needs a human" in str(screen.query_one("#status").render())
        unit, _ = app.service.unit_details(human.units[0])
        assert unit.target == human.target


async def test_project_layer_findings_before_commit(seed_app, next_doc_path):
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        doc = app.screen
        doc.query_one("#target", TextArea).text = "Notice，on the action plan"
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = await open_review(app, pilot)
        assert screen.with_project
        mine = [f for f in screen.findings if any(u < 0 for u in f.units)]
        assert any(f.check == "cjk-punctuation" for f in mine)
        total = len(screen.shown)
        await pilot.press("p")  # project only
        assert screen.project_only
        assert 0 < len(screen.shown) < total
        assert all(any(u < 0 for u in f.units) for f in screen.shown)
        table = screen.query_one("#findings", DataTable)
        row = next(
            i for i, f in enumerate(screen.shown) if f.check == "cjk-punctuation"
        )
        assert str(table.get_row_at(row)[1]).startswith("P")
        table.move_cursor(row=row)
        await pilot.press("x")  # the fix goes to the segment, in the project layer
        await settle(pilot)
        state = doc.project.state(0)
        assert state.confirmed == "Notice,on the action plan"
        assert (
            doc.query_one("#segments", DataTable).get_cell("0", "status").plain == "✓"
        )
