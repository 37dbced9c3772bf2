"""Sentence alignment inside paragraph pairs: a banded dynamic programme over beads.

A bead joins 0–3 Chinese sentences to 0–3 English ones (1-1, 1-2, 2-1, 1-0, 0-1, 2-2,
and the 1-3/3-1 the seed's translator uses when Chinese commas become English
semicolons). A bead's cost, in nats, adds:

* a prior for its shape;
* a Gale–Church length term: English characters against Chinese characters times the
  pair's own length ratio, with a variance estimated from the data (``LengthModel``);
* anchors (``tm.anchors``) that the bead splits from their counterpart;
* a boundary cue: where a bead starts, a weak break on one side (after ``;``, or before
  an English lower-case continuation) facing a strong break on the other costs extra.

Forward–backward over the same lattice gives each chosen link its posterior
probability, its ``confidence``. The lattice is banded around the diagonal, so work
grows linearly with the number of sentences; ``Alignment.cells`` counts it.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from tm.anchors import ParagraphAnchors, TermIndex, TermPairs, paragraph_anchors
from tm.errors import FormatError
from tm.formats import detect_format, read_units
from tm.formats._text import read_text
from tm.formats.bilingual import read_bilingual
from tm.models import Occurrence, SegType, TranslationUnit
from tm.text.segment import split_en, split_zh

# Shape priors (probabilities). 1-2 and 1-3 are common zh→en: the translator splits a
# long Chinese sentence at its commas.
BEAD_PRIORS: dict[tuple[int, int], float] = {
    (1, 1): 0.85,
    (1, 2): 0.07,
    (2, 1): 0.02,
    (1, 3): 0.02,
    (3, 1): 0.005,
    (2, 2): 0.002,
    (1, 0): 0.0075,
    (0, 1): 0.0075,
}
ANCHOR_COST = 2.5  # nats per anchor a bead separates from its counterpart
BOUNDARY_COST = 2.0  # nats for a weak break facing a strong one
REVIEW_BELOW = 0.6  # links less probable than this are flagged for review
# Share of beads whose length is no evidence at all (a translator's omission or
# expansion): a floor under the Gaussian tail, so one gross outlier cannot force a
# wrong merge of its neighbours.
LENGTH_OUTLIER = 0.01
RATIO_PRIOR_CHARS = 40  # weight of the model's ratio against a pair's own, in zh chars
DEFAULT_BAND = 12  # sentences either side of the diagonal
_PRIOR_COST = {b: -math.log(p) for b, p in BEAD_PRIORS.items()}


@dataclass(frozen=True, slots=True)
class LengthModel:
    """Gale–Church length model: ``len(en) ≈ ratio · len(zh)``, variance ``variance · len(zh)``.

    Attributes:
        ratio: English characters per Chinese character over the data.
        variance: the per-character variance of ``len(en) - ratio · len(zh)``.
    """

    ratio: float = 4.8
    variance: float = 12.0

    @classmethod
    def estimate(cls, pairs: Iterable[tuple[str, str]]) -> LengthModel:
        """Estimate from (zh, en) paragraph pairs; defaults when there are too few.

        The variance comes from the median squared deviation (divided by 0.455, the
        median of a χ² with one degree of freedom), so a few pairs with an omission do
        not inflate it.
        """
        lens = [(len(z), len(e)) for z, e in pairs if z.strip() and e.strip()]
        if len(lens) < 3:
            return cls()
        ratio = sum(e for _, e in lens) / sum(z for z, _ in lens)
        dev = [(e - ratio * z) ** 2 / z for z, e in lens]
        variance = statistics.median(dev) / 0.455
        return cls(ratio=ratio, variance=max(variance, 1.0))

    def refine(self, alignments: Iterable[Alignment]) -> LengthModel:
        """Re-estimate the variance from the 1-1 links of a first alignment (one EM step).

        Deviations are taken against each pair's own ratio, as the aligner scores them,
        so the variance is the one that holds between sentences, not paragraphs.
        """
        dev = []
        for al in alignments:
            if len(al.links) < 2:
                continue
            total_z = sum(_zh_len(s) for s in al.zh)
            ratio = sum(len(s) for s in al.en) / total_z if total_z else self.ratio
            for lk in al.links:
                if len(lk.zh) == 1 and len(lk.en) == 1:
                    z, e = _zh_len(al.zh[lk.zh[0]]), len(al.en[lk.en[0]])
                    if z:
                        dev.append((e - ratio * z) ** 2 / z)
        if len(dev) < 10:
            return self
        return LengthModel(self.ratio, max(statistics.median(dev) / 0.455, 1.0))


@dataclass(frozen=True, slots=True)
class Link:
    """Chinese sentence indices ↔ English sentence indices, with a posterior confidence."""

    zh: tuple[int, ...]
    en: tuple[int, ...]
    confidence: float
    review: bool = False


@dataclass(frozen=True, slots=True)
class Alignment:
    """The sentences of one paragraph pair and the links between them.

    Attributes:
        zh: Chinese sentences.
        en: English sentences.
        links: in order; every sentence is in exactly one link.
        cells: lattice cells the dynamic programme visited (linear-time check).
    """

    zh: tuple[str, ...]
    en: tuple[str, ...]
    links: tuple[Link, ...]
    cells: int = 0


class Aligner:
    """Aligns sentence lists; holds the length model and the term index.

    Args:
        model: the length model (``LengthModel.estimate`` on the data to align).
        terms: optional (zh, [en renderings]) pairs used as anchors.
        band: half-width of the band around the diagonal, in sentences.
        review_below: links with a lower confidence get ``review=True``.
    """

    def __init__(
        self,
        model: LengthModel | None = None,
        *,
        terms: TermPairs | None = None,
        band: int = DEFAULT_BAND,
        review_below: float = REVIEW_BELOW,
    ) -> None:
        self.model = model or LengthModel()
        self.terms = TermIndex(terms) if terms is not None else None
        self.band = band
        self.review_below = review_below

    def align(self, zh: Sequence[str], en: Sequence[str]) -> Alignment:
        """Align one paragraph pair's sentences (or any two sentence lists)."""
        lattice = _Lattice(zh, en, self.model, paragraph_anchors(zh, en, self.terms))
        path = lattice.solve(self.band)
        links = tuple(
            Link(
                tuple(range(i0, i1)),
                tuple(range(j0, j1)),
                round(conf, 4),
                conf < self.review_below,
            )
            for (i0, j0, i1, j1), conf in path
        )
        return Alignment(tuple(zh), tuple(en), links, lattice.cells)

    def align_text(self, zh: str, en: str) -> Alignment:
        """Split a paragraph pair into sentences and align them."""
        return self.align(split_zh(zh), split_en(en))


def align_pairs(
    pairs: Sequence[tuple[str, str]],
    *,
    terms: TermPairs | None = None,
    model: LengthModel | None = None,
) -> list[Alignment]:
    """Split and align paragraph pairs; the length model is estimated from them."""
    split = [(split_zh(zh), split_en(en)) for zh, en in pairs]
    return _align_estimated(split, pairs, terms, model)


def align_presegmented(
    items: Sequence[tuple[Sequence[str], Sequence[str]]],
    *,
    terms: TermPairs | None = None,
    model: LengthModel | None = None,
) -> list[Alignment]:
    """Align sentence lists as given (no re-splitting); the model is estimated from them."""
    joined = [("".join(zh), " ".join(en)) for zh, en in items]
    return _align_estimated(items, joined, terms, model)


def _align_estimated(
    items: Sequence[tuple[Sequence[str], Sequence[str]]],
    paragraphs: Sequence[tuple[str, str]],
    terms: TermPairs | None,
    model: LengthModel | None,
) -> list[Alignment]:
    """Align with the given model, or estimate one, align, refine it and align again."""
    term_list = list(terms) if terms is not None else None
    aligner = Aligner(model or LengthModel.estimate(paragraphs), terms=term_list)
    result = [aligner.align(zh, en) for zh, en in items]
    if model is not None:
        return result
    refined = aligner.model.refine(result)
    if refined == aligner.model:
        return result
    aligner.model = refined
    return [aligner.align(zh, en) for zh, en in items]


# -- the lattice -------------------------------------------------------------------

Bead = tuple[int, int, int, int]  # i0, j0, i1, j1


class _Lattice:
    """Costs and banded forward/backward passes for one pair of sentence lists."""

    def __init__(
        self,
        zh: Sequence[str],
        en: Sequence[str],
        model: LengthModel,
        anchors: ParagraphAnchors,
    ) -> None:
        self.n, self.m = len(zh), len(en)
        self.zlen = _prefix([_zh_len(s) for s in zh])
        self.elen = _prefix([len(s) for s in en])
        total_z, total_e = self.zlen[-1], self.elen[-1]
        # The pair's own ratio, shrunk toward the model's: a translator who condenses
        # one paragraph condenses its sentences too, but with the raw local ratio a bead
        # spanning the whole pair would always fit perfectly.
        self.ratio = (total_e + RATIO_PRIOR_CHARS * model.ratio) / (
            total_z + RATIO_PRIOR_CHARS
        )
        self.variance = model.variance
        self.zweak = [False] + [_weak_break(zh[k - 1], zh[k]) for k in range(1, self.n)]
        self.eweak = [False] + [_weak_break(en[k - 1], en[k]) for k in range(1, self.m)]
        self.size = anchors.size
        self.zanch = _prefix_vectors(anchors.zh, self.size)
        self.eanch = _prefix_vectors(anchors.en, self.size)
        self.cells = 0

    # -- costs

    def cost(self, i0: int, j0: int, i1: int, j1: int) -> float:
        c = _PRIOR_COST[(i1 - i0, j1 - j0)] + self._length(i0, j0, i1, j1)
        if self.size:
            za, zb, ea, eb = (
                self.zanch[i0],
                self.zanch[i1],
                self.eanch[j0],
                self.eanch[j1],
            )
            split = sum(
                abs((zb[t] - za[t]) - (eb[t] - ea[t])) for t in range(self.size)
            )
            c += ANCHOR_COST * split
        if 0 < i0 < self.n and 0 < j0 < self.m and self.zweak[i0] != self.eweak[j0]:
            c += BOUNDARY_COST
        return c

    def _length(self, i0: int, j0: int, i1: int, j1: int) -> float:
        lz = self.zlen[i1] - self.zlen[i0]
        le = self.elen[j1] - self.elen[j0]
        mean = max((lz + le / self.ratio) / 2, 1.0)
        delta = (le - self.ratio * lz) / math.sqrt(mean * self.variance)
        tail = math.erfc(abs(delta) / math.sqrt(2))
        return -math.log((1 - LENGTH_OUTLIER) * tail + LENGTH_OUTLIER)

    # -- search

    def solve(self, band: int) -> list[tuple[Bead, float]]:
        """Best path and each of its beads' posterior probability."""
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
            bead = best[cell][1]
            assert bead is not None
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


def _prefix_vectors(vectors: Sequence[Sequence[int]], size: int) -> list[list[int]]:
    out = [[0] * size]
    for vec in vectors:
        out.append([a + b for a, b in zip(out[-1], vec, strict=True)])
    return out


def _zh_len(sentence: str) -> int:
    return sum(1 for ch in sentence if not ch.isspace())


def _weak_break(prev: str, cur: str) -> bool:
    """A break after ``;`` or before a lower-case continuation: a clause, not a sentence."""
    return prev.rstrip()[-1:] in ";；" or cur[:1].islower()


# -- paragraph units → sentence units ----------------------------------------------


def sentence_units(
    paragraphs: Sequence[TranslationUnit],
    *,
    terms: TermPairs | None = None,
    model: LengthModel | None = None,
) -> list[TranslationUnit]:
    """Sentence units aligned from paragraph units, in document order.

    A link joining several sentences on one side becomes one unit (Chinese joined
    without a space, English with one); a sentence linked to nothing yields no unit.
    Each unit keeps its paragraph's provenance: ``Occurrence(document, position=<the
    paragraph's>, sub=<link index in the paragraph>, section=<the paragraph's>)``, and
    the neighbouring sentences of the same document as context. Links below the
    review threshold carry ``x-align-confidence`` and ``x-align-review`` props.
    """
    alignments = align_pairs(
        [(u.source, u.target) for u in paragraphs], terms=terms, model=model
    )
    drafts: list[tuple[TranslationUnit, int, Link]] = []
    for unit, al in zip(paragraphs, alignments, strict=True):
        k = 0
        for link in al.links:
            if not link.zh or not link.en:
                continue
            source = "".join(al.zh[i] for i in link.zh)
            target = " ".join(al.en[j] for j in link.en)
            props = unit.props
            if link.review:
                props = (
                    *props,
                    ("x-align-confidence", f"{link.confidence:.2f}"),
                    ("x-align-review", "yes"),
                )
            sentence = replace(
                unit,
                source=source,
                target=target,
                segtype=SegType.SENTENCE,
                tuid=None,
                props=props,
                id=None,
            )
            drafts.append((sentence, k, link))
            k += 1
    return _with_context(drafts)


def _with_context(
    drafts: list[tuple[TranslationUnit, int, Link]],
) -> list[TranslationUnit]:
    """Set each unit's occurrence: sub index and the neighbouring sentences' sources."""
    out = []
    for n, (unit, k, _) in enumerate(drafts):
        occ = unit.occurrence
        if occ is None:
            out.append(unit)
            continue
        prev = drafts[n - 1][0] if n > 0 else None
        nxt = drafts[n + 1][0] if n + 1 < len(drafts) else None
        out.append(
            replace(
                unit,
                occurrence=Occurrence(
                    document=occ.document,
                    position=occ.position,
                    sub=k,
                    prev_source=_same_doc(prev, occ.document),
                    next_source=_same_doc(nxt, occ.document),
                    section=occ.section,
                ),
            )
        )
    return out


def _same_doc(unit: TranslationUnit | None, document: str) -> str | None:
    if unit is None or unit.occurrence is None:
        return None
    return unit.source if unit.occurrence.document == document else None


# -- files -------------------------------------------------------------------------


def file_pairs(
    path: str | Path, *, fmt: str | None = None, encoding: str | None = None
) -> list[tuple[int, str, str]]:
    """(pair index, zh, en) for every paragraph pair of a bilingual file.

    In the seed format the index is the bullet pair's (the development set's
    ``pair_index``; the unbulleted title pair is left out); in TMX/TSV it is the unit's
    0-based position.

    Raises:
        FormatError: the file is unreadable or malformed.
    """
    fmt = fmt or detect_format(path)
    if fmt == "bilingual":
        doc = read_bilingual(path, encoding=encoding)
        return [(p.index, p.zh, p.en) for p in doc.pairs if p.index is not None]
    units = read_units(path, fmt=fmt, encoding=encoding)
    return [(k, u.source, u.target) for k, u in enumerate(units)]


def read_presegmented(path: str | Path) -> list[tuple[list[str], list[str]]]:
    """Read JSON lines ``{"zh": [sentences], "en": [sentences]}`` (other keys ignored).

    Raises:
        FormatError: unreadable file, bad JSON, or a line without two string lists.
    """
    text, _ = read_text(path)
    items = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FormatError(str(path), n, f"not JSON: {exc.msg}") from exc
        if not isinstance(row, dict) or not all(
            isinstance(row.get(k), list) and all(isinstance(s, str) for s in row[k])
            for k in ("zh", "en")
        ):
            raise FormatError(
                str(path),
                n,
                'expected {"zh": [sentences], "en": [sentences]}',
            )
        items.append((row["zh"], row["en"]))
    return items
