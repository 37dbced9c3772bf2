"""Structure checks: what the target has or lacks as a whole, sentence by sentence.

Sentences come from ``tm.text.segment`` on both sides. A translation of official
Chinese renders each sentence, in order, and ends where the source ends; what these
checks find are the marks of a careless edit: a stray piece left after the final stop
(half of a sentence pasted twice), a sentence written twice, and a final full stop
lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from rapidfuzz import fuzz

from tm.models import QAIssue, TranslationUnit
from tm.qa.base import QAContext, issue, primary_units, register, target_span
from tm.text.labels import zh_enumerator
from tm.text.normalize import has_han, unlabeled_key
from tm.text.segment import sentence_spans

_ZH_STOPS = "。！？!?"
_EN_END = re.compile(r"[.!?][\"'”’)\]]*$")
# Two sentences of one target this alike say the same thing twice.
REPEAT_MIN = 90.0
REPEAT_MIN_WORDS = 5
# A last "sentence" this short after a full stop is a fragment, not a sentence.
STRAY_MAX_WORDS = 3


def _ends_with_stop(source: str) -> bool:
    return source.rstrip()[-1:] in _ZH_STOPS


# Where the English splitter saw a sentence end that is none: an ellipsis ("fooled ...
# and then"), a decimal point ("0.5-1.2"), a short capitalised abbreviation ("Gen.").
_NO_SENTENCE_END = re.compile(r"(?:\.\.\.|…|\d\.|\b[A-Z][a-z]{0,3}\.)$")
_WORD = re.compile(r"[A-Za-z0-9]")
_NUMS = re.compile(r"\d+(?:[.,]\d+)*")


# Between Han characters, a space separates the clauses of a headline ("小学生做错题被
# 老师体罚 涉事学校取消…") and a dash sets off a credit ("…资格-中新网", "-- ECNS").
_HEADLINE_BREAK = re.compile(
    r"(?<=[\u4e00-\u9fff])(?:\s+|\s*[-—–]+\s*)(?=[\u4e00-\u9fff])"
)


def _source_pieces(source: str) -> int:
    """Sentences of the source, counting the clauses a ； separates and the pieces
    of a headline: an English translation may make each one a sentence of its own."""
    return (
        len(sentence_spans(source, "zh"))
        + source.count("；")
        + source.count(";")
        + len(_HEADLINE_BREAK.findall(source))
    )


# Info: on the tune data (``qa_precision_corpus.py --calibrate``) 4 of 7 were real;
# the rest were abbreviations read as a sentence end ('ID. number'), a credit line
# ('-- ECNS') or a bracketed reference ('(Table 55)') that render the source.
@register("stray-tail", "info")
def stray_tail(unit: TranslationUnit, ctx: QAContext) -> Iterator[QAIssue]:
    """Text after the target's final sentence that belongs to no source sentence."""
    if not has_han(unit.source):
        return
    en = sentence_spans(unit.target, "en")
    if len(en) < 2:
        return
    a, b = en[-1]
    before = unit.target[: en[-2][1]].rstrip()
    if before[-1:] not in ".!?" or _NO_SENTENCE_END.search(before):
        return  # after a semicolon, an ellipsis, a decimal point or "Gen.": no break
    last = unit.target[a:b]
    words = last.split()
    starts_low = last[:1].islower()
    if not (starts_low or len(words) <= STRAY_MAX_WORDS) or not _WORD.search(last):
        return  # a whole sentence, or a closing quote mark
    if not starts_low and len(words) >= STRAY_MAX_WORDS and _EN_END.search(last):
        return  # "Nobody said nothing.": short, but a whole sentence
    if _source_pieces(unit.source) >= len(en):
        return  # the source has as many sentences: the piece may render one
    yield issue(
        "stray-tail",
        unit,
        f"the target ends with {last!r} after its final sentence; no source "
        "sentence is left for it",
        spans=[target_span(unit, a, b)],
        fix="remove it, or complete the sentence it belongs to",
    )


@register("repeated-sentence", "warning")
def repeated_sentence(unit: TranslationUnit, ctx: QAContext) -> Iterator[QAIssue]:
    """A sentence written twice in one target while the source says it once."""
    en = sentence_spans(unit.target, "en")
    if len(en) < 2 or not has_han(unit.source):
        return
    keys: dict[int, str] = {}  # built when first compared: most never are

    def key(i: int) -> str:
        if i not in keys:
            keys[i] = unlabeled_key(unit.target[en[i][0] : en[i][1]], "en")
        return keys[i]

    # Sentences with different numbers say different things ("systolic … 140 mmHg",
    # "diastolic … 90 mmHg"), however alike their words.
    nums = [_NUMS.findall(unit.target[a:b]) for a, b in en]
    zh_repeats = -1  # how often the source repeats a sentence, read at the first hit
    seen = 0
    for j in range(1, len(en)):
        a, b = en[j]
        if len(unit.target[a:b].split()) < REPEAT_MIN_WORDS:
            continue
        for i in range(j):
            if nums[i] == nums[j] and fuzz.ratio(
                key(i), key(j), score_cutoff=REPEAT_MIN
            ):
                seen += 1
                if zh_repeats < 0:
                    zh_repeats = _repeats(unit.source)
                if seen > zh_repeats:
                    yield issue(
                        "repeated-sentence",
                        unit,
                        f"sentence {j + 1} repeats sentence {i + 1}: "
                        f"{unit.target[a:b]!r}",
                        spans=[target_span(unit, a, b)],
                        fix="remove the repeated sentence",
                    )
                break


def _repeats(source: str) -> int:
    """How many sentences or clauses of the Chinese ``source`` repeat one before them,
    word for word or nearly: "財產保險業不得承接人身保險業之…，人身保險業不得承接財產保險業
    之…" says one thing twice with the parties swapped, and its English does too."""
    zh = [unlabeled_key(source[a:b], "zh") for a, b in sentence_spans(source, "zh")]
    exact = len(zh) - len(set(zh))
    pieces = [p for p in _ZH_CLAUSE.split(source) if len(p) >= REPEAT_MIN_ZH_CHARS]
    near = sum(
        any(
            fuzz.ratio(pieces[i], pieces[j], score_cutoff=REPEAT_MIN_ZH)
            for i in range(j)
        )
        for j in range(1, len(pieces))
    )
    return max(exact, near)


_ZH_CLAUSE = re.compile(r"[，,、；;。！？!?：:]")
# Two clauses of a source this alike (the same characters, a few swapped) say the same
# thing twice; shorter clauses ("第一項", "前項") repeat without saying much.
REPEAT_MIN_ZH = 75.0
REPEAT_MIN_ZH_CHARS = 8


# The English of a TM may leave the full stop off on purpose: the items of a statute's
# list often end bare or with ";" ("1. The title of the musical work;"). The convention
# is learned where it lives: for list items, from the other items of the same list
# (consecutive units opening with a label); for other units, and for a list of one,
# from all units of that kind in the TM, once there are CONVENTION_MIN_UNITS of them.
# Where fewer than CONVENTION_MIN_SHARE of the targets end with a stop, a target
# without one follows the convention.
CONVENTION_MIN_UNITS = 20
CONVENTION_MIN_SHARE = 0.5
# A list item ending like this leads on to the next item: its punctuation is there.
_LIST_GOES_ON = re.compile(r"(?:[;,:]|[;,]\s*(?:and|or))$")


@register("final-punctuation", "info", scope="corpus")
def final_punctuation(
    units: Sequence[TranslationUnit], ctx: QAContext
) -> Iterator[QAIssue]:
    """The source ends with a full stop (。！？) and the target does not."""
    kinds = {True: [0, 0], False: [0, 0]}  # list item? -> [targets with a stop, all]
    lists: list[list[tuple[TranslationUnit, bool]]] = []  # runs of list items
    others: list[TranslationUnit] = []
    in_list = False
    for unit in sorted(primary_units(units), key=lambda u: u.id or 0):
        item = zh_enumerator(unit.source) is not None
        if item and not in_list:
            lists.append([])
        in_list = item
        target = unit.target.rstrip()
        if not target or not _ends_with_stop(unit.source):
            continue
        stop = bool(_EN_END.search(target))
        kinds[item][0] += stop
        kinds[item][1] += 1
        if item:
            lists[-1].append((unit, stop))
        elif not stop:
            others.append(unit)
    for unit in others:
        if _follows_convention(*kinds[False]):
            continue
        yield _missing_stop(unit)
    for run in lists:
        stops = sum(stop for _, stop in run)
        if len(run) > 1 and stops < CONVENTION_MIN_SHARE * len(run):
            continue  # the list's own items end without a stop
        if len(run) == 1 and _follows_convention(*kinds[True]):
            continue
        for unit, stop in run:
            if not stop and not _LIST_GOES_ON.search(unit.target.rstrip()):
                yield _missing_stop(unit)


def _follows_convention(stops: int, n: int) -> bool:
    """Whether units of a kind mostly end without a stop in this TM."""
    return n >= CONVENTION_MIN_UNITS and stops < CONVENTION_MIN_SHARE * n


def _missing_stop(unit: TranslationUnit) -> QAIssue:
    target = unit.target.rstrip()
    end = len(target)
    return issue(
        "final-punctuation",
        unit,
        "the source ends with a full stop and the target does not",
        spans=[target_span(unit, max(0, end - 12), end)],
        fix=target[-12:].rstrip(";,:") + ".",
    )
