"""Analysis bands (101, 100, 95-99, 85-94, 75-84, 50-74, new) and their colours.

The band of a score is ``band_of`` (``tm.analysis``, through the service), so the TUI
shows what ``tm analyze`` counts; only the colours live here.
"""

from __future__ import annotations

from tm.service import BANDS, band_of

__all__ = ["BANDS", "STYLES", "band"]

STYLES = {
    "101": "bold magenta",
    "100": "bold green",
    "95-99": "green",
    "85-94": "cyan",
    "75-84": "yellow",
    "50-74": "dark_orange",
    "new": "red",
}


def band(score: float | None) -> tuple[str, str]:
    """The band label and Rich style for a best-match score (None = no match)."""
    label = band_of(score)
    return label, STYLES.get(label, "")
