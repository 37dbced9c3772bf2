"""Where the service writes: a path replaced atomically, or a byte stream the shell gave.

The rule for every writer of the service layer: a ``str``/``Path`` destination is
replaced atomically (written beside it, then renamed over it: a crash leaves the old
file); a stream is a binary stream that the shell resolved (``-`` → stdout is the
shell's business). Text formats are encoded as UTF-8 onto the stream.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from tm.formats._atomic import atomic_output

Destination = str | Path | IO[bytes]

__all__ = ["Destination", "atomic_output", "text_output", "write_text"]


@contextlib.contextmanager
def text_output(dest: Destination) -> Iterator[IO[str]]:
    """A UTF-8 text stream onto ``dest`` (a path written atomically, or a byte stream).

    The byte stream is flushed and left open: it belongs to the caller.
    """
    if isinstance(dest, (str, Path)):
        with atomic_output(dest, mode="w") as fh:
            yield fh
        return
    wrapper = io.TextIOWrapper(dest, encoding="utf-8", newline="")
    try:
        yield wrapper
        wrapper.flush()
    finally:
        wrapper.detach()  # do not close the caller's stream


def write_text(dest: Destination, text: str) -> None:
    """Write ``text`` to ``dest`` (atomically when it is a path)."""
    with text_output(dest) as fh:
        fh.write(text)
