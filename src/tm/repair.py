"""Fuzzy-match repair: carry the query's placeables into a TM unit's English.

memoQ calls it auto-adjust, Trados auto-localization. When a query and a TM source
differ in *placeables* — numbers (Arabic, full-width, Chinese numerals with 十/百/千/
万/亿/两), dates, document numbers such as 〔2025〕86号, the list label, the final full
stop, Latin tokens (EOD, 5G) — or in glossary terms, the TM's English is offered with
them replaced:

* numbers are mapped **by value**, since English order differs from Chinese
  (第二十九条第二项 ↔ "Paragraph 2 of Article 29"), and written in the English's own
  style (``300,000``, ``3 million``, ``thirty (30)``, ``1st``); a 民國 year is a
  Gregorian year in the English;
* dates are found in the English by their value and written in its format;
* a list label is rewritten in the English label's style ((二) ↔ "(2)", 三、 ↔ "iii.");
* a glossary term's rendering is swapped for the other term's approved rendering.

Never a guess: a TM placeable whose counterpart in the English is missing or not
unique is left as it is, and the :class:`~tm.models.Repair` says why.

The query and the source are compared as token sequences: each placeable is one token
(compared by its kind), every other character is its match-key form. Placeables that
the alignment pairs are the differences to repair; any other difference is text the
translator has to handle, and the match is then not *completely* repaired.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from rapidfuzz.distance import Levenshtein

from tm.models import Repair
from tm.placeables import (
    Label,
    en_label,
    final_stop,
    render_default_label,
    render_en_label,
    zh_label,
)
from tm.text.normalize import fold_with_map
from tm.text.numbers import (
    ROC_OFFSET,
    DateMention,
    Quantity,
    english_quantities,
    find_en_dates,
    find_numbers,
    find_zh_dates,
    render_date_like,
    render_like,
)

if TYPE_CHECKING:
    from tm.terms import TermBase

NUMERIC_KINDS = frozenset({"number", "date", "docnum", "label"})
_DOCNUM_ZH = re.compile(
    r"[〔\[(（【]\s*(?P<y>\d{4})\s*[〕\])）】]\s*(?:第\s*)?(?P<n>\d{1,5})\s*[号號]"
)
_DOCNUM_EN = re.compile(
    r"[\[(〔]\s*(?P<y>\d{4})\s*[\])〕]\s*No\.\s*(?P<n>\d{1,5})\b"
    r"|No\.\s*(?P<n2>\d{1,5})\s*[\[(〔]\s*(?P<y2>\d{4})\s*[\])〕]"
)
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_.'][A-Za-z0-9]+)*")
_ROC = re.compile(r"(?:民國|民国)\s*$")
_YEAR_AFTER = re.compile("(?:會計|会计)?年")
_END_MARKS = {".": ".", "。": ".", "．": ".", ";": ";", "；": ";", ":": ":", "：": ":"}
_CLOSERS = "\"')]”’"
_NOT_APPLIED = "not applied: another difference could not be repaired"


class Token(NamedTuple):
    """A character (its match-key form) or a placeable of the Chinese text.

    A named tuple, not a frozen dataclass: a text makes one per character, and a
    frozen dataclass took ten times as long to build (half of tokenizing a query).
    """

    kind: str  # char, number, date, docnum, latin, term
    start: int
    end: int
    text: str
    sym: str
    value: Any = None


@dataclass(frozen=True, slots=True)
class RepairResult:
    """What repairing one match gave.

    Attributes:
        target: the repaired English, or None when nothing was changed.
        repairs: every placeable difference, repaired or not (then with a reason).
        complete: every difference between query and source was repaired (nothing
            else differs), so ``target`` is the translation of the query.
        numbers_repaired: every number, date, document-number or label difference
            was repaired (the numbers cap need not apply).
    """

    target: str | None
    repairs: tuple[Repair, ...]
    complete: bool
    numbers_repaired: bool


@dataclass(slots=True)
class _Edit:
    start: int
    end: int
    new: str
    kind: str
    tm: str
    query: str


def repair(
    query: str, source: str, target: str, *, termbase: TermBase | None = None
) -> RepairResult:
    """Carry the query's placeables into ``target``, the English of ``source``.

    Args:
        query: the Chinese segment being translated.
        source: the TM unit's Chinese.
        target: the TM unit's English.
        termbase: glossary whose terms are swapped (None: terms are plain text).
    """
    work = _Work(target)
    q_label, q_end, q_seq = _query_tokens(query, termbase)
    s_label, s_end = zh_label(source), _end_mark(source)
    s_seq = _sequence(source, s_label, s_end, termbase)
    pairs, unpaired, text_differs = _align(q_seq, s_seq)
    # The repairs read placeables only: the TM source's, without its characters.
    s_tokens = s_seq.placeables
    _repair_label(work, q_label, s_label)
    _repair_end(work, query, source, q_end, s_end)
    blocked = _english_placeable_spans(target, work)
    _repair_numbers(work, pairs, s_tokens, blocked)
    _repair_dates(work, pairs)
    _repair_docnums(work, pairs)
    _repair_latin(work, pairs, s_tokens)
    if termbase is not None:
        _repair_terms(work, pairs, s_tokens, termbase)
    for tok in unpaired:
        if tok.value is None:  # numerals inside text that differs
            work.skip(tok.kind, tok.text, "", "numerals in text that differs")
            continue
        where = "query" if tok in q_seq.placeables else "TM source"
        work.skip(
            tok.kind,
            tok.text if where == "TM source" else "",
            tok.text if where == "query" else "",
            f"only the {where} has it",
        )
    return work.result(text_differs)


# The last query's tokens, with the term base they were found with: a look-up
# repairs each of its matches against the same query. One tuple, replaced whole, so
# threads read a consistent entry (and it holds the term base, whose id cannot be
# reused meanwhile).
_last_query: tuple[str, TermBase | None, Label | None, int | None, _Sequence] | None
_last_query = None


def _query_tokens(
    query: str, termbase: TermBase | None
) -> tuple[Label | None, int | None, _Sequence]:
    global _last_query
    last = _last_query
    if last is not None and last[0] == query and last[1] is termbase:
        return last[2], last[3], last[4]
    label, end = zh_label(query), _end_mark(query)
    found = _sequence(query, label, end, termbase)
    _last_query = (query, termbase, label, end, found)
    return label, end, found


class _Work:
    """Edits to the English and notes on differences left alone."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.edits: list[_Edit] = []
        self.skipped: list[Repair] = []

    def edit(
        self, start: int, end: int, new: str, kind: str, tm: str, query: str
    ) -> None:
        self.edits.append(_Edit(start, end, new, kind, tm, query))

    def skip(self, kind: str, tm: str, query: str, reason: str) -> None:
        self.skipped.append(Repair(kind, tm, query, reason=reason))

    def result(self, text_differs: bool) -> RepairResult:
        edits = self._without_overlaps()
        out: list[str] = []
        done: list[Repair] = []
        at = 0
        shift = 0
        for e in edits:
            out.append(self.target[at : e.start])
            new_start = e.start + shift
            out.append(e.new)
            shift += len(e.new) - (e.end - e.start)
            at = e.end
            done.append(
                Repair(
                    e.kind,
                    e.tm,
                    e.query,
                    target_span=(new_start, new_start + len(e.new)),
                    tm_target_span=(e.start, e.end),
                )
            )
        out.append(self.target[at:])
        repaired = "".join(out)
        skipped = self.skipped
        # Offered only when no placeable difference is left: an English with one
        # number carried over and another not would look repaired and be wrong.
        offer = bool(done) and not skipped and repaired != self.target
        if not offer:  # what could have been carried over is listed, not applied
            done = [Repair(r.kind, r.tm, r.query, reason=_NOT_APPLIED) for r in done]
            done = done if skipped else []
        numeric_left = any(r.kind in NUMERIC_KINDS for r in skipped)
        return RepairResult(
            target=repaired if offer else None,
            repairs=tuple(done) + tuple(skipped),
            complete=not text_differs and not skipped,
            numbers_repaired=not numeric_left
            and not any(r.kind in NUMERIC_KINDS for r in done if not r.done),
        )

    def _without_overlaps(self) -> list[_Edit]:
        kept: list[_Edit] = []
        for e in sorted(self.edits, key=lambda e: (e.start, e.end)):
            if kept and e.start < kept[-1].end:
                self.skip(e.kind, e.tm, e.query, "its English overlaps another repair")
                continue
            kept.append(e)
        return kept


# -- tokens -----------------------------------------------------------------------------


def tokens(
    text: str,
    label: Label | None = None,
    end_mark: int | None = None,
    termbase: TermBase | None = None,
) -> list[Token]:
    """The body of ``text`` (between its label and its final mark) as tokens."""
    lo, hi = _body(text, label, end_mark)
    spans = _placeables(text, lo, hi, termbase)
    key, where = fold_with_map(text)
    # Each key character outside the placeables, between the label and the final
    # mark, and not a space, in text order; then the placeables in their places (a
    # stable sort by start keeps the order of key characters from one character).
    covered = {p for t in spans for p in range(t.start, t.end)}
    chars = [
        _new_tuple(Token, ("char", w, w + 1, c, c, None))
        for c, w in zip(key, where, strict=True)
        if lo <= w < hi and w not in covered and not c.isspace()
    ]
    if not spans:
        return chars
    return sorted(chars + spans, key=_START)


def _body(text: str, label: Label | None, end_mark: int | None) -> tuple[int, int]:
    """Where the body of ``text`` starts and ends: after its label, before its final
    mark."""
    lo = label.end if label is not None else 0
    hi = end_mark if end_mark is not None and end_mark >= lo else len(text)
    return lo, hi


def _placeables(text: str, lo: int, hi: int, termbase: TermBase | None) -> list[Token]:
    """The placeables of ``text[lo:hi]``, none overlapping another (the first kind
    found keeps its span: document numbers, dates, terms, Latin words, numbers)."""
    spans: list[Token] = []

    def free(a: int, b: int) -> bool:
        return lo <= a and b <= hi and all(b <= t.start or a >= t.end for t in spans)

    for m in _DOCNUM_ZH.finditer(text, lo, hi):
        doc = (int(m.group("y")), int(m.group("n")))
        spans.append(Token("docnum", m.start(), m.end(), m.group(0), "\x00docnum", doc))
    for d in find_zh_dates(text):
        if free(d.start, d.end):
            spans.append(
                Token("date", d.start, d.end, text[d.start : d.end], "\x00date", d)
            )
    if termbase is not None:
        for hit in termbase.find(text, "zh"):
            if free(hit.start, hit.end):
                spans.append(
                    Token("term", hit.start, hit.end, hit.text, "\x00term", hit.entry)
                )
    for m in _LATIN.finditer(_ascii_letters(text), lo, hi):
        if free(m.start(), m.end()):
            spans.append(
                Token("latin", m.start(), m.end(), m.group(0), "\x00latin", m.group(0))
            )
    for n in find_numbers(text, ordinals=True):
        if free(n.start, n.end):
            era = ""
            if _YEAR_AFTER.match(text, n.end) and n.value < 300:
                explicit = _ROC.search(text[max(0, n.start - 6) : n.start])
                era = "roc" if explicit else "year"
            value = (n.value, n.percent, era)
            spans.append(Token("number", n.start, n.end, n.text, "\x00number", value))
    return spans


class _Sequence:
    """A text's tokens (:func:`tokens`) as the alignment compares them: ``syms`` has
    one character per token, the character itself or a marker for a placeable's
    kind, and ``places`` says where the placeables are in it.

    Comparing two strings costs a fraction of comparing two lists of tokens, and a
    text has a token per character: building those tuples was the largest part of
    repairing a match. The token list itself is made only when asked for (numerals
    in text that differs, a rare case).
    """

    __slots__ = ("_args", "_tokens", "placeables", "places", "syms")

    def __init__(
        self,
        syms: str | list[str],
        placeables: list[Token],
        places: list[int],
        args: tuple[str, Label | None, int | None, TermBase | None],
        found: list[Token] | None = None,
    ) -> None:
        self.syms = syms
        self.placeables = placeables  # in text order
        self.places = places  # the index in syms of each placeable
        self._args = args  # what tokens() takes, to make the tokens if asked
        self._tokens = found

    def tokens(self) -> list[Token]:
        """What :func:`tokens` gives for the text (one token per symbol)."""
        if self._tokens is None:
            self._tokens = tokens(*self._args)
        return self._tokens

    def in_list(self) -> _Sequence:
        """This sequence with the tokens' own symbols (see :func:`_from_tokens`)."""
        if isinstance(self.syms, str):
            return _from_tokens(self.tokens(), self._args)
        return self

    def placeables_in(self, a: int, b: int) -> list[Token]:
        """The placeables at symbols ``a`` to ``b``."""
        first = bisect_left(self.places, a)
        return self.placeables[first : bisect_left(self.places, b, first)]

    def chars_in(self, a: int, b: int) -> Sequence[str]:
        """The characters (not placeables) at symbols ``a`` to ``b``."""
        if isinstance(self.syms, str):
            return self.syms[a:b].translate(_NO_MARKS)
        return [t.sym for t in self.tokens()[a:b] if t.kind == "char"]


# A placeable's symbol in _Sequence.syms: a private-use character per kind (a text
# holding one of them is tokenized the slow way, see _sequence).
_MARKS = {
    kind: chr(0x10FFF0 + i)
    for i, kind in enumerate(("docnum", "date", "term", "latin", "number"))
}
_MARKED = re.compile("[\U0010fff0-\U0010ffff]")
_NO_MARKS = dict.fromkeys(map(ord, _MARKS.values()))
_WHITESPACE = re.compile(r"\s")  # what str.isspace() says (checked on every code point)


def _sequence(
    text: str,
    label: Label | None = None,
    end_mark: int | None = None,
    termbase: TermBase | None = None,
) -> _Sequence:
    """``tokens(text, …)`` as a :class:`_Sequence`, without building the tokens.

    The key's characters map to non-decreasing text positions (``fold_with_map``), so
    the characters a placeable covers, and those in the body, are slices of the key.
    """
    args = (text, label, end_mark, termbase)
    lo, hi = _body(text, label, end_mark)
    spans = sorted(_placeables(text, lo, hi, termbase), key=_START)
    key, where = fold_with_map(text)
    if _MARKED.search(key) is not None:
        return _from_tokens(tokens(*args), args)
    end = bisect_left(where, hi)
    at = bisect_left(where, lo)
    pieces: list[str] = []
    places: list[int] = []
    size = 0
    for span in spans:
        cut = bisect_left(where, span.start, at, end)
        piece = _without_spaces(key[at:cut])
        pieces += (piece, _MARKS[span.kind])
        size += len(piece)
        places.append(size)
        size += 1
        at = bisect_left(where, span.end, cut, end)
    pieces.append(_without_spaces(key[at:end]))
    return _Sequence("".join(pieces), spans, places, args)


def _without_spaces(chars: str) -> str:
    if _WHITESPACE.search(chars) is None:
        return chars
    return _WHITESPACE.sub("", chars)


def _from_tokens(
    found: list[Token], args: tuple[str, Label | None, int | None, TermBase | None]
) -> _Sequence:
    """A :class:`_Sequence` whose symbols are the tokens' own, in a list: for a text
    that holds a marker character."""
    places = [i for i, t in enumerate(found) if t.kind != "char"]
    placeables = [found[i] for i in places]
    return _Sequence([t.sym for t in found], placeables, places, args, found)


# A character token built by tuple.__new__, skipping the named tuple's own
# constructor (a Python function): a text makes one per character, and this made
# tokenizing a TM source, what repairing a match costs most, a third faster.
_new_tuple = tuple.__new__
_START = attrgetter("start")


_FULLWIDTH_ALNUM = re.compile("[\uff10-\uff5a]")
_FULLWIDTH_TO_ASCII = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF5B)}


def _ascii_letters(text: str) -> str:
    """Full-width Latin letters and digits as ASCII, one for one (spans unchanged)."""
    if _FULLWIDTH_ALNUM.search(text) is None:  # most text: nothing to change
        return text
    return text.translate(_FULLWIDTH_TO_ASCII)


def _end_mark(text: str) -> int | None:
    end = len(text.rstrip())
    if end and text[end - 1] in _END_MARKS:
        stop = final_stop(text)
        return end - 1 if stop is not None or text[end - 1] not in "。．." else None
    return None


def _align(
    q: _Sequence, s: _Sequence
) -> tuple[list[tuple[Token, Token]], list[Token], bool]:
    """Placeable pairs (query, source), placeables only one side has, other differences."""
    pairs: list[tuple[Token, Token]] = []
    unpaired: list[Token] = []
    text_differs = False
    if isinstance(q.syms, str) != isinstance(s.syms, str):
        q, s = q.in_list(), s.in_list()  # one text holds a marker character
    ops = list(Levenshtein.opcodes(q.syms, s.syms))
    # Only the query's placeables pair up, and the characters between them are most
    # of a text: each equal stretch looks up the placeables inside it.
    places = q.places
    s_at = dict(zip(s.places, s.placeables, strict=True))
    # Without numerals on either side, no differing stretch can hold any.
    numerals = not (
        _NUMERAL_CHARS.isdisjoint(q.syms) and _NUMERAL_CHARS.isdisjoint(s.syms)
    )
    for n, op in enumerate(ops):
        if op.tag == "equal":
            size = op.src_end - op.src_start
            first = bisect_left(places, op.src_start)
            for j in range(first, bisect_left(places, op.src_end, first)):
                i = places[j] - op.src_start
                a, b = q.placeables[j], s_at[op.dest_start + i]
                edge = (i == 0 and n > 0) or (i == size - 1 and n < len(ops) - 1)
                if edge and a.kind in _WORDLIKE and a.text != b.text:
                    # Two different terms paired only because text beside them
                    # differs too (存量 + 建设用地 against 存量土地): not a swap.
                    unpaired += [a, b]
                    continue
                pairs.append((a, b))
            continue
        unpaired += q.placeables_in(op.src_start, op.src_end)
        unpaired += s.placeables_in(op.dest_start, op.dest_end)
        if numerals and _numeral_text(
            q.chars_in(op.src_start, op.src_end), s.chars_in(op.dest_start, op.dest_end)
        ):
            q_block = q.tokens()[op.src_start : op.src_end]
            s_block = s.tokens()[op.dest_start : op.dest_end]
            unpaired.append(_numeral_token(q_block, s_block))
        text_differs = True
    return pairs, unpaired, text_differs


_WORDLIKE = frozenset({"term", "latin"})
_NUMERAL_CHARS = frozenset("0123456789〇○零一二三四五六七八九十百千万亿萬億两兩")


def _numeral_text(q_chars: Sequence[str], s_chars: Sequence[str]) -> bool:
    """Whether text that differs has numerals the tokens did not read as numbers.

    Numerals on both sides (二等 against 一等), or a run of numerals only one side
    has: then the English's number may be wrong, and nothing is offered as repaired.
    """

    def some(chars: Sequence[str]) -> bool:
        return not _NUMERAL_CHARS.isdisjoint(chars)

    def only(chars: Sequence[str]) -> bool:
        return bool(chars) and _NUMERAL_CHARS.issuperset(chars)

    return (some(q_chars) and some(s_chars)) or only(q_chars) or only(s_chars)


def _numeral_token(q_block: Sequence[Token], s_block: Sequence[Token]) -> Token:
    """A stand-in for the unread numerals, so that they are reported (as the TM's)."""
    block = list(s_block) or list(q_block)
    text = "".join(t.text for t in block)
    return Token("number", block[0].start, block[-1].end, text, "\x00number")


# -- label and final mark ---------------------------------------------------------------


def _repair_label(work: _Work, q: Label | None, s: Label | None) -> None:
    if q is None and s is None:
        return
    if q is not None and s is not None and q.value == s.value and _same_kind(q, s):
        return  # (一) and 一、 both say "1": the English label stays
    t = en_label(work.target)
    tm_text, q_text = (s.text if s else ""), (q.text if q else "")
    if s is not None and q is None:
        if t is None:
            return  # no label on either English side: nothing to remove
        if t.value != s.value:
            work.skip(
                "label", tm_text, q_text, f"the English label {t.text} is not {s.text}"
            )
            return
        work.edit(t.start, t.end, "", "label", tm_text, q_text)
        return
    assert q is not None
    if s is None:
        if t is not None:
            work.skip(
                "label",
                tm_text,
                q_text,
                f"the English opens with {t.text} where its source has no label",
            )
            return
        new = render_default_label(q)
        if new is None:
            work.skip("label", tm_text, q_text, f"no usual English form for {q.text}")
            return
        at = len(work.target) - len(work.target.lstrip())
        work.edit(at, at, new + " ", "label", tm_text, q_text)
        return
    if t is None:
        work.skip("label", tm_text, q_text, "the TM's English has no list label")
        return
    if t.value != s.value:
        work.skip(
            "label", tm_text, q_text, f"the English label {t.text} is not {s.text}"
        )
        return
    if (s.style == "article" and t.style != "article") or (
        q.style == "article" and q.unit != s.unit
    ):
        work.skip(
            "label",
            tm_text,
            q_text,
            f"{q.text} is not the same kind of label as {s.text}",
        )
        return
    label_end = t.start + len(t.text)
    work.edit(t.start, label_end, render_en_label(q.value, t), "label", tm_text, q_text)


def _same_kind(a: Label, b: Label) -> bool:
    """Both list labels, or both article labels of the same unit (条, 章 …)."""
    if a.style == "article" or b.style == "article":
        return a.signature[0::2] == b.signature[0::2]
    return True


def _repair_end(
    work: _Work, query: str, source: str, q_end: int | None, s_end: int | None
) -> None:
    qm = _END_MARKS[query[q_end]] if q_end is not None else ""
    sm = _END_MARKS[source[s_end]] if s_end is not None else ""
    if qm == sm:
        return
    tm_text = source[s_end] if s_end is not None else ""
    q_text = query[q_end] if q_end is not None else ""
    target = work.target
    end = len(target.rstrip())
    last = target[end - 1 : end]
    if sm:
        if last != sm:
            work.skip(
                "full-stop",
                tm_text,
                q_text,
                f"the TM's English does not end with {sm!r}",
            )
            return
        work.edit(end - 1, end, qm, "full-stop", tm_text, q_text)
        return
    if not last or last in ".;:,!?":
        work.skip(
            "full-stop", tm_text, q_text, "the TM's English already ends with a mark"
        )
        return
    if not (last.isalnum() or last in _CLOSERS):
        work.skip("full-stop", tm_text, q_text, f"the TM's English ends with {last!r}")
        return
    work.edit(end, end, qm, "full-stop", tm_text, q_text)


# -- numbers, dates, document numbers ---------------------------------------------------


def _english_placeable_spans(target: str, work: _Work) -> list[tuple[int, int]]:
    """Spans of the English that numbers must not be taken from (label, dates, doc numbers)."""
    out: list[tuple[int, int]] = []
    t = en_label(target)
    if t is not None:
        out.append((t.start, t.end))
    out += [(d.start, d.end) for d in find_en_dates(target)]
    out += [(m.start(), m.end()) for m in _DOCNUM_EN.finditer(target)]
    return out


def _readings(tok: Token) -> tuple[int, ...]:
    """What to add to a number's value to find it in the English: a 民國 year is
    1911 more; a year with no era named may be either."""
    _value, _percent, era = tok.value
    return {"roc": (ROC_OFFSET,), "year": (0, ROC_OFFSET)}.get(era, (0,))


def _repair_numbers(
    work: _Work,
    pairs: list[tuple[Token, Token]],
    s_tokens: list[Token],
    blocked: list[tuple[int, int]],
) -> None:
    changes: dict[tuple[float, bool], list[tuple[Token, Token]]] = defaultdict(list)
    for q, s in pairs:
        if s.kind == "number" and _num_key(q) != _num_key(s):
            changes[_num_key(s)].append((q, s))
    if not changes:
        return
    quantities = [
        x
        for x in english_quantities(work.target)
        if not _inside(x.start, x.end, blocked)
    ]
    group = any("," in x.digits for x in quantities) or not any(
        len(x.digits) >= 4 and x.digits.isdigit() for x in quantities
    )
    for (value, percent), changed in changes.items():
        s_all = [
            t
            for t in s_tokens
            if t.kind == "number" and _num_key(t) == (value, percent)
        ]
        tm_text, q_text = changed[0][1].text, changed[0][0].text
        if len(changed) != len(s_all) or len({_num_key(q) for q, _ in changed}) != 1:
            work.skip(
                "number",
                tm_text,
                q_text,
                f"{tm_text} occurs {len(s_all)} times in the TM source, not all changed alike",
            )
            continue
        fits = []
        for offset in _readings(changed[0][1]):
            found = _counterparts(quantities, value + offset, percent)
            if found and _enough(found, len(s_all), value + offset):
                fits.append((offset, found))
        if len(fits) != 1:
            work.skip(
                "number",
                tm_text,
                q_text,
                _why_not(quantities, value, percent, len(s_all), fits),
            )
            continue
        offset, found = fits[0]
        q_tok = changed[0][0]
        new_value = _num_key(q_tok)[0] + offset
        for x in found:
            new = (None if offset else _as_typed(q_tok, x)) or render_like(
                new_value, x, group=group
            )
            if new is None:
                work.skip(
                    "number",
                    tm_text,
                    q_text,
                    f"{_fmt(new_value)} cannot be written like {work.target[x.start : x.end]!r}",
                )
                break
            work.edit(x.start, x.end, new, "number", tm_text, q_text)


def _enough(found: list[Quantity], in_source: int, value: float) -> bool:
    """The English has the number as often as the source, or more often when it is a
    number of two or more digits written in digits (the English repeats "Article 43"
    where the Chinese says 同條), which nothing else in the text is likely to equal."""
    if len(found) == in_source:
        return True
    return (
        len(found) > in_source
        and value >= 10
        and all(x.digits and not x.word for x in found)
    )


def _why_not(
    quantities: list[Quantity],
    value: float,
    percent: bool,
    in_source: int,
    fits: list[tuple[int, list[Quantity]]],
) -> str:
    if len(fits) > 1:
        return (
            f"both {_fmt(value)} and {_fmt(value + ROC_OFFSET)} are in the TM's English"
        )
    found = _counterparts(quantities, value, percent)
    if not found:
        return f"the TM's English has no {_fmt(value)}"
    return f"{_fmt(value)} occurs {len(found)} times in the TM's English, {in_source} in its source"


_PLAIN_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def _as_typed(q: Token, like: Quantity) -> str | None:
    """The query's own digits (14.00 stays 14.00) where the English writes plain digits."""
    digits = unicodedata.normalize("NFKC", q.text)
    if not _PLAIN_DIGITS.fullmatch(digits):
        return None
    if like.word or like.scale or "," in like.digits or like.ordinal:
        return None
    if "." not in digits and len(digits) >= 4 and len(like.digits) < 4:
        return None  # 3000 where the English wrote 500: let render_like group it
    return digits + like.percent


def _num_key(tok: Token) -> tuple[float, bool]:
    value, percent, _era = tok.value
    return (float(value), bool(percent))


def _counterparts(
    quantities: list[Quantity], value: float, percent: bool
) -> list[Quantity]:
    """The English numbers of ``value``: digits if any, else number words."""
    same = [
        x
        for x in quantities
        if abs(x.value - value) < 1e-9 and bool(x.percent) == percent
    ]
    digits = [x for x in same if x.digits]
    return digits if digits else same


def _inside(a: int, b: int, spans: list[tuple[int, int]]) -> bool:
    return any(a < e and b > s for s, e in spans)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _repair_dates(work: _Work, pairs: list[tuple[Token, Token]]) -> None:
    for q, s in pairs:
        if s.kind != "date":
            continue
        qd, sd = q.value, s.value
        if (qd.year, qd.month, qd.day) == (sd.year, sd.month, sd.day):
            continue
        fits = [
            (
                offset,
                [d for d in find_en_dates(work.target) if _same_date(d, sd, offset)],
            )
            for offset in _date_readings(sd)
        ]
        fits = [(o, f) for o, f in fits if f]
        offset, found = fits[0] if len(fits) == 1 else (0, [])
        if len(found) != 1:
            why = (
                "the TM's English has no such date"
                if not found
                else "the date occurs more than once in the TM's English"
            )
            work.skip("date", s.text, q.text, why)
            continue
        year = qd.year + offset if qd.year is not None else None
        new = render_date_like(year, qd.month, qd.day, found[0])
        if new is None:
            work.skip(
                "date", s.text, q.text, "the English date is written with other parts"
            )
            continue
        work.edit(found[0].start, found[0].end, new, "date", s.text, q.text)


def _date_readings(zh: DateMention) -> tuple[int, ...]:
    if zh.year is not None and zh.year < 300:
        return (0, ROC_OFFSET)  # 一百十一年 in a statute: a 民國 year
    return (0,)


def _same_date(en: DateMention, zh: DateMention, offset: int = 0) -> bool:
    year = zh.year + offset if zh.year is not None else None
    return (en.year, en.month, en.day) == (year, zh.month, zh.day)


def _repair_docnums(work: _Work, pairs: list[tuple[Token, Token]]) -> None:
    for q, s in pairs:
        if s.kind != "docnum" or q.value == s.value:
            continue
        found = [
            m for m in _DOCNUM_EN.finditer(work.target) if _docnum_value(m) == s.value
        ]
        if len(found) != 1:
            work.skip(
                "docnum",
                s.text,
                q.text,
                "the TM's English has no single such document number",
            )
            continue
        m = found[0]
        year, number = q.value
        y_group, n_group = ("y", "n") if m.group("y") else ("y2", "n2")
        edits = sorted([(m.span(y_group), str(year)), (m.span(n_group), str(number))])
        for (a, b), new in edits:
            work.edit(a, b, new, "docnum", s.text, q.text)


def _docnum_value(m: re.Match[str]) -> tuple[int, int]:
    if m.group("y"):
        return int(m.group("y")), int(m.group("n"))
    return int(m.group("y2")), int(m.group("n2"))


# -- Latin tokens and glossary terms ----------------------------------------------------


def _repair_latin(
    work: _Work, pairs: list[tuple[Token, Token]], s_tokens: list[Token]
) -> None:
    for old, changed in _changed_by_text(pairs, "latin"):
        new = changed[0][0].text
        s_count = sum(1 for t in s_tokens if t.kind == "latin" and t.text == old)
        if s_count != len(changed) or len({q.text for q, _ in changed}) != 1:
            work.skip(
                "latin",
                old,
                new,
                f"{old} occurs {s_count} times in the TM source, not all changed alike",
            )
            continue
        found = list(
            re.finditer(
                rf"(?<![A-Za-z0-9]){re.escape(old)}(?![A-Za-z0-9])", work.target
            )
        )
        if len(found) != s_count:
            work.skip(
                "latin",
                old,
                new,
                f"{old} occurs {len(found)} times in the TM's English, {s_count} in its source",
            )
            continue
        for m in found:
            work.edit(m.start(), m.end(), new, "latin", old, new)


def _changed_by_text(
    pairs: list[tuple[Token, Token]], kind: str
) -> Iterator[tuple[str, list[tuple[Token, Token]]]]:
    grouped: dict[str, list[tuple[Token, Token]]] = defaultdict(list)
    for q, s in pairs:
        if s.kind == kind and q.text != s.text:
            grouped[s.text].append((q, s))
    yield from grouped.items()


def _repair_terms(
    work: _Work,
    pairs: list[tuple[Token, Token]],
    s_tokens: list[Token],
    termbase: TermBase,
) -> None:
    grouped: dict[int, list[tuple[Token, Token]]] = defaultdict(list)
    for q, s in pairs:
        if s.kind == "term" and q.value is not s.value and q.value.zh != s.value.zh:
            grouped[id(s.value)].append((q, s))
    for changed in grouped.values():
        old_entry = changed[0][1].value
        new_entry = changed[0][0].value
        tm_text, q_text = changed[0][1].text, changed[0][0].text
        s_count = sum(1 for t in s_tokens if t.kind == "term" and t.value is old_entry)
        if s_count != len(changed) or len({id(q.value) for q, _ in changed}) != 1:
            work.skip(
                "term",
                tm_text,
                q_text,
                f"{tm_text} occurs {s_count} times in the TM source, not all changed alike",
            )
            continue
        if not new_entry.en:
            work.skip("term", tm_text, q_text, f"{q_text} has no approved rendering")
            continue
        hits = termbase.renderings_in(old_entry, work.target)
        if len(hits) != s_count:
            why = (
                f"the TM's English has no rendering of {tm_text}"
                if not hits
                else f"{tm_text} is rendered {len(hits)} times in the TM's English"
            )
            work.skip("term", tm_text, q_text, why)
            continue
        for hit in hits:
            new = _like_hit(new_entry.en, hit.text, hit.rendering)
            work.edit(hit.start, hit.end, new, "term", tm_text, q_text)


def _like_hit(new: str, written: str, rendering: str) -> str:
    """``new`` capitalized and inflected like the rendering as it was written."""
    if written[:1].isupper() and not rendering[:1].isupper():
        new = new[:1].upper() + new[1:]
    if (
        written.lower().endswith("s")
        and not rendering.lower().endswith("s")
        and not new.endswith("s")
    ):
        new += "s"
    return new
