"""List labels (enumerators) opening a paragraph: 一、 (一) 1. (1) and First, / 2. / (2) / II.

Chinese official documents number sections 一、, subsections (一), items 1. and (1); an
English translation must carry the number, and should map each Chinese style to one
English style throughout the TM. A label is structure, not content: the keys of
``tm.text.normalize`` that compare content leave it out. Positions are in the
original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tm.text.numbers import parse_chinese_numeral

# The Chinese numerals a list label is written with.
ZH_NUMERALS = "零〇一二三四五六七八九十百"
_ZH_ENUM = re.compile(
    rf"^\s*(?:(?P<dun>[{ZH_NUMERALS}]+)[、,，.．]"
    rf"|[(（](?P<cnparen>[{ZH_NUMERALS}]+)[)）]"
    r"|(?P<numdot>\d{1,3})(?:[.．、](?!\d))"
    r"|[(（](?P<numparen>\d{1,3})[)）])\s*"
)
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
}
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}
_EN_ENUM = re.compile(
    r"^\s*(?:(?P<numdot>\d{1,3})\.(?!\d)"
    r"|\((?P<numparen>\d{1,3})\)"
    r"|(?P<numclose>\d{1,3})\)"
    r"|(?P<lclose>[a-z])\)(?=\s)"
    r"|(?P<numbare>\d{1,3})(?=\s+[A-Z])"
    r"|(?P<roman>[IVXL]{1,6})\.(?=\s|[A-Z])"
    r"|\((?P<letter>[a-z])\)"
    r"|(?P<ordinal>(?:" + "|".join(_ORDINALS) + r")(?:ly)?),)\s*",
    re.IGNORECASE,
)

#: Chinese style → how a translator usually renders it (the default mapping).
ZH_STYLES = {"dun": "一、", "cnparen": "(一)", "numdot": "1.", "numparen": "(1)"}
EN_STYLES = {
    "numdot": "1.",
    "numparen": "(1)",
    "roman": "I.",
    "letter": "(a)",
    "ordinal": "First,",
    "numclose": "1)",
    "lclose": "a)",
    "numbare": "1",
}


@dataclass(frozen=True, slots=True)
class Enumerator:
    """A paragraph-initial enumerator: its style, value and span (end includes space)."""

    style: str
    value: int
    start: int
    end: int
    text: str


# Cached because one QA pass asks about the same text several times in a row (the
# numbers and enumerator checks, then the consistency key); Enumerator is immutable.
@lru_cache(maxsize=256)
def zh_enumerator(text: str) -> Enumerator | None:
    """The enumerator opening a Chinese paragraph: ``二、`` → ("dun", 2)."""
    m = _ZH_ENUM.match(text)
    if not m:
        return None
    style = m.lastgroup or ""
    raw = m.group(style)
    value = int(raw) if raw.isdigit() else parse_chinese_numeral(raw)
    if value is None:
        return None
    return Enumerator(style, value, _lead(text), m.end(), m.group(0).strip())


@lru_cache(maxsize=256)
def en_enumerator(text: str) -> Enumerator | None:
    """The enumerator opening an English paragraph: ``Second,`` → ("ordinal", 2)."""
    m = _EN_ENUM.match(text)
    if not m:
        return None
    style = m.lastgroup or ""
    raw = m.group(style)
    if style in ("numdot", "numparen", "numclose", "numbare"):
        value = int(raw)
    elif style == "lclose":
        value = ord(raw.lower()) - ord("a") + 1
    elif style == "roman":
        value = _roman(raw.upper())
    elif style == "letter":
        value = ord(raw.lower()) - ord("a") + 1
    else:
        value = _ORDINALS[raw.lower().removesuffix("ly")]
    return Enumerator(style, value, _lead(text), m.end(), m.group(0).strip())


def render(style: str, value: int) -> str:
    """The English enumerator of ``style`` for ``value``: ("numdot", 2) → ``2.``."""
    if style == "numparen":
        return f"({value})"
    if style == "ordinal":
        names = {v: k for k, v in _ORDINALS.items()}
        return names.get(value, str(value)).capitalize() + ","
    if style == "roman":
        return _to_roman(value) + "."
    if style == "letter":
        return f"({chr(ord('a') + value - 1)})"
    if style == "lclose":
        return f"{chr(ord('a') + value - 1)})"
    if style == "numclose":
        return f"{value})"
    if style == "numbare":
        return str(value)
    return f"{value}."


def _lead(text: str) -> int:
    return len(text) - len(text.lstrip())


def strip_zh(text: str) -> str:
    e = zh_enumerator(text)
    return text[e.end :] if e else text


def strip_en(text: str) -> str:
    e = en_enumerator(text)
    return text[e.end :] if e else text


def _roman(s: str) -> int:
    total = 0
    for a, b in zip(s, s[1:] + " ", strict=True):
        v = _ROMAN[a]
        total += -v if b != " " and _ROMAN[b] > v else v
    return total


def _to_roman(n: int) -> str:
    out = ""
    for v, r in (
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= v:
            out += r
            n -= v
    return out
