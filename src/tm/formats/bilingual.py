"""The seed bilingual "•" format (a translation-teaching site's export).

Layout: a title pair on lines 1–2; a header (translator and institution on one line,
then ``时间:… 语向:中-英 类型:… 字数:…``); then pairs: a line starting with two spaces
and "• " is Chinese, the next line (4-space indent) its English. Lines after the last
pair (the site's footer) are not pairs.

Positions: the title pair is position 0; bullet pair ``i`` (0-based, the development
set's ``pair_index``) is position ``i + 1``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tm.errors import FormatError
from tm.formats._text import read_text
from tm.models import Occurrence, SegType, TranslationUnit

BULLET = "  • "
EN_INDENT = "    "
_HEADER_FIELDS = {
    "时间": "date",
    "语向": "direction",
    "类型": "domain",
    "字数": "word_count",
}
_FIELD_RE = re.compile(r"(时间|语向|类型|字数)\s*[:：]\s*(\S+)")
_ANNEX_RE = re.compile(r"^附件\s*(\d+)\s*$")
_PART_RE = re.compile(r"^[一二三四五六七八九十]+、")
_ITEM_RE = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")
_DIRECTIONS = {"中-英": ("zh-CN", "en-US"), "英-中": ("en-US", "zh-CN")}


@dataclass(frozen=True, slots=True)
class BilingualPair:
    """One pair of the file. ``index`` is None for the unbulleted title pair."""

    index: int | None
    zh: str
    en: str
    line: int
    section: str


@dataclass(frozen=True, slots=True)
class BilingualDoc:
    name: str
    meta: dict[str, str]
    pairs: list[BilingualPair]
    source_lang: str = "zh-CN"
    target_lang: str = "en-US"


def looks_bilingual(text: str) -> bool:
    """True when the text has the seed format's bullet/indent pairs."""
    lines = text.splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.startswith(BULLET) and lines[i + 1].startswith(EN_INDENT):
            return True
    return False


def read_bilingual(path: str | Path, *, encoding: str | None = None) -> BilingualDoc:
    """Parse a seed-format file.

    Raises:
        FormatError: a Chinese line with no English after it, or no pairs at all.
    """
    text, _ = read_text(path, encoding=encoding)
    return parse_bilingual(text, str(path))


def parse_bilingual(text: str, path: str) -> BilingualDoc:
    lines = text.lstrip("\ufeff").splitlines()
    first_bullet = next(
        (i for i, ln in enumerate(lines) if ln.startswith(BULLET)), None
    )
    if first_bullet is None:
        raise FormatError(path, 1, "no '  • ' pairs: not the seed bilingual format")
    meta = _header(lines[:first_bullet])
    pairs: list[BilingualPair] = []
    if len(lines) >= 2 and lines[0].strip() and lines[1].strip() and first_bullet >= 2:
        pairs.append(BilingualPair(None, lines[0].strip(), lines[1].strip(), 1, ""))
    sections = _Sections()
    i = first_bullet
    index = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(BULLET):
            zh = line[len(BULLET) :].strip()
            if i + 1 >= len(lines) or not lines[i + 1].startswith(EN_INDENT):
                raise FormatError(
                    path,
                    i + 1,
                    "Chinese line with no English line (4-space indent) after it",
                )
            en = lines[i + 1].strip()
            if not zh:
                raise FormatError(path, i + 1, "empty Chinese line after the bullet")
            pairs.append(BilingualPair(index, zh, en, i + 1, sections.enter(zh)))
            index += 1
            i += 2
            continue
        if line.startswith(EN_INDENT) and line.strip():
            raise FormatError(
                path, i + 1, "English line with no Chinese bullet line before it"
            )
        i += 1  # blank lines and the site footer
    src, tgt = _DIRECTIONS.get(meta.get("direction", ""), ("zh-CN", "en-US"))
    return BilingualDoc(os.path.basename(path), meta, pairs, src, tgt)


def _header(lines: list[str]) -> dict[str, str]:
    meta: dict[str, str] = {}
    if lines:
        meta["title_zh"] = lines[0].strip()
    if len(lines) > 1:
        meta["title_en"] = lines[1].strip()
    for line in lines[2:]:
        fields = _FIELD_RE.findall(line)
        if fields:
            for key, value in fields:
                meta[_HEADER_FIELDS[key]] = value
        elif line.strip() and "translator" not in meta:
            parts = re.split(r"\s{2,}|\t", line.strip())
            meta["translator"] = parts[0]
            if len(parts) > 1:
                meta["institution"] = " ".join(parts[1:])
    return meta


class _Sections:
    """Tracks the heading path: 附件N plan title → 一、 part → (一) item."""

    def __init__(self) -> None:
        self.annex = ""
        self.part = ""
        self.item = ""
        self._expect_title = False

    def enter(self, zh: str) -> str:
        """Update the path for ``zh`` and return the path it sits in.

        A heading sits in its own section: an item paragraph "(一)打通…。加快…" is the
        body of item (一), so its path ends with that item.
        """
        if _ANNEX_RE.match(zh):
            self.annex, self.part, self.item = zh, "", ""
            self._expect_title = True
        elif self._expect_title:
            self.annex = f"{self.annex} {zh}"
            self._expect_title = False
        elif _PART_RE.match(zh):
            self.part, self.item = _heading(zh), ""
        elif _ITEM_RE.match(zh):
            self.item = _heading(zh)
        return self.path()

    def path(self) -> str:
        return " > ".join(p for p in (self.annex, self.part, self.item) if p)


def _heading(zh: str) -> str:
    m = re.search(r"[。;；]", zh)
    head = zh[: m.start()] if m else zh
    return head if len(head) <= 40 else head[:39] + "…"


def iter_bilingual(
    path: str | Path, *, encoding: str | None = None
) -> Iterator[TranslationUnit]:
    """Yield a paragraph unit for the title and every pair, with provenance."""
    doc = read_bilingual(path, encoding=encoding)
    yield from doc_units(doc)


def doc_units(doc: BilingualDoc) -> Iterator[TranslationUnit]:
    props = tuple(sorted((f"x-{k}", v) for k, v in doc.meta.items() if k in _KEPT_META))
    for n, pair in enumerate(doc.pairs):
        prev_src = doc.pairs[n - 1].zh if n > 0 else None
        next_src = doc.pairs[n + 1].zh if n + 1 < len(doc.pairs) else None
        position = 0 if pair.index is None else pair.index + 1
        yield TranslationUnit(
            source=pair.zh,
            target=pair.en,
            source_lang=doc.source_lang,
            target_lang=doc.target_lang,
            segtype=SegType.PARAGRAPH,
            created_by=doc.meta.get("translator"),
            created_at=_stamp(doc.meta.get("date")),
            props=props,
            occurrence=Occurrence(
                document=doc.name,
                position=position,
                prev_source=prev_src,
                next_source=next_src,
                section=pair.section,
            ),
        )


_KEPT_META = ("translator", "institution", "domain")


def _stamp(date: str | None) -> str | None:
    if date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        return date.replace("-", "") + "T000000Z"
    return None
