"""Pilot tests of the glossary screen (edits persist to the YAML) and the help screen."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select

from tests.tui.conftest import SIZE, settle
from tm.terms import load_termbase
from tm.tui.app import make_app
from tm.tui.screens.document import DocumentScreen
from tm.tui.screens.glossary import GlossaryScreen, TermEditScreen
from tm.tui.screens.help import HelpScreen
from tm.tui.screens.lookup import LookupScreen
from tm.tui.screens.review import ReviewScreen


async def open_glossary(app, pilot) -> GlossaryScreen:
    await settle(pilot)
    await pilot.press("f5")
    await settle(pilot)
    assert isinstance(app.screen, GlossaryScreen)
    return app.screen


async def fill(app, pilot, **fields: str) -> None:
    for name, value in fields.items():
        app.screen.query_one(f"#f-{name}", Input).value = value
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_search_and_view(seed_app, glossary_copy):
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_glossary(app, pilot)
        total = len(load_termbase(glossary_copy))
        assert len(screen.shown) == total
        await pilot.press("slash", *"长株潭")
        await pilot.pause()
        assert screen.shown
        assert all("长株潭" in e.zh or "长株潭" in e.note for e in screen.shown)
        await pilot.press("enter")  # search box → table
        assert isinstance(app.focused, DataTable)
        detail = str(screen.query_one("#entry-detail").render())
        assert screen.shown[0].en in detail


async def test_add_entry_persists_to_yaml(seed_app, glossary_copy):
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_glossary(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, TermEditScreen)
        await fill(
            app,
            pilot,
            zh="数据要素",
            en="data factor",
            forbidden="data element; data elements",
        )
        assert isinstance(app.screen, GlossaryScreen)
    reread = load_termbase(glossary_copy)
    entry = reread.lookup("数据要素")
    assert entry
    assert entry[-1].en == "data factor"
    assert entry[-1].forbidden == ("data element", "data elements")


async def test_edit_entry_persists_and_keeps_order(seed_app, glossary_copy):
    before = [e.zh for e in load_termbase(glossary_copy)]
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_glossary(app, pilot)
        screen.query_one("#entries", DataTable).focus()
        await pilot.press("down")
        target = screen.selected()
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query_one("#f-zh", Input).value == target.zh
        app.screen.query_one("#f-status", Select).value = "proposed"
        await fill(app, pilot, note="checked in the TUI")
    after = load_termbase(glossary_copy)
    assert [e.zh for e in after] == before
    edited = after.entries[before.index(target.zh)]
    assert edited.note == "checked in the TUI"
    assert edited.status == "proposed"
    assert edited.en == target.en


async def test_missing_glossary_is_a_message(seed_db, tmp_path):
    app = make_app(seed_db, glossary=tmp_path / "nowhere")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_glossary(app, pilot)
        assert "No glossary loaded" in str(screen.query_one("#status").render())
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, GlossaryScreen)


async def test_new_glossary_file_is_created_on_add(seed_db, tmp_path):
    path = tmp_path / "mine.zh-en.yaml"
    app = make_app(seed_db, glossary=path)
    async with app.run_test(size=SIZE) as pilot:
        await open_glossary(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        await fill(app, pilot, zh="标定地价", en="standard land price")
    assert load_termbase(path).lookup("标定地价")[0].en == "standard land price"


async def test_help_and_screen_keys(seed_app):
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        for key, kind in (
            ("f3", DocumentScreen),
            ("f4", ReviewScreen),
            ("f5", GlossaryScreen),
            ("f2", LookupScreen),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, kind)


async def test_every_screen_fits_80x24(seed_app, next_doc_path):
    from tm.tui.widgets.keyline import KeyLine

    main = {
        "f3": ("#segments", "#target", "#matches"),
        "f2": ("#query", "#matches", "#terms"),
        "f4": ("#filters", "#findings", "#finding-scroll"),
        "f5": ("#term-search", "#entries", "#side"),
        "f1": ("#help-box",),
    }
    app = seed_app(document=next_doc_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, ids in main.items():
            await pilot.press(key)
            await settle(pilot)
            for wid in ids:
                region = app.screen.query_one(wid).region
                where = (key, wid, region)
                assert region.height >= 1, where
                assert region.width >= 10, where
                assert region.bottom <= 24, where
                assert region.right <= 80, where
            if key != "f1":  # every key on at most two lines at the bottom
                keys = app.screen.query_one(KeyLine).region
                assert keys.bottom == 24
                assert keys.height <= 2


def test_help_lists_every_key_the_key_lines_show() -> None:
    from textual.binding import Binding

    from tm.tui.app import TMApp
    from tm.tui.screens.help import HELP

    arrows = {"down": "↓", "up": "↑", "slash": "/", "question_mark": "?"}

    def written(key: str) -> str:
        parts = key.split(",")[0].split("+")
        last = arrows.get(parts[-1], parts[-1])
        last = last.upper() if len(last) > 1 or parts[:-1] else last
        return "".join(f"{p.capitalize()}+" for p in parts[:-1]) + last

    for owner in (TMApp, LookupScreen, DocumentScreen, ReviewScreen, GlossaryScreen):
        for b in owner.BINDINGS:
            if isinstance(b, Binding) and b.show:
                assert written(b.key) in HELP, (owner.__name__, b.key, written(b.key))
