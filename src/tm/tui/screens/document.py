"""Document mode: translate a document segment by segment against the TM.

The segment list shows each segment's status (empty, ✎ draft, ✓ translated,
⇣ propagated, ✔ reviewed), its best band and, when there is room, its target; the
progress line counts segments and characters done. Moving shows the segment's
matches (TM source and English, differences coloured on both sides), its sub-segment
hits when no whole match exists, and its terms. The editor has the focus when a
document opens; what is typed is saved as a draft as it is typed and when the
segment is left. Confirming puts the translation into the document's project TM
layer (replacing the segment's earlier one) and fills later repetitions; committing
copies the project into the master. All of it is done by ``ProjectService``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label, Static, TextArea
from textual.worker import get_current_worker

from tm.errors import TMError
from tm.models import SegmentState, SegmentStatus
from tm.tui.messages import BandsReady, FragmentsReady, SegmentMatches, WorkFailed
from tm.tui.screens.base import TMScreen
from tm.tui.screens.dialogs import ConfirmDialog, GoToDialog
from tm.tui.widgets.bands import BANDS, band
from tm.tui.widgets.keyline import KeyLine
from tm.tui.widgets.match_view import (
    MatchDetail,
    MatchTable,
    fit,
    one_line,
    query_diff_text,
)
from tm.tui.widgets.progress import STATUS_LOOK, ProgressLine, status_cell
from tm.tui.widgets.term_panel import TermPanel
from tm.tui.workers import LatestThread

if TYPE_CHECKING:
    from tm.models import Match
    from tm.service import ProjectService

DOC_MIN_SCORE = 50
BAND_BATCH = 25
AUTOSAVE_DELAY = 0.3  # seconds after the last edit; leaving the segment saves at once
WIDE = 120  # columns from which the segment list shows targets too


class DocumentScreen(TMScreen):
    """Segment list, matches and terms of the current segment, and the target editor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s,ctrl+enter", "confirm", "Confirm", priority=True),
        Binding("ctrl+r", "insert_highlighted", "Use", priority=True),
        *[
            Binding(
                f"ctrl+{n},alt+{n}",
                f"insert({n})",
                f"Insert match {n}",
                show=False,
                priority=True,
            )
            for n in range(1, 6)
        ],
        Binding("ctrl+down", "move(1)", "Next", priority=True),
        Binding("ctrl+up", "move(-1)", "Prev", show=False, priority=True),
        Binding("ctrl+u", "next_unfinished", "To do", priority=True),
        Binding("ctrl+g", "go_to", "Go to", priority=True),
        Binding("ctrl+f", "find", "Find", priority=True),
        Binding("ctrl+t", "insert_term", "Term", priority=True),
        Binding("f8", "review", "Sign off", priority=True),
        Binding("ctrl+e", "export", "Export", priority=True),
        Binding("ctrl+k", "commit", "Commit", priority=True),
        Binding("escape", "close_find", "Close find", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Static(id="doc-title")
        yield ProgressLine(id="progress")
        yield Input(
            placeholder="Find in source or target (Enter: next, Esc: close)", id="find"
        )
        yield DataTable(id="segments")
        with Horizontal(id="doc-body"):
            with Vertical(id="match-col"):
                yield MatchTable(id="matches")
                with VerticalScroll(id="detail-scroll"):
                    yield MatchDetail(id="detail")
            with Vertical(id="side"):
                yield Label("Terms (^T inserts)", classes="panel-title")
                yield TermPanel(id="terms")
        with VerticalScroll(id="seg-source-box"):  # a scrollbar shows what is cut
            yield Static(id="seg-source")
        yield Label("Target", id="editor-label")
        yield TextArea(id="target", soft_wrap=True)
        yield Static(id="status")
        yield KeyLine(id="keys")

    def on_mount(self) -> None:
        self.tm_app.document_screen = self
        self.segments: list[str] = []
        self.states: list[SegmentState] = []
        self.scores: dict[int, float | None] = {}
        self.current = -1
        self.project: ProjectService | None = None
        self.matches: dict[int, list[tuple[str, Match]]] = {}
        self.inserted: tuple[int, str, float] | None = None  # (segment, text, score)
        self.warned: int | None = None
        self.hits: list[int] = []
        self._save_timer: Timer | None = None
        self._lookups: LatestThread[int] = LatestThread(
            self.run_lookup, "tm-segment-lookup", on_error=self.job_failed
        )
        self._fragments: LatestThread[int] = LatestThread(
            self.run_fragments, "tm-fragments", on_error=self.job_failed
        )
        self._widths = (0, 0)
        self._banded = False
        # Tab: segments → matches → match detail (scrolls what is cut) → terms → target
        self.query_one("#seg-source-box").can_focus = False
        table = self.query_one("#segments", DataTable)
        table.cursor_type = "row"
        table.zebra_stripes = True
        doc = self.tm_app.document
        if doc is None:
            self.query_one("#doc-title", Static).update(
                "No document open. Start with `tm tui --db DB FILE` to translate FILE."
            )
            return
        try:
            self.open_document(doc)
        except TMError as exc:
            self.set_status(f"Cannot open {doc}: {exc}")

    def open_document(self, doc: Path) -> None:
        self.project = self.tm_app.open_project(doc)
        self.segments = self.project.segments
        self.states = self.project.states()
        self.fill_rows()
        self.update_title()
        self.update_progress()
        self.set_status(self.tm_app.empty_tm_message() or "Computing bands…")
        if self.segments:
            self.show_segment(0)
        # OmegaT's editor is always live: typing goes to the target at once.
        self.query_one("#target", TextArea).focus()
        self.run_bands()

    # -- the segment list ----------------------------------------------------------

    def column_widths(self) -> tuple[int, int]:
        """Widths of the source and target columns (0: no target column) for the
        list's width: # 4, status 2, band 5, each column padded by 2, a scrollbar."""
        width = self.query_one("#segments", DataTable).size.width or self.app.size.width
        if width < WIDE:
            return max(width - 11 - 2 * 4 - 3, 16), 0
        free = max(width - 11 - 2 * 5 - 3, 20)
        return free // 2, free - free // 2

    def fill_rows(self) -> None:
        table = self.query_one("#segments", DataTable)
        src_w, tgt_w = self._widths = self.column_widths()
        row = table.cursor_row
        table.clear(columns=True)
        table.add_column("#", key="n", width=4)
        table.add_column("St", key="status", width=2)
        table.add_column("Band", key="band", width=5)
        table.add_column("Source", key="source", width=src_w)
        if tgt_w:
            table.add_column("Target", key="target", width=tgt_w)
        for i, seg in enumerate(self.segments):
            score = self.scores.get(i, -1.0)
            label, style = ("…", "dim") if score == -1.0 else band(score)
            cells = [
                str(i + 1),
                status_cell(self.states[i].status),
                Text(label, style=style),
                fit(Text(one_line(seg, 400)), src_w),
            ]
            if tgt_w:
                cells.append(self.target_cell(i))
            table.add_row(*cells, key=str(i))
        if self.segments:
            table.move_cursor(row=max(row, 0), animate=False)

    def target_cell(self, i: int) -> Text:
        width = self._widths[1]
        if not width:
            return Text("")
        state = self.states[i]
        return fit(
            Text(
                one_line(state.target, 400),
                style=STATUS_LOOK[state.status][1].replace("bold ", ""),
            ),
            width,
        )

    def on_resize(self) -> None:
        if self.segments and self.column_widths() != self._widths:
            self.fill_rows()
            self.update_title()

    def refresh_row(self, i: int) -> None:
        """Show segment ``i``'s status and target as the project has them now."""
        if self.project is None:
            return
        self.states[i] = self.project.state(i)
        table = self.query_one("#segments", DataTable)
        table.update_cell(str(i), "status", status_cell(self.states[i].status))
        if self._widths[1]:
            table.update_cell(str(i), "target", self.target_cell(i))

    def reload_states(self) -> None:
        """Show the project's states again (QA review changed a project unit)."""
        if self.project is None:
            return
        self.states = self.project.states()
        self.fill_rows()
        self.update_progress()
        if 0 <= self.current < len(self.segments):
            editor = self.query_one("#target", TextArea)
            editor.text = self.states[self.current].target
            self.update_editor_label()

    def update_title(self) -> None:
        doc = self.tm_app.document
        name = doc.name if doc else "-"
        count = self.tm_app.count_terms()
        terms = f"{count} terms" if count is not None else "no glossary"
        title = f"{name} · TM {self.tm_app.tm_units:,} units · {terms}"
        if self.app.size.width >= WIDE:
            title += f" · project {self.project_name()}"
        self.query_one("#doc-title", Static).update(
            fit(Text(title), self.app.size.width - 2)
        )

    def update_progress(self) -> None:
        if self.project is not None:
            self.query_one(ProgressLine).show(self.project.progress())

    def project_name(self) -> str:
        if self.tm_app.document is None:
            return "-"
        return self.tm_app.service.project_path(self.tm_app.document).name

    def on_screen_resume(self) -> None:
        # a glossary edit on F5 changes the term count and the current segment's terms
        if self.project is not None:
            self.update_title()
            if self.current >= 0:
                self._lookups.request(self.current)

    def on_unmount(self) -> None:
        self._lookups.stop()
        self._fragments.stop()
        if self.tm_app.document_screen is self:
            self.tm_app.document_screen = None

    def job_failed(self, exc: BaseException) -> None:
        self.post_message(WorkFailed("look-up", repr(exc)))

    # -- workers -----------------------------------------------------------------

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="bands",
        description="bands",
    )
    def run_bands(self) -> None:
        worker = get_current_worker()
        batch: dict[int, float | None] = {}
        if self.project is None:
            return
        try:
            for i, score in self.project.best_scores(min_score=DOC_MIN_SCORE):
                if worker.is_cancelled:
                    return
                batch[i] = score
                if len(batch) >= BAND_BATCH:
                    self.post_message(BandsReady(batch))
                    batch = {}
        except TMError as exc:
            self.post_message(WorkFailed("bands", str(exc)))
            return
        self.post_message(BandsReady(batch))

    @work(thread=True, exit_on_error=False, group="rebands", description="bands")
    def rerun_bands(self, indexes: list[int]) -> None:
        """Bands of a few segments again (a confirmation made them matches)."""
        if self.project is None:
            return
        try:
            scores = dict(
                self.project.best_scores(min_score=DOC_MIN_SCORE, indexes=indexes)
            )
        except TMError as exc:
            self.post_message(WorkFailed("bands", str(exc)))
            return
        self.post_message(BandsReady(scores))

    @work(
        thread=True, exit_on_error=False, group="lookup", description="segment look-up"
    )
    def run_lookup(self, index: int) -> None:
        if self.project is None:
            return
        try:
            matches = self.project.segment_matches(
                index, min_score=DOC_MIN_SCORE, limit=5
            )
            terms = self.tm_app.find_terms(self.segments[index])
        except TMError as exc:
            self.post_message(SegmentMatches(index, [], error=str(exc)))
            return
        self.post_message(SegmentMatches(index, matches, terms))

    def run_fragments(self, index: int) -> None:
        """Sub-segment hits of segment ``index`` (on their own thread), posted."""
        text = self.segments[index]
        try:
            fragments = self.tm_app.service.fragments(text)
        except TMError as exc:
            self.post_message(WorkFailed("sub-segment look-up", str(exc)))
            fragments = []
        self.post_message(FragmentsReady(text, fragments))

    def on_bands_ready(self, message: BandsReady) -> None:
        table = self.query_one("#segments", DataTable)
        for i, score in message.scores.items():
            self.scores[i] = score
            label, style = band(score)
            table.update_cell(str(i), "band", Text(label, style=style))
        if len(self.scores) == len(self.segments) and not self._banded:
            self._banded = True  # later re-bands leave the status line to the user
            self.set_status(self.tm_app.empty_tm_message() or self.band_summary())

    def band_summary(self) -> str:
        """Segments per band, counted as ``tm analyze`` counts them (repetitions apart)."""
        if self.project is None:
            return ""
        counts = self.project.band_counts(self.scores)
        return "Bands: " + "  ".join(f"{b} {counts[b]}" for b in BANDS if counts.get(b))

    def on_segment_matches(self, message: SegmentMatches) -> None:
        if message.error:
            self.set_status(f"look-up failed: {message.error}")
        self.matches[message.index] = message.matches
        if message.index != self.current:
            return
        table = self.query_one(MatchTable)
        table.show(message.matches)
        detail = self.query_one(MatchDetail)
        if message.matches:
            self.show_match(*message.matches[0])
        else:
            self.show_source()
            detail.clear_detail("No whole match; looking for sub-segment hits…")
            self._fragments.request(message.index)
        self.query_one(TermPanel).show(message.terms, error=self.tm_app.term_error)

    def on_fragments_ready(self, message: FragmentsReady) -> None:
        if (
            0 <= self.current < len(self.segments)
            and message.query == self.segments[self.current]
            and not self.query_one(MatchTable).matches
        ):
            self.query_one(MatchDetail).show_fragments(
                message.fragments,
                header="No whole match in the TM. Sub-segment hits:"
                if message.fragments
                else "No whole match and no sub-segment hit: translate from scratch.",
            )

    def on_work_failed(self, message: WorkFailed) -> None:
        self.set_status(f"{message.what} failed: {message.error}")

    # -- keys: run after the keys typed before them ------------------------------
    #
    # The document keys are priority bindings: the app runs them as the key arrives,
    # while letters typed just before may still wait in the editor's queue. Queued
    # behind those letters (call_later on the editor), Ctrl+S confirms what was
    # typed and Ctrl+↓ never carries the last letters into the next segment.

    def after_typing(self, job: Callable[..., object], *args: object) -> None:
        self.query_one("#target", TextArea).call_later(job, *args)

    def action_move(self, step: int) -> None:
        self.after_typing(self.do_move, step)

    def action_next_unfinished(self) -> None:
        self.after_typing(self.do_next_unfinished)

    def action_insert(self, n: int) -> None:
        self.after_typing(self.do_insert, n)

    def action_insert_highlighted(self) -> None:
        self.after_typing(self.do_insert_highlighted)

    def action_insert_term(self) -> None:
        self.after_typing(self.do_insert_term)

    def action_confirm(self) -> None:
        self.after_typing(self.do_confirm)

    def action_review(self) -> None:
        self.after_typing(self.do_review)

    def action_export(self) -> None:
        self.after_typing(self.do_export)

    def action_commit(self) -> None:
        self.after_typing(self.do_commit)

    # -- moving ------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#segments")
    def segment_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.show_segment(int(event.row_key.value))

    @on(DataTable.RowSelected, "#segments")
    def segment_selected(self) -> None:
        self.query_one("#target", TextArea).focus()

    @on(MatchTable.RowHighlighted, "#matches")
    def match_highlighted(self) -> None:
        chosen = self.query_one(MatchTable).selected()
        if chosen:
            self.show_match(*chosen)

    @on(TermPanel.OptionSelected, "#terms")
    def term_selected(self) -> None:
        entry = self.query_one(TermPanel).selected_entry()
        if entry is not None and entry.en:
            self.insert_text(entry.en)

    def show_match(self, layer: str, match: Match) -> None:
        query = self.segments[self.current]
        self.query_one(MatchDetail).show_match(layer, match, query=query)
        self.show_source(match)

    def show_source(self, match: Match | None = None) -> None:
        """The segment's source, its differences from ``match`` coloured."""
        source = self.segments[self.current]
        text = query_diff_text(source, match) if match else Text(source)
        self.query_one("#seg-source", Static).update(text)

    def show_segment(self, index: int) -> None:
        if index == self.current or not (0 <= index < len(self.segments)):
            return
        self.flush_draft()
        self.current = index
        editor = self.query_one("#target", TextArea)
        editor.text = self.states[index].target
        editor.move_cursor(editor.document.end)
        self.update_editor_label()
        self.query_one(MatchTable).show([])
        self.query_one(MatchDetail).clear_detail("Looking up…")
        self.show_source()
        self._lookups.request(index)

    def update_editor_label(self) -> None:
        i = self.current
        if self.project is None or i < 0:
            return
        state = self.states[i]
        symbol, style, name = STATUS_LOOK[state.status]
        label = Text(f"Segment {i + 1}/{len(self.segments)} ", style="bold")
        label.append(f"{symbol} {name}", style=style)
        first = self.project.first_of(i)
        if first != i:
            label.append(f" · repeats {first + 1}", style="cyan")
        label.append("  ·  ^S confirm · ^R use match · ^T term", style="dim")
        self.query_one("#editor-label", Label).update(label)

    def do_move(self, step: int) -> None:
        if self.segments:
            self.go_to(min(max(self.current + step, 0), len(self.segments) - 1))

    def go_to(self, index: int) -> None:
        table = self.query_one("#segments", DataTable)
        table.move_cursor(row=index)
        self.show_segment(index)

    def do_next_unfinished(self) -> None:
        if self.project is None:
            return
        self.flush_draft()
        found = self.project.next_unfinished(self.current)
        if found is None:
            self.set_status("Every segment is translated.")
            return
        self.go_to(found)
        self.query_one("#target", TextArea).focus()

    def action_go_to(self) -> None:
        if not self.segments:
            return

        def chosen(number: int | None) -> None:
            if number is not None:
                self.go_to(min(max(number, 1), len(self.segments)) - 1)
                self.query_one("#target", TextArea).focus()

        self.app.push_screen(GoToDialog(len(self.segments)), chosen)

    # -- finding ---------------------------------------------------------------------

    def action_find(self) -> None:
        box = self.query_one("#find", Input)
        box.display = True
        box.focus()

    def action_close_find(self) -> None:
        box = self.query_one("#find", Input)
        if box.display:
            box.display = False
            self.query_one("#target", TextArea).focus()

    @on(Input.Changed, "#find")
    def find_changed(self, event: Input.Changed) -> None:
        self.find_next(event.value, after=self.current - 1)

    @on(Input.Submitted, "#find")
    def find_submitted(self, event: Input.Submitted) -> None:
        self.find_next(event.value, after=self.current)

    def find_next(self, text: str, *, after: int) -> None:
        if self.project is None or not text.strip():
            return
        self.hits = self.project.find(text, after=after)
        if not self.hits:
            self.set_status(f"No segment contains {text!r}.")
            return
        self.go_to(self.hits[0])
        self.query_one("#find", Input).focus()
        self.set_status(
            f"{len(self.hits)} segment(s) contain {text!r}; at {self.hits[0] + 1}."
            " Enter: next · Esc: back to the target"
        )

    # -- editing -----------------------------------------------------------------

    @on(TextArea.Changed, "#target")
    def target_changed(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(AUTOSAVE_DELAY, self.flush_draft)

    def flush_draft(self) -> None:
        """Save what the editor holds as the current segment's draft (if it changed)."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        i = self.current
        if self.project is None or not (0 <= i < len(self.segments)):
            return
        text = self.query_one("#target", TextArea).text
        if text == self.states[i].target:
            return
        try:
            self.project.save_draft(i, text)
        except TMError as exc:
            self.set_status(f"Draft not saved: {exc}")
            return
        before = self.states[i].status
        self.refresh_row(i)
        if self.states[i].status != before:
            self.update_progress()
            self.update_editor_label()

    def insert_text(self, text: str) -> None:
        editor = self.query_one("#target", TextArea)
        editor.insert(text)
        editor.focus()

    def do_insert(self, n: int) -> None:
        matches = self.query_one(MatchTable).matches
        if n > len(matches):
            self.set_status(f"No match {n} to insert.")
            return
        match = matches[n - 1][1]
        editor = self.query_one("#target", TextArea)
        offered = match.offered_target  # the repaired English when there is one
        editor.text = offered
        editor.move_cursor(editor.document.end)
        editor.focus()
        self.inserted = (self.current, offered, match.score)
        how = ", repaired" if match.repaired_target is not None else ""
        if match.flags:
            how += f"; check it: {match.flags[0].message}"
        self.set_status(f"Inserted match {n} ({match.score:g}%{how}).")

    def do_insert_highlighted(self) -> None:
        """Insert the match highlighted in the table (Ctrl+R: works in every terminal)."""
        table = self.query_one(MatchTable)
        self.do_insert(table.cursor_row + 1 if table.selected() else 1)

    def do_insert_term(self) -> None:
        """Insert the rendering of the first term whose rendering the target lacks."""
        panel = self.query_one(TermPanel)
        editor = self.query_one("#target", TextArea)
        target = editor.text.casefold()
        for entry in panel.entries:
            if entry.en and entry.en.casefold() not in target:
                self.insert_text(entry.en)
                self.set_status(f"Inserted {entry.zh} → {entry.en}.")
                return
        if panel.entries:
            self.set_status("Every term's rendering is in the target already.")
        else:
            self.set_status("No glossary term in this segment.")

    def do_confirm(self) -> None:
        if self.project is None or not (0 <= self.current < len(self.segments)):
            self.set_status("No document open.")
            return
        text = self.query_one("#target", TextArea).text.strip()
        if not text:
            self.set_status("Type a target first (or insert a match with Ctrl+R).")
            return
        i = self.current
        if self.unedited_fuzzy(i, text) and self.warned != i:
            self.warned = i
            assert self.inserted is not None
            self.set_status(
                f"The {self.inserted[2]:g}% match is unedited: check it, or press"
                " Ctrl+S again to confirm it as it is."
            )
            return
        try:
            done = self.project.confirm(i, text)
        except (TMError, ValueError) as exc:
            self.set_status(f"Not saved: {exc}")
            return
        self.warned = None
        for j in (i, *done.propagated):
            self.refresh_row(j)
        self.update_progress()
        self.rerun_bands(self.project.repetitions(i))
        what = (
            "re-confirmed (replacing the earlier one)" if done.replaced else "confirmed"
        )
        note = f"Segment {i + 1} {what} into the project TM."
        if done.propagated:
            shown = ", ".join(str(j + 1) for j in done.propagated[:6])
            note += f" Repetitions filled: {shown}{' …' if len(done.propagated) > 6 else ''}."
        self.set_status(note)
        self.do_move(1)

    def unedited_fuzzy(self, index: int, text: str) -> bool:
        """Whether ``text`` is a fuzzy match inserted into segment ``index`` unedited."""
        return (
            self.inserted is not None
            and self.inserted[0] == index
            and self.inserted[1].strip() == text
            and self.inserted[2] < 100
        )

    def do_review(self) -> None:
        if self.project is None or self.current < 0:
            return
        i = self.current
        state = self.states[i]
        try:
            self.project.mark_reviewed(
                i, reviewed=state.status != SegmentStatus.REVIEWED
            )
        except ValueError as exc:
            self.set_status(str(exc))
            return
        self.refresh_row(i)
        self.update_progress()
        self.update_editor_label()
        self.set_status(f"Segment {i + 1}: {self.states[i].status}.")

    def do_export(self) -> None:
        if self.project is None:
            self.set_status("No document open.")
            return
        self.flush_draft()
        tmx, xlf = self.project.export_paths()
        try:
            units, segs = self.project.export()
        except TMError as exc:
            self.set_status(f"Export failed: {exc}")
            return
        self.set_status(
            f"Exported {units} unit(s) to {tmx.name}, {segs} segment(s) to {xlf.name}"
        )

    def do_commit(self) -> None:
        if self.project is None:
            self.set_status("No document open.")
            return
        self.flush_draft()
        done = self.project.progress().done.segments

        def answer(yes: bool | None) -> None:
            if yes and self.project is not None:
                try:
                    report = self.project.commit()
                except TMError as exc:
                    self.set_status(f"Not committed: {exc}")
                    return
                self.tm_app.recount_units()
                self.update_title()
                self.set_status(
                    f"Committed {report.segments} segment(s) to the master TM:"
                    f" {report.added} new unit(s), {report.replaced} earlier"
                    f" commit(s) replaced, {report.unchanged} unchanged."
                )

        self.app.push_screen(
            ConfirmDialog(
                f"Copy the {done} confirmed segment(s) into the master TM?"
                " Segments committed before and corrected since replace their"
                " earlier translation there."
            ),
            answer,
        )

    def current_source(self) -> str | None:
        """The current segment's text (for F2), or None without a document."""
        if 0 <= self.current < len(self.segments):
            return self.segments[self.current]
        return None
