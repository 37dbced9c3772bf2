"""Omission: a Chinese clause whose content has no counterpart in the English.

The evidence is learned from the TM itself, not listed. A word-association lexicon is
read off the TM's aligned sentence pairs: each Chinese character bigram is paired with
the English word (stem) that co-occurs with it most, by Dice, when that association
is strong (function words co-occur with everything and so never reach it). The
glossary adds its own renderings, and numbers (Chinese or Arabic) anchor their values. A source
clause is then a set of *anchors*, each an English word the clause is expected to
bring into the target. A clause is reported when

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
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tm.models import QAIssue, TranslationUnit
from tm.qa.base import QAContext, issue, primary_units, register, source_span
from tm.qa.segment import length_model
from tm.qa.terminology import term_units
from tm.terms.english import stem
from tm.text.normalize import has_han
from tm.text.numbers import find_english_numbers, find_numbers
from tm.text.segment import clause_spans

# The lexicon reads at most this many sentence pairs (enough for every word that
# recurs; a larger TM is read by its first pairs).
LEXICON_MAX_PAIRS = 20_000
# The check itself runs on TMs up to this many units (see the module docstring of
# tm.qa for the million-unit budget): beyond it the clause scan costs more than the
# rest of QA together.
CHECK_MAX_UNITS = 50_000
ROOT_CHARS = 5  # English words are compared by this many first letters
MIN_DICE = 0.5  # a bigram's best English word must co-occur with it this much
MIN_JOINT = 3  # … in at least this many pairs
MIN_ANCHORS = 4  # a clause needs this many distinct anchors to be judged (3 was noise)
OTHERS_FOUND = 0.6  # share of the other clauses' anchors found in the target
MIN_CLAUSE_HAN = 6  # shorter clauses are connectives and list heads
SHORT_Z = (
    -2.0
)  # the target is this many robust deviations shorter than the corpus ratio

_WORD = re.compile(r"[^\W\d_]+")
_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Chinese bigram → the English stem the TM renders it with most (see module doc)."""

    best: dict[str, str]

    def anchors(self, clause: str) -> set[str]:
        """The English stems a clause is expected to bring into the target."""
        out = {f"#{n.value:g}" for n in find_numbers(clause)}
        for run in _HAN_RUN.findall(clause):
            for i in range(len(run) - 1):
                en = self.best.get(run[i : i + 2])
                if en is not None:
                    out.add(en)
        return out


def _en_stems(text: str) -> set[str]:
    return {_root(w) for w in _WORD.findall(text) if len(w) > 2}


def _root(word: str) -> str:
    """A word's first letters: mortgage/mortgagee, fine/fining, allocate/allocation
    meet here, so a clause rendered with another form of its words is not missing."""
    return stem(word)[:ROOT_CHARS]


def _bigrams(text: str) -> set[str]:
    return {
        run[i : i + 2] for run in _HAN_RUN.findall(text) for i in range(len(run) - 1)
    }


def learn_lexicon(units: Sequence[TranslationUnit]) -> Lexicon:
    """Learn the bigram → English stem associations from the TM's sentence pairs.

    Co-occurrence is counted in numpy: each pair's bigram × word grid is one array of
    joint ids, and the counts of all ids come from one sort.
    """
    pairs = [
        (_bigrams(u.source), _en_stems(u.target))
        for u in term_units(units)[:LEXICON_MAX_PAIRS]
        if u.target and has_han(u.source)
    ]
    zc: Counter[str] = Counter()
    ec: Counter[str] = Counter()
    for zs, es in pairs:
        zc.update(zs)
        ec.update(es)
    zid = {z: i for i, z in enumerate(z for z, n in zc.items() if n >= MIN_JOINT)}
    eid = {e: i for i, e in enumerate(e for e, n in ec.items() if n >= MIN_JOINT)}
    if not zid or not eid:
        return Lexicon({})
    width = len(eid)
    grids = []
    for zs, es in pairs:
        zi = np.fromiter((zid[z] for z in zs if z in zid), dtype=np.int64)
        ei = np.fromiter((eid[e] for e in es if e in eid), dtype=np.int64)
        if zi.size and ei.size:
            grids.append(np.add.outer(zi * width, ei).ravel())
    if not grids:
        return Lexicon({})
    ids, joint = np.unique(np.concatenate(grids), return_counts=True)
    keep = joint >= MIN_JOINT
    ids, joint = ids[keep], joint[keep]
    zs_of = np.array([zc[z] for z in zid], dtype=np.float64)
    es_of = np.array([ec[e] for e in eid], dtype=np.float64)
    zi, ei = ids // width, ids % width
    dice = 2 * joint / (zs_of[zi] + es_of[ei])
    strong = dice >= MIN_DICE
    zi, ei, dice = zi[strong], ei[strong], dice[strong]
    order = np.lexsort((-dice, zi))  # per bigram, the strongest word first
    first = np.ones(order.size, dtype=bool)
    first[1:] = zi[order][1:] != zi[order][:-1]
    zname, ename = list(zid), list(eid)
    return Lexicon(
        {
            zname[z]: ename[e]
            for z, e in zip(zi[order][first], ei[order][first], strict=True)
        }
    )


def _glossary_anchors(termbase: Any, clause: str) -> set[str]:
    """Content stems of the approved renderings of the glossary terms in a clause."""
    if termbase is None:
        return set()
    out: set[str] = set()
    for hit in termbase.find(clause, lang="zh", overlapping=True):
        out |= _en_stems(hit.entry.en)
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
        lexicon = ctx.stats["lexicon"] = learn_lexicon(units)
    for u in pool:
        if u.target and has_han(u.source):
            yield from _unit_findings(u, lexicon, ctx.termbase, model)


def _unit_findings(
    u: TranslationUnit, lexicon: Lexicon, termbase: Any, model: tuple[float, float]
) -> Iterator[QAIssue]:
    spans = clause_spans(u.source, "zh")
    if len(spans) < 2:
        return
    have = _en_stems(u.target) | {
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
