"""Numbers in Chinese and English text: Arabic, Chinese numerals, 万/亿 scaling, percents.

Used by the matcher (numbers that differ cap a score), the aligner (numbers are anchors)
and QA (numbers must agree between source and target).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_CN_CHARS = "".join(CN_DIGITS) + "".join(CN_UNITS) + "".join(CN_BIG)

# Arabic number (with thousands separators / decimals), optionally scaled by 万/亿, or a
# Chinese numeral run. Percent (%, ％, 百分之…) handled separately.
_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
NUMBER_RE = re.compile(
    rf"(?P<pct_cn>百分之(?P<pct_body>[{_CN_CHARS}点]+|{_ARABIC}))"
    rf"|(?P<arabic>{_ARABIC})(?P<scale>[万亿萬億]+)?(?P<pct>[%％])?"
    rf"|(?P<cn>[{_CN_CHARS}]*[{''.join(CN_DIGITS)}十拾][{_CN_CHARS}]*)"
)
_EN_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
EN_NUMBER_RE = re.compile(
    rf"(?P<arabic>{_ARABIC})(?:\s*(?P<scale>thousand|million|billion|trillion))?(?P<pct>\s*%|\s*percent)?",
    re.IGNORECASE,
)
_EN_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twenty": 20,
    "thirty": 30,
    "hundred": 100,
}


@dataclass(frozen=True, slots=True)
class Number:
    """A number found in text: its value, span, and whether it is a percentage."""

    value: float
    start: int
    end: int
    text: str
    percent: bool = False
    chinese: bool = False


@lru_cache(maxsize=4096)
def parse_chinese_numeral(text: str) -> int | None:
    """``二十一`` → 21, ``一百零五`` → 105, ``三万五千`` → 35000, ``二〇二五`` → 2025.

    Returns None when ``text`` is not a well-formed Chinese numeral. Cached: a TM
    repeats the same few numerals (二十一, 一百) millions of times.
    """
    if not text or any(c not in _CN_CHARS for c in text):
        return None
    if all(c in CN_DIGITS for c in text):  # digit-by-digit: 二〇二五
        return int("".join(str(CN_DIGITS[c]) for c in text))
    total = 0
    section = 0
    digit = None
    for c in text:
        if c in CN_DIGITS:
            digit = CN_DIGITS[c]
        elif c in CN_UNITS:
            section += (1 if digit is None else digit) * CN_UNITS[c]
            digit = None
        elif c in CN_BIG:
            section += digit or 0
            if section == 0 and total == 0:
                return None
            total = (
                (total + section) * CN_BIG[c]
                if CN_BIG[c] > 10_000
                else total + section * CN_BIG[c]
            )
            section = 0
            digit = None
    return total + section + (digit or 0)


def _arabic(text: str) -> float:
    return float(text.replace(",", ""))


def _scale(marks: str | None) -> float:
    factor = 1.0
    for c in marks or "":
        factor *= CN_BIG[c]
    return factor


def find_numbers(text: str) -> list[Number]:
    """Numbers in Chinese (or mixed) text, with values scaled by 万/亿.

    Chinese numerals inside words that are not numbers (一些, 统一, 一体化, 之一) are
    skipped: a lone 一 counts only when a measure word or unit follows it.
    """
    text = unicodedata.normalize("NFKC", text)
    out: list[Number] = []
    for m in NUMBER_RE.finditer(text):
        if m.group("pct_cn"):
            body = m.group("pct_body")
            value = _arabic(body) if body[0].isdigit() else _cn_decimal(body)
            if value is not None:
                out.append(
                    Number(
                        value,
                        m.start(),
                        m.end(),
                        m.group(0),
                        percent=True,
                        chinese=True,
                    )
                )
        elif m.group("arabic"):
            value = _arabic(m.group("arabic")) * _scale(m.group("scale"))
            out.append(
                Number(
                    value, m.start(), m.end(), m.group(0), percent=bool(m.group("pct"))
                )
            )
        else:
            run = m.group("cn")
            if not _numeric_context(text, m.start(), m.end(), run):
                continue
            value = parse_chinese_numeral(run)
            if value is not None:
                out.append(Number(float(value), m.start(), m.end(), run, chinese=True))
    return out


def _cn_decimal(body: str) -> float | None:
    whole, _, frac = body.partition("点")
    w = parse_chinese_numeral(whole)
    if w is None:
        return None
    if not frac:
        return float(w)
    digits = "".join(str(CN_DIGITS.get(c, "")) for c in frac)
    return float(f"{w}.{digits}") if digits else float(w)


_MEASURE = set("个项条年月日次批家所件名人万亿元倍级类种座市省区县")


def _numeric_context(text: str, start: int, end: int, run: str) -> bool:
    """Whether a Chinese numeral run is a number rather than part of a word."""
    if len(run) == 1 and run in "一两":
        nxt = text[end : end + 1]
        return nxt in _MEASURE and nxt not in "体"
    prev = text[start - 1 : start]
    nxt = text[end : end + 1]
    if prev in "第" or nxt in _MEASURE or nxt in "、)）" or prev in "(（":
        return True
    return any(c in CN_UNITS or c in CN_BIG for c in run) and len(run) >= 2


_EN_WORD_RE = re.compile(r"\b(" + "|".join(_EN_WORDS) + r")\b", re.IGNORECASE)


def find_english_numbers(text: str) -> list[Number]:
    """Numbers in English text: 10, 2,000, 3.5 billion, 15%, and number words up to twelve."""
    out = []
    for m in EN_NUMBER_RE.finditer(text):
        scale = _EN_SCALES.get((m.group("scale") or "").lower(), 1.0)
        out.append(
            Number(
                _arabic(m.group("arabic")) * scale,
                m.start(),
                m.end(),
                m.group(0),
                percent=bool(m.group("pct")),
            )
        )
    for m in _EN_WORD_RE.finditer(text):
        out.append(
            Number(float(_EN_WORDS[m.group(1).lower()]), m.start(), m.end(), m.group(0))
        )
    out.sort(key=lambda n: n.start)
    return out


def number_values(text: str) -> list[float]:
    """Values of the numbers in ``text`` (Chinese or English), in order."""
    nums = (
        find_numbers(text)
        if re.search("[\u4e00-\u9fff]", text)
        else find_english_numbers(text)
    )
    return [n.value for n in nums]
