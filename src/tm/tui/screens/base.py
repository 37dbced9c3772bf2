"""What every task screen shares: the typed app and the status line."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen
from textual.widgets import Static

if TYPE_CHECKING:
    from tm.tui.app import TMApp


class TMScreen(Screen[None]):
    """A task screen with a ``#status`` line under its body."""

    @property
    def tm_app(self) -> TMApp:
        return cast("TMApp", self.app)

    def set_status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)
