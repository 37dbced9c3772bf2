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
grows linearly with the number of sentences; ``Alignment.cells`` counts it. The
lattice itself (costs, banding, the passes) is in ``tm.lattice``.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from tm.anchors import TermIndex, TermPairs, paragraph_anchors
from tm.errors import FormatError
from tm.formats import detect_format, read_units
from tm.formats._text import read_text
from tm.formats.bilingual import read_bilingual
from tm.lattice import DEFAULT_BAND, Lattice, pair_ratio, zh_len
from tm.models import Occurrence, SegType, TranslationUnit
from tm.text.segment import split_en, split_zh

# Links less probable than this are flagged for review. On seed paragraphs with a
# sentence deleted (bench_align.py --deletions), links under 0.8 are right about 70 % of
# the time (no band above 85 %), links above it 91–99 %; on the intact seed only a few
# links fall under it.
REVIEW_BELOW = 0.8


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
        lens = [(zh_len(z), len(e)) for z, e in pairs if z.strip() and e.strip()]
        if len(lens) < 3:
            return cls()
        ratio = sum(e for _, e in lens) / sum(z for z, _ in lens)
        dev = [(e - ratio * z) ** 2 / z for z, e in lens]
        variance = statistics.median(dev) / 0.455
        return cls(ratio=ratio, variance=max(variance, 1.0))

    def for_sentences(
        self, items: Iterable[tuple[Sequence[str], Sequence[str]]]
    ) -> LengthModel:
        """Re-estimate the variance between sentences, from pairs that split evenly.

        Where both sides of a pair have the same number (≥ 2) of sentences, the k-th
        sentences are almost always translations of each other; their deviations,
        taken against the pair's ratio as the aligner scores them, give the variance
        that holds between sentences rather than paragraphs. This needs no first
        alignment pass. Returns the model unchanged with fewer than 10 such sentences.
        """
        dev = []
        for zh, en in items:
            if len(zh) != len(en) or len(zh) < 2:
                continue
            zl = [zh_len(s) for s in zh]
            ratio = pair_ratio(sum(zl), sum(len(s) for s in en), self.ratio)
            dev += [
                (len(e) - ratio * z) ** 2 / z for z, e in zip(zl, en, strict=True) if z
            ]
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
        lattice = Lattice(
            zh,
            en,
            paragraph_anchors(zh, en, self.terms),
            ratio=self.model.ratio,
            variance=self.model.variance,
        )
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
        return Alignment(lattice.zh, lattice.en, links, lattice.cells)

    def align_text(self, zh: str, en: str) -> Alignment:
        """Split a paragraph pair into sentences and align them."""
        return self.align(split_zh(zh), split_en(en))


def align_pairs(
    pairs: Sequence[tuple[str, str]],
    *,
    terms: TermPairs | None = None,
    model: LengthModel | None = None,
    workers: int = 1,
) -> list[Alignment]:
    """Split and align paragraph pairs; the length model is estimated from them.

    With ``workers`` > 1, a large set is aligned in that many processes (the same
    alignments: each pair is aligned alone once the model is known).
    """
    split = [(split_zh(zh), split_en(en)) for zh, en in pairs]
    return _align_estimated(split, pairs, terms, model, workers)


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
    workers: int = 1,
) -> list[Alignment]:
    """Align with the given model, or with one estimated from these very pairs."""
    if model is None:
        model = LengthModel.estimate(paragraphs).for_sentences(items)
    aligner = Aligner(model, terms=terms)
    if workers > 1 and len(items) >= PARALLEL_MIN:
        return _align_in_processes(aligner, items, workers)
    return [aligner.align(zh, en) for zh, en in items]


# Below this many paragraphs (about a second of alignment), starting processes costs
# more than aligning in one.
PARALLEL_MIN = 5000
PARALLEL_CHUNK = 500
_ALIGNER: Aligner | None = None


def _align_in_processes(
    aligner: Aligner,
    items: Sequence[tuple[Sequence[str], Sequence[str]]],
    workers: int,
) -> list[Alignment]:
    """``aligner.align`` over ``items`` in ``workers`` processes, results in order."""
    from tm.workers import pool

    chunks = [
        list(items[i : i + PARALLEL_CHUNK])
        for i in range(0, len(items), PARALLEL_CHUNK)
    ]
    with pool(workers, initializer=_set_aligner, initargs=(aligner,)) as executor:
        return [al for part in executor.map(_align_chunk, chunks) for al in part]


def _set_aligner(aligner: Aligner) -> None:
    global _ALIGNER
    _ALIGNER = aligner


def _align_chunk(
    items: list[tuple[Sequence[str], Sequence[str]]],
) -> list[Alignment]:
    assert _ALIGNER is not None
    return [_ALIGNER.align(zh, en) for zh, en in items]


# -- paragraph units → sentence units ----------------------------------------------


def sentence_units(
    paragraphs: Sequence[TranslationUnit],
    *,
    terms: TermPairs | None = None,
    model: LengthModel | None = None,
    workers: int = 1,
) -> list[TranslationUnit]:
    """Sentence units aligned from paragraph units, in document order.

    A link joining several sentences on one side becomes one unit (Chinese joined
    without a space, English with one); a sentence linked to nothing yields no unit.
    Each unit keeps its paragraph's provenance: ``Occurrence(document, position=<the
    paragraph's>, sub=<link index in the paragraph>, section=<the paragraph's>)``, and
    the neighbouring sentences of the same document as context. Links below the
    review threshold carry ``x-align-confidence`` and ``x-align-review`` props.
    ``workers`` processes share the alignment of a large set (see align_pairs).
    """
    alignments = align_pairs(
        [(u.source, u.target) for u in paragraphs],
        terms=terms,
        model=model,
        workers=workers,
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
