"""Analysis bands (101, 100, 95–99, 85–94, 75–84, 50–74, new) and their colours."""

from __future__ import annotations

BANDS: tuple[tuple[float, str, str], ...] = (
    (101, "101", "bold magenta"),
    (100, "100", "bold green"),
    (95, "95-99", "green"),
    (85, "85-94", "cyan"),
    (75, "75-84", "yellow"),
    (50, "50-74", "dark_orange"),
)
NEW = ("new", "red")


def band(score: float | None) -> tuple[str, str]:
    """The band label and Rich style for a best-match score (None = no match)."""
    if score is None:
        return NEW
    for floor, label, style in BANDS:
        if score >= floor:
            return label, style
    return NEW
