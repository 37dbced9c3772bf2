"""Bilingual tables: tm's own TSV and CSV, and the TSV and CSV files people make.

**tm's own tables** (``tm export --format tsv|csv``) have a header row naming the
languages and then tm's columns, which is how a reader knows the file is ours::

    zh-CN  en-US  segtype  status  created_by  created_at  changed_by  changed_at
    tuid  occurrences  props  notes  source_codes  target_codes

Dates are TMX's ``YYYYMMDDThhmmssZ``; ``status`` is empty for a confirmed unit and
``unconfirmed`` for a lower-status one; ``occurrences`` (every place the unit occurs,
with its context), ``props``, ``notes`` and the inline codes are JSON. Inline tags
appear in the text as ``{1}``, ``{2}`` … (as CAT tools show them), with their XML in
the codes columns; in such a field a literal ``{`` is written ``{{``. So a table
round-trips a unit whole: only its database id is not carried.

* TSV is one unit per line: tab, newline, carriage return and backslash inside a
  field are written ``\\t``, ``\\n``, ``\\r``, ``\\\\``. UTF-8, no BOM, LF.
* CSV is RFC 4180 for Excel: UTF-8 with a BOM, CRLF line ends, fields quoted when
  they need it (a newline in a cell stays a newline). A cell a spreadsheet would run
  as a formula (``=``, ``+``, ``-``, ``@`` first) gets a leading apostrophe, which
  reading removes (``tm.formats._cells``).

**Other tables** are read as people and Excel make them: a BOM or none, UTF-8,
UTF-16 (Excel's "Unicode text") or GB18030, CRLF or LF, quoted fields when the file
uses Excel's quoting (a field such as ``"十四五"规划`` that merely starts with a quote
is text), an optional header row of language tags or names (``source``, ``中文`` …).
Backslashes in them are text: ``C:\\new\\table`` stays as it is.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tm.errors import FormatError
from tm.formats._cells import defuse_row, restore_cell
from tm.formats._text import read_text
from tm.formats._xml import PLACEHOLDER_BASE, is_placeholder, placeholder
from tm.models import (
    STATUS_NOTE_PROP,
    STATUS_PROP,
    Occurrence,
    SegType,
    TranslationUnit,
    UnitStatus,
)
from tm.text.normalize import normalize_lang

COLUMNS = (
    "segtype",
    "status",
    "created_by",
    "created_at",
    "changed_by",
    "changed_at",
    "tuid",
    "occurrences",
    "props",
    "notes",
    "source_codes",
    "target_codes",
)
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_ESC = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESC = re.compile(r"\\(.)")
_CODE_RE = re.compile(r"\{\{|\{(\d+)\}")
_SOURCE_WORDS = {"source", "src", "zh", "chinese", "中文", "原文", "source text"}
_TARGET_WORDS = {"target", "tgt", "en", "english", "英文", "译文", "translation"}


def escape(text: str) -> str:
    return "".join(_ESC.get(c, c) for c in text)


def unescape(text: str) -> str:
    return _UNESC.sub(
        lambda m: {"t": "\t", "n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), text
    )


# -- inline codes --------------------------------------------------------------------


def show_codes(text: str, codes: tuple[str, ...]) -> str:
    """``text`` with its placeholders as ``{1}`` … and literal ``{`` doubled."""
    if not codes:
        return text
    out = []
    for ch in text:
        if ch == "{":
            out.append("{{")
        elif is_placeholder(ch) and ord(ch) - PLACEHOLDER_BASE < len(codes):
            out.append(f"{{{ord(ch) - PLACEHOLDER_BASE + 1}}}")
        else:
            out.append(ch)
    return "".join(out)


def read_codes(text: str, codes: tuple[str, ...]) -> str:
    """The inverse of :func:`show_codes`."""
    if not codes:
        return text

    def sub(m: re.Match[str]) -> str:
        if m.group(1) is None:
            return "{"
        n = int(m.group(1))
        return placeholder(n - 1) if 1 <= n <= len(codes) else m.group(0)

    return _CODE_RE.sub(sub, text)


# -- writing -------------------------------------------------------------------------


def header_row(source_lang: str, target_lang: str) -> list[str]:
    return [source_lang, target_lang, *COLUMNS]


def unit_row(unit: TranslationUnit) -> list[str]:
    """A unit as the cells of tm's table (text with inline codes shown as ``{n}``)."""
    from tm.formats.tmx import occurrence_json

    occs = [o for o in (unit.occurrence, *unit.other_occurrences) if o is not None]
    props = [list(p) for p in unit.props if p[0] not in (STATUS_PROP, STATUS_NOTE_PROP)]
    status_note = unit.status_note if unit.unconfirmed else ""
    if status_note:
        props.append([STATUS_NOTE_PROP, status_note])
    return [
        show_codes(unit.source, unit.source_codes),
        show_codes(unit.target, unit.target_codes),
        str(unit.segtype),
        UnitStatus.UNCONFIRMED if unit.unconfirmed else "",
        unit.created_by or "",
        unit.created_at or "",
        unit.changed_by or "",
        unit.changed_at or "",
        unit.tuid or "",
        "[" + ",".join(occurrence_json(o) for o in occs) + "]" if occs else "",
        _json(props) if props else "",
        _json(list(unit.notes)) if unit.notes else "",
        _json(list(unit.source_codes)) if unit.source_codes else "",
        _json(list(unit.target_codes)) if unit.target_codes else "",
    ]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_tsv(
    units: Iterable[TranslationUnit],
    fh: IO[str],
    *,
    header: tuple[str, str] = ("zh-CN", "en-US"),
) -> int:
    """Write units as tm's TSV to a text stream; returns the number of units."""
    fh.write("\t".join(header_row(*header)) + "\n")
    count = 0
    for unit in units:
        fh.write("\t".join(escape(c) for c in unit_row(unit)) + "\n")
        count += 1
    return count


def write_csv(
    units: Iterable[TranslationUnit],
    fh: IO[str],
    *,
    header: tuple[str, str] = ("zh-CN", "en-US"),
) -> int:
    """Write units as tm's CSV (RFC 4180, CRLF) to a text stream opened with
    ``newline=""``; the caller writes the BOM. Returns the number of units."""
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow(header_row(*header))
    count = 0
    for unit in units:
        writer.writerow(defuse_row(unit_row(unit)))
        count += 1
    return count


# -- reading -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Layout:
    """How to read the rows: which columns, which languages, whether it is ours."""

    source: int = 0
    target: int = 1
    source_lang: str = "zh-CN"
    target_lang: str = "en-US"
    ours: bool = False
    header: bool = False


def iter_tsv(path: str | Path, **kw: Any) -> Iterator[TranslationUnit]:
    """Yield units from a tab-separated file: tm's own, or anyone's (see the module)."""
    return iter_table(path, kind="tsv", **kw)


def iter_csv(path: str | Path, **kw: Any) -> Iterator[TranslationUnit]:
    """Yield units from a CSV file (Excel's: comma or semicolon, quoted fields)."""
    return iter_table(path, kind="csv", **kw)


def iter_table(
    path: str | Path,
    *,
    kind: str,
    source_lang: str = "zh-CN",
    target_lang: str = "en-US",
    encoding: str | None = None,
) -> Iterator[TranslationUnit]:
    """Yield units from a ``kind`` ("tsv" or "csv") table; see the module docstring.

    Raises:
        FormatError: malformed CSV quoting, or a row without a source and a target,
            with its line.
    """
    text, _ = read_text(path, encoding=encoding)
    text = text.lstrip("\ufeff")
    rows = tsv_rows(text) if kind == "tsv" else _csv_rows(text, str(path))
    yield from _units(rows, str(path), source_lang, target_lang, tsv=kind == "tsv")


def _csv_rows(text: str, path: str) -> Iterator[tuple[int, list[str]]]:
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=lambda d: _outside_quotes(first).count(d))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    try:
        for row in reader:
            yield line, [restore_cell(c) for c in row]
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FormatError(
            path,
            reader.line_num or line,
            f"bad CSV: {exc}",
            hint="a field holding a quote, comma or line break must be quoted, "
            'its quotes doubled ("")',
        ) from exc


def _outside_quotes(line: str) -> str:
    return re.sub(r'"[^"]*"', "", line)


def tsv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` per row of a TSV text, honouring Excel's quoting when the
    file uses it (see :func:`_quoted_file`); otherwise every character is text."""
    quoted = _quoted_file(text)
    pos, line, n = 0, 1, len(text)
    while pos < n:
        start_line = line
        cells: list[str] = []
        while True:
            cell, pos, line = _tsv_cell(text, pos, line, quoted)
            cells.append(cell)
            if pos < n and text[pos] == "\t":
                pos += 1
                continue
            break
        if text.startswith("\r\n", pos):
            pos += 2
        elif pos < n:
            pos += 1
        line += 1
        yield start_line, cells


def _tsv_cell(text: str, pos: int, line: int, quoted: bool) -> tuple[str, int, int]:
    if quoted and pos < len(text) and text[pos] == '"':
        parsed = _quoted_cell(text, pos)
        if parsed is not None:
            cell, end = parsed
            return cell, end, line + text.count("\n", pos, end)
    end = pos
    while end < len(text) and text[end] not in "\t\r\n":
        end += 1
    return text[pos:end], end, line


def _quoted_cell(text: str, pos: int) -> tuple[str, int] | None:
    """An Excel-quoted field at ``pos`` and where it ends, or None if it is not one."""
    out = []
    i = pos + 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            if text.startswith('""', i):
                out.append('"')
                i += 2
                continue
            end = i + 1
            if end == len(text) or text[end] in "\t\r\n":
                return "".join(out), end
            return None  # "十四五"规划: a quote inside text, not a quoted field
        out.append(ch)
        i += 1
    return None


def _quoted_file(text: str) -> bool:
    """Whether a TSV uses Excel's quoting: some quoted field holds what only quoting
    can carry (a doubled quote, a tab, a line break), or every field is quoted, and
    no field holds a quote outside quoting (see :func:`_bare_quote`)."""
    starts = [m.start() for m in re.finditer(r'(?:^|(?<=[\t\n]))"', text)]
    quoted = 0
    for start in starts:
        parsed = _quoted_cell(text, start)
        if parsed is None:
            continue
        if any(c in parsed[0] for c in '"\t\n'):
            return not _bare_quote(text)
        quoted += 1
    cells = text.count("\t") + sum(1 for r in text.splitlines() if r.strip())
    return quoted > 0 and quoted >= cells and not _bare_quote(text)


def _bare_quote(text: str) -> bool:
    """Whether some field, read with Excel's quoting, holds a quote outside quoting.

    Excel quotes every field that holds a quote, so such a field means the file is
    not Excel's: in a news TSV, an English field opening a quotation that goes on in
    the next paragraph ("…they've done.) reads, quoted, as one field running over the
    following rows up to another row's closing quote, and silently merged them.
    """
    pos, n = 0, len(text)
    while pos < n:
        if text[pos] == '"' and (parsed := _quoted_cell(text, pos)) is not None:
            pos = parsed[1]
        else:
            end = pos
            while end < n and text[end] not in "\t\r\n":
                end += 1
            if '"' in text[pos:end]:
                return True
            pos = end
        pos += 2 if text.startswith("\r\n", pos) else 1
    return False


def _units(
    rows: Iterator[tuple[int, list[str]]],
    path: str,
    source_lang: str,
    target_lang: str,
    *,
    tsv: bool,
) -> Iterator[TranslationUnit]:
    name = os.path.basename(path)
    layout: _Layout | None = None
    position = 0
    for line, raw in rows:
        cells = _trim(raw)
        if not any(c.strip() for c in cells):
            continue
        if layout is None:
            layout, is_header = _layout(cells, source_lang, target_lang)
            if is_header:
                continue
        if layout.ours and tsv:
            cells = [unescape(c) for c in cells]
        unit = _row_unit(cells, layout, path, line, name, position)
        position += 1
        yield unit


def _trim(cells: list[str]) -> list[str]:
    """Cells without the empty ones Excel leaves after the last column."""
    while len(cells) > 2 and not cells[-1]:
        cells = cells[:-1]
    return cells


def _layout(
    cells: list[str], source_lang: str, target_lang: str
) -> tuple[_Layout, bool]:
    """The layout the first row gives, and whether that row is a header."""
    heads = [c.strip() for c in cells]
    if tuple(heads[2:]) == COLUMNS and all(_LANG_RE.match(h) for h in heads[:2]):
        ours = [normalize_lang(h) for h in heads[:2]]
        return _Layout(0, 1, ours[0], ours[1], ours=True, header=True), True
    langs = [i for i, h in enumerate(heads) if _LANG_RE.match(h) and h.lower() != "id"]
    words = [h.lower() for h in heads]
    if len(langs) >= 2:  # tm translates Chinese to English, whatever the order
        src = _by_lang(heads, langs, "zh", langs[0])
        tgt = _by_lang(heads, [i for i in langs if i != src], "en", None)
    else:
        src, tgt = _find(words, _SOURCE_WORDS), _find(words, _TARGET_WORDS)
    if src is not None and tgt is not None and src != tgt:
        if len(langs) >= 2:
            source_lang, target_lang = (
                normalize_lang(heads[src]),
                normalize_lang(heads[tgt]),
            )
        return _Layout(src, tgt, source_lang, target_lang, header=True), True
    return _Layout(0, 1, source_lang, target_lang), False


def _by_lang(
    heads: list[str], columns: list[int], primary: str, default: int | None
) -> int | None:
    """The column whose language tag has ``primary`` as its language, or the first."""
    found = [i for i in columns if heads[i].split("-")[0].lower() == primary]
    if found:
        return found[0]
    return default if default is not None else (columns[0] if columns else None)


def _find(words: list[str], names: set[str]) -> int | None:
    return next((i for i, w in enumerate(words) if w in names), None)


def _row_unit(
    cells: list[str], layout: _Layout, path: str, line: int, name: str, position: int
) -> TranslationUnit:
    if not layout.header and len(cells) > 2:
        raise FormatError(
            path,
            line,
            f"expected 2 columns (source and target), found {len(cells)}",
            hint="give the file a header row naming the source and target columns",
        )
    if max(layout.source, layout.target) >= len(cells):
        raise FormatError(
            path, line, f"expected a source and a target column, found {len(cells)}"
        )
    source, target = cells[layout.source], cells[layout.target]
    if not source.strip():
        raise FormatError(path, line, "empty source column")
    base = TranslationUnit(
        source=source,
        target=target,
        source_lang=layout.source_lang,
        target_lang=layout.target_lang,
        segtype=SegType.SENTENCE,
        occurrence=Occurrence(document=name, position=position),
    )
    if not layout.ours:
        return base
    try:
        return _our_unit(base, dict(zip(COLUMNS, cells[2:], strict=False)))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise FormatError(path, line, f"bad tm table row: {exc}") from exc


def _our_unit(base: TranslationUnit, cols: dict[str, str]) -> TranslationUnit:
    """A row of tm's own table as the unit it was written from."""
    from dataclasses import replace

    from tm.formats.tmx import occurrence_of

    def load(key: str) -> list[Any]:
        value = cols.get(key, "")
        loaded = json.loads(value) if value else []
        if not isinstance(loaded, list):
            raise TypeError(f"{key}: expected a JSON list")
        return loaded

    source_codes = tuple(str(c) for c in load("source_codes"))
    target_codes = tuple(str(c) for c in load("target_codes"))
    occs = [occurrence_of(d) for d in load("occurrences")]
    props = [(str(k), str(v)) for k, v in load("props")]
    if cols.get("status") == UnitStatus.UNCONFIRMED:
        note = [p for p in props if p[0] == STATUS_NOTE_PROP]
        props = [p for p in props if p[0] != STATUS_NOTE_PROP]
        props += [(STATUS_PROP, str(UnitStatus.UNCONFIRMED)), *note]
    return replace(
        base,
        source=read_codes(base.source, source_codes),
        target=read_codes(base.target, target_codes),
        segtype=cols.get("segtype") or base.segtype,
        created_by=cols.get("created_by") or None,
        created_at=cols.get("created_at") or None,
        changed_by=cols.get("changed_by") or None,
        changed_at=cols.get("changed_at") or None,
        tuid=cols.get("tuid") or None,
        occurrence=occs[0] if occs else None,
        other_occurrences=tuple(occs[1:]),
        props=tuple(props),
        notes=tuple(str(n) for n in load("notes")),
        source_codes=source_codes,
        target_codes=target_codes,
    )
