"""Analysis of a new document against the TM: bands, repetitions, terms, weighted total.

The bands are the ones CAT tools report: 101 (context), 100, 95–99, 85–94, 75–84, 50–74
and new, plus repetitions within the document. Chinese has no words, so sizes are in
characters (non-whitespace), as Trados and memoQ count CJK text.

Counting order follows Trados: a context match counts as 101 even when repeated; any
other segment whose normalized text already occurred earlier in the document is a
repetition; the rest go to the band of their best match.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tm.errors import FormatError
from tm.models import Match
from tm.text.normalize import match_key

if TYPE_CHECKING:
    from tm.terms import TermBase, TermHit

BANDS = ("101", "100", "95-99", "85-94", "75-84", "50-74", "new", "repetitions")
# Share of a new segment's effort each band costs (a common memoQ/Trados-style grid).
DEFAULT_WEIGHTS: dict[str, float] = {
    "101": 0.0,
    "repetitions": 0.1,
    "100": 0.1,
    "95-99": 0.3,
    "85-94": 0.5,
    "75-84": 0.7,
    "50-74": 1.0,
    "new": 1.0,
}
MIN_SCORE = 50


@dataclass(frozen=True, slots=True)
class DocSegment:
    """One segment of the document: sentence ``sentence`` of paragraph ``paragraph``."""

    index: int
    source: str
    paragraph: int
    sentence: int
    line: int | None


@dataclass(frozen=True, slots=True)
class SegmentResult:
    segment: DocSegment
    band: str
    best: Match | None
    repetition_of: int | None
    chars: int
    terms: tuple[TermHit, ...] = ()


@dataclass(frozen=True, slots=True)
class BandCount:
    segments: int = 0
    chars: int = 0


@dataclass(frozen=True, slots=True)
class Analysis:
    document: str
    segments: tuple[SegmentResult, ...]
    bands: dict[str, BandCount]
    weights: dict[str, float]
    residue: tuple[Any, ...] = ()
    totals: BandCount = field(default_factory=BandCount)

    @property
    def weighted_chars(self) -> float:
        return sum(self.bands[b].chars * self.weights.get(b, 1.0) for b in BANDS)


def band_of(score: float | None) -> str:
    """The analysis band of a best-match score (None or < 50: new)."""
    if score is None or score < 50:
        return "new"
    if score > 100:
        return "101"
    if score >= 100:
        return "100"
    for low, name in ((95, "95-99"), (85, "85-94"), (75, "75-84")):
        if score >= low:
            return name
    return "50-74"


def count_chars(text: str) -> int:
    """Characters that count for Chinese: everything but whitespace."""
    return sum(1 for c in text if not c.isspace())


def read_source_document(
    path: str | Path, *, encoding: str | None = None
) -> tuple[list[DocSegment], tuple[Any, ...]]:
    """Segments of a document to translate, and the page residue set aside.

    Reads plain text (as the Changsha–Zhuzhou–Xiangtan action plan), the bulleted bilingual format's source side, XLIFF and
    TMX sources; segments with the TM's sentence rules.
    """
    from tm.formats import detect_document_format

    fmt = detect_document_format(path)
    if fmt == "plaintext":
        from tm.formats.plaintext import read_plaintext

        doc = read_plaintext(path, encoding=encoding)
        paragraphs = [(p.text, p.line) for p in doc.paragraphs]
        return _split(paragraphs), doc.residue
    if fmt == "bilingual":
        from tm.formats.bilingual import read_bilingual

        bdoc = read_bilingual(path, encoding=encoding)
        return _split([(p.zh, p.line) for p in bdoc.pairs]), ()
    if fmt in ("xliff", "tmx"):
        from tm.formats import read_units

        units = list(read_units(path, fmt=fmt))
        return [DocSegment(i, u.source, i, 0, None) for i, u in enumerate(units)], ()
    raise FormatError(str(path), None, f"cannot analyse a {fmt} file")


def _split(paragraphs: Iterable[tuple[str, int | None]]) -> list[DocSegment]:
    from tm.text.segment import split_zh

    out: list[DocSegment] = []
    for p, (text, line) in enumerate(paragraphs):
        for s, sentence in enumerate(split_zh(text)):
            if sentence.strip():
                out.append(DocSegment(len(out), sentence, p, s, line))
    return out


LookupFn = Callable[[str, str | None], list[Match]]


def analyze_segments(
    segments: list[DocSegment],
    lookup: LookupFn,
    *,
    document: str = "",
    termbase: TermBase | None = None,
    weights: dict[str, float] | None = None,
    residue: tuple[Any, ...] = (),
) -> Analysis:
    """Band every segment by its best match and count the bands.

    Args:
        lookup: ``(text, previous segment) -> matches best first`` (cutoff 50).
    """
    seen: dict[str, int] = {}
    results: list[SegmentResult] = []
    prev: str | None = None
    for seg in segments:
        matches = lookup(seg.source, prev)
        best = matches[0] if matches else None
        band = band_of(best.score if best else None)
        key = match_key(seg.source)
        first = seen.setdefault(key, seg.index)
        repetition = first if first != seg.index else None
        if repetition is not None and band != "101":
            band = "repetitions"
        terms = tuple(termbase.find(seg.source)) if termbase is not None else ()
        results.append(
            SegmentResult(seg, band, best, repetition, count_chars(seg.source), terms)
        )
        prev = seg.source
    return Analysis(
        document=document,
        segments=tuple(results),
        bands=_count(results),
        weights={**DEFAULT_WEIGHTS, **(weights or {})},
        residue=residue,
        totals=BandCount(len(results), sum(r.chars for r in results)),
    )


def _count(results: Iterable[SegmentResult]) -> dict[str, BandCount]:
    segs = dict.fromkeys(BANDS, 0)
    chars = dict.fromkeys(BANDS, 0)
    for r in results:
        segs[r.band] += 1
        chars[r.band] += r.chars
    return {b: BandCount(segs[b], chars[b]) for b in BANDS}


def load_weights(path: str | Path) -> dict[str, float]:
    """A weight table from YAML: ``{band: share}``, e.g. ``{"95-99": 0.25, new: 1}``.

    Raises:
        FormatError: unknown band names or values that are not numbers in 0–1.
    """
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise FormatError(
            str(path),
            getattr(getattr(exc, "problem_mark", None), "line", None),
            str(exc),
        ) from exc
    if not isinstance(data, dict):
        raise FormatError(str(path), 1, "expected a mapping of band → weight")
    out: dict[str, float] = {}
    for band, value in data.items():
        band = str(band)
        if band not in BANDS:
            raise FormatError(
                str(path), None, f"unknown band {band!r}; bands are {', '.join(BANDS)}"
            )
        if not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise FormatError(
                str(path), None, f"weight for {band} must be a number from 0 to 1"
            )
        out[band] = float(value)
    return out


def analysis_json(a: Analysis) -> dict[str, Any]:
    """The JSON shape of ``tm analyze --json``."""
    return {
        "document": a.document,
        "unit": "characters (Chinese has no words: every non-space character counts)",
        "bands": {
            b: {"segments": a.bands[b].segments, "chars": a.bands[b].chars}
            for b in BANDS
        },
        "total": {"segments": a.totals.segments, "chars": a.totals.chars},
        "weights": a.weights,
        "weighted_chars": round(a.weighted_chars, 1),
        "residue": [
            {"line": r.line, "text": r.text, "reason": r.reason} for r in a.residue
        ],
        "segments": [_segment_json(r) for r in a.segments],
    }


def _segment_json(r: SegmentResult) -> dict[str, Any]:
    best = r.best
    return {
        "index": r.segment.index,
        "source": r.segment.source,
        "line": r.segment.line,
        "band": r.band,
        "chars": r.chars,
        "best": None
        if best is None
        else {
            "score": best.score,
            "kind": str(best.kind),
            "source": best.unit.source,
            "target": best.unit.target,
            "id": best.unit.id,
        },
        "id": best.unit.id if best else None,
        "repetition_of": r.repetition_of,
        "terms": [
            {
                "zh": h.entry.zh,
                "en": h.entry.en,
                "start": h.start,
                "end": h.end,
                "status": h.entry.status,
            }
            for h in r.terms
        ],
    }


def document_name(path: str | Path) -> str:
    return os.path.basename(str(path))
