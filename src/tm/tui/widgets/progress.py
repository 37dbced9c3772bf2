"""The progress line of document mode, and how each segment status is shown.

The bar is split by status in proportion to characters (Chinese is sized in
characters, as ``tm analyze`` counts it); the figures beside it give segments and
characters done (translated, propagated or reviewed) out of the document's total.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from tm.models import SegmentStatus

if TYPE_CHECKING:
    from tm.service import Progress

# Status → (symbol in the segment list, style, short name).
STATUS_LOOK: dict[SegmentStatus, tuple[str, str, str]] = {
    SegmentStatus.EMPTY: (" ", "dim", "empty"),
    SegmentStatus.DRAFT: ("✎", "bold yellow", "draft"),
    SegmentStatus.TRANSLATED: ("✓", "bold green", "translated"),
    SegmentStatus.PROPAGATED: ("⇣", "bold cyan", "propagated"),
    SegmentStatus.REVIEWED: ("✔", "bold bright_green", "reviewed"),
}
BAR_ORDER = (
    SegmentStatus.REVIEWED,
    SegmentStatus.TRANSLATED,
    SegmentStatus.PROPAGATED,
    SegmentStatus.DRAFT,
)


def status_cell(status: SegmentStatus) -> Text:
    symbol, style, _ = STATUS_LOOK[status]
    return Text(symbol, style=style)


def progress_text(progress: Progress, width: int) -> Text:
    """``[███░░] 12/478 seg 2.5% · 310/15,240 chars 2.0% · ✎2 ⇣3 ✔0`` in ``width``."""
    done = progress.done
    seg_share, char_share = progress.share(done)
    total = progress.total
    figures = Text()
    figures.append(f" {done.segments}/{total.segments} seg {seg_share:.0%}", "bold")
    figures.append(f" · {done.chars:,}/{total.chars:,} chars {char_share:.0%}")
    for status in (
        SegmentStatus.DRAFT,
        SegmentStatus.PROPAGATED,
        SegmentStatus.REVIEWED,
    ):
        count = progress.by_status[status].segments
        symbol, style, _ = STATUS_LOOK[status]
        figures.append(" ")
        figures.append(f"{symbol}{count}", style=style)
    bar_width = max(8, min(40, width - figures.cell_len - 2))
    bar = Text("▕")
    used = 0
    for status in BAR_ORDER:
        chars = progress.by_status[status].chars
        cells = round(bar_width * chars / total.chars) if total.chars else 0
        cells = min(cells, bar_width - used)
        bar.append("█" * cells, style=STATUS_LOOK[status][1])
        used += cells
    bar.append("░" * (bar_width - used), style="dim")
    bar.append("▏")
    return bar + figures


class ProgressLine(Static):
    """One line: the document's progress by status."""

    DEFAULT_CSS = """
    ProgressLine { height: 1; padding: 0 1; }
    """

    def show(self, progress: Progress) -> None:
        self._progress = progress
        self.update(progress_text(progress, self.size.width or self.app.size.width))

    def on_resize(self) -> None:
        progress = getattr(self, "_progress", None)
        if progress is not None:
            self.show(progress)
