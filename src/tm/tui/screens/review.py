"""QA review: findings grouped by check, filters, the finding in detail, and fixes.

Like Xbench's QA list: pick a check on the left (counts beside each), read the finding
with the offending span highlighted, jump to the unit, edit its target, or mark the
finding a false positive so later runs skip it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tm.errors import TMError
from tm.models import QAIssue
from tm.service import contains
from tm.tui.messages import QaDone
from tm.tui.screens.base import TMScreen
from tm.tui.screens.dialogs import EditTextDialog
from tm.tui.widgets.match_view import window

if TYPE_CHECKING:
    from tm.service import TermUsage

EXCERPT = 160  # characters of source/target shown around the offending span
SEVERITIES = ("all", "error", "warning", "info")
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
ALL = "*all*"


def consistency_rows(
    term_usage: Iterable[TermUsage],
) -> list[tuple[str, str, str, str, int]]:
    """(term, approved, rendering, status, count) for each rendering of each term."""
    rows = []
    for usage in term_usage:
        for r in usage.renderings:
            rows.append(
                (
                    usage.entry.zh,
                    usage.entry.en,
                    r.text or "(missing)",
                    r.status,
                    len(r.units),
                )
            )
    return rows


def finding_text(f: QAIssue) -> Text:
    """Source and target of a finding with its offending spans highlighted."""
    src, tgt = Text(f.source), Text(f.target)
    for span in f.spans:
        text = src if span.side == "source" else tgt
        text.stylize("bold black on yellow", span.start, span.end)
    out = Text()
    out.append(
        f"{f.severity.value.upper()} {f.check}",
        style=SEVERITY_STYLE.get(f.severity.value, ""),
    )
    out.append(f"  units {', '.join(map(str, f.units))}\n", style="dim")
    out.append(f.message + "\n", style="bold")
    if f.fix:
        out.append(f"fix: {f.fix}\n", style="green")
    for label, text, side in (("ZH ", src, "source"), ("\nEN ", tgt, "target")):
        here = tuple((sp.start, sp.end) for sp in f.spans if sp and sp.side == side)
        out.append(label, style="bold")
        out.append_text(window(text, here, EXCERPT) if here else text[:EXCERPT])
    return out


def keep_finding(f: QAIssue, check: str, severity: str, needle: str) -> bool:
    """Whether a finding passes the check, severity and text/term filters."""
    if check != ALL and f.check != check:
        return False
    if severity != "all" and f.severity.value != severity:
        return False
    return contains(needle, f.message, f.source, f.target, f.fix)


class ConsistencyScreen(ModalScreen[None]):
    """Each glossary term's renderings in the TM, with counts."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,t", "dismiss", "Close")]

    def __init__(self, rows: list[tuple[str, str, str, str, int]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="consistency-box"):
            yield Label(
                "Term consistency: renderings per term, with counts",
                classes="panel-title",
            )
            yield DataTable(id="consistency")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.cursor_type = "row"
        columns = (
            ("Term", 14),
            ("Approved", 22),
            ("Rendering in TM", 28),
            ("Status", 9),
        )
        for label, width in columns:
            table.add_column(label, width=width)
        table.add_column("Count", width=5)
        last = None
        for zh, en, text, status, count in self.rows:
            style = {
                "approved": "green",
                "variant": "green",
                "forbidden": "bold red",
                "unknown": "yellow",
                "missing": "dim",
            }.get(status, "")
            table.add_row(
                zh if zh != last else "",
                en if zh != last else "",
                Text(text, style=style),
                Text(status, style=style),
                str(count),
            )
            last = zh
        if not self.rows:
            table.add_row("(no glossary term found in the TM)", "", "", "", "")
        table.focus()


class ReviewScreen(TMScreen):
    """Checks with counts, findings table, finding detail."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "rerun", "Re-run"),
        Binding("j", "jump", "Unit"),
        Binding("e", "edit", "Edit target"),
        Binding("f", "false_positive", "False +"),
        Binding("t", "consistency", "Terms"),
        Binding("v", "cycle_severity", "Severity"),
        Binding("slash", "focus_filter", "Filter"),
    ]

    def compose(self) -> ComposeResult:
        with Horizontal(id="review-body"):
            with Vertical(id="review-left"):
                yield Label("Checks", classes="panel-title")
                yield OptionList(id="checks")
                yield Label("Severity: all (v)", id="severity")
            with Vertical(id="findings-col"):
                yield Input(placeholder="Filter by term or text (/)", id="qa-filter")
                yield DataTable(id="findings")
                with VerticalScroll(id="finding-scroll"):
                    yield Static(id="finding-detail")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.findings: list[QAIssue] = []
        self.shown: list[QAIssue] = []
        self.consistency: list[tuple[str, str, str, str, int]] = []
        self.check = ALL
        self.severity = "all"
        table = self.query_one("#findings", DataTable)
        table.cursor_type = "row"
        table.add_columns("Sev", "Check", "Unit", "Message")
        self.action_rerun()

    # -- running -----------------------------------------------------------------

    def action_rerun(self) -> None:
        self.set_status("Running QA…")
        self.run_qa()

    @work(
        thread=True, exclusive=True, exit_on_error=False, group="qa", description="QA"
    )
    def run_qa(self) -> None:
        worker = get_current_worker()
        try:
            report = self.tm_app.service.qa()
        except TMError as exc:
            self.post_message(QaDone([], [], error=str(exc)))
            return
        if not worker.is_cancelled:
            self.post_message(
                QaDone(
                    list(report.findings),
                    consistency_rows(report.term_usage),
                    report.units,
                )
            )

    def on_qa_done(self, message: QaDone) -> None:
        if message.error:
            self.set_status(f"QA failed: {message.error}")
            return
        self.findings = message.findings
        self.consistency = message.consistency
        self.fill_checks()
        self.fill_findings()
        note = self.tm_app.empty_tm_message()
        if self.tm_app.terms is None:
            note += " No glossary: term checks skipped."
        self.set_status(
            f"{len(self.findings)} finding(s) in {message.units} unit(s).{note and ' ' + note}"
        )

    def fill_checks(self) -> None:
        counts = Counter(f.check for f in self.findings)
        options = self.query_one("#checks", OptionList)
        options.clear_options()
        options.add_option(Option(f"All ({len(self.findings)})", id=ALL))
        for name, n in counts.items():
            options.add_option(Option(f"{name} ({n})", id=name))
        if self.check != ALL and self.check not in counts:
            self.check = ALL
        options.highlighted = (
            0 if self.check == ALL else list(counts).index(self.check) + 1
        )

    def fill_findings(self) -> None:
        needle = self.query_one("#qa-filter", Input).value.strip()
        self.shown = [
            f
            for f in self.findings
            if keep_finding(f, self.check, self.severity, needle)
        ]
        table = self.query_one("#findings", DataTable)
        table.clear()
        for f in self.shown:
            sev = f.severity.value
            table.add_row(
                Text(
                    {"error": "err", "warning": "warn"}.get(sev, sev),
                    style=SEVERITY_STYLE.get(sev, ""),
                ),
                f.check,
                str(f.units[0]) if f.units else "-",
                f.message,
            )
        self.show_detail()

    def selected(self) -> QAIssue | None:
        table = self.query_one("#findings", DataTable)
        if not self.shown or not (0 <= table.cursor_row < len(self.shown)):
            return None
        return self.shown[table.cursor_row]

    def show_detail(self) -> None:
        f = self.selected()
        detail = self.query_one("#finding-detail", Static)
        detail.update(finding_text(f) if f else Text("No finding.", style="dim"))

    # -- filters -----------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#checks")
    def check_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        chosen = event.option.id or ALL
        if chosen != self.check:
            self.check = chosen
            self.fill_findings()

    @on(OptionList.OptionSelected, "#checks")
    def check_selected(self) -> None:
        self.query_one("#findings", DataTable).focus()

    @on(Input.Changed, "#qa-filter")
    def filter_changed(self) -> None:
        self.fill_findings()

    @on(Input.Submitted, "#qa-filter")
    def filter_submitted(self) -> None:
        self.query_one("#findings", DataTable).focus()

    @on(DataTable.RowHighlighted, "#findings")
    def finding_highlighted(self) -> None:
        self.show_detail()

    @on(DataTable.RowSelected, "#findings")
    def finding_selected(self) -> None:
        self.action_jump()

    def action_cycle_severity(self) -> None:
        self.severity = SEVERITIES[
            (SEVERITIES.index(self.severity) + 1) % len(SEVERITIES)
        ]
        self.query_one("#severity", Label).update(f"Severity: {self.severity} (v)")
        self.fill_findings()

    def action_focus_filter(self) -> None:
        self.query_one("#qa-filter", Input).focus()

    # -- acting on a finding -----------------------------------------------------

    def action_jump(self) -> None:
        from tm.tui.screens.unit import UnitScreen

        f = self.selected()
        if f is None or not f.units:
            self.set_status("No finding selected.")
            return
        self.app.push_screen(UnitScreen(f.units[0]))

    def action_edit(self) -> None:
        f = self.selected()
        if f is None or not f.units:
            self.set_status("No finding selected.")
            return
        try:
            unit, _ = self.tm_app.service.unit_details(f.units[0])
        except TMError as exc:
            self.set_status(str(exc))
            return

        def save(text: str | None) -> None:
            if not text or text == unit.target:
                return
            try:
                self.tm_app.service.edit_target(f.units[0], text)
            except TMError as exc:
                self.set_status(f"Not saved: {exc}")
                return
            self.set_status(f"Unit {f.units[0]} target saved; re-running QA…")
            self.run_qa()

        self.app.push_screen(
            EditTextDialog(
                f"Target of unit {unit.id}", unit.target, context=unit.source[:200]
            ),
            save,
        )

    def action_false_positive(self) -> None:
        f = self.selected()
        if f is None:
            self.set_status("No finding selected.")
            return
        try:
            self.tm_app.service.mark_false_positive(f.fingerprint, check=f.check)
        except TMError as exc:
            self.set_status(f"Not marked: {exc}")
            return
        self.findings = [x for x in self.findings if x.fingerprint != f.fingerprint]
        self.fill_checks()
        self.fill_findings()
        self.set_status(
            f"Marked {f.check} on unit {f.units[0] if f.units else '-'} as a false positive."
        )

    def action_consistency(self) -> None:
        self.app.push_screen(ConsistencyScreen(self.consistency))
