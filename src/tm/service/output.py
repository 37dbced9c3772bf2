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

__all__ = [
    "Destination",
    "atomic_output",
    "export_format",
    "pretranslate_format",
    "qa_report_format",
    "term_export_format",
    "text_output",
    "write_text",
]

# Output file extensions and the format each means (a name that says another format
# than --format is a usage error, exit 2, and nothing is written).
EXPORT_EXTENSIONS = {".tmx": "tmx", ".tsv": "tsv", ".tab": "tsv", ".csv": "csv"}
PRETRANSLATE_EXTENSIONS = {".xlf": "xliff12", ".xliff": "xliff12", ".tmx": "tmx"}
TERM_EXTENSIONS = {
    ".tbx": "tbx",
    ".txt": "tsv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".utf8": "tsv",
    ".csv": "csv",
    ".yaml": "yaml",
    ".yml": "yaml",
}
QA_REPORT_EXTENSIONS = {".csv": "csv", ".json": "json", ".html": "html", ".htm": "html"}


def export_format(dest: str, requested: str | None) -> str:
    """The format ``tm export`` writes ``dest`` in: ``--format``, else the name's.

    Raises:
        ConfigError: an extension tm cannot write, or one contradicting ``requested``.
    """
    from tm.formats import output_format

    return output_format(dest, requested, EXPORT_EXTENSIONS, default="tmx")


def pretranslate_format(dest: str, requested: str | None) -> str:
    """The format a pre-translation goes to: XLIFF, TMX, or a folder for OmegaT."""
    from tm.formats import output_format

    return output_format(
        dest, requested, PRETRANSLATE_EXTENSIONS, default="xliff12", folder="omegat"
    )


def qa_report_format(dest: str, requested: str | None) -> str:
    """The format a QA report file is written in: ``--format``, else the name's
    (CSV for a name without extension)."""
    from tm.formats import output_format

    return output_format(dest, requested, QA_REPORT_EXTENSIONS, default="csv")


def term_export_format(dest: str, requested: str | None) -> str:
    """The format a term base export goes to (TBX for ``-`` or no extension)."""
    from tm.formats import output_format

    return output_format(dest, requested, TERM_EXTENSIONS, default="tbx")


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
