"""Numbers in Chinese and English text: Arabic, Chinese numerals, 万/亿 scaling, percents.

Used by the matcher (numbers that differ cap a score), the aligner (numbers are anchors),
QA (numbers must agree between source and target) and fuzzy-match repair, which also
needs each English number's written style (:func:`english_quantities`) to write a new
value the way the translator wrote the old one (:func:`render_like`), and dates on
both sides (:func:`find_zh_dates`, :func:`find_en_dates`).
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
    "兩": 2,
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
    rf"(?P<pct_cn>百分之(?P<pct_body>[{_CN_CHARS}点點]+|{_ARABIC}))"
    # News copy sets a space between the digits and 万/亿 ("300 万") and writes
    # "30余万" (over 300,000): the space and 余/多 still let 万 scale the number.
    rf"|(?P<arabic>{_ARABIC})(?: ?[余多]?(?P<scale>[万亿萬億]+))?(?P<pct>[%％])?"
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
    # 一百二 is 120 and 两万五 25,000: a digit straight after 百/千/万/亿 (no 零)
    # counts in the next unit down.
    before = (
        CN_UNITS.get(text[-2], 0) or CN_BIG.get(text[-2], 0) if len(text) > 1 else 0
    )
    if digit and before >= 100:
        return total + section + digit * before // 10
    return total + section + (digit or 0)


def _arabic(text: str) -> float:
    return float(text.replace(",", ""))


def _scale(marks: str | None) -> float:
    factor = 1.0
    for c in marks or "":
        factor *= CN_BIG[c]
    return factor


def find_numbers(text: str, *, ordinals: bool = False) -> list[Number]:
    """Numbers in Chinese (or mixed) text, with values scaled by 万/亿.

    Chinese numerals inside words that are not numbers (一些, 统一, 一体化, 之一) are
    skipped: a lone 一 counts only when a measure word or unit follows it.

    Args:
        text: the text; spans index it (NFKC is applied character by character, so a
            character NFKC would expand, such as …, keeps its single position).
        ordinals: read numerals as repair needs them, not as QA does: a lone 一/两
            after 第, 附件/附表 or 條之 (第一, 附件一, 第十八條之一) or before 等 (一等),
            and any other numeral run whatever follows it (五分, 之三). QA does not
            ask an English "first" to show the digit 1; repair must carry 一 → 二.
    """
    text = _nfkc_one_to_one(text)
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
            if not _numeric_context(text, m.start(), m.end(), run, ordinals):
                continue
            value = parse_chinese_numeral(run)
            if value is not None:
                out.append(Number(float(value), m.start(), m.end(), run, chinese=True))
    return out


def _nfkc_one_to_one(text: str) -> str:
    """NFKC per character where it gives one character; other characters kept as they are.

    Spans found in the result index the original text.
    """
    if text.isascii():
        return text
    whole = unicodedata.normalize("NFKC", text)
    if len(whole) == len(text):  # the usual case: every change was one for one
        return whole
    out = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch) if ord(ch) > 0x7F else ch
        out.append(n if len(n) == 1 else ch)
    return "".join(out)


def _after_annex(text: str, start: int) -> bool:
    return text[max(0, start - 2) : start] in (
        "附件",
        "附表",
        "附录",
        "附錄",
        "條之",
        "条之",
    )


def _cn_decimal(body: str) -> float | None:
    whole, _, frac = body.replace("點", "点").partition("点")  # 點: Traditional
    w = parse_chinese_numeral(whole)
    if w is None:
        return None
    if not frac:
        return float(w)
    digits = "".join(str(CN_DIGITS.get(c, "")) for c in frac)
    return float(f"{w}.{digits}") if digits else float(w)


# Measure words and units after which a lone 一/两 is a number. Traditional forms too:
# Taiwan's statutes write 項, 條, 個 …
_MEASURE = set(
    "个项条年月日次批家所件名人万亿元倍级类种座市省区县個項條級類種區縣款目章節节編编號号"
)


def _numeric_context(
    text: str, start: int, end: int, run: str, ordinals: bool = False
) -> bool:
    """Whether a Chinese numeral run is a number rather than part of a word."""
    if len(run) == 1 and run in "一两兩":
        nxt = text[end : end + 1]
        if ordinals and (
            text[start - 1 : start] == "第" or _after_annex(text, start) or nxt == "等"
        ):
            return True
        return nxt in _MEASURE and nxt not in "体"
    if ordinals:
        return True
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


# -- English quantities with their written style (for repair) -------------------------

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORD_VALUES: dict[str, int] = {w: i for i, w in enumerate(_ONES)} | {
    w: 20 + 10 * i for i, w in enumerate(_TENS)
}
_CARDINAL = (
    rf"(?:(?:{'|'.join(_TENS)})(?:-(?:{'|'.join(_ONES[1:10])}))?"
    rf"|{'|'.join(sorted(_ONES, key=len, reverse=True))})"
)
_QUANTITY_RE = re.compile(
    r"(?<!\d)(?<!\d[.,])"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?!\d)|\d+(?!\d))(?P<frac>\.\d+)?"
    r"(?P<ordinal>(?<=1)st|(?<=2)nd|(?<=3)rd|(?<=[04-9])th|(?<=1[123])th)?"
    r"(?P<scale>\s*(?:thousand|million|billion|trillion)\b)?"
    r"(?P<pct>\s*%|\s+percent\b)?"
    rf"|\b(?P<word>{_CARDINAL})\b",
    re.IGNORECASE,
)
_COMPOUND_TAIL = re.compile(r"\s*\(\s*(\d+)\s*\)")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number in English text as written: its value, span and style.

    Attributes:
        value: the value (scaled: ``3 million`` is 3e6).
        start: first character of the number (or of its word, for ``thirty (30)``).
        end: after its last character (scale word, ``%``, ordinal suffix included).
        digits: the digits as written (``"30,000"``), "" for a word alone.
        word: the number word as written (``"Thirty"``), "" for digits alone.
        scale: the scale word as written with the space before it (``" Million"``).
        percent: the percent sign or word as written (``"%"``, ``" percent"``).
        ordinal: an ordinal suffix (``"st"``), or "".
    """

    value: float
    start: int
    end: int
    digits: str = ""
    word: str = ""
    scale: str = ""
    percent: str = ""
    ordinal: str = ""


def english_quantities(text: str) -> list[Quantity]:
    """Numbers in English text with their style: 10, 2,000, 3.5 billion, 15%, 1st, thirty.

    A number word followed by the same value in brackets (``thirty (30)``, the statutes'
    style) is one quantity. Words run from zero to ninety-nine.
    """
    out: list[Quantity] = []
    for m in _QUANTITY_RE.finditer(text):
        if m.group("word"):
            word = m.group("word")
            count = _word_value(word)
            tail = _COMPOUND_TAIL.match(text, m.end())
            if tail and int(tail.group(1)) == count:
                out.append(
                    Quantity(
                        float(count),
                        m.start(),
                        tail.end(),
                        digits=tail.group(1),
                        word=word,
                    )
                )
            else:
                out.append(Quantity(float(count), m.start(), m.end(), word=word))
            continue
        if out and out[-1].word and out[-1].digits and m.start() < out[-1].end:
            continue  # the digits of a "thirty (30)" just read
        digits = m.group("digits")
        scale = m.group("scale") or ""
        value = float(digits.replace(",", "") + (m.group("frac") or ""))
        value *= _EN_SCALES.get(scale.strip().lower(), 1.0)
        out.append(
            Quantity(
                value,
                m.start(),
                m.end(),
                digits=digits + (m.group("frac") or ""),
                scale=scale,
                percent=m.group("pct") or "",
                ordinal=m.group("ordinal") or "",
            )
        )
    return out


def _word_value(word: str) -> int:
    parts = word.lower().split("-")
    return sum(_WORD_VALUES[p] for p in parts)


def number_word(value: int) -> str | None:
    """``21`` → ``twenty-one`` (0–99), else None."""
    if 0 <= value < 20:
        return _ONES[value]
    if 20 <= value < 100:
        tens, ones = divmod(value, 10)
        return _TENS[tens - 2] + (f"-{_ONES[ones]}" if ones else "")
    return None


def render_like(
    value: float, like: Quantity, *, group: bool | None = None
) -> str | None:
    """``value`` written the way ``like`` is written; None when that style cannot hold it.

    Digits keep thousands separators when ``like`` has them (``group`` decides for a
    number too short to show: a caller passes what the rest of the text does); a scale
    word stays when the value is a round multiple of it; ordinal suffixes, percent signs
    and number words follow the value. ``thirty (30)`` becomes ``sixty (60)``.
    """
    if like.word:
        if not float(value).is_integer():
            return None
        word = number_word(int(value))
        if word is None:
            return None
        word = _same_case(word, like.word)
        if like.digits:
            return f"{word} ({int(value)})"
        return word
    scale = like.scale
    shown = value
    if scale:
        factor = _EN_SCALES[scale.strip().lower()]
        if value >= factor and _round(value / factor, 3) == value / factor:
            shown = value / factor
        else:
            scale = ""
    text = _digits(shown, like.digits, group)
    if like.ordinal:
        if not float(shown).is_integer():
            return None
        text += _ordinal_suffix(int(shown))
    return text + scale + like.percent


def _digits(value: float, like: str, group: bool | None) -> str:
    whole, _, _frac = like.partition(".")
    if float(value).is_integer():
        body = str(int(value))
    else:
        body = repr(_round(value, 6)).rstrip("0").rstrip(".")
    if "," in whole:
        grouped = True
    elif len(whole) >= 4:
        grouped = False  # 2025, 1800: written without separators
    else:
        grouped = group if group is not None else True
    if grouped:
        head, dot, tail = body.partition(".")
        body = f"{int(head):,}" + dot + tail
    return body


def _round(x: float, places: int) -> float:
    return round(x, places)


def _ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _same_case(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


# -- dates -----------------------------------------------------------------------------

ROC_OFFSET = 1911  # 民國 1 is 1912
_CN_NUM = "〇零一二三四五六七八九十"
_ZH_DATE_RE = re.compile(
    rf"(?P<roc>(?:中华民国|中華民國|民国|民國)\s*)?"
    rf"(?:(?P<y>\d{{2,4}}|[{_CN_NUM}百]{{2,5}})\s*年\s*)?"
    rf"(?P<m>\d{{1,2}}|[{_CN_NUM}]{{1,3}})\s*月"
    rf"(?:\s*(?P<d>\d{{1,2}}|[{_CN_NUM}]{{1,3}})\s*[日号號])?"
)
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH_RE = "|".join(MONTHS + [m[:3] + r"\." for m in MONTHS if len(m) > 4])
_DIGIT = re.compile(r"\d")
_EN_DATE_RE = re.compile(
    rf"\b(?P<mn>{_MONTH_RE})\s+(?P<d>\d{{1,2}})(?P<dsuf>st|nd|rd|th)?"
    rf"(?:(?P<sep>,?\s+)(?P<y>\d{{4}}))?\b"
    rf"|\b(?P<d2>\d{{1,2}})(?P<d2suf>st|nd|rd|th)?\s+(?P<mn2>{_MONTH_RE})"
    rf"(?:(?P<sep2>,?\s+)(?P<y2>\d{{4}}))?\b"
    rf"|\b(?P<mn3>{_MONTH_RE})(?P<sep3>,?\s+)(?P<y3>\d{{4}})\b"
    r"|\b(?P<iy>\d{4})(?P<isep>[-/.])(?P<im>\d{1,2})(?P=isep)(?P<id>\d{1,2})\b",
)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date in text: Gregorian year (or None), month, day (or None), span, form.

    ``form`` says how to write another date the same way: ``zh`` for Chinese,
    ``mdy``/``dmy``/``my`` for English month names (with ``sep`` before the year and
    ``suffix`` for ordinal days), ``iso`` for 2025-09-15 (``sep`` is the separator,
    ``pad`` whether the month and day have two digits).
    """

    year: int | None
    month: int
    day: int | None
    start: int
    end: int
    form: str
    sep: str = ", "
    suffix: bool = False
    pad: bool = True
    abbreviated: bool = False


def find_zh_dates(text: str) -> list[DateMention]:
    """Dates written 2025年9月15日, 九月十五日, 中華民國一百十年一月一日 (years made Gregorian)."""
    text = _nfkc_one_to_one(text)
    if "月" not in text:  # every form has a month; most text has none to look for
        return []
    out = []
    for m in _ZH_DATE_RE.finditer(text):
        month = _zh_int(m.group("m"))
        if month is None or not 1 <= month <= 12:
            continue
        day = _zh_int(m.group("d")) if m.group("d") else None
        if day is not None and not 1 <= day <= 31:
            continue
        year = _zh_int(m.group("y")) if m.group("y") else None
        if year is not None and m.group("roc"):
            year += ROC_OFFSET
        start = m.start("y") if m.group("y") and not m.group("roc") else m.start()
        if not m.group("y"):
            start = m.start("m")
        out.append(DateMention(year, month, day, start, m.end(), "zh"))
    return out


def _zh_int(raw: str) -> int | None:
    if raw.isdigit():
        return int(raw)
    return parse_chinese_numeral(raw)


# The named groups of each English date form in _EN_DATE_RE: (form, month, day, day
# suffix, separator before the year, year, default separator).
_EN_FORMS = (
    ("mdy", "mn", "d", "dsuf", "sep", "y", ", "),
    ("dmy", "mn2", "d2", "d2suf", "sep2", "y2", " "),
    ("my", "mn3", "", "", "sep3", "y3", " "),
)


def find_en_dates(text: str) -> list[DateMention]:
    """Dates written September 15, 2025 / 15 September 2025 / September 2025 / 2025-09-15."""
    if _DIGIT.search(text) is None:  # every form has a digit; most English has none
        return []
    out = []
    for m in _EN_DATE_RE.finditer(text):
        named = next((f for f in _EN_FORMS if m.group(f[1])), None)
        if named is not None:
            form, mn, d, suf, sep, y, default_sep = named
            out.append(
                DateMention(
                    int(m.group(y)) if m.group(y) else None,
                    _month(m.group(mn)),
                    int(m.group(d)) if d else None,
                    m.start(),
                    m.end(),
                    form,
                    sep=m.group(sep) or default_sep,
                    suffix=bool(suf and m.group(suf)),
                    abbreviated=m.group(mn).endswith("."),
                )
            )
            continue
        month, day = int(m.group("im")), int(m.group("id"))
        if 1 <= month <= 12 and 1 <= day <= 31:
            out.append(
                DateMention(
                    int(m.group("iy")),
                    month,
                    day,
                    m.start(),
                    m.end(),
                    "iso",
                    sep=m.group("isep"),
                    pad=len(m.group("im")) == 2,
                )
            )
    return out


def _month(name: str) -> int:
    key = name.rstrip(".").lower()[:3]
    return next(i for i, m in enumerate(MONTHS, 1) if m.lower().startswith(key))


def render_date_like(
    year: int | None, month: int, day: int | None, like: DateMention
) -> str | None:
    """A date written the way ``like`` is; None when ``like``'s form lacks a part it has."""
    if (like.day is None) != (day is None) or (like.year is None) != (year is None):
        return None
    name = MONTHS[month - 1]
    if like.abbreviated and len(name) > 4:
        name = name[:3] + "."
    d = f"{day}{_ordinal_suffix(day) if like.suffix else ''}" if day else ""
    if like.form == "iso":
        if year is None or day is None:
            return None
        if like.pad:
            return f"{year}{like.sep}{month:02d}{like.sep}{day:02d}"
        return f"{year}{like.sep}{month}{like.sep}{day}"
    if like.form == "mdy":
        return f"{name} {d}" + (f"{like.sep}{year}" if year is not None else "")
    if like.form == "dmy":
        return f"{d} {name}" + (f"{like.sep}{year}" if year is not None else "")
    if like.form == "my":
        return f"{name}{like.sep}{year}"
    return None
