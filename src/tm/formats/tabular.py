"""Bilingual TSV: ``source<TAB>target`` per line, with an optional header of language tags.

Tabs, newlines and backslashes inside text are escaped as ``\\t``, ``\\n``, ``\\\\``
so that one unit is always one line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from tm.errors import FormatError
from tm.formats._text import read_text
from tm.models import Occurrence, SegType, TranslationUnit
from tm.text.normalize import normalize_lang

_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_ESC = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESC = re.compile(r"\\(.)")


def escape(text: str) -> str:
    return "".join(_ESC.get(c, c) for c in text)


def unescape(text: str) -> str:
    return _UNESC.sub(
        lambda m: {"t": "\t", "n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), text
    )


def iter_tsv(
    path: str | Path,
    *,
    source_lang: str = "zh-CN",
    target_lang: str = "en-US",
    encoding: str | None = None,
) -> Iterator[TranslationUnit]:
    """Yield units from a bilingual TSV file.

    Raises:
        FormatError: a line without exactly two columns, or an empty source.
    """
    text, _ = read_text(path, encoding=encoding)
    name = os.path.basename(str(path))
    lines = text.lstrip("\ufeff").splitlines()
    start = 0
    if lines:
        head = lines[0].split("\t")
        if len(head) == 2 and all(_LANG_RE.match(h.strip()) for h in head):
            source_lang, target_lang = (normalize_lang(h.strip()) for h in head)
            start = 1
    position = 0
    for n, line in enumerate(lines[start:], start=start + 1):
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) != 2:
            raise FormatError(
                str(path), n, f"expected 2 tab-separated columns, found {len(cols)}"
            )
        source, target = unescape(cols[0]), unescape(cols[1])
        if not source.strip():
            raise FormatError(str(path), n, "empty source column")
        yield TranslationUnit(
            source=source,
            target=target,
            source_lang=source_lang,
            target_lang=target_lang,
            segtype=SegType.SENTENCE,
            occurrence=Occurrence(document=name, position=position),
        )
        position += 1


def write_tsv(
    units: Iterable[TranslationUnit],
    fh: IO[str],
    *,
    header: tuple[str, str] | None = None,
) -> int:
    """Write units as TSV to a text stream; returns the number of lines of units."""
    count = 0
    if header:
        fh.write(f"{header[0]}\t{header[1]}\n")
    for unit in units:
        fh.write(f"{escape(unit.source)}\t{escape(unit.target)}\n")
        count += 1
    return count
