"""The key line: the current screen's keys, then the app's, on as many lines as needed.

Textual's footer is one line that scrolls sideways, so at 80 columns it hides the
keys a translator needs most (F1–F5, Ctrl+K, Ctrl+Q). This line wraps instead, key
by key (a key and its label never split), and puts the screen's own keys first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.screen import Screen

KEY_STYLE = "bold"
NAMES = {
    "ctrl": "^",
    "alt": "M-",
    "shift": "⇧",
    "down": "↓",
    "up": "↑",
    "left": "←",
    "right": "→",
    "slash": "/",
    "question_mark": "?",
    "escape": "Esc",
    "enter": "↵",
    "space": "Space",
    "tab": "Tab",
    "delete": "Del",
}


def key_label(key: str) -> str:
    """``ctrl+down`` → ``^↓``, ``f1`` → ``F1``, ``slash`` → ``/`` (the first of several)."""
    first = key.split(",")[0].strip()
    parts = first.split("+")
    out = ""
    for part in parts[:-1]:
        out += NAMES.get(part, part)
    last = parts[-1]
    if last in NAMES:
        out += NAMES[last]
    elif len(last) == 1 or (last[0] == "f" and last[1:].isdigit()):
        out += last.upper()
    else:
        out += last
    return out


def layout(
    items: list[tuple[str, str]], width: int, key_style: str = KEY_STYLE
) -> list[Text]:
    """Lines of ``key label`` items, filled greedily up to ``width`` columns."""
    lines: list[Text] = []
    line = Text()
    for key, label in items:
        piece = Text()
        piece.append(key, style=key_style)
        piece.append(f" {label}")
        need = piece.cell_len + (1 if line.cell_len else 0)
        if line.cell_len and line.cell_len + need > width:
            lines.append(line)
            line = Text()
        if line.cell_len:
            line.append(" ")
        line.append_text(piece)
    if line.cell_len:
        lines.append(line)
    return lines


class KeyLine(Static):
    """The keys of the current screen (its own first), wrapped to the width."""

    DEFAULT_CSS = """
    KeyLine { height: auto; max-height: 3; background: $footer-background;
              color: $footer-foreground; dock: bottom; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh_keys()

    def on_resize(self) -> None:
        self.refresh_keys()

    def items(self) -> list[tuple[str, str]]:
        """(key, label) of every shown binding: the screen's in the order it declares
        them, then the app's; the key of the screen already shown is left out."""
        declared: dict[str, int] = {}
        for n, b in enumerate(
            [*getattr(self.screen, "BINDINGS", []), *getattr(self.app, "BINDINGS", [])]
        ):
            if isinstance(b, Binding):
                declared.setdefault(b.action, n)
        mode = self.app.current_mode
        here = {f"switch_mode('{mode}')", mode}  # F2's action is "lookup"
        order: list[tuple[int, int, Binding]] = []
        for _, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.show or not binding.description or binding.action in here:
                continue
            rank = (
                0 if active.node is self.screen else 2 if active.node is self.app else 1
            )
            order.append((rank, declared.get(binding.action, 999), binding))
        seen: set[str] = set()
        out: list[tuple[str, str]] = []
        for _, _, binding in sorted(order, key=lambda o: (o[0], o[1])):
            if binding.action in seen:
                continue
            seen.add(binding.action)
            out.append((key_label(binding.key), binding.description))
        return out

    def refresh_keys(self) -> None:
        width = self.size.width or self.app.size.width
        colour = self.app.get_css_variables().get("footer-key-foreground", "")
        style = f"bold {colour}" if colour.startswith("#") else KEY_STYLE
        lines = layout(self.items(), max(width, 20), style)
        self.update(Text("\n").join(lines))
