"""The match table (score, kind, penalties, coloured source) and the match detail pane.

A repaired match shows its repaired English with the repaired stretches marked and the
TM's own English beside it; a flagged match (a QA error on its unit) shows in red with
the reason.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable, Static

from tm.models import ConcordanceHit, FragmentHit, Match
from tm.tui.widgets.bands import band

DIFF_STYLE = {"replace": "bold red on #3a1f1f", "insert": "bold red on #3a1f1f"}
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
    text = Text(match.repaired_target or "")
    for r in match.repairs:
        if r.target_span and r.target_span[1] > r.target_span[0]:
            text.stylize(REPAIRED_STYLE, *r.target_span)
    return text


def flagged_text(match: Match) -> Text:
    """The TM's English with what its flags point at in red."""
    text = Text(match.target)
    for flag in match.flags:
        for a, b in flag.spans:
            text.stylize(FLAG_STYLE, a, b)
    return text


def spans_text(source: str, spans: tuple[tuple[int, int], ...]) -> Text:
    """Text with the given spans highlighted (concordance and fragment hits)."""
    text = Text(source)
    for a, b in spans:
        text.stylize("bold black on yellow", a, b)
    return text


def one_line(text: str, width: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


class MatchTable(DataTable[object]):
    """Matches best first: N, score, kind, layer, penalties, source with differences."""

    DEFAULT_CSS = """
    MatchTable { height: auto; max-height: 8; }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        for label, width in (("#", 1), ("Score", 5), ("Kind", 9), ("Penalty", 11)):
            self.add_column(label, width=width)
        self.add_column("TM source (differences in red)")
        self.matches: list[tuple[str, Match]] = []

    def show(self, matches: list[tuple[str, Match]]) -> None:
        self.matches = list(matches)
        self.clear()
        for n, (layer, m) in enumerate(self.matches, 1):
            style = band(m.score)[1]
            kind = Text(
                m.kind.value
                + ("·P" if layer == "project" else "")
                + ("!" if m.flags else ""),
                style=FLAG_STYLE if m.flags else "",
            )
            penalties = ",".join(p.reason for p in m.penalties) or "-"
            source = (
                diff_text(one_line(m.source), m)
                if "\n" not in m.source
                else Text(one_line(m.source))
            )
            self.add_row(
                str(n),
                Text(f"{m.score:g}", style=style),
                kind,
                penalties,
                source,
                key=str(n),
            )

    def selected(self) -> tuple[str, Match] | None:
        if (
            not self.matches
            or self.cursor_row < 0
            or self.cursor_row >= len(self.matches)
        ):
            return None
        return self.matches[self.cursor_row]


class MatchDetail(Static):
    """The highlighted match in full: coloured TM source, target, penalties; or fragments."""

    DEFAULT_CSS = """
    MatchDetail { height: 1fr; padding: 0 1; }
    """

    def show_match(self, layer: str, match: Match) -> None:
        out = Text()
        out.append(f"{match.score:g}% {match.kind.value}", style=band(match.score)[1])
        out.append(f"  unit {match.id}  layer {layer}\n", style="dim")
        out.append("ZH ", style="bold")
        out.append_text(diff_text(match.source, match))
        if match.repaired_target is not None:
            out.append("\nEN ", style="bold")
            out.append_text(repaired_text(match))
            out.append("  (repaired)", style=REPAIRED_STYLE)
            out.append("\nTM ", style="bold dim")
            out.append(match.target, style="dim")
        else:
            out.append("\nEN ", style="bold")
            out.append_text(flagged_text(match))
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

    def show_fragments(self, fragments: list[FragmentHit]) -> None:
        if not fragments:
            self.update(Text("No match and no sub-segment hit.", style="dim"))
            return
        out = Text("No whole match. Sub-segment hits:\n", style="bold")
        for frag in fragments:
            out.append(f"「{frag.clause}」", style="bold yellow")
            out.append(f"  in {len(frag.hits)} unit(s)\n")
            for hit in frag.hits[:2]:
                out.append(f"  {hit.score:g}% ", style="dim")
                out.append("EN ", style="bold")
                if hit.english_scope == "clause":
                    out.append(one_line(hit.english, 400))
                    out.append("  (the clause's English)\n", style="dim")
                else:
                    out.append(one_line(hit.unit.target, 400) + "\n")
        self.update(out)

    def clear_detail(self, message: str = "") -> None:
        self.update(Text(message, style="dim"))


class ConcordanceTable(DataTable[object]):
    """Concordance hits: the unit's source with the hit highlighted, and its target."""

    DEFAULT_CSS = """
    ConcordanceTable { height: 1fr; }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.add_columns("Unit", "Source", "Target")
        self.hits: list[ConcordanceHit] = []

    def show(self, hits: list[ConcordanceHit]) -> None:
        self.hits = list(hits)
        self.clear()
        for hit in self.hits:
            unit = hit.unit
            if hit.side == "source":
                src, tgt = spans_text(unit.source, hit.spans), Text(unit.target)
            else:
                src, tgt = Text(unit.source), spans_text(unit.target, hit.spans)
            self.add_row(
                str(unit.id),
                window(src, hit.spans if hit.side == "source" else (), 18),
                window(tgt, hit.spans if hit.side == "target" else (), 60),
            )


def window(text: Text, spans: tuple[tuple[int, int], ...], width: int = 60) -> Text:
    """A slice of ``text`` around its first highlighted span, so the hit is visible."""
    start = max(0, spans[0][0] - width // 3) if spans else 0
    piece = text[start : start + width]
    if start:
        piece = Text("…") + piece
    if start + width < len(text):
        piece.append("…")
    return piece
