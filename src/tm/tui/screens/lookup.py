"""The lookup screen: type or paste a segment, see matches, terms and concordance as you type.

Look-ups run one at a time, the newest text next (``tm.tui.workers.LatestThread``), so a
burst of keys or a long paste never queues look-ups behind each other; concordance
and sub-segment hits wait until typing pauses. A paste arrives whole (bracketed
paste), lines joined, and is looked up once.
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Input, Label, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from tm.errors import TMError
from tm.tui.messages import (
    ConcordanceReady,
    FragmentsReady,
    MatchesReady,
    WorkFailed,
)
from tm.tui.screens.base import TMScreen
from tm.tui.widgets.keyline import KeyLine
from tm.tui.widgets.match_view import ConcordanceTable, MatchDetail, MatchTable
from tm.tui.widgets.term_panel import TermPanel
from tm.tui.workers import LatestThread

LOOKUP_MIN_SCORE = 60
TYPING_PAUSE = 0.25
COPY_KEYS = [
    Binding(f"ctrl+{n},alt+{n}", f"copy({n})", f"Copy {n}", show=False)
    for n in range(1, 6)
]


def joined(text: str) -> str:
    """Pasted lines as one query: Chinese lines join directly, others with a space."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    out = ""
    for line in lines:
        if out and (out[-1].isascii() or line[0].isascii()):
            out += " "
        out += line
    return out


class QueryInput(Input):
    """The query box: a paste arrives whole, its lines joined (Input keeps only the
    first line of a paste)."""

    def _on_paste(self, event: events.Paste) -> None:
        text = joined(event.text)
        if text:
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *selection)
        event.prevent_default()  # Input's own handler would insert the first line again
        event.stop()


class LookupScreen(TMScreen):
    """Query box, matches table with detail, term panel, concordance tab."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_query", "Query"),
        Binding("ctrl+y", "copy_highlighted", "Copy match"),
        *COPY_KEYS,
        Binding("f6", "toggle_tab", "Concordance"),
    ]

    def compose(self) -> ComposeResult:
        yield QueryInput(
            placeholder="Type or paste Chinese or English (/ to come back here)",
            id="query",
        )
        with Horizontal(id="body"):
            with TabbedContent(id="tabs"):
                with TabPane("Matches", id="tab-matches"), Vertical():
                    yield MatchTable(id="matches")
                    with VerticalScroll(id="detail-scroll"):
                        yield MatchDetail(id="detail")
                with TabPane("Concordance", id="tab-concordance"):
                    yield ConcordanceTable(id="concordance")
            with Vertical(id="side"):
                yield Label("Terms (↵ copies)", classes="panel-title")
                yield TermPanel(id="terms")
        yield Static(id="status")
        yield KeyLine(id="keys")

    def on_mount(self) -> None:
        box = self.query_one("#query", Input)
        box.focus()
        self.shown_query: str | None = None
        self._pending: dict[str, Timer] = {}
        self._lookups: LatestThread[str] = LatestThread(
            self.run_lookup, "tm-lookup", on_error=self.job_failed
        )
        # Called as the box's value changes, inside its key handling: the look-up
        # starts without waiting for a Changed message to go round the event loop.
        self.watch(box, "value", self.query_changed, init=False)
        self.query_one(TermPanel).show([], error=self.tm_app.term_error)
        self.set_status(
            self.tm_app.empty_tm_message() or f"TM: {self.tm_app.tm_units:,} units"
        )

    def set_query(self, text: str) -> None:
        """Look ``text`` up as if typed (F2 from document mode)."""
        box = self.query_one("#query", Input)
        box.value = text
        box.cursor_position = len(text)
        box.focus()

    # -- typing → look-up --------------------------------------------------------

    def on_unmount(self) -> None:
        self._lookups.stop()

    def job_failed(self, exc: BaseException) -> None:
        self.post_message(WorkFailed("look-up", repr(exc)))

    def query_changed(self, value: str) -> None:
        text = value.strip()
        if not text:
            self.query_one(MatchTable).show([])
            self.query_one(MatchDetail).clear_detail()
            self.query_one(TermPanel).show([], error=self.tm_app.term_error)
            return
        self._lookups.request(text)
        # Concordance and sub-segment hits are slower and secondary: run them once
        # typing pauses, so they never compete with the next keystroke's look-up.
        self.later("concordance", lambda: self.run_concordance(text))

    @on(Input.Submitted, "#query")
    def query_submitted(self) -> None:
        self.open_selected()

    def run_lookup(self, text: str) -> None:
        """Look ``text`` up (on the look-up thread) and post the result."""
        started = perf_counter()
        try:
            matches = self.tm_app.service.lookup_layers(
                text, min_score=LOOKUP_MIN_SCORE, limit=5
            )
            terms = self.tm_app.find_terms(text)
        except TMError as exc:
            self.post_message(WorkFailed("look-up", str(exc)))
            return
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
        service = self.tm_app.service
        try:
            hits = service.concordance(text, side=_side(text), limit=30)
            renderings = service.concordance_renderings(text, hits)
        except TMError as exc:
            self.post_message(WorkFailed("concordance", str(exc)))
            return
        if not worker.is_cancelled:
            self.post_message(ConcordanceReady(text, hits, renderings))

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
            detail.show_match(*message.matches[0], query=message.query)
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
            self.query_one(ConcordanceTable).show(message.hits, message.renderings)
            pane = self.query_one("#tabs", TabbedContent).get_tab("tab-concordance")
            pane.label = f"Concordance ({len(message.hits)})"

    def on_work_failed(self, message: WorkFailed) -> None:
        self.set_status(f"{message.what} failed: {message.error}")

    @on(MatchTable.RowHighlighted, "#matches")
    def match_highlighted(self, event: MatchTable.RowHighlighted) -> None:
        chosen = self.query_one(MatchTable).selected()
        if chosen:
            self.query_one(MatchDetail).show_match(*chosen, query=self._current())

    @on(MatchTable.RowSelected, "#matches")
    def match_selected(self) -> None:
        self.open_selected()

    @on(TermPanel.OptionSelected, "#terms")
    def term_selected(self) -> None:
        entry = self.query_one(TermPanel).selected_entry()
        if entry is not None and entry.en:
            self.tm_app.show_clipboard(entry.en, f"{entry.zh}'s rendering")

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
