"""Concordance (substring search on either side) and sub-segment recall (clauses).

Concordance works on match keys, so ``，`` finds ``,`` and full-width digits find ASCII
ones; hits are mapped back onto the stored text for highlighting. The store finds the
units (FTS5 trigram for 3+ characters, a plain scan for 1–2); here they are ranked by
how often the same rendering recurs (the other side's key), then by recency.

Sub-segment recall splits a query into clauses and listed items
(``tm.text.segment.clause_spans``: at sentence ends, ，；： and their ASCII forms, and
、) and looks each clause of at least
:data:`MIN_CLAUSE` characters up by concordance: the
memoQ "longest substring concordance" idea, where a new document reuses clauses of old
sentences rather than whole sentences.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from tm.models import ConcordanceHit, FragmentHit, TranslationUnit
from tm.store.base import Store
from tm.text.normalize import fold_with_map, match_key
from tm.text.segment import clause_spans

SIDES = ("source", "target", "both")
# How many units the store may return before ranking: frequency is counted over these.
FETCH_CAP = 2000
MIN_CLAUSE = 6


def concordance(
    store: Store, text: str, *, side: str = "source", limit: int = 20
) -> list[ConcordanceHit]:
    """Units whose ``side`` contains ``text`` (on keys), most frequent rendering first.

    Args:
        store: the TM store.
        text: the text to find; any length, one CJK character included.
        side: ``source``, ``target`` or ``both``.
        limit: how many hits to return.

    Returns:
        Hits with the spans of every occurrence in the stored text, ranked by the
        frequency of the other side's rendering among all hits, then most recent first.
    """
    if side not in SIDES:
        raise ValueError(f"side must be one of {', '.join(SIDES)}")
    key = match_key(text)
    if not key:
        return []
    units = store.concordance(key, side=side, limit=max(FETCH_CAP, limit))
    hits = _distinct([h for u in units if (h := _hit(u, key, side)) is not None])
    renderings = Counter(_rendering(h) for h in hits)
    ranked = sorted(
        hits,
        key=lambda h: (-renderings[_rendering(h)], _recency(h.unit), -(h.unit.id or 0)),
    )
    return [
        ConcordanceHit(h.unit, h.side, h.spans, renderings[_rendering(h)])
        for h in ranked[:limit]
    ]


def _distinct(hits: list[ConcordanceHit]) -> list[ConcordanceHit]:
    """One hit per (source, target): a one-sentence paragraph is also a sentence unit."""
    seen: set[tuple[str, str]] = set()
    out = []
    for h in sorted(hits, key=lambda h: -(h.unit.id or 0)):
        pair = (h.unit.source, h.unit.target)
        if pair not in seen:
            seen.add(pair)
            out.append(h)
    return out


def _hit(unit: TranslationUnit, key: str, side: str) -> ConcordanceHit | None:
    for s in ("source", "target") if side == "both" else (side,):
        text = unit.source if s == "source" else unit.target
        spans = find_spans(text, key)
        if spans:
            return ConcordanceHit(unit, s, tuple(spans))
    return None


def find_spans(text: str, key: str) -> list[tuple[int, int]]:
    """Spans in ``text`` (stored form) of every occurrence of ``key`` in its match key."""
    folded, where = fold_with_map(text)
    spans = []
    start = folded.find(key)
    while start >= 0 and key:
        end = start + len(key)
        spans.append((where[start], where[end - 1] + 1))
        start = folded.find(key, end)
    return spans


def _rendering(hit: ConcordanceHit) -> str:
    other = hit.unit.target if hit.side == "source" else hit.unit.source
    return match_key(other)


def _recency(unit: TranslationUnit) -> str:
    # Newest first: invert the stamp's characters so an ascending sort puts it first.
    stamp = unit.changed_at or unit.created_at or ""
    return "".join(chr(0x10FFFF - ord(c)) for c in stamp)


def fragments(
    store: Store,
    text: str,
    *,
    min_chars: int = MIN_CLAUSE,
    limit: int = 5,
    exclude: Sequence[int] = (),
) -> list[FragmentHit]:
    """The query's clauses found in TM units, longest clause first.

    Args:
        store: the TM store.
        text: the query (a sentence or paragraph).
        min_chars: shortest clause (in key characters) worth looking up.
        limit: how many units to return per clause.
        exclude: unit ids not to offer (e.g. those already offered as whole matches).

    Returns:
        One :class:`FragmentHit` per clause found in at least one unit.
    """
    out = []
    skip = set(exclude)
    for start, end in clause_spans(text, "zh", items=True):
        clause = text[start:end]
        if len(match_key(clause)) < min_chars:
            continue
        hits = [
            h
            for h in concordance(store, clause, side="source", limit=limit + len(skip))
            if h.unit.id not in skip
        ][:limit]
        if hits:
            out.append(FragmentHit(clause, start, end, tuple(hits)))
    out.sort(key=lambda f: (-len(f.clause), f.query_start))
    return out
