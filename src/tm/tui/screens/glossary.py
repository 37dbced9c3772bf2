"""The glossary screen: search, view, add and edit term entries; edits are saved to the YAML."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Label, Select, Static

from tm.errors import TMError
from tm.models import STATUSES, TermEntry
from tm.service import entry_contains
from tm.tui.screens.base import TMScreen
from tm.tui.widgets.keyline import KeyLine
from tm.tui.widgets.match_view import fit

FIELDS = (
    ("zh", "Chinese term"),
    ("en", "Approved English"),
    ("variants", "Variants (separate with ;)"),
    ("forbidden", "Forbidden renderings (separate with ;)"),
    ("category", "Category"),
    ("note", "Note"),
)


def entry_matches(entry: TermEntry, needle: str) -> bool:
    """Whether a search string occurs in any text field of the entry."""
    return entry_contains(entry, needle)


def entry_text(entry: TermEntry) -> Text:
    out = Text()
    out.append(entry.zh, style="bold")
    out.append(" → ")
    out.append(entry.en or "(none)", style="bold green")
    out.append(f"\nstatus {entry.status}")
    if entry.category:
        out.append(f" · {entry.category}")
    for v in entry.variants:
        out.append(f"\nalso: {v}", style="green")
    for f in entry.forbidden:
        out.append(f"\n✗ forbidden: {f}", style="bold red")
    if entry.note:
        out.append(f"\n\n{entry.note}")
    seen = [f"{doc} ×{n}" for doc, n in entry.seen if n]  # documents where it occurs
    if seen:
        out.append("\n\nseen in: " + ", ".join(seen), style="dim")
    if entry.source is not None:
        out.append(f"\nfrom {entry.source}", style="dim")
    return out


class TermEditScreen(ModalScreen[dict[str, object] | None]):
    """Add or edit one entry; Ctrl+S saves (returns the fields), Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, entry: TermEntry | None = None) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        e = self.entry
        values = {
            "zh": e.zh if e else "",
            "en": e.en if e else "",
            "variants": "; ".join(e.variants) if e else "",
            "forbidden": "; ".join(e.forbidden) if e else "",
            "category": e.category if e else "",
            "note": e.note if e else "",
        }
        with VerticalScroll(classes="dialog", id="term-form"):
            yield Label("Edit term" if e else "Add term", classes="panel-title")
            for name, label in FIELDS:
                yield Label(label)
                yield Input(values[name], id=f"f-{name}")
            yield Label("Status")
            yield Select(
                [(s, s) for s in STATUSES],
                value=e.status if e else "approved",
                allow_blank=False,
                id="f-status",
            )
            yield Label("", id="form-error")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#f-zh", Input).focus()

    @on(Input.Submitted)
    def next_field(self) -> None:
        self.focus_next()

    def action_save(self) -> None:
        data: dict[str, object] = {}
        for name, _ in FIELDS:
            value = self.query_one(f"#f-{name}", Input).value.strip()
            if name in ("variants", "forbidden"):
                data[name] = tuple(
                    v.strip() for v in value.replace("；", ";").split(";") if v.strip()
                )
            else:
                data[name] = value
        data["status"] = str(self.query_one("#f-status", Select).value)
        if not data["zh"]:
            self.query_one("#form-error", Label).update("The Chinese term is required.")
            return
        self.dismiss(data)

    def action_cancel(self) -> None:
        self.dismiss(None)


class GlossaryScreen(TMScreen):
    """Search box, entry list, entry detail."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search"),
        Binding("a", "add", "Add"),
        Binding("e", "edit", "Edit"),
    ]

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search terms (zh or en)", id="term-search")
        with Horizontal(id="glossary-body"):
            yield DataTable(id="entries")
            with VerticalScroll(id="side"):
                yield Label("Entry", classes="panel-title")
                yield Static(id="entry-detail")
        yield Static(id="status")
        yield KeyLine(id="keys")

    def on_mount(self) -> None:
        table = self.query_one("#entries", DataTable)
        table.cursor_type = "row"
        table.zebra_stripes = True
        for label, width in (("Chinese", 20), ("English", 28), ("Status", 9)):
            table.add_column(label, width=width, key=label.lower())
        self.shown: list[TermEntry] = []
        self._width = 0
        self.refresh_entries()
        table.focus()

    def refresh_entries(self, keep: TermEntry | None = None) -> None:
        terms = self.tm_app.terms
        table = self.query_one("#entries", DataTable)
        table.clear()
        if terms is None:
            self.shown = []
            self.set_status(self.tm_app.term_error)
            self.query_one("#entry-detail", Static).update(
                Text(
                    "Start with --glossary FILE.yaml to create or edit a glossary.",
                    style="dim",
                )
            )
            return
        needle = self.query_one("#term-search", Input).value.strip()
        try:
            self.shown = terms.entries(search=needle)
            total, files = len(terms), terms.files()
        except TMError as exc:  # the file was broken by a hand edit since start-up
            self.shown = []
            self.set_status(f"Glossary not readable: {exc}")
            return
        zh_w, en_w = self.column_widths()
        for entry in self.shown:
            style = "red" if entry.status == "deprecated" else ""
            table.add_row(
                fit(Text(entry.zh, style=style), zh_w),
                fit(Text(entry.en), en_w),
                entry.status,
            )
        where = ", ".join(Path(p).name for p in files) or "-"
        self.set_status(f"{len(self.shown)} of {total} entries · {where}")
        if keep is not None and keep in self.shown:
            table.move_cursor(row=self.shown.index(keep))
        self.show_detail()

    def column_widths(self) -> tuple[int, int]:
        """The Chinese and English columns share the table's width (a third, the rest);
        what is cut ends with "…" and shows whole in the entry pane."""
        table = self.query_one("#entries", DataTable)
        self._width = table.size.width or self.app.size.width * 2 // 3
        free = max(self._width - 9 - 2 * 3 - 2, 24)
        zh = max(10, free // 3)
        columns = {c.value: c for c in table.columns}
        table.columns[columns["chinese"]].width = zh
        table.columns[columns["english"]].width = free - zh
        return zh, free - zh

    def on_resize(self) -> None:
        table = self.query_one("#entries", DataTable)
        if table.size.width != self._width:
            self.refresh_entries(keep=self.selected())

    def selected(self) -> TermEntry | None:
        table = self.query_one("#entries", DataTable)
        if not self.shown or not (0 <= table.cursor_row < len(self.shown)):
            return None
        return self.shown[table.cursor_row]

    def show_detail(self) -> None:
        entry = self.selected()
        detail = self.query_one("#entry-detail", Static)
        detail.update(entry_text(entry) if entry else Text("No entry.", style="dim"))

    @on(Input.Changed, "#term-search")
    def search_changed(self) -> None:
        self.refresh_entries()

    @on(Input.Submitted, "#term-search")
    def search_submitted(self) -> None:
        self.query_one("#entries", DataTable).focus()

    @on(DataTable.RowHighlighted, "#entries")
    def entry_highlighted(self) -> None:
        self.show_detail()

    @on(DataTable.RowSelected, "#entries")
    def entry_selected(self) -> None:
        self.action_edit()

    def action_focus_search(self) -> None:
        self.query_one("#term-search", Input).focus()

    def action_add(self) -> None:
        if self.tm_app.terms is None:
            self.set_status(self.tm_app.term_error or "No glossary loaded.")
            return
        self.app.push_screen(TermEditScreen(None), self.save_new)

    def action_edit(self) -> None:
        entry = self.selected()
        if entry is None:
            self.set_status("No entry to edit.")
            return
        self.app.push_screen(
            TermEditScreen(entry), lambda data: self.save_edit(entry, data)
        )

    def save_new(self, data: dict[str, object] | None) -> None:
        terms = self.tm_app.terms
        if data is None or terms is None:
            return
        try:
            entry = terms.add(TermEntry(**data))  # type: ignore[arg-type]
        except TMError as exc:
            self.set_status(f"Not added: {exc}")
            return
        self.refresh_entries(keep=entry)
        self.set_status(f"Added {entry.zh} → {entry.en}; saved to {entry.source}")

    def save_edit(self, entry: TermEntry, data: dict[str, object] | None) -> None:
        terms = self.tm_app.terms
        if data is None or terms is None:
            return
        try:
            new = terms.update(entry, **data)
        except TMError as exc:
            self.set_status(f"Not saved: {exc}")
            return
        self.refresh_entries(keep=new)
        self.set_status(f"Saved {new.zh} → {new.en} to {new.source}")
