"""The match table (score, kind, TM source with differences and its English) and the
match detail pane; the concordance table.

Every match row shows both the TM source and its English, so a translator compares
matches without moving the cursor; the differences from the segment are coloured on
both sides (the TM's text in the table and the detail, the segment's own text where
the screen shows it). Text cut to fit ends with "…"; the detail pane shows it whole.

A repaired match shows its repaired English with the repaired stretches marked and the
TM's own English beside it; a flagged match (a QA error on its unit) shows in red with
the reason.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey

from tm.models import ConcordanceHit, FragmentHit, Match
from tm.tui.widgets.bands import band

DIFF_STYLE = {
    "replace": "bold red on #3a1f1f",
    "insert": "bold red on #3a1f1f",
    "delete": "bold red on #3a1f1f",
}
KIND_SHORT = {"context": "ctx", "exact": "exact", "fuzzy": "fuzzy", "repaired": "rep"}
HIT_STYLE = "bold black on yellow"
REPAIRED_STYLE = "bold green"
FLAG_STYLE = "bold red"


def diff_text(source: str, match: Match) -> Text:
    """The TM source with the parts that differ from the query coloured."""
    text = Text(source)
    for span in match.diff:
        if span.end > span.start:
            text.stylize(DIFF_STYLE.get(span.op, "bold red"), span.start, span.end)
    for pen in match.penalties:
        for a, b in pen.spans:
            text.stylize("underline yellow", a, b)
    return text


def repaired_text(match: Match) -> Text:
    """The repaired English with the stretches repair wrote marked."""
    text = Text(match.repaired_target or "", style="green")
    for r in match.repairs:
        if r.target_span and r.target_span[1] > r.target_span[0]:
            text.stylize(REPAIRED_STYLE, *r.target_span)
    return text


def flagged_text(match: Match) -> Text:
    """The TM's English with what its flags point at in red."""
    text = Text(match.target, style="green")
    for flag in match.flags:
        for a, b in flag.spans:
            text.stylize(FLAG_STYLE, a, b)
    return text


def query_diff_text(query: str, match: Match) -> Text:
    """The segment (the query) with the parts the TM source lacks or has otherwise
    coloured, and a ``‸`` where the TM source has text the segment lacks."""
    text = Text(query)
    inserts: list[int] = []
    for span in match.diff:
        if span.query_end > span.query_start:
            text.stylize(
                DIFF_STYLE.get(span.op, "bold red"), span.query_start, span.query_end
            )
        elif span.op == "insert":
            inserts.append(span.query_start)
    for pen in match.penalties:
        for a, b in pen.query_spans:
            text.stylize("underline yellow", a, b)
    for at in sorted(set(inserts), reverse=True):
        if 0 <= at <= len(query):
            text = text[:at] + Text("‸", style="bold red") + text[at:]
    return text


def spans_text(source: str, spans: tuple[tuple[int, int], ...]) -> Text:
    """Text with the given spans highlighted (concordance and fragment hits)."""
    text = Text(source)
    for a, b in spans:
        text.stylize(HIT_STYLE, a, b)
    return text


def labelled(label: str, text: Text) -> Text:
    """``label▏text``: no space after the label, so a Chinese text (one unbroken run
    for the wrapper) starts on the label's line instead of under it."""
    return Text(label, style="bold") + Text("▏", style="dim") + text


def one_line(text: str, width: int = 200) -> str:
    """``text`` on one line, cut to ``width`` characters with "…" when longer."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def fit(text: Text, width: int) -> Text:
    """``text`` on one line, cut to ``width`` cells with "…" when it is longer."""
    out = text.copy()
    out.plain = out.plain.replace("\n", " ")
    if out.cell_len > width:
        out.truncate(max(width, 1), overflow="ellipsis")
    return out


def layer_kind(layer: str, match: Match) -> str:
    """``exact``, ``ctx·P`` (a project-layer context match) …"""
    kind = KIND_SHORT.get(match.kind.value, match.kind.value)
    return kind + ("·P" if layer == "project" else "")


class MatchTable(DataTable[object]):
    """Matches best first, two lines each: the TM source with its differences
    coloured, then its English; the score and kind beside them."""

    DEFAULT_CSS = """
    MatchTable { height: auto; max-height: 11; }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_column("#", width=1, key="n")
        self.add_column("Score", width=6, key="score")
        self.add_column("TM source · English", width=40, key="text")
        self.matches: list[tuple[str, Match]] = []
        self._width = 0

    def text_width(self) -> int:
        # the first two columns (1 + 6), each column's padding (2), a scrollbar (2)
        return max(self.size.width - 16, 16)

    def show(self, matches: list[tuple[str, Match]], *, force: bool = False) -> None:
        width = self.text_width()
        if not force and matches == self.matches and width == self._width:
            return  # typing on: the same matches, nothing to redraw
        self._width = width
        self.matches = list(matches)
        keep = self.cursor_row
        self.clear()
        self.columns[self.columns_key("text")].width = width
        for n, (layer, m) in enumerate(self.matches, 1):
            style = band(m.score)[1]
            score = Text(f"{m.score:.0f}", style=style)
            score.append("\n" + layer_kind(layer, m), style="dim")
            if m.flags:
                score.append("!", style=FLAG_STYLE)
            source = diff_text(m.source, m) if "\n" not in m.source else Text(m.source)
            english = Text("EN ", style="bold") + (
                repaired_text(m)
                if m.repaired_target is not None
                else Text(m.target, style="green")
            )
            cell = fit(source, width) + Text("\n") + fit(english, width)
            self.add_row(str(n), score, cell, key=str(n), height=2)
        if self.matches and 0 <= keep < len(self.matches):
            self.move_cursor(row=keep)

    def columns_key(self, name: str) -> ColumnKey:
        return next(k for k in self.columns if k.value == name)

    def on_resize(self) -> None:
        if getattr(self, "matches", None):
            self.show(self.matches, force=True)

    def selected(self) -> tuple[str, Match] | None:
        if (
            not self.matches
            or self.cursor_row < 0
            or self.cursor_row >= len(self.matches)
        ):
            return None
        return self.matches[self.cursor_row]


class MatchDetail(Static):
    """The highlighted match in full: both texts with differences coloured, the
    English, penalties and where it comes from; or the sub-segment hits."""

    DEFAULT_CSS = """
    MatchDetail { height: auto; padding: 0 1; }
    """

    def show_match(self, layer: str, match: Match, *, query: str | None = None) -> None:
        out = Text()
        out.append(f"{match.score:g}% {match.kind.value}", style=band(match.score)[1])
        origin = match.origin or "-"
        out.append(f"  unit {match.id} · {layer} TM · {origin}\n", style="dim")
        if query is not None:
            out.append_text(labelled("Seg", query_diff_text(query, match)))
            out.append("\n")
        out.append_text(labelled("TM ", diff_text(match.source, match)))
        out.append("\n")
        if match.repaired_target is not None:
            out.append_text(labelled("EN ", repaired_text(match)))
            out.append("  (repaired)", style=REPAIRED_STYLE)
            out.append("\n")
            out.append_text(labelled("TM ", Text(match.target, style="dim")))
        else:
            out.append_text(labelled("EN ", flagged_text(match)))
        for pen in match.penalties:
            out.append(f"\n−{pen.reason}: {pen.detail}", style="yellow")
        for r in match.repairs:
            if not r.done:
                out.append(
                    f"\nnot repaired: {r.tm or '—'} → {r.query or '—'}: {r.reason}",
                    style="dim",
                )
        for flag in match.flags:
            out.append(f"\n⚑ {flag.check}: {flag.message}", style=FLAG_STYLE)
        self.update(out)

    def show_fragments(self, fragments: list[FragmentHit], *, header: str = "") -> None:
        if not fragments:
            self.update(Text(header or "No match and no sub-segment hit.", style="dim"))
            return
        out = Text(header or "No whole match. Sub-segment hits:", style="bold")
        out.append("\n")
        for frag in fragments:
            out.append(f"「{frag.clause}」", style="bold yellow")
            out.append(f" in {len(frag.hits)} unit(s)\n", style="dim")
            for hit in frag.hits[:2]:
                source = spans_text(one_line(hit.unit.source, 400), hit.spans)
                out.append_text(labelled("ZH", source))
                out.append("\n")
                if hit.english_scope == "clause":
                    english = Text(one_line(hit.english, 400), style="green")
                    english.append("  (the clause's English)", style="dim")
                else:
                    english = Text(one_line(hit.unit.target, 400), style="green")
                out.append_text(labelled("EN", english))
                out.append("\n")
        self.update(out)

    def clear_detail(self, message: str = "") -> None:
        self.update(Text(message, style="dim"))


class ConcordanceTable(DataTable[object]):
    """Concordance hits, two lines each: the source with the hit highlighted, then
    the English with the rendering highlighted when it can be found."""

    DEFAULT_CSS = """
    ConcordanceTable { height: 1fr; }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_column("×", width=3, key="freq")
        self.add_column("Source · English", width=40, key="text")
        self.hits: list[ConcordanceHit] = []
        self.renderings: list[tuple[tuple[int, int], ...]] = []

    def show(
        self,
        hits: list[ConcordanceHit],
        renderings: list[tuple[tuple[int, int], ...]] | None = None,
    ) -> None:
        """``renderings``: for each hit, spans of the other side to highlight."""
        self.hits = list(hits)
        self.renderings = list(renderings or [() for _ in hits])
        self.clear()
        width = max(self.size.width - 11, 16)
        key = next(k for k in self.columns if k.value == "text")
        self.columns[key].width = width
        for hit, other in zip(self.hits, self.renderings, strict=False):
            unit = hit.unit
            if hit.side == "source":
                src = window(spans_text(unit.source, hit.spans), hit.spans, width)
                tgt = window(spans_text(unit.target, other), other, width - 3)
            else:
                src = window(spans_text(unit.source, other), other, width)
                tgt = window(spans_text(unit.target, hit.spans), hit.spans, width - 3)
            cell = fit(src, width) + Text("\n") + fit(Text("EN ", "bold") + tgt, width)
            self.add_row(str(hit.frequency), cell, height=2)

    def on_resize(self) -> None:
        if getattr(self, "hits", None):
            self.show(self.hits, self.renderings)

    def selected(self) -> ConcordanceHit | None:
        if not self.hits or not (0 <= self.cursor_row < len(self.hits)):
            return None
        return self.hits[self.cursor_row]


def window(text: Text, spans: tuple[tuple[int, int], ...], width: int = 60) -> Text:
    """A slice of ``text`` around its first highlighted span, so the hit is visible;
    "…" marks what is cut on either side."""
    text = text.copy()
    text.plain = text.plain.replace("\n", " ")
    start = max(0, spans[0][0] - width // 3) if spans else 0
    piece = text[start : start + width]
    if start:
        piece = Text("…") + piece
    if start + width < len(text):
        piece.append("…")
    return piece
