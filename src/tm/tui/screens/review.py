"""QA review: findings grouped by check, filters, the finding in detail, and fixes.

Like Xbench's QA list: pick a check on the left (counts beside each), read the finding
with the offending span highlighted, jump to the unit, edit its target, apply the
finding's suggested fix with one key (when the check agrees it fixes it), or mark the
finding a false positive so later runs skip it.

With a document open, QA runs over the master TM and the document's project layer
together, so the translator's own segments are checked before they are committed;
"project only" (p) keeps the findings that name a project unit (shown as P12).
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
from tm.service import contains, is_project_finding
from tm.tui.messages import QaDone
from tm.tui.screens.base import TMScreen
from tm.tui.screens.dialogs import EditTextDialog
from tm.tui.widgets.keyline import KeyLine
from tm.tui.widgets.match_view import fit, labelled, window

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


def unit_label(unit_id: int) -> str:
    """A unit as the table names it: ``12`` in the master, ``P12`` in the project."""
    return f"P{-unit_id}" if unit_id < 0 else str(unit_id)


def finding_text(f: QAIssue, fixed: str | None = None) -> Text:
    """Source and target of a finding with its offending spans highlighted, and what
    applying its fix would make of the target."""
    src, tgt = Text(f.source), Text(f.target)
    for span in f.spans:
        text = src if span.side == "source" else tgt
        text.stylize("bold black on yellow", span.start, span.end)
    out = Text()
    out.append(
        f"{f.severity.value.upper()} {f.check}",
        style=SEVERITY_STYLE.get(f.severity.value, ""),
    )
    out.append(f"  units {', '.join(map(unit_label, f.units))}\n", style="dim")
    out.append(f.message + "\n", style="bold")
    if f.fix:
        out.append(f"fix: {f.fix}\n", style="green")
    if fixed is not None:
        out.append("x applies it: ", style="bold green")
        out.append_text(fix_preview(f.target, fixed))
        out.append("\n")
    elif f.fix:
        out.append("(this fix needs a human: e edits the target)\n", style="dim")
    for label, text, side in (("ZH", src, "source"), ("EN", tgt, "target")):
        here = tuple((sp.start, sp.end) for sp in f.spans if sp and sp.side == side)
        shown = window(text, here, EXCERPT) if here else window(text, (), EXCERPT)
        out.append_text(labelled(label, shown))
        out.append("\n")
    return out


def fix_preview(old: str, new: str, width: int = EXCERPT) -> Text:
    """What applying a fix changes: the new target around the change, the new text
    highlighted, "…" where it is cut."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    text = Text(new)
    if len(new) - end > start:
        text.stylize("bold black on green", start, len(new) - end)
    return window(text, ((start, max(start + 1, len(new) - end)),), width)


def keep_finding(
    f: QAIssue, check: str, severity: str, needle: str, *, project_only: bool = False
) -> bool:
    """Whether a finding passes the check, severity, layer and text/term filters."""
    if check != ALL and f.check != check:
        return False
    if project_only and not is_project_finding(f):
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
        Binding("x", "apply_fix", "Apply fix"),
        Binding("e", "edit", "Edit"),
        Binding("j", "jump", "Unit"),
        Binding("f", "false_positive", "False +"),
        Binding("p", "project_only", "Project only"),
        Binding("c", "cycle_check", "Check"),
        Binding("v", "cycle_severity", "Severity"),
        Binding("slash", "focus_filter", "Filter"),
        Binding("t", "consistency", "Terms"),
        Binding("r", "rerun", "Re-run"),
    ]

    def compose(self) -> ComposeResult:
        with Horizontal(id="review-body"):
            with Vertical(id="review-left"):
                yield Label("Checks", classes="panel-title")
                yield OptionList(id="checks")
            with Vertical(id="findings-col"):
                yield Input(placeholder="Filter by term or text (/)", id="qa-filter")
                yield Label("", id="filters")
                yield DataTable(id="findings")
                with VerticalScroll(id="finding-scroll"):
                    yield Static(id="finding-detail")
        yield Static(id="status")
        yield KeyLine(id="keys")

    def on_mount(self) -> None:
        self.findings: list[QAIssue] = []
        self.shown: list[QAIssue] = []
        self.consistency: list[tuple[str, str, str, str, int]] = []
        self.check = ALL
        self.severity = "all"
        self.project_only = False
        self.with_project = False
        self._width = 0
        table = self.query_one("#findings", DataTable)
        table.cursor_type = "row"
        table.zebra_stripes = True
        table.add_column("Sev", key="sev", width=4)
        table.add_column("Unit", key="unit", width=6)
        table.add_column("Check", key="check", width=18)
        table.add_column("Message", key="message", width=30)
        self.show_filters()
        self.action_rerun()

    def on_screen_resume(self) -> None:
        # A document may have been opened (or translated) since the last run.
        if self.with_project != (self.tm_app.project is not None):
            self.action_rerun()

    # -- running -----------------------------------------------------------------

    def action_rerun(self) -> None:
        project = self.tm_app.project
        self.set_status(
            "Running QA on the master TM and the project layer…"
            if project is not None
            else "Running QA…"
        )
        self.run_qa()

    @work(
        thread=True, exclusive=True, exit_on_error=False, group="qa", description="QA"
    )
    def run_qa(self) -> None:
        worker = get_current_worker()
        project = self.tm_app.project
        try:
            report = project.qa() if project is not None else self.tm_app.service.qa()
        except TMError as exc:
            self.post_message(QaDone([], [], error=str(exc)))
            return
        if not worker.is_cancelled:
            self.post_message(
                QaDone(
                    list(report.findings),
                    consistency_rows(report.term_usage),
                    report.units,
                    with_project=project is not None,
                )
            )

    def on_qa_done(self, message: QaDone) -> None:
        if message.error:
            self.set_status(f"QA failed: {message.error}")
            return
        self.findings = message.findings
        self.consistency = message.consistency
        self.with_project = message.with_project
        self.fill_checks()
        self.fill_findings()
        note = self.tm_app.empty_tm_message()
        if self.tm_app.terms is None:
            note += " No glossary: term checks skipped."
        mine = sum(1 for f in self.findings if is_project_finding(f))
        where = f" ({mine} on project units)" if self.with_project else ""
        self.set_status(
            f"{len(self.findings)} finding(s){where} in {message.units} unit(s)."
            f"{note and ' ' + note}"
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
        self.show_filters()

    def column_widths(self) -> tuple[int, int]:
        """(check, message) column widths for the table's width."""
        width = self.query_one("#findings", DataTable).size.width or self.app.size.width
        free = max(width - 4 - 6 - 2 * 4 - 2, 20)
        check = 18 if width >= 100 else 0
        return check, free - check

    def fill_findings(self) -> None:
        needle = self.query_one("#qa-filter", Input).value.strip()
        self.shown = [
            f
            for f in self.findings
            if keep_finding(
                f, self.check, self.severity, needle, project_only=self.project_only
            )
        ]
        table = self.query_one("#findings", DataTable)
        check_w, message_w = self.column_widths()
        self._width = table.size.width
        columns = {c.value: c for c in table.columns}
        table.columns[columns["check"]].width = check_w
        table.columns[columns["message"]].width = message_w
        row = table.cursor_row
        table.clear()
        for f in self.shown:
            sev = f.severity.value
            table.add_row(
                Text(
                    {"error": "err", "warning": "warn"}.get(sev, sev),
                    style=SEVERITY_STYLE.get(sev, ""),
                ),
                unit_label(f.units[0]) if f.units else "-",
                fit(Text(f.check), check_w) if check_w else "",
                fit(Text(f.message), message_w),
            )
        if self.shown:
            table.move_cursor(row=min(max(row, 0), len(self.shown) - 1))
        self.show_detail()

    def on_resize(self) -> None:
        table = self.query_one("#findings", DataTable)
        if self.findings and table.size.width != self._width:
            self.fill_findings()

    def selected(self) -> QAIssue | None:
        table = self.query_one("#findings", DataTable)
        if not self.shown or not (0 <= table.cursor_row < len(self.shown)):
            return None
        return self.shown[table.cursor_row]

    def show_detail(self) -> None:
        f = self.selected()
        detail = self.query_one("#finding-detail", Static)
        if f is None:
            detail.update(Text("No finding.", style="dim"))
            return
        detail.update(finding_text(f, self.fix_for(f)))

    def fix_for(self, f: QAIssue) -> str | None:
        try:
            return self.tm_app.service.fixed_target(f)
        except TMError:
            return None

    def show_filters(self) -> None:
        """One line: the check, severity and layer filters (the narrow layout hides
        the check list)."""
        layer = "project only" if self.project_only else "all units"
        self.query_one("#filters", Label).update(
            Text.assemble(
                ("Check ", "dim"),
                (self.check if self.check != ALL else "all", "bold"),
                (" (c) · Severity ", "dim"),
                (self.severity, "bold"),
                (" (v) · ", "dim"),
                (layer, "bold"),
                (" (p)", "dim"),
            )
        )

    # -- filters -----------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#checks")
    def check_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        chosen = event.option.id or ALL
        if chosen != self.check:
            self.check = chosen
            self.show_filters()
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
        self.show_filters()
        self.fill_findings()

    def action_cycle_check(self) -> None:
        names = [ALL, *Counter(f.check for f in self.findings)]
        self.check = names[(names.index(self.check) + 1) % len(names)]
        options = self.query_one("#checks", OptionList)
        options.highlighted = names.index(self.check)
        self.show_filters()
        self.fill_findings()

    def action_project_only(self) -> None:
        if not self.with_project:
            self.set_status("No document open: QA covers the master TM only.")
            return
        self.project_only = not self.project_only
        self.show_filters()
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
        unit_id = f.units[0]
        layer = "project" if unit_id < 0 else "master"
        self.app.push_screen(UnitScreen(abs(unit_id), layer=layer))

    def unit_of(self, unit_id: int) -> tuple[str, str]:
        """(source, target) of a finding's unit, in the master or the project."""
        project = self.tm_app.project
        if unit_id < 0 and project is not None:
            unit, _ = project.unit_details(-unit_id)
        else:
            unit, _ = self.tm_app.service.unit_details(unit_id)
        return unit.source, unit.target

    def save_target(self, unit_id: int, text: str) -> None:
        """Write a reviewer's target: a master unit in place, a project unit by
        confirming its segments again.

        Raises:
            TMError: not saved.
        """
        project = self.tm_app.project
        if unit_id < 0 and project is not None:
            project.edit_unit_target(-unit_id, text)
            doc = self.tm_app.document_screen
            if doc is not None:
                doc.reload_states()
        else:
            self.tm_app.service.edit_target(unit_id, text)

    def action_edit(self) -> None:
        f = self.selected()
        if f is None or not f.units:
            self.set_status("No finding selected.")
            return
        unit_id = f.units[0]
        try:
            source, target = self.unit_of(unit_id)
        except TMError as exc:
            self.set_status(str(exc))
            return

        def save(text: str | None) -> None:
            if not text or text == target:
                return
            try:
                self.save_target(unit_id, text)
            except TMError as exc:
                self.set_status(f"Not saved: {exc}")
                return
            self.set_status(f"Unit {unit_label(unit_id)} target saved; re-running QA…")
            self.run_qa()

        self.app.push_screen(
            EditTextDialog(
                f"Target of unit {unit_label(unit_id)}", target, context=source[:200]
            ),
            save,
        )

    def action_apply_fix(self) -> None:
        """Apply the selected finding's fix to its unit's target (x)."""
        f = self.selected()
        if f is None or not f.units:
            self.set_status("No finding selected.")
            return
        fixed = self.fix_for(f)
        if fixed is None:
            self.set_status(
                f"This fix needs a human ({f.fix or 'no fix given'}): e edits the target."
            )
            return
        unit_id = f.units[0]
        try:
            self.save_target(unit_id, fixed)
        except TMError as exc:
            self.set_status(f"Not saved: {exc}")
            return
        self.findings = [x for x in self.findings if x is not f]
        self.fill_checks()
        self.fill_findings()
        self.set_status(
            f"Fixed unit {unit_label(unit_id)}: {fixed[:70]}"
            f"{'…' if len(fixed) > 70 else ''} (r re-runs QA)"
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
            f"Marked {f.check} on unit {unit_label(f.units[0]) if f.units else '-'}"
            " as a false positive."
        )

    def action_consistency(self) -> None:
        self.app.push_screen(ConsistencyScreen(self.consistency))
