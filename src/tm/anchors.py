"""Lexical anchors for sentence alignment: what a Chinese sentence and its translation share.

An anchor is a token both sides can show: a number (Arabic or Chinese numeral, via
``tm.text.numbers``), a Latin token written inside the Chinese ("5G", "REITs"), the
value of an enumerator head ("(十五)" ↔ "(15)"), a quoted string, or a glossary term
and one of its renderings. Only tokens present on both sides of a paragraph pair are
kept: the aligner then pays for every anchor its links split apart.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tm.text.numbers import find_english_numbers, find_numbers, parse_chinese_numeral

TermPairs = Iterable[tuple[str, Sequence[str]]]

_ZH_ENUM = re.compile(
    r"^\s*(?:[(（]\s*(?P<a>[一二三四五六七八九十百]+|\d{1,3})\s*[)）]"
    r"|(?P<b>[一二三四五六七八九十百]+|\d{1,3})\s*[、.．]"
    r"|第(?P<c>[一二三四五六七八九十百]+|\d{1,3})[条章节款])"
)
_EN_ENUM = re.compile(
    r"^\s*(?:\(\s*(?P<a>\d{1,3}|[ivxlc]{1,6})\s*\)"
    r"|(?P<b>\d{1,3}|[IVXLC]{1,6})\s*\."
    r"|(?:Article|Chapter|Section)\s+(?P<c>\d{1,3}))"
)
_LATIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9+\-]*")
_ZH_QUOTE = re.compile(r"[“「『]")
_EN_QUOTE = re.compile(r"[“]|\"(?=\w)")
# The number 1 is no anchor: 一批/一体 are "a number of"/"integrated", and "one" is
# everywhere in English.
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def enumerator_value(text: str, lang: str) -> tuple[int, int] | None:
    """(value, end) of the enumerator head opening ``text``, or None.

    ``(十五)强化…`` → 15; ``3. Relevant …`` → 3; ``IX.Oversight`` → 9.
    """
    m = (_ZH_ENUM if lang == "zh" else _EN_ENUM).match(text)
    if not m:
        return None
    raw = m.group("a") or m.group("b") or m.group("c")
    value = _int_value(raw)
    return (value, m.end()) if value is not None else None


def _int_value(raw: str) -> int | None:
    if raw.isdigit():
        return int(raw)
    if raw.lower()[0] in _ROMAN:
        return _roman(raw.lower())
    return parse_chinese_numeral(raw)


def _roman(raw: str) -> int | None:
    total = 0
    for k, ch in enumerate(raw):
        v = _ROMAN.get(ch)
        if v is None:
            return None
        nxt = _ROMAN.get(raw[k + 1], 0) if k + 1 < len(raw) else 0
        total += -v if v < nxt else v
    return total


def _head_and_numbers(sentence: str, lang: str) -> tuple[Counter[str], str]:
    """Tokens for the enumerator head and the numbers; the body after the head."""
    out: Counter[str] = Counter()
    body = sentence
    enum = enumerator_value(sentence, lang)
    if enum:
        out[f"enum:{enum[0]}"] += 1
        body = sentence[enum[1] :]
    numbers = find_numbers(body) if lang == "zh" else find_english_numbers(body)
    for n in numbers:
        if n.value != 1:
            out[f"num:{n.value:g}"] += 1
    return out, body


def zh_tokens(sentence: str, terms: TermIndex | None = None) -> Counter[str]:
    """Anchor tokens of a Chinese sentence."""
    out, body = _head_and_numbers(sentence, "zh")
    for tok in _LATIN.findall(body):
        if not tok.isdigit() and not _is_number_text(tok):
            out[f"lat:{tok.casefold()}"] += 1
    out["quote"] += len(_ZH_QUOTE.findall(body))
    if terms is not None:
        for idx in terms.find(body):
            out[f"term:{idx}"] += 1
    return +out


def en_tokens(
    sentence: str,
    latin: Iterable[str] = (),
    terms: TermIndex | None = None,
    term_ids: Iterable[int] = (),
) -> Counter[str]:
    """Anchor tokens of an English sentence.

    Args:
        sentence: the English sentence.
        latin: Latin tokens (casefolded) seen on the Chinese side, to look for here.
        terms: the term index, with ``term_ids`` the terms seen on the Chinese side.
        term_ids: which terms' renderings to look for.
    """
    out, body = _head_and_numbers(sentence, "en")
    words = Counter(t.casefold() for t in _LATIN.findall(body))
    for tok in latin:
        if words[tok]:
            out[f"lat:{tok}"] += words[tok]
    out["quote"] += len(_EN_QUOTE.findall(body))
    if terms is not None:
        for idx, n in terms.rendered(term_ids, fold_en(body)).items():
            out[f"term:{idx}"] += n
    return +out


def _is_number_text(tok: str) -> bool:
    return bool(re.fullmatch(r"[\d+\-]+", tok))


@dataclass(frozen=True, slots=True)
class ParagraphAnchors:
    """Per-sentence counts of the tokens both sides of one paragraph pair share.

    Attributes:
        zh: one {token number: count} per Chinese sentence (empty when it has none).
        en: one {token number: count} per English sentence.
        size: how many distinct shared tokens there are.
    """

    zh: tuple[dict[int, int], ...]
    en: tuple[dict[int, int], ...]
    size: int


def paragraph_anchors(
    zh: Sequence[str], en: Sequence[str], terms: TermIndex | None = None
) -> ParagraphAnchors:
    """Anchor counts for a paragraph pair, keeping only tokens found on both sides."""
    zc = [zh_tokens(s, terms) for s in zh]
    latin = {t[4:] for c in zc for t in c if t.startswith("lat:")}
    term_ids = {int(t[5:]) for c in zc for t in c if t.startswith("term:")}
    ec = [en_tokens(s, latin, terms, term_ids) for s in en]
    shared = set().union(*zc) & set().union(*ec)
    shared -= _unbalanced_terms(zc, ec)
    number = {t: k for k, t in enumerate(sorted(shared))}
    return ParagraphAnchors(
        tuple({number[t]: n for t, n in c.items() if t in number} for c in zc),
        tuple({number[t]: n for t, n in c.items() if t in number} for c in ec),
        len(number),
    )


def _unbalanced_terms(
    zc: Sequence[Counter[str]], ec: Sequence[Counter[str]]
) -> set[str]:
    """Term tokens seen a different number of times on the two sides of a paragraph.

    Such a term is no evidence of where sentences meet: one occurrence was
    paraphrased, or one English rendering belongs to several terms (绿电 and 绿色电力
    both "green electricity"), and counting it would pull correct 1-1 links into 2-2.
    """
    total_zh: Counter[str] = Counter()
    total_en: Counter[str] = Counter()
    for c in zc:
        total_zh.update({t: n for t, n in c.items() if t.startswith("term:")})
    for c in ec:
        total_en.update({t: n for t, n in c.items() if t.startswith("term:")})
    return {t for t in total_zh.keys() | total_en.keys() if total_zh[t] != total_en[t]}


class TermIndex:
    """Glossary terms for anchoring: zh → English renderings, found by first character.

    Args:
        terms: (zh, [en renderings]) pairs, e.g. from the term base or a glossary file.
    """

    def __init__(self, terms: TermPairs) -> None:
        self._zh: list[str] = []
        self._en: list[re.Pattern[str]] = []
        self._by_first: dict[str, list[int]] = {}
        for zh, renderings in terms:
            forms = sorted(
                {fold_en(r) for r in renderings if r.strip()}, key=len, reverse=True
            )
            if len(zh) < 2 or not forms:
                continue  # one-character terms anchor nothing reliably
            self._by_first.setdefault(zh[0], []).append(len(self._zh))
            self._zh.append(zh)
            # One alternation, longest first, so "green power certificate" and
            # "green power" in one place count once.
            alternation = "|".join(re.escape(f) for f in forms)
            self._en.append(re.compile(rf"(?<!\w)(?:{alternation})(?!\w)"))

    def __len__(self) -> int:
        return len(self._zh)

    def find(self, text: str) -> list[int]:
        """Ids of the terms in ``text``, leftmost-longest and not overlapping.

        In 高层次人才评价 only 高层次人才 counts, not 人才评价 as well: the English
        renders the longer term, and a nested hit would be counted on one side only.
        """
        out = []
        k = 0
        while k < len(text):
            here = [
                i
                for i in self._by_first.get(text[k], ())
                if text.startswith(self._zh[i], k)
            ]
            if here:
                best = max(here, key=lambda i: len(self._zh[i]))
                out.append(best)
                k += len(self._zh[best])
            else:
                k += 1
        return out

    def rendered(self, ids: Iterable[int], folded_en: str) -> Counter[int]:
        """How often each term's renderings occur in the folded English (``fold_en``).

        Leftmost-longest and not overlapping, as on the Chinese side: inside "collectively
        operated construction land entering the market" the shorter "construction land"
        of another term is not counted again.
        """
        spans = sorted(
            (m.start(), -m.end(), idx)
            for idx in ids
            for m in self._en[idx].finditer(folded_en)
        )
        out: Counter[int] = Counter()
        end = 0
        for start, neg_end, idx in spans:
            if start >= end:
                out[idx] += 1
                end = -neg_end
        return out


def fold_en(text: str) -> str:
    """English folded for term search: case, and hyphens read as spaces (collectively-operated)."""
    return text.casefold().replace("-", " ")
