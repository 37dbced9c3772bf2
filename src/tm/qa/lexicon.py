"""A word-association lexicon learned from the TM's own aligned pairs.

Each Chinese character bigram is paired with the English word root that co-occurs
with it most, by Dice over the pairs, when that association is strong: function words
co-occur with everything and so never reach it, and no list of words is involved.
QA reads it to tell which English words a stretch of Chinese brings into a target:
the missing-clause check (a clause none of whose words is there) and the learned
rendering check (a difference between two renderings that the neighbouring words of
the source explain is not the term's).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tm.models import TranslationUnit
from tm.terms.english import stem
from tm.text.normalize import has_han
from tm.text.numbers import find_numbers

# At most this many pairs are read (enough for every word that recurs; a larger TM is
# read by its first pairs).
LEXICON_MAX_PAIRS = 20_000
ROOT_CHARS = 5  # English words are compared by this many first letters
MIN_DICE = 0.5  # a bigram's best English word must co-occur with it this much
MIN_JOINT = 3  # … in at least this many pairs

_WORD = re.compile(r"[^\W\d_]+")
_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Chinese bigram → the English root the TM renders it with most (``best``), and
    every root strongly associated with it (``strong``)."""

    best: dict[str, str]
    strong: dict[str, frozenset[str]]

    def words(self, text: str) -> set[str]:
        """Every root the bigrams of ``text`` are strongly associated with."""
        out: set[str] = set()
        for run in _HAN_RUN.findall(text):
            for i in range(len(run) - 1):
                out |= self.strong.get(run[i : i + 2], frozenset())
        return out

    def anchors(self, clause: str) -> set[str]:
        """The English stems a clause is expected to bring into the target."""
        out = {f"#{n.value:g}" for n in find_numbers(clause)}
        for run in _HAN_RUN.findall(clause):
            for i in range(len(run) - 1):
                en = self.best.get(run[i : i + 2])
                if en is not None:
                    out.add(en)
        return out


def en_roots(text: str) -> set[str]:
    """The roots of a text's English words (see :func:`root`)."""
    return {root(w) for w in _WORD.findall(text) if len(w) > 2}


def root(word: str) -> str:
    """A word's first letters: mortgage/mortgagee, fine/fining, allocate/allocation
    meet here, so a clause rendered with another form of its words is not missing."""
    return stem(word)[:ROOT_CHARS]


def _bigrams(text: str) -> set[str]:
    return {
        run[i : i + 2] for run in _HAN_RUN.findall(text) for i in range(len(run) - 1)
    }


def learn_lexicon(units: Sequence[TranslationUnit]) -> Lexicon:
    """Learn the bigram → English root associations from aligned pairs (the TM's
    sentence units when it has them: ``tm.qa.terminology.term_units``).

    Co-occurrence is counted in numpy: each pair's bigram × word grid is one array of
    joint ids, and the counts of all ids come from one sort.
    """
    pairs = [
        (_bigrams(u.source), en_roots(u.target))
        for u in units[:LEXICON_MAX_PAIRS]
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
        return Lexicon({}, {})
    width = len(eid)
    grids = []
    for zs, es in pairs:
        zi = np.fromiter((zid[z] for z in zs if z in zid), dtype=np.int64)
        ei = np.fromiter((eid[e] for e in es if e in eid), dtype=np.int64)
        if zi.size and ei.size:
            grids.append(np.add.outer(zi * width, ei).ravel())
    if not grids:
        return Lexicon({}, {})
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
    linked: dict[str, set[str]] = {}
    for z, e in zip(zi, ei, strict=True):
        linked.setdefault(zname[z], set()).add(ename[e])
    return Lexicon(
        {
            zname[z]: ename[e]
            for z, e in zip(zi[order][first], ei[order][first], strict=True)
        },
        {z: frozenset(es) for z, es in linked.items()},
    )
