"""Text bound for a terminal: control and bidi characters shown as ``\\uXXXX``.

A TM holds whatever its sources held: a TSV cell or a TMX ``<ph type="x-tm-char">``
may carry ESC, BEL or a right-to-left override. Printed raw, such text sets the
window title, clears the screen, prints OSC-8 links or reorders the line around it.
On a terminal, stdout and stderr therefore pass through :class:`EscapingStream`;
piped output (TSV, JSON for another program) stays byte for byte what was stored.
Error messages are escaped everywhere: they quote file names and text.

Only complete SGR sequences (colours and bold, ``ESC [ … m``) pass, so rich's own
styling still works; a stray SGR in stored text can change a colour, nothing more.
"""

from __future__ import annotations

import io
import re
import sys
from typing import IO, TextIO

_TAB_NEWLINE = (0x09, 0x0A)
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
UNSAFE = frozenset(
    [
        *(c for c in range(0x20) if c not in _TAB_NEWLINE),
        *range(0x7F, 0xA0),  # DEL and the C1 controls (0x9B is a one-byte CSI)
        *_BIDI,
        0x2028,
        0x2029,
    ]
)
_TABLE = {c: f"\\u{c:04x}" for c in UNSAFE}
_SGR = re.compile(r"(\x1b\[[0-9;:]*m)")


def escape_controls(text: str) -> str:
    """``text`` with every control and bidi character written ``\\uXXXX``."""
    return text.translate(_TABLE)


def escape_keeping_colours(text: str) -> str:
    """Like :func:`escape_controls`, but complete SGR (colour) sequences pass."""
    if "\x1b[" not in text:
        return text.translate(_TABLE)
    parts = _SGR.split(text)
    return "".join(p if i % 2 else p.translate(_TABLE) for i, p in enumerate(parts))


class EscapingStream(io.TextIOBase):
    """A text stream onto a terminal that escapes what the terminal would obey."""

    def __init__(self, raw: TextIO) -> None:
        super().__init__()
        self.raw = raw

    def write(self, s: str) -> int:
        if not isinstance(s, str):  # click probes with b"" to tell binary streams
            raise TypeError("EscapingStream takes text")
        self.raw.write(escape_keeping_colours(s))
        return len(s)

    def flush(self) -> None:
        self.raw.flush()

    def isatty(self) -> bool:
        return self.raw.isatty()

    def fileno(self) -> int:
        return self.raw.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.raw.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self.raw.errors

    @property
    def buffer(self) -> IO[bytes]:
        """The terminal's bytes, for data written with ``-o -`` (kept as stored)."""
        return self.raw.buffer


def guard_terminal() -> None:
    """Send stdout and stderr through :class:`EscapingStream` where they are terminals."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, EscapingStream) or not _is_tty(stream):
            continue
        setattr(sys, name, EscapingStream(stream))


def raw_stderr() -> TextIO:
    """stderr without escaping, for rich's progress display (cursor moves, no data)."""
    stream = sys.stderr
    return stream.raw if isinstance(stream, EscapingStream) else stream


def _is_tty(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):  # closed
        return False
