"""Pilot tests of the lookup screen on the seed TM and the shipped glossary."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, TabbedContent

from tests.tui.conftest import SIZE, settle
from tm.service import TMService
from tm.tui.screens.lookup import LookupScreen
from tm.tui.screens.unit import UnitScreen
from tm.tui.widgets.match_view import ConcordanceTable, MatchDetail, MatchTable
from tm.tui.widgets.term_panel import TermPanel

PHRASE = "按照国家统一部署"


def seed_unit(db: Path, contains: str) -> tuple[str, str, int]:
    with TMService.open(db) as service:
        for unit in service.store.iter_units(segtype="paragraph"):
            if contains in unit.source:
                return unit.source, unit.target, unit.id  # type: ignore[return-value]
    raise AssertionError(f"no seed unit contains {contains}")


def seed_targets(db: Path, contains: str) -> list[str]:
    """Targets of every seed unit (paragraph or sentence) whose source has ``contains``."""
    with TMService.open(db) as service:
        return [u.target for u in service.store.iter_units() if contains in u.source]


async def query(pilot, text: str) -> None:
    """Put ``text`` in the query box (as a paste would) and wait for the results."""
    await settle(pilot)
    pilot.app.screen.query_one("#query", Input).value = text
    await settle(pilot)


def rendered(widget: object) -> str:
    return str(widget.render())  # type: ignore[attr-defined]


async def test_typing_shows_sub_segment_hits_and_concordance(seed_app, seed_db):
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        await pilot.press(*PHRASE)
        await settle(pilot)
        assert app.screen.query_one("#query", Input).value == PHRASE
        # No seed paragraph is that short, so no whole match: sub-segment hits instead.
        assert app.screen.query_one(MatchTable).matches == []
        detail = rendered(app.screen.query_one(MatchDetail))
        assert "Sub-segment hits" in detail
        shown = " ".join(detail.split())
        targets = seed_targets(seed_db, PHRASE)
        assert any(" ".join(t.split()[:6]) in shown for t in targets)
        conc = app.screen.query_one(ConcordanceTable)
        assert conc.hits
        assert all(PHRASE in h.unit.source for h in conc.hits)


async def test_whole_paragraph_is_an_exact_match_with_terms(seed_app, seed_db):
    source, target, _ = seed_unit(seed_db, "长株潭")
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await query(pilot, source)
        matches = app.screen.query_one(MatchTable).matches
        assert matches[0][1].score >= 100
        assert matches[0][1].source == source
        # Identical offers (the paragraph and its one-sentence unit) are shown once.
        assert matches[0][1].target == target
        best = matches[0][1].target
        assert best[:40] in " ".join(
            rendered(app.screen.query_one(MatchDetail)).split("\n")
        )
        terms = app.screen.query_one(TermPanel).plain_text()
        assert "长株潭 → Changsha-Zhuzhou-Xiangtan" in terms


async def test_forbidden_rendering_is_shown_as_forbidden(seed_app):
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await query(pilot, "推进标定地价体系建设")
        terms = app.screen.query_one(TermPanel).plain_text()
        entry = app.terms.lookup("标定地价")[0]
        assert entry.forbidden, "the shipped glossary marks a forbidden rendering"
        assert f"✗ forbidden: {entry.forbidden[0]}" in terms


async def test_ctrl_number_copies_match_target(seed_app, seed_db):
    source, target, _ = seed_unit(seed_db, "长株潭")
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await query(pilot, source)
        await pilot.press("ctrl+1")
        await pilot.pause()
        best = app.screen.query_one(MatchTable).matches[0][1].target
        assert app.clipboard == best == target
        assert "Copied match 1" in rendered(app.screen.query_one("#status"))
        await pilot.press("ctrl+5")  # fewer than five matches: a message, no crash
        await pilot.pause()
        assert app.clipboard == best
        table = app.screen.query_one(MatchTable)
        table.move_cursor(row=len(table.matches) - 1)
        await pilot.press("ctrl+y")  # the highlighted match
        await pilot.pause()
        assert app.clipboard == table.matches[-1][1].target


async def test_enter_opens_unit_with_occurrences(seed_app, seed_db):
    source, _, _ = seed_unit(seed_db, "长株潭")
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await query(pilot, source)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, UnitScreen)
        body = rendered(app.screen.query_one("#unit-body"))
        shown = app.screen.unit_id
        assert f"Unit {shown}" in body
        assert source[:30] in body
        assert "factor-reform-2025.zh-en.txt #" in body
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)


async def test_slash_focuses_query_and_f6_toggles_concordance(seed_app):
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        tabs = app.screen.query_one("#tabs", TabbedContent)
        assert tabs.active == "tab-concordance"
        await pilot.press("tab")
        assert not isinstance(app.focused, Input)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        assert tabs.active == "tab-matches"


async def test_empty_tm_and_missing_glossary_show_messages(tmp_path):
    from tm.tui.app import make_app

    app = make_app(tmp_path / "empty.db", glossary=tmp_path / "nowhere")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"统一部署")
        await settle(pilot)
        assert "The TM is empty" in rendered(app.screen.query_one("#status"))
        assert "No glossary loaded" in app.screen.query_one(TermPanel).plain_text()


async def test_a_long_paste_arrives_whole_and_is_looked_up_once(seed_app, seed_db):
    """Bracketed paste: 4,000 characters over several lines are one query, one look-up
    (typed key by key they used to start a look-up each)."""
    from textual import events

    source, _, _ = seed_unit(seed_db, "长株潭")
    lines = [source] * (4000 // len(source) + 1)
    pasted = "\n".join(lines)
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        calls: list[str] = []
        real = app.service.lookup_layers

        def counted(text: str, **kw):  # a spy on the real service
            calls.append(text)
            return real(text, **kw)

        app.service.lookup_layers = counted  # type: ignore[method-assign]
        box = app.screen.query_one("#query", Input)
        box.post_message(events.Paste(pasted))
        await settle(pilot)
        assert box.value == "".join(lines)  # Chinese lines join without a space
        assert len(box.value) >= 4000
        assert len(calls) == 1
        assert app.screen.shown_query == box.value
        # A burst of typed keys: never more than one look-up at a time, the last
        # text looked up last.
        calls.clear()
        await pilot.press(*"按照国家统一部署")
        await settle(pilot)
        assert calls[-1] == box.value.strip()
        assert len(calls) <= len("按照国家统一部署")


async def test_concordance_highlights_the_rendering(seed_app):
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await query(pilot, "要素市场化配置")
        table = app.screen.query_one(ConcordanceTable)
        assert table.hits
        entry = app.terms.lookup("要素市场化配置")[0]
        marked = 0
        for hit, spans in zip(table.hits, table.renderings, strict=True):
            for a, b in spans:
                shown = hit.unit.target[a:b].lower()
                assert any(
                    r.lower() in shown or shown in r.lower()
                    for r, _ in entry.renderings()
                ), shown
                marked += 1
        assert marked
        marked_row = next(i for i, s in enumerate(table.renderings) if s)
        row = table.get_row_at(marked_row)
        assert any("yellow" in str(s.style) for s in row[1].spans)
