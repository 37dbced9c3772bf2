"""Structure checks: what the target has or lacks as a whole, sentence by sentence.

Sentences come from ``tm.text.segment`` on both sides. A translation of official
Chinese renders each sentence, in order, and ends where the source ends; what these
checks find are the marks of a careless edit: a stray piece left after the final stop
(half of a sentence pasted twice), a sentence written twice, and a final full stop
lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rapidfuzz import fuzz

from tm.models import QAIssue, TranslationUnit
from tm.qa.base import QAContext, issue, register, target_span
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


@register("stray-tail", "warning")
def stray_tail(unit: TranslationUnit, ctx: QAContext) -> Iterator[QAIssue]:
    """Text after the target's final sentence that belongs to no source sentence."""
    if not has_han(unit.source):
        return
    en = sentence_spans(unit.target, "en")
    if len(en) < 2:
        return
    a, b = en[-1]
    if unit.target[: en[-2][1]].rstrip()[-1:] not in ".!?":
        return  # the piece follows a semicolon: a clause, not a stray sentence
    last = unit.target[a:b]
    words = last.split()
    starts_low = last[:1].islower()
    if not (starts_low or len(words) <= STRAY_MAX_WORDS):
        return
    if len(sentence_spans(unit.source, "zh")) >= len(en):
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
    keys = [unlabeled_key(unit.target[a:b], "en") for a, b in en]
    zh = [
        unlabeled_key(unit.source[a:b], "zh")
        for a, b in sentence_spans(unit.source, "zh")
    ]
    zh_repeats = len(zh) - len(set(zh))
    seen = 0
    for j in range(1, len(en)):
        a, b = en[j]
        if len(unit.target[a:b].split()) < REPEAT_MIN_WORDS:
            continue
        for i in range(j):
            if fuzz.ratio(keys[i], keys[j], score_cutoff=REPEAT_MIN):
                seen += 1
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


@register("final-punctuation", "info")
def final_punctuation(unit: TranslationUnit, ctx: QAContext) -> Iterator[QAIssue]:
    """The source ends with a full stop (。！？) and the target does not."""
    target = unit.target.rstrip()
    if not target or not _ends_with_stop(unit.source) or _EN_END.search(target):
        return
    n = len(target)
    yield issue(
        "final-punctuation",
        unit,
        "the source ends with a full stop and the target does not",
        spans=[target_span(unit, max(0, n - 12), n)],
        fix=target[-12:] + ".",
    )
