"""QA review placeholder (replaced when the QA core lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static


class ReviewScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("QA review", id="status")
        yield Footer()
