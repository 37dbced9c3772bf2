"""The term panel: every glossary term found in a segment, its approved rendering,
variants, and forbidden renderings marked as such.

It is a list the translator can move in: Enter on a term inserts its rendering into
the target (document mode) or copies it (lookup). Long lines wrap at word breaks.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tm.models import TermEntry, TermHit


def term_prompt(entry: TermEntry, number: int | None = None) -> Text:
    out = Text()
    if number is not None:
        out.append(f"{number} ", style="dim")
    out.append(entry.zh, style="bold")
    if entry.status != "approved":
        out.append(f" [{entry.status}]", style="dim")
    out.append(" → ")
    out.append(entry.en or "(no approved rendering)", style="bold green")
    for v in entry.variants:
        out.append(f"\n   also: {v}", style="green")
    for f in entry.forbidden:
        out.append(f"\n   ✗ forbidden: {f}", style="bold red")
    return out


class TermPanel(OptionList):
    """Terms in the current query or segment, one entry per option, in text order."""

    DEFAULT_CSS = """
    TermPanel { height: auto; max-height: 100%; border: none; padding: 0; }
    TermPanel:focus { border: none; background-tint: $foreground 5%; }
    """

    def on_mount(self) -> None:
        self.entries: list[TermEntry] = []

    def show(self, hits: list[TermHit], *, error: str = "") -> None:
        entries: list[TermEntry] = []
        seen: set[int] = set()
        for hit in sorted(hits, key=lambda h: h.start):
            if id(hit.entry) not in seen:
                seen.add(id(hit.entry))
                entries.append(hit.entry)
        shown = (error, [id(e) for e in entries])
        if shown == getattr(self, "_shown", None):
            return  # typing on: the same terms, nothing to redraw
        self._shown = shown
        self.entries = entries
        self.clear_options()
        if error:
            self.add_option(Option(Text(error, style="yellow"), disabled=True))
            return
        if not self.entries:
            self.add_option(
                Option(Text("No glossary term here.", style="dim"), disabled=True)
            )
            return
        self.add_options(
            Option(term_prompt(entry), id=str(n))
            for n, entry in enumerate(self.entries, 1)
        )
        self.highlighted = 0

    def selected_entry(self) -> TermEntry | None:
        if self.highlighted is None or not (0 <= self.highlighted < len(self.entries)):
            return None
        return self.entries[self.highlighted]

    def plain_text(self) -> str:
        """Every option's text, one per line (what the panel shows)."""
        return "\n".join(
            str(self.get_option_at_index(i).prompt) for i in range(self.option_count)
        )
