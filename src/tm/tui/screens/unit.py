"""The unit dialog: one TM unit in full, with its provenance and every occurrence."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tm.errors import TMError

if TYPE_CHECKING:
    from tm.tui.app import TMApp


class UnitScreen(ModalScreen[None]):
    """Shows a unit: source, target, who and when, properties, occurrences."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "dismiss", "Close"),
    ]

    def __init__(self, unit_id: int, *, layer: str = "master") -> None:
        super().__init__()
        self.unit_id = unit_id
        self.tm_layer = layer

    @property
    def tm_app(self) -> TMApp:
        return cast("TMApp", self.app)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="unit-box"):
            yield Static(self._render_unit(), id="unit-body")
        yield Footer()

    def _render_unit(self) -> Text:
        app = self.tm_app
        layer = app.project if self.tm_layer == "project" else None
        try:
            if layer is not None:
                unit, occurrences = layer.unit_details(self.unit_id)
            else:
                unit, occurrences = app.service.unit_details(self.unit_id)
        except TMError as exc:
            return Text(str(exc), style="red")
        out = Text()
        out.append(f"Unit {unit.id}", style="bold")
        out.append(
            f"  ({self.tm_layer} TM, {unit.segtype}, {unit.source_lang}→{unit.target_lang})\n\n"
        )
        out.append("Source\n", style="bold underline")
        out.append(unit.source + "\n\n")
        out.append("Target\n", style="bold underline")
        out.append(unit.target + "\n\n")
        out.append("Provenance\n", style="bold underline")
        out.append(f"created {unit.created_at or '-'} by {unit.created_by or '-'}\n")
        out.append(f"changed {unit.changed_at or '-'} by {unit.changed_by or '-'}\n")
        if unit.tuid:
            out.append(f"tuid {unit.tuid}\n")
        for key, value in unit.props:
            out.append(f"{key}: {value}\n", style="dim")
        out.append(f"\nOccurrences ({len(occurrences)})\n", style="bold underline")
        for occ in occurrences:
            out.append(f"{occ.document} #{occ.position}")
            if occ.section:
                out.append(f"  {occ.section}", style="dim")
            out.append("\n")
        return out
