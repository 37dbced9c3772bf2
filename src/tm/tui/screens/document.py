"""Document mode: translate a plain-text file segment by segment against the TM.

The segment list shows each segment's best band; moving shows its matches and terms;
the editor takes the translation (typed, or match N inserted). Confirmed segments go
into the document's project TM layer, not the master, until "commit to master".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Label, Static, TextArea
from textual.worker import get_current_worker

from tm.errors import TMError
from tm.tui.messages import BandsReady, MatchesReady, WorkFailed
from tm.tui.screens.base import TMScreen
from tm.tui.screens.dialogs import ConfirmDialog
from tm.tui.widgets.bands import BANDS, band
from tm.tui.widgets.match_view import MatchDetail, MatchTable, one_line
from tm.tui.widgets.term_panel import TermPanel

if TYPE_CHECKING:
    from tm.service import ProjectService

DOC_MIN_SCORE = 50
BAND_BATCH = 25


class DocumentScreen(TMScreen):
    """Segment list, matches and terms of the current segment, and the target editor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *[
            Binding(
                f"ctrl+{n},alt+{n}",
                f"insert({n})",
                f"Insert {n}",
                show=n == 1,
                priority=True,
            )
            for n in range(1, 6)
        ],
        Binding("ctrl+r", "insert_highlighted", "Use match", priority=True),
        Binding("ctrl+s,ctrl+enter", "confirm", "Confirm", priority=True),
        Binding("ctrl+down", "move(1)", "Next", priority=True),
        Binding("ctrl+up", "move(-1)", "Prev", priority=True),
        Binding("ctrl+e", "export", "Export", priority=True),
        Binding("ctrl+k", "commit", "Commit to master", priority=True),
    ]

    def compose(self) -> ComposeResult:
        yield Static(id="doc-title")
        yield DataTable(id="segments")
        with Horizontal(id="doc-body"):
            with Vertical():
                yield MatchTable(id="matches")
                yield MatchDetail(id="detail")
            with VerticalScroll(id="side"):
                yield Label("Terms", classes="panel-title")
                yield TermPanel(id="terms")
        yield Static(id="seg-source")
        yield Label("Target", id="editor-label")
        yield TextArea(id="target", soft_wrap=True)
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.segments: list[str] = []
        self.targets: dict[int, str] = {}
        self.drafts: dict[int, str] = {}
        self.scores: dict[int, float | None] = {}
        self.current = -1
        self.project: ProjectService | None = None
        table = self.query_one("#segments", DataTable)
        table.cursor_type = "row"
        table.add_column("#", key="n")
        table.add_column("Band", key="band", width=5)
        table.add_column("✓", key="done")
        table.add_column("Source", key="source")
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
        self.targets = self.project.confirmed()
        table = self.query_one("#segments", DataTable)
        for i, seg in enumerate(self.segments):
            table.add_row(
                str(i + 1),
                Text("…", style="dim"),
                "✓" if i in self.targets else "",
                one_line(seg, 120),
                key=str(i),
            )
        self.update_title()
        self.set_status(self.tm_app.empty_tm_message() or "Computing bands…")
        table.focus()
        if self.segments:
            self.show_segment(0)
        self.run_bands()

    def update_title(self) -> None:
        doc = self.tm_app.document
        name = doc.name if doc else "-"
        count = self.tm_app.count_terms()
        terms = f"{count} terms" if count is not None else "no glossary"
        self.query_one("#doc-title", Static).update(
            f"{name}: {len(self.segments)} segments, {len(self.targets)} confirmed"
            f" · TM {self.tm_app.tm_units} units · {terms}"
            f" · project {self.project_name()}"
        )

    def project_name(self) -> str:
        if self.tm_app.document is None:
            return "-"
        return self.tm_app.service.project_path(self.tm_app.document).name

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

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="lookup",
        description="segment look-up",
    )
    def run_lookup(self, index: int) -> None:
        worker = get_current_worker()
        text = self.segments[index]
        if self.project is None:
            return
        try:
            matches = self.project.segment_matches(
                index, min_score=DOC_MIN_SCORE, limit=5
            )
            terms = self.tm_app.find_terms(text)
        except TMError as exc:
            self.post_message(WorkFailed("look-up", str(exc)))
            return
        if not worker.is_cancelled:
            self.post_message(MatchesReady(text, matches, terms))

    def on_bands_ready(self, message: BandsReady) -> None:
        table = self.query_one("#segments", DataTable)
        for i, score in message.scores.items():
            self.scores[i] = score
            label, style = band(score)
            table.update_cell(str(i), "band", Text(label, style=style))
        if len(self.scores) == len(self.segments):
            self.set_status(self.tm_app.empty_tm_message() or self.band_summary())

    def band_summary(self) -> str:
        """Segments per band, counted as ``tm analyze`` counts them (repetitions apart)."""
        if self.project is None:
            return ""
        counts = self.project.band_counts(self.scores)
        return "Bands: " + "  ".join(f"{b} {counts[b]}" for b in BANDS if counts.get(b))

    def on_matches_ready(self, message: MatchesReady) -> None:
        if not (0 <= self.current < len(self.segments)):
            return
        if message.query != self.segments[self.current]:
            return
        self.query_one(MatchTable).show(message.matches)
        detail = self.query_one(MatchDetail)
        if message.matches:
            detail.show_match(*message.matches[0])
        else:
            detail.clear_detail("No match in the TM: translate from scratch.")
        self.query_one(TermPanel).show(message.terms, error=self.tm_app.term_error)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.set_status(f"{message.what} failed: {message.error}")

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
            self.query_one(MatchDetail).show_match(*chosen)

    def show_segment(self, index: int) -> None:
        if index == self.current or not (0 <= index < len(self.segments)):
            return
        editor = self.query_one("#target", TextArea)
        if self.current >= 0:
            self.drafts[self.current] = editor.text
        self.current = index
        editor.text = self.drafts.get(index, self.targets.get(index, ""))
        state = "confirmed" if index in self.targets else "not confirmed"
        self.query_one("#editor-label", Label).update(
            f"Target of segment {index + 1} ({state}) — Ctrl+S confirm, Ctrl+1…5 insert match"
        )
        self.query_one(MatchTable).show([])
        self.query_one("#seg-source", Static).update(
            Text(f"{index + 1}. ", style="bold").append(self.segments[index])
        )
        self.run_lookup(index)

    def action_move(self, step: int) -> None:
        if not self.segments:
            return
        table = self.query_one("#segments", DataTable)
        row = min(max(self.current + step, 0), len(self.segments) - 1)
        table.move_cursor(row=row)
        self.show_segment(row)

    # -- editing -----------------------------------------------------------------

    def action_insert(self, n: int) -> None:
        matches = self.query_one(MatchTable).matches
        if n > len(matches):
            self.set_status(f"No match {n} to insert.")
            return
        match = matches[n - 1][1]
        editor = self.query_one("#target", TextArea)
        editor.text = match.offered_target  # the repaired English when there is one
        editor.focus()
        how = ", repaired" if match.repaired_target is not None else ""
        if match.flags:
            how += f"; check it: {match.flags[0].message}"
        self.set_status(f"Inserted match {n} ({match.score:g}%{how}).")

    def action_insert_highlighted(self) -> None:
        """Insert the match highlighted in the table (Ctrl+R: works in every terminal)."""
        table = self.query_one(MatchTable)
        self.action_insert(table.cursor_row + 1 if table.selected() else 1)

    def action_confirm(self) -> None:
        if self.project is None or not (0 <= self.current < len(self.segments)):
            self.set_status("No document open.")
            return
        text = self.query_one("#target", TextArea).text.strip()
        if not text:
            self.set_status("Type a target first (or insert a match with Ctrl+1…5).")
            return
        i = self.current
        try:
            self.project.confirm(i, text)
        except TMError as exc:
            self.set_status(f"Not saved: {exc}")
            return
        self.targets[i] = text
        self.drafts.pop(i, None)
        self.query_one("#segments", DataTable).update_cell(str(i), "done", "✓")
        self.update_title()
        self.set_status(f"Segment {i + 1} confirmed into the project TM.")
        self.action_move(1)

    def action_export(self) -> None:
        doc = self.tm_app.document
        if self.project is None or doc is None:
            self.set_status("No document open.")
            return
        tmx, xlf = self.project.export_paths()
        try:
            units, segs = self.project.export(self.targets)
        except TMError as exc:
            self.set_status(f"Export failed: {exc}")
            return
        self.set_status(
            f"Exported {units} unit(s) to {tmx.name}, {segs} segment(s) to {xlf.name}"
        )

    def action_commit(self) -> None:
        if self.project is None:
            self.set_status("No document open.")
            return

        def done(yes: bool | None) -> None:
            if yes and self.project is not None:
                added = self.project.commit()
                self.tm_app.recount_units()
                self.update_title()
                self.set_status(f"Committed to the master TM: {added} new unit(s).")

        self.app.push_screen(
            ConfirmDialog(
                f"Copy the {len(self.targets)} confirmed segment(s) into the master TM?"
            ),
            done,
        )
