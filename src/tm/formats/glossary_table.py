"""Glossaries as tables: OmegaT's tab format (``zh<TAB>en<TAB>comment``) and CSV.

OmegaT reads one rendering per line and shows the comment beside it; several lines with
the same source are several renderings. So an entry becomes its approved line (comment =
the note), then one line per variant and per forbidden rendering, their comments
starting with a marker that reading back understands. Lines starting with ``#`` are
comments, as in OmegaT. Status, category and ``seen`` do not travel in this format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from tm.errors import FormatError
from tm.formats._atomic import atomic_output
from tm.formats._cells import defuse_row, restore_cell
from tm.formats._text import read_text
from tm.models import GlossaryHeader, TermEntry, TermStatus

VARIANT_MARK = "variant of: "
# A forbidden rendering's comment names it: OmegaT's glossary pane merges the lines
# of one term and numbers their comments, so the comment must say which rendering.
FORBIDDEN_MARK = "FORBIDDEN"
_HEADER_WORDS = {"zh", "en", "source", "target", "comment", "term", "translation"}


def read_glossary_table(
    path: str | Path, *, encoding: str | None = None
) -> tuple[GlossaryHeader, list[TermEntry]]:
    """Read a tab-separated (``.txt``, ``.tsv``, ``.utf8``) or ``.csv`` glossary.

    Raises:
        FormatError: a line without a source and a target.
    """
    path = str(path)
    text, _ = read_text(path, encoding=encoding)
    comma = path.lower().endswith(".csv")
    rows = _rows(text, comma=comma, path=path)
    entries: list[TermEntry] = []
    for line, row in rows:
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            if line == 1 or not any(c.strip() for c in row):
                continue
            raise FormatError(path, line, "a glossary line needs a source and a target")
        zh, en, comment = row[0].strip(), row[1].strip(), _cell(row, 2)
        if line == 1 and {zh.lower(), en.lower()} <= _HEADER_WORDS:
            continue
        _merge(entries, zh, en, comment)
    return GlossaryHeader(name=Path(path).stem), entries


def _rows(text: str, *, comma: bool, path: str) -> Iterator[tuple[int, list[str]]]:
    if comma:
        reader = csv.reader(io.StringIO(text))
        try:
            for row in reader:
                if row and row[0].startswith("#"):
                    continue
                yield reader.line_num, [restore_cell(c) for c in row]
        except csv.Error as exc:  # a NUL byte, a bare newline inside a quoted cell
            raise FormatError(path, reader.line_num + 1, f"bad CSV: {exc}") from exc
        return
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("#") or not line.strip():
            continue
        yield n, line.split("\t")


def _cell(row: list[str], i: int) -> str:
    return row[i].strip() if len(row) > i else ""


def _merge(entries: list[TermEntry], zh: str, en: str, comment: str) -> None:
    """Add a line: a new entry, or a variant/forbidden rendering of the previous one."""
    from dataclasses import replace

    last = entries[-1] if entries and entries[-1].zh == zh else None
    if last is not None and comment.startswith(FORBIDDEN_MARK):
        entries[-1] = replace(last, forbidden=(*last.forbidden, en))
    elif last is not None:
        entries[-1] = replace(last, variants=(*last.variants, en))
    else:
        entries.append(
            TermEntry(zh=zh, en=en, note=comment, status=TermStatus.APPROVED)
        )


def write_glossary_table(
    entries: Iterable[TermEntry], dest: str | Path | IO[str], *, fmt: str = "tsv"
) -> int:
    """Write entries in OmegaT's tab format (``fmt="tsv"``) or as CSV; returns entries written.

    Entries without an approved rendering are skipped (OmegaT needs a target).
    """
    if isinstance(dest, (str, Path)):
        with atomic_output(dest, mode="w") as fh:
            return _write(entries, fh, fmt)
    return _write(entries, dest, fmt)


def _write(entries: Iterable[TermEntry], fh: IO[str], fmt: str) -> int:
    writer = csv.writer(fh, lineterminator="\n") if fmt == "csv" else None
    count = 0
    for entry in entries:
        if not entry.en:
            continue
        count += 1
        rows = [(entry.zh, entry.en, entry.note)]
        rows += [(entry.zh, v, VARIANT_MARK + entry.en) for v in entry.variants]
        rows += [
            (entry.zh, f, f"{FORBIDDEN_MARK}: {f}; use: {entry.en}")
            for f in entry.forbidden
        ]
        for row in rows:
            if writer is not None:
                writer.writerow(defuse_row(row))
            else:
                fh.write("\t".join(_one_line(c) for c in row) + "\n")
    return count


def _one_line(text: str) -> str:
    return " ".join(text.split())
