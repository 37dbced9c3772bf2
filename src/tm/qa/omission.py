"""Omission: a Chinese clause whose content has no counterpart in the English.

The evidence is learned from the TM itself, not listed: the word-association lexicon
of ``tm.qa.lexicon`` (Chinese bigram → English word, by Dice over the TM's aligned
sentence pairs). The glossary adds its own renderings, and numbers (Chinese or
Arabic) anchor their values. A source clause is then a set of *anchors*, each an
English word the clause is expected to bring into the target. A clause is reported when

* it has enough anchors to judge (``MIN_ANCHORS``) and none of them is in the
  target, while
* the unit's other clauses mostly do find theirs (``OTHERS_FOUND``): the lexicon
  reads this unit well, so the silence of the one clause is the clause's, and
* the target is shorter than the corpus's length ratio predicts for the whole
  source, nearer the length predicted without the clause.

The three together are what a reviewer does by eye: a clause whose key words are
nowhere in the English, in an English that is visibly short.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from typing import Any

from tm.models import QAIssue, TranslationUnit
from tm.qa.base import QAContext, issue, primary_units, register, source_span
from tm.qa.lexicon import Lexicon, en_roots, learn_lexicon
from tm.qa.segment import length_model
from tm.qa.terminology import term_units
from tm.text.normalize import has_han
from tm.text.numbers import find_english_numbers
from tm.text.segment import clause_spans

# The check itself runs on TMs up to this many units (see the module docstring of
# tm.qa for the million-unit budget): beyond it the clause scan costs more than the
# rest of QA together.
CHECK_MAX_UNITS = 50_000
MIN_ANCHORS = 4  # a clause needs this many distinct anchors to be judged (3 was noise)
OTHERS_FOUND = 0.6  # share of the other clauses' anchors found in the target
MIN_CLAUSE_HAN = 6  # shorter clauses are connectives and list heads
# The target is this many robust deviations shorter than the corpus ratio predicts.
SHORT_Z = -2.0

_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _glossary_anchors(termbase: Any, clause: str) -> set[str]:
    """Content stems of the approved renderings of the glossary terms in a clause."""
    if termbase is None:
        return set()
    out: set[str] = set()
    for hit in termbase.find(clause, lang="zh", overlapping=True):
        out |= en_roots(hit.entry.en)
    return out


def _length_ratio(units: Sequence[TranslationUnit]) -> tuple[float, float] | None:
    """The corpus's log(target/source length): median and robust spread."""
    return length_model(units)


def _judgeable(clause: str) -> bool:
    """Mostly Chinese and long enough to carry content (not a connective or a label)."""
    han = sum(len(r) for r in _HAN_RUN.findall(clause))
    return han >= MIN_CLAUSE_HAN and han * 2 >= len(clause)


def short_by(
    u: TranslationUnit, clause_len: int, model: tuple[float, float]
) -> int | None:
    """The target length expected from the whole source, when the target is short
    of it as a clause of ``clause_len`` characters would make it; else None.

    Short means: its log length ratio is ``SHORT_Z`` robust deviations below the
    corpus's, and nearer the length expected without the clause than with it.
    """
    med, spread = model
    t, s = len(u.target.strip()), len(u.source.strip())
    if not t or not s or (math.log(t / s) - med) / spread > SHORT_Z:
        return None
    with_clause = math.exp(med) * s
    without = math.exp(med) * max(s - clause_len, 1)
    if abs(math.log(t / without)) >= abs(math.log(t / with_clause)):
        return None
    return math.floor(with_clause)


@register("missing-clause", "info", scope="corpus")
def missing_clause(
    units: Sequence[TranslationUnit], ctx: QAContext
) -> Iterator[QAIssue]:
    """A source clause whose content has no counterpart in the English."""
    pool = primary_units(units)
    if len(pool) > CHECK_MAX_UNITS:
        return
    model = _length_ratio(pool)
    if model is None:
        return
    lexicon = ctx.stats.get("lexicon")
    if lexicon is None:
        lexicon = ctx.stats["lexicon"] = learn_lexicon(term_units(units))
    for u in pool:
        if u.target and has_han(u.source):
            yield from _unit_findings(u, lexicon, ctx.termbase, model)


def _unit_findings(
    u: TranslationUnit, lexicon: Lexicon, termbase: Any, model: tuple[float, float]
) -> Iterator[QAIssue]:
    spans = clause_spans(u.source, "zh")
    if len(spans) < 2:
        return
    have = en_roots(u.target) | {
        f"#{n.value:g}" for n in find_english_numbers(u.target)
    }
    found: list[tuple[int, int]] = []
    for a, b in spans:
        text = u.source[a:b]
        anchors = lexicon.anchors(text) | _glossary_anchors(termbase, text)
        found.append((len(anchors & have), len(anchors)))
    for k, (a, b) in enumerate(spans):
        hit, n = found[k]
        text = u.source[a:b]
        if hit or n < MIN_ANCHORS or not _judgeable(text):
            continue
        others_hit = sum(h for j, (h, _) in enumerate(found) if j != k)
        others_n = sum(m for j, (_, m) in enumerate(found) if j != k)
        if not others_n or others_hit / others_n < OTHERS_FOUND:
            continue
        expected = short_by(u, b - a, model)
        if expected is None:
            continue
        yield issue(
            "missing-clause",
            u,
            f"the clause {text!r} has no counterpart in the target: none of the"
            f" {n} words the TM renders it with is there, and the target is"
            f" {len(u.target)} chars where about {expected} are"
            " expected",
            spans=[source_span(u, a, b)],
            fix="translate the missing clause",
            data=[("anchors", n)],
        )
