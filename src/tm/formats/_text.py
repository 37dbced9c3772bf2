"""Decoding text files: BOMs, UTF-16, and GB18030 from Chinese Windows tools.

Never guesses silently into mojibake: UTF-8 is tried strictly; GB18030 is accepted only
when the whole file decodes and reads as Chinese; anything else is refused with the line.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from tm.errors import FormatError
from tm.text.normalize import HAN_RE

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, path: str, *, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding used)``.

    Raises:
        FormatError: the bytes are not valid in any encoding we accept.
    """
    if encoding:
        return _decode_as(data, path, encoding), encoding
    for bom, enc in BOMS:
        if data.startswith(bom):
            return _decode_as(data, path, enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if text and _reads_as_chinese(text):
        return text, "gb18030"
    line = data[: utf8_error.start].count(b"\n") + 1
    raise FormatError(
        path,
        line,
        f"not valid UTF-8 (byte {data[utf8_error.start]:#04x} at offset {utf8_error.start})",
        hint="convert the file to UTF-8, or name its encoding with --encoding",
    ) from utf8_error


def _decode_as(data: bytes, path: str, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        start = getattr(exc, "start", 0)
        line = data[:start].count(b"\n") + 1
        raise FormatError(path, line, f"cannot decode as {encoding}: {exc}") from exc


def _reads_as_chinese(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    han = sum(1 for c in letters if HAN_RE.match(c))
    return han / len(letters) > 0.3


def read_text(path: str | Path, *, encoding: str | None = None) -> tuple[str, str]:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FormatError(
            str(path), None, f"cannot read: {exc.strerror or exc}"
        ) from exc
    return decode(data, str(path), encoding=encoding)
