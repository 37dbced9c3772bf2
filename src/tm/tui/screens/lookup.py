"""The lookup screen: type or paste a segment, see matches, terms and concordance as you type."""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from tm.errors import TMError
from tm.tui.messages import (
    ConcordanceReady,
    FragmentsReady,
    MatchesReady,
    WorkFailed,
)
from tm.tui.screens.base import TMScreen
from tm.tui.widgets.match_view import ConcordanceTable, MatchDetail, MatchTable
from tm.tui.widgets.term_panel import TermPanel

if TYPE_CHECKING:
    pass

LOOKUP_MIN_SCORE = 60
TYPING_PAUSE = 0.25
COPY_KEYS = [
    Binding(f"ctrl+{n},alt+{n}", f"copy({n})", f"Copy {n}", show=n == 1)
    for n in range(1, 6)
]


class LookupScreen(TMScreen):
    """Query box, matches table with detail, term panel, concordance tab."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_query", "Query"),
        *COPY_KEYS,
        Binding("ctrl+y", "copy_highlighted", "Copy"),
        Binding("f6", "toggle_tab", "Concordance"),
    ]

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="Type or paste Chinese or English (/ to come back here)",
            id="query",
        )
        with Horizontal(id="body"):
            with TabbedContent(id="tabs"):
                with TabPane("Matches", id="tab-matches"), Vertical():
                    yield MatchTable(id="matches")
                    yield MatchDetail(id="detail")
                with TabPane("Concordance", id="tab-concordance"):
                    yield ConcordanceTable(id="concordance")
            with VerticalScroll(id="side"):
                yield Label("Terms", classes="panel-title")
                yield TermPanel(id="terms")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        self.shown_query: str | None = None
        self._pending: dict[str, Timer] = {}
        self.query_one(TermPanel).show([], error=self.tm_app.term_error)
        self.set_status(
            self.tm_app.empty_tm_message() or f"TM: {self.tm_app.tm_units} units"
        )

    # -- typing → look-up --------------------------------------------------------

    @on(Input.Changed, "#query")
    def query_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if not text:
            self.query_one(MatchTable).show([])
            self.query_one(MatchDetail).clear_detail()
            self.query_one(TermPanel).show([], error=self.tm_app.term_error)
            return
        self.run_lookup(text)
        # Concordance and sub-segment hits are slower and secondary: run them once
        # typing pauses, so they never compete with the next keystroke's look-up.
        self.later("concordance", lambda: self.run_concordance(text))

    @on(Input.Submitted, "#query")
    def query_submitted(self) -> None:
        self.open_selected()

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="lookup",
        description="look-up",
    )
    def run_lookup(self, text: str) -> None:
        worker = get_current_worker()
        started = perf_counter()
        try:
            matches = self.tm_app.service.lookup_layers(
                text, min_score=LOOKUP_MIN_SCORE, limit=5
            )
            terms = self.tm_app.find_terms(text)
        except TMError as exc:
            self.post_message(WorkFailed("look-up", str(exc)))
            return
        if not worker.is_cancelled:
            elapsed = (perf_counter() - started) * 1000
            self.post_message(MatchesReady(text, matches, terms, elapsed))

    @work(thread=True, exclusive=True, exit_on_error=False, group="fragments")
    def run_fragments(self, text: str) -> None:
        worker = get_current_worker()
        try:
            fragments = self.tm_app.service.fragments(text)
        except TMError as exc:
            self.post_message(WorkFailed("sub-segment look-up", str(exc)))
            return
        if not worker.is_cancelled:
            self.post_message(FragmentsReady(text, fragments))

    @work(thread=True, exclusive=True, exit_on_error=False, group="concordance")
    def run_concordance(self, text: str) -> None:
        worker = get_current_worker()
        try:
            hits = self.tm_app.service.concordance(text, side=_side(text), limit=30)
        except TMError as exc:
            self.post_message(WorkFailed("concordance", str(exc)))
            return
        if not worker.is_cancelled:
            self.post_message(ConcordanceReady(text, hits))

    def later(self, kind: str, job: Callable[[], object]) -> None:
        """Run ``job`` once typing pauses (TYPING_PAUSE s); a newer job of a kind wins."""
        pending = self._pending.pop(kind, None)
        if pending is not None:
            pending.stop()
        self._pending[kind] = self.set_timer(TYPING_PAUSE, job)

    def _current(self) -> str:
        return self.query_one("#query", Input).value.strip()

    def on_matches_ready(self, message: MatchesReady) -> None:
        if message.query != self._current():
            return
        table = self.query_one(MatchTable)
        table.show(message.matches)
        detail = self.query_one(MatchDetail)
        if message.matches:
            detail.show_match(*message.matches[0])
        else:
            detail.clear_detail("No whole match; looking for sub-segment hits…")
            self.later("fragments", lambda: self.run_fragments(message.query))
        self.query_one(TermPanel).show(message.terms, error=self.tm_app.term_error)
        self.shown_query = message.query
        empty = self.tm_app.empty_tm_message()
        self.set_status(empty or f"{len(message.matches)} match(es)")

    def on_fragments_ready(self, message: FragmentsReady) -> None:
        if message.query == self._current() and not self.query_one(MatchTable).matches:
            self.query_one(MatchDetail).show_fragments(message.fragments)

    def on_concordance_ready(self, message: ConcordanceReady) -> None:
        if message.query == self._current():
            self.query_one(ConcordanceTable).show(message.hits)
            pane = self.query_one("#tabs", TabbedContent).get_tab("tab-concordance")
            pane.label = f"Concordance ({len(message.hits)})"

    def on_work_failed(self, message: WorkFailed) -> None:
        self.set_status(f"{message.what} failed: {message.error}")

    @on(MatchTable.RowHighlighted, "#matches")
    def match_highlighted(self, event: MatchTable.RowHighlighted) -> None:
        chosen = self.query_one(MatchTable).selected()
        if chosen:
            self.query_one(MatchDetail).show_match(*chosen)

    @on(MatchTable.RowSelected, "#matches")
    def match_selected(self) -> None:
        self.open_selected()

    # -- actions -----------------------------------------------------------------

    def action_focus_query(self) -> None:
        self.query_one("#tabs", TabbedContent).active = "tab-matches"
        self.query_one("#query", Input).focus()

    def action_toggle_tab(self) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        tabs.active = (
            "tab-concordance" if tabs.active == "tab-matches" else "tab-matches"
        )

    def action_copy(self, n: int) -> None:
        matches = self.query_one(MatchTable).matches
        if n > len(matches):
            self.set_status(f"No match {n} to copy.")
            return
        target = matches[n - 1][1].target
        self.tm_app.show_clipboard(target, f"match {n}")
        self.set_status(f"Copied match {n}: {target[:70]}")

    def action_copy_highlighted(self) -> None:
        """Copy the match highlighted in the table (Ctrl+Y: works in every terminal)."""
        table = self.query_one(MatchTable)
        self.action_copy(table.cursor_row + 1 if table.selected() else 1)

    def open_selected(self) -> None:
        from tm.tui.screens.unit import UnitScreen

        chosen = self.query_one(MatchTable).selected()
        if chosen is None or chosen[1].id is None:
            self.set_status("No match to open.")
            return
        self.app.push_screen(UnitScreen(chosen[1].id, layer=chosen[0]))


def _side(text: str) -> str:
    from tm.service import has_han

    return "source" if has_han(text) else "target"
