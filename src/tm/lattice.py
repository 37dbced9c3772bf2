"""The alignment lattice: bead costs and banded Viterbi and forward–backward passes.

Cells (i, j) mean "the first i Chinese and j English sentences are aligned". A bead
(i0, j0, i1, j1) is an edge from cell (i0, j0) to (i1, j1); its cost in nats adds the
shape prior, the Gale–Church length term, the anchors it separates from their
counterparts and a boundary cue (see ``tm.align``). Only cells within a band around
the diagonal are visited, so the work is linear in the number of sentences.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from tm.anchors import ParagraphAnchors

# Shape priors (probabilities). 1-2 and 1-3 are common zh→en: the translator splits a
# long Chinese sentence at its commas.
BEAD_PRIORS: dict[tuple[int, int], float] = {
    (1, 1): 0.85,
    (1, 2): 0.07,
    (2, 1): 0.02,
    (1, 3): 0.02,
    (3, 1): 0.005,
    (2, 2): 0.002,
    (1, 0): 0.01,
    (0, 1): 0.01,
}
ANCHOR_COST = 2.5  # nats per anchor a bead separates from its counterpart
BOUNDARY_COST = 2.0  # nats for a weak break facing a strong one
# Share of beads whose length is no evidence at all (a translator's omission or
# expansion): a floor under the Gaussian tail, so one gross outlier cannot force a
# wrong merge of its neighbours.
LENGTH_OUTLIER = 0.01
RATIO_PRIOR_CHARS = 300  # weight of the model's ratio against a pair's own, in zh chars
DEFAULT_BAND = 12  # sentences either side of the diagonal
_PRIOR_COST = {b: -math.log(p) for b, p in BEAD_PRIORS.items()}


Bead = tuple[int, int, int, int]  # i0, j0, i1, j1


class Lattice:
    """Costs and banded forward/backward passes for one pair of sentence lists.

    Args:
        zh: Chinese sentences (n of them).
        en: English sentences (m of them).
        anchors: their shared anchor counts (``tm.anchors.paragraph_anchors``).
        ratio: the model's English characters per Chinese character.
        variance: the model's per-character variance.
    """

    def __init__(
        self,
        zh: Sequence[str],
        en: Sequence[str],
        anchors: ParagraphAnchors,
        *,
        ratio: float,
        variance: float,
    ) -> None:
        self.zh, self.en = tuple(zh), tuple(en)
        self.n, self.m = len(zh), len(en)
        self.zlen = _prefix([zh_len(s) for s in zh])
        self.elen = _prefix([len(s) for s in en])
        total_z, total_e = self.zlen[-1], self.elen[-1]
        # The pair's own ratio, shrunk toward the model's: a translator who condenses
        # one paragraph condenses its sentences too, but with the raw local ratio a bead
        # spanning the whole pair would always fit perfectly.
        self.ratio = pair_ratio(total_z, total_e, ratio)
        self.variance = variance
        self.zweak = [False] + [_weak_break(zh[k - 1], zh[k]) for k in range(1, self.n)]
        self.eweak = [False] + [_weak_break(en[k - 1], en[k]) for k in range(1, self.m)]
        self.zanch = anchors.zh
        self.eanch = anchors.en
        self.anchored = anchors.size > 0
        self._fixed: dict[Bead, float] = {}
        self.cells = 0

    # -- costs

    def cost(self, i0: int, j0: int, i1: int, j1: int) -> float:
        """A bead's cost in nats (all but the length term is cached)."""
        bead = (i0, j0, i1, j1)
        fixed = self._fixed.get(bead)
        if fixed is None:
            fixed = _PRIOR_COST[(i1 - i0, j1 - j0)]
            if self.anchored:
                fixed += ANCHOR_COST * self._split_anchors(i0, j0, i1, j1)
            if 0 < i0 < self.n and 0 < j0 < self.m and self.zweak[i0] != self.eweak[j0]:
                fixed += BOUNDARY_COST
            self._fixed[bead] = fixed
        return fixed + self._length(i0, j0, i1, j1)

    def _split_anchors(self, i0: int, j0: int, i1: int, j1: int) -> int:
        """Anchors in the bead whose counterpart is not in it (counted per side)."""
        diff: dict[int, int] = {}
        for k in range(i0, i1):
            for t, n in self.zanch[k].items():
                diff[t] = diff.get(t, 0) + n
        for k in range(j0, j1):
            for t, n in self.eanch[k].items():
                diff[t] = diff.get(t, 0) - n
        return sum(abs(v) for v in diff.values())

    def _length(self, i0: int, j0: int, i1: int, j1: int) -> float:
        lz = self.zlen[i1] - self.zlen[i0]
        le = self.elen[j1] - self.elen[j0]
        if not (i1 - i0 and j1 - j0):
            return 0.0  # an untranslated sentence: its prior says all there is to say
        mean = max((lz + le / self.ratio) / 2, 1.0)
        delta = (le - self.ratio * lz) / math.sqrt(mean * self.variance)
        tail = math.erfc(abs(delta) / math.sqrt(2))
        return -math.log((1 - LENGTH_OUTLIER) * tail + LENGTH_OUTLIER)

    # -- search

    def solve(self, band: int) -> list[tuple[Bead, float]]:
        """Best path, as (i0, j0, i1, j1) beads, each with its posterior probability."""
        if self.n == 0 or self.m == 0:
            return [((i, 0, i + 1, 0), 1.0) for i in range(self.n)] + [
                ((0, j, 0, j + 1), 1.0) for j in range(self.m)
            ]
        while True:
            result = self._search(band)
            if result is not None:
                return result
            band *= 2  # the band cut every path: widen it (rare, degenerate shapes)

    def _search(self, band: int) -> list[tuple[Bead, float]] | None:
        n, m = self.n, self.m
        self.cells = 0
        rows = _band_rows(n, m, band)
        best: dict[tuple[int, int], tuple[float, Bead | None]] = {(0, 0): (0.0, None)}
        fwd: dict[tuple[int, int], float] = {(0, 0): 0.0}
        edges: list[tuple[Bead, float]] = []
        for i in range(n + 1):
            lo, hi = rows[i]
            for j in range(lo, hi + 1):
                self.cells += 1
                if i == 0 and j == 0:
                    continue
                cell_best = math.inf
                cell_bead: Bead | None = None
                terms: list[float] = []
                for dz, de in _PRIOR_COST:
                    prev = (i - dz, j - de)
                    if prev not in fwd:
                        continue
                    bead = (prev[0], prev[1], i, j)
                    c = self.cost(*bead)
                    edges.append((bead, c))
                    v = best[prev][0] + c
                    if v < cell_best:
                        cell_best, cell_bead = v, bead
                    terms.append(fwd[prev] + c)
                if terms:
                    best[(i, j)] = (cell_best, cell_bead)
                    fwd[(i, j)] = _neg_logsumexp(terms)
        if (n, m) not in best:
            return None
        bwd = _backward(edges, (n, m))
        total = fwd[(n, m)]
        path: list[tuple[Bead, float]] = []
        cell = (n, m)
        while cell != (0, 0):
            step = best[cell][1]
            assert step is not None
            bead = step
            c = self.cost(*bead)
            post = math.exp(-(fwd[(bead[0], bead[1])] + c + bwd[cell] - total))
            path.append((bead, min(post, 1.0)))
            cell = (bead[0], bead[1])
        path.reverse()
        return path


def _band_rows(n: int, m: int, band: int) -> list[tuple[int, int]]:
    """For each row i, the columns [lo, hi] within ``band`` of the diagonal.

    The band also spans the slope m/n, so consecutive rows always overlap enough for a
    bead to pass from one to the next.
    """
    width = band + math.ceil(m / n)
    rows = []
    for i in range(n + 1):
        centre = i * m / n
        rows.append(
            (max(0, math.floor(centre - width)), min(m, math.ceil(centre + width)))
        )
    return rows


def _backward(
    edges: list[tuple[Bead, float]], end: tuple[int, int]
) -> dict[tuple[int, int], float]:
    """Backward scores (−log) from the edges, visited in reverse creation order."""
    acc: dict[tuple[int, int], list[float]] = {}
    bwd: dict[tuple[int, int], float] = {end: 0.0}
    for bead, c in reversed(edges):
        cur = (bead[2], bead[3])
        prev = (bead[0], bead[1])
        if cur in acc:  # all of cur's successors are done: fold its sum once
            bwd[cur] = _neg_logsumexp(acc.pop(cur))
        if cur in bwd:
            acc.setdefault(prev, []).append(bwd[cur] + c)
    for cell, terms in acc.items():
        bwd[cell] = _neg_logsumexp(terms)
    return bwd


def _neg_logsumexp(values: list[float]) -> float:
    """−log Σ exp(−v): the −log total of alternatives given as −log scores."""
    low = min(values)
    return low - math.log(sum(math.exp(low - v) for v in values))


def _prefix(values: list[int]) -> list[int]:
    out = [0]
    for v in values:
        out.append(out[-1] + v)
    return out


def pair_ratio(total_zh: int, total_en: int, ratio: float) -> float:
    """A pair's own length ratio, shrunk toward the model's ``ratio``."""
    return (total_en + RATIO_PRIOR_CHARS * ratio) / (total_zh + RATIO_PRIOR_CHARS)


def zh_len(sentence: str) -> int:
    """Chinese length: characters other than whitespace."""
    return sum(1 for ch in sentence if not ch.isspace())


def _weak_break(prev: str, cur: str) -> bool:
    """A break after ``;`` or before a lower-case continuation: a clause, not a sentence."""
    return prev.rstrip()[-1:] in ";；" or cur[:1].islower()
