"""List labels and final full stops: structure around a segment, compared apart from it.

A list label (一、 (一) 1. (1) 第五条 on the Chinese side; 1. (1) I. (a) First, Article 5
on the English side) numbers a paragraph; it is not its content. The matcher scores the
*body* of a text (without its label and final full stop) and charges a small fixed
penalty when the labels or the stops differ; repair rewrites the English label in the
English's own style.

The label grammar is the QA enumerators' (``tm.text.labels``), which this module
extends with article-style labels (第五条, Article 5) and a check that a bare English
number is followed by a capital (``2 Copies`` is a label, ``2 copies`` is not). It works
on stored text and on match keys alike (both widths, both punctuation forms).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tm.text.labels import ZH_NUMERALS, en_enumerator, render, zh_enumerator
from tm.text.numbers import parse_chinese_numeral

STOPS = "。．."
_ZH_ARTICLE = re.compile(
    r"^\s*第(?P<n>[零〇一二三四五六七八九十百千两\d]{1,6})"
    r"(?P<unit>[条條章节節款项項编編])(?:\s+|[、:：,，]\s*)"
)
_EN_ARTICLE = re.compile(
    r"^\s*(?P<unit>Article|Chapter|Section|Part|Subparagraph)\s+(?P<n>\d{1,4})"
    r"(?:\s*[.:]\s*|\s+)",
    re.IGNORECASE,
)
# Forms the QA enumerators leave out that translations of statutes use: "G. ", "7- ",
# "4、" (a Chinese comma kept in the English).
_EN_EXTRA = re.compile(
    r"^\s*(?:(?P<upper>[A-Z])\.\s+(?=[A-Z])|(?P<dash>\d{1,3})-\s+(?=[A-Z])"
    r"|(?P<dun>\d{1,3})、\s*)"
)
#: How a Chinese label style is usually rendered (when the TM's English has no label to
#: copy the style from): 一、 → 1., (一) → (1).
ZH_TO_EN_STYLE = {
    "dun": "numdot",
    "cnparen": "numparen",
    "numdot": "numdot",
    "numparen": "numparen",
}


@dataclass(frozen=True, slots=True)
class Label:
    """A list label opening a text.

    Attributes:
        style: ``dun`` 一、, ``cnparen`` (一), ``numdot`` 1., ``numparen`` (1),
            ``article`` 第五条 / Article 5 (``unit`` says which), and on the English
            side also ``roman``, ``letter``, ``ordinal``, ``numclose``, ``lclose``,
            ``numbare``.
        value: the number it stands for.
        start: where it starts (after leading whitespace).
        end: where the body starts (after the label and the space after it).
        text: the label as written, without surrounding space.
        unit: for ``article``: 条/章/… (Chinese) or Article/Chapter/… (English).
    """

    style: str
    value: int
    start: int
    end: int
    text: str
    unit: str = ""

    @property
    def signature(self) -> tuple[str, int, str]:
        return (self.style, self.value, _unit_key(self.unit))


def _unit_key(unit: str) -> str:
    return {"條": "条", "節": "节", "項": "项", "編": "编"}.get(unit, unit.lower())


def zh_label(text: str) -> Label | None:
    """The list label opening Chinese ``text``: ``(二)推动…`` → Label("cnparen", 2)."""
    first = text[:1]
    if first.isspace():
        first = text.lstrip()[:1]
    if first not in _ZH_LABEL_OPENERS and not first.isdecimal():
        # Most sentences: no label can open them (nor a cache entry pay off). An
        # index build asks this of every unit's key.
        return None
    return _zh_label(text)


# What a Chinese label can open with: 第 (an article), a numeral or a bracket; or a
# decimal digit (\d in the patterns below), tested apart.
_ZH_LABEL_OPENERS = frozenset("第(（" + ZH_NUMERALS)


@lru_cache(maxsize=4096)
def _zh_label(text: str) -> Label | None:
    m = _ZH_ARTICLE.match(text)
    if m:
        raw = m.group("n")
        value = int(raw) if raw.isdigit() else parse_chinese_numeral(raw)
        if value is not None:
            label_end = m.start("unit") + 1
            return Label(
                "article",
                value,
                _lead(text),
                m.end(),
                text[_lead(text) : label_end],
                m.group("unit"),
            )
    e = zh_enumerator(text)
    if e is None or e.end >= len(text.rstrip()):
        return None  # a label alone is the whole text: then it is the content
    return Label(e.style, e.value, e.start, e.end, e.text)


@lru_cache(maxsize=4096)
def en_label(text: str) -> Label | None:
    """The list label opening English ``text``: ``(2) Promote…`` → Label("numparen", 2)."""
    m = _EN_ARTICLE.match(text)
    if m:
        return Label(
            "article",
            int(m.group("n")),
            _lead(text),
            m.end(),
            text[_lead(text) : m.end()].strip(),
            m.group("unit"),
        )
    e = en_enumerator(text)
    if e is None:
        return _en_extra(text)
    if e.end >= len(text.rstrip()):
        return None
    if e.style == "numbare" and not text[e.end : e.end + 1].isupper():
        return None  # "2 copies of …" opens with a number, not a label
    return Label(e.style, e.value, e.start, e.end, e.text)


def _en_extra(text: str) -> Label | None:
    m = _EN_EXTRA.match(text)
    if m is None or m.end() >= len(text.rstrip()):
        return None
    style = m.lastgroup or ""
    raw = m.group(style)
    value = ord(raw) - ord("A") + 1 if style == "upper" else int(raw)
    return Label(style, value, _lead(text), m.end(), m.group(0).strip())


def label_of(text: str, lang: str) -> Label | None:
    """The label opening ``text`` in ``lang`` ("zh…" or anything else for English)."""
    return zh_label(text) if lang[:2] == "zh" else en_label(text)


def render_en_label(value: int, like: Label) -> str:
    """An English label for ``value`` in the style of ``like`` (its case kept)."""
    if like.style == "article":
        sep = like.text[len(like.unit) :].lstrip(" 0123456789")
        return f"{like.unit} {value}{sep}"
    if like.style == "upper":
        return f"{chr(ord('A') + value - 1)}." if 1 <= value <= 26 else str(value)
    if like.style in ("dash", "dun"):
        return f"{value}{like.text[-1]}"
    out = render(like.style, value)
    if like.style in ("roman", "letter", "lclose") and like.text.lower() == like.text:
        out = out.lower()
    if like.style == "ordinal" and like.text.lower().rstrip(",").endswith("ly"):
        out = out[:-1] + "ly,"
    return out


def render_default_label(zh: Label) -> str | None:
    """The usual English label for a Chinese one, or None when there is no usual one."""
    style = ZH_TO_EN_STYLE.get(zh.style)
    return render(style, zh.value) if style else None


def _lead(text: str) -> int:
    return len(text) - len(text.lstrip())


def final_stop(text: str) -> int | None:
    """Index of the full stop ending ``text`` (。 ． or a single ``.``), or None."""
    end = len(text)
    while end and text[end - 1].isspace():  # not rstrip(): no copy of a long text
        end -= 1
    if end == 0 or text[end - 1] not in STOPS:
        return None
    if end >= 2 and text[end - 2] in STOPS:
        return None  # an ellipsis, not a full stop
    return end - 1


@dataclass(frozen=True, slots=True)
class Parts:
    """A match key split into label, body and final full stop."""

    label: tuple[str, int, str] | None
    body: str
    stop: bool


def split_key(key: str, lang: str = "zh") -> Parts:
    """``(二)推动…应用.`` → Parts(("cnparen", 2, ""), "推动…应用", True).

    A text that is only a label or only a full stop is its own body.
    """
    label, start, end = _body_span(key, lang)
    body = key[start:end].strip()
    if not body:
        return Parts(None, key, False)
    return Parts(label.signature if label is not None else None, body, end != len(key))


def key_body(key: str, lang: str = "zh") -> str:
    """``split_key(key, lang).body`` alone: what an index build asks of every unit,
    without the :class:`Parts` (a third of the cost)."""
    _, start, end = _body_span(key, lang)
    return key[start:end].strip() or key


def _body_span(key: str, lang: str) -> tuple[Label | None, int, int]:
    """The label opening ``key`` and where its body starts and ends (before the
    final full stop)."""
    label = label_of(key, lang)
    start = label.end if label is not None else 0
    stop = final_stop(key)
    return label, start, stop if stop is not None and stop > start else len(key)
