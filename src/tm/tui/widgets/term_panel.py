"""The term panel: every glossary term found in a segment, its approved rendering,
variants, and forbidden renderings marked as such."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tm.models import TermHit


class TermPanel(Static):
    """Terms in the current query or segment."""

    DEFAULT_CSS = """
    TermPanel { padding: 0 1; height: auto; }
    """

    def show(self, hits: list[TermHit], *, error: str = "") -> None:
        if error:
            self.update(Text(error, style="yellow"))
            return
        if not hits:
            self.update(Text("No glossary term here.", style="dim"))
            return
        out = Text()
        seen: set[int] = set()
        for hit in hits:
            entry = hit.entry
            if id(entry) in seen:
                continue
            seen.add(id(entry))
            out.append(entry.zh, style="bold")
            if entry.status != "approved":
                out.append(f" [{entry.status}]", style="dim")
            out.append(" → ")
            out.append(entry.en or "(no approved rendering)", style="bold green")
            for v in entry.variants:
                out.append(f"\n   also: {v}", style="green")
            for f in entry.forbidden:
                out.append(f"\n   ✗ forbidden: {f}", style="bold red")
            out.append("\n")
        self.update(out)
