"""Fuzzy matching that never misses: a lossless q-gram candidate index and one scorer.

Score (the Translate Toolkit / amaGama convention, and Trados' for CJK): character
Levenshtein similarity ``100 × (1 − d / max(len a, len b))`` on match keys. Then:

* the same key but different stored text (width, punctuation form, whitespace, case) → 99;
* keys that differ only in punctuation → 99;
* any other difference is capped at 98, so 99 always means "only formatting differs";
* numbers that differ cap the score at :data:`NUMBER_CAP` (the match is still offered,
  with the numbers to change reported);
* an exact match whose previous unit also matches the query's previous unit → 101.

Every penalty only lowers a score, except the two 99 rules, which are found through
exact hash look-ups. So the candidate step only has to be lossless for the plain edit
similarity: :mod:`tm.match_index` gives every unit that can reach the cutoff.

The scan (:meth:`Matcher.scan`) scores every unit with the same scorer; tests and the
benchmark check that both give the same top-k with the same scores.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist

from tm.match_index import (
    CandidateIndex,
    cache_path,
    load_index,
    save_index,
)
from tm.models import DiffSpan, Match, MatchKind, Penalty, TranslationUnit
from tm.store.base import Store
from tm.text.normalize import fold_with_map, match_key, unpunctuated_key
from tm.text.numbers import Number, find_numbers
from tm.text.tokenize import Tokenizer

log = logging.getLogger(__name__)

DEFAULT_MIN_SCORE = 70.0
FUZZY_CAP = 98.0
FORMAT_SCORE = 99.0
NUMBER_CAP = 90.0
CONTEXT_SCORE = 101.0
# A unit imported from an unconfirmed target (``tm import --include-unconfirmed``)
# scores this much less, so it never ranks as a 100 % or context match.
UNCONFIRMED_PENALTY = 5.0
# rapidfuzz's cdist works in float32: filter a hair below the cutoff, then re-score
# the survivors in float64 so no unit is lost to rounding.
_EPS = 1e-4
# The store's data version is checked at most this often (a count over a million rows
# costs milliseconds); writers in this process call Matcher.invalidate().
VERSION_CHECK_SECONDS = 1.0
# Smaller TMs build their index in well under a second: not worth a file.
CACHE_MIN_UNITS = 20_000
# New units are indexed beside the main index until they pass this many (or this
# share of the main index); then the whole index is rebuilt once.
DELTA_MIN_UNITS = 50_000
DELTA_SHARE = 0.1


def similarity(a: str, b: str) -> float:
    """Edit similarity 0–100: ``100 × (1 − d / max(len a, len b))`` (100 for two empty keys)."""
    return 100.0 * Levenshtein.normalized_similarity(a, b)


def _number_bag(key: str) -> Counter[tuple[float, bool]]:
    return Counter((n.value, n.percent) for n in find_numbers(key))


@dataclass(frozen=True, slots=True)
class Query:
    """A prepared query: the text as typed, its key, and what the scorer needs of it."""

    text: str
    key: str
    codes: str
    stripped: str
    numbers: Counter[tuple[float, bool]]

    @classmethod
    def make(cls, text: str, codes: Callable[[str], str] | None = None) -> Query:
        key = match_key(text)
        return cls(
            text=text,
            key=key,
            codes=codes(key) if codes else key,
            stripped=unpunctuated_key(key),
            numbers=_number_bag(key),
        )


@dataclass(frozen=True, slots=True)
class Scored:
    """A unit's final score before it is turned into a :class:`Match`."""

    score: float
    similarity: float
    unit_id: int
    reasons: tuple[str, ...]
    exact: bool = False


def final_score(
    query: Query, key: str, raw: float, source: str | None
) -> tuple[float, tuple[str, ...]]:
    """Apply the penalties to a raw similarity; returns the score and the reasons.

    Args:
        query: the prepared query.
        key: the unit's match key.
        raw: the edit similarity of the code strings (0–100).
        source: the unit's stored text; only read when the keys are equal.
    """
    reasons: list[str] = []
    if key == query.key:
        score = 100.0
        if source is not None and source != query.text:
            score = FORMAT_SCORE
            reasons.append("formatting")
    elif query.stripped and unpunctuated_key(key) == query.stripped:
        score = FORMAT_SCORE
        reasons.append("punctuation")
    else:
        score = min(raw, FUZZY_CAP)
    if query.numbers != _number_bag(key) and key != query.key:
        score = min(score, NUMBER_CAP)
        reasons.append("numbers")
    return score, tuple(reasons)


class Matcher:
    """Fuzzy look-up over one side of a store, with a lossless in-memory index.

    Args:
        store: the TM store.
        side: ``source`` (Chinese queries, scored over characters) or ``target``
            (English queries, scored over word tokens, :mod:`tm.text.tokenize`).
        tokenizer: makes the tokenizer whose tokens are scored (called at each index
            build); None scores characters.
    """

    def __init__(
        self,
        store: Store,
        *,
        side: str = "source",
        tokenizer: Callable[[], Tokenizer] | None = None,
    ) -> None:
        self.store = store
        self.side = side
        self.tokenizer = tokenizer
        self.encoder: Callable[[str], str] | None = None
        self.index: CandidateIndex | None = None
        # Units added since the main index was built: a small second index, so an
        # import into a big TM does not force a full rebuild (see _extend).
        self.delta: CandidateIndex | None = None
        self._delta_rows: tuple[list[int], list[str]] = ([], [])
        self._known = 0
        self._max_id = 0
        self._tok: Tokenizer | None = None
        self.version: str | None = None
        self._checked = 0.0
        self.check_every = VERSION_CHECK_SECONDS
        self._lock = threading.Lock()

    # -- index lifecycle -----------------------------------------------------------

    def ensure_index(self) -> list[CandidateIndex]:
        """The index tiers (main, then units added since), rebuilt when data changed."""
        with self._lock:
            now = time.monotonic()
            if self.index is not None and now - self._checked < self.check_every:
                return self._tiers()
            version = self.store.data_version()
            edited = False
            if self.side == "target":  # a reviewer's edit changes target keys in place
                version += f"|edits {self.store.edit_version()}"
                edited = self.version is not None and _edits(version) != _edits(
                    self.version
                )
            self._checked = now
            if self.index is None or version != self.version:
                if self.index is None or edited or not self._extend():
                    self.index = self._build(version)
                    self._reset_delta(self.index)
                self.version = version
            return self._tiers()

    def _tiers(self) -> list[CandidateIndex]:
        assert self.index is not None
        return [self.index] if self.delta is None else [self.index, self.delta]

    def _reset_delta(self, index: CandidateIndex) -> None:
        self.delta = None
        self._delta_rows = ([], [])
        self._known = len(index)
        self._max_id = int(index.ids.max()) if len(index) else 0

    def _extend(self) -> bool:
        """Index only the units added since the last build; False when a rebuild is due.

        Appends are detected by count: the units after the highest known id must be
        exactly the new ones (a concurrent writer's lower ids, a deletion or an edit
        make the counts disagree, and the whole index is rebuilt instead).
        """
        rows = list(self.store.iter_keys(side=self.side, after=self._max_id))
        if not rows or self._known + len(rows) != self.store.count_units():
            return False
        ids = self._delta_rows[0] + [r.id for r in rows]
        keys = self._delta_rows[1] + [r.key for r in rows]
        if len(ids) > max(DELTA_MIN_UNITS, DELTA_SHARE * len(self.index or ())):
            return False
        codes = self._tok.codes_many(keys) if self._tok is not None else keys
        self.delta = CandidateIndex.build(ids, codes, None if codes is keys else keys)
        self._delta_rows = (ids, keys)
        self._known += len(rows)
        self._max_id = max(self._max_id, max(r.id for r in rows))
        log.info("indexed %d new %s units beside the main index", len(rows), self.side)
        return True

    def _build(self, version: str) -> CandidateIndex:
        t0 = time.perf_counter()
        tok = self.tokenizer() if self.tokenizer is not None else None
        self._tok = tok
        self.encoder = None if tok is None else tok.codes
        stamp = f"{self.side}|{version}|{tok.fingerprint if tok else 'chars'}"
        cache = self._cache_path()
        index = load_index(cache, stamp) if cache is not None else None
        if index is not None:
            log.info("loaded %s index from %s", self.side, cache)
            return index
        ids: list[int] = []
        keys: list[str] = []
        for row in self.store.iter_keys(side=self.side):
            ids.append(row.id)
            keys.append(row.key)
        codes = tok.codes_many(keys) if tok is not None else keys
        index = CandidateIndex.build(ids, codes, None if codes is keys else keys)
        log.info(
            "built %s index over %d units in %.1fs",
            self.side,
            len(ids),
            time.perf_counter() - t0,
        )
        if cache is not None and len(index) >= CACHE_MIN_UNITS:
            save_index(index, cache, stamp)
        return index

    def _cache_path(self) -> Path | None:
        path = getattr(self.store, "path", None)
        if not path or path == ":memory:":
            return None
        return cache_path(path, self.side)

    def invalidate(self) -> None:
        """Check the data version before the next look-up (call after writing units)."""
        with self._lock:
            self._checked = 0.0

    def rebind(self, store: Store) -> None:
        """Use another open handle on the same database (re-checks the data version)."""
        with self._lock:
            self.store = store
            self._checked = 0.0

    # -- look-up -------------------------------------------------------------------

    def prepare(self, text: str) -> Query:
        return Query.make(text, self.encoder)

    def lookup(
        self,
        text: str,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        limit: int = 5,
        prev: str | None = None,
        exhaustive: bool = False,
    ) -> list[Match]:
        """The best ``limit`` matches scoring at least ``min_score``, best first.

        Args:
            text: the query as typed.
            min_score: the cutoff (0–100).
            limit: how many matches at most.
            prev: the previous segment, for context (101) matches.
            exhaustive: score every unit instead of the index's candidates (the
                reference the index must equal; slow on a large TM).
        """
        tiers = self.ensure_index()
        query = self.prepare(text)
        # A one-sentence paragraph is stored twice (a paragraph and a sentence unit with
        # the same text); rank twice as many so that dropping such twins still leaves
        # ``limit`` distinct translations.
        scored = self._rank_tiers(tiers, query, min_score, 2 * limit, exhaustive)
        matches = self._matches(query, scored, prev)
        return _distinct([m for m in matches if m.score >= min_score])[:limit]

    def scan(
        self,
        text: str,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        limit: int = 5,
        prev: str | None = None,
    ) -> list[Match]:
        """:meth:`lookup` over every unit, without the index."""
        return self.lookup(
            text, min_score=min_score, limit=limit, prev=prev, exhaustive=True
        )

    def rank(
        self,
        text: str,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        limit: int = 5,
        exhaustive: bool = False,
        workers: int = 1,
    ) -> list[Scored]:
        """Scores without fetching units (for equivalence tests and benchmarks)."""
        tiers = self.ensure_index()
        query = self.prepare(text)
        return self._rank_tiers(tiers, query, min_score, limit, exhaustive, workers)

    def _rank_tiers(
        self,
        tiers: list[CandidateIndex],
        query: Query,
        min_score: float,
        limit: int,
        exhaustive: bool,
        workers: int = 1,
    ) -> list[Scored]:
        """The best ``limit`` over every tier (their units are disjoint)."""
        results: list[Scored] = []
        for index in tiers:
            positions = self._positions(index, query, min_score, exhaustive)
            results += self._rank(index, query, positions, min_score, limit, workers)
        results.sort(key=_order)
        return results[:limit]

    @staticmethod
    def _positions(
        index: CandidateIndex, query: Query, min_score: float, exhaustive: bool
    ) -> np.ndarray:
        if not query.key:
            return np.empty(0, dtype=np.int64)
        if exhaustive:
            return np.arange(len(index), dtype=np.int64)
        return index.candidates(query.codes, min_score)

    def _rank(
        self,
        index: CandidateIndex,
        query: Query,
        positions: np.ndarray,
        min_score: float,
        limit: int,
        workers: int = 1,
    ) -> list[Scored]:
        raw = _similarities(query.codes, index.codes, positions, min_score, workers)
        special = index.same_stripped(query.stripped).tolist() if query.stripped else []
        evaluated: set[int] = set()
        results: list[Scored] = []

        def consider(pos: int, raw_score: float) -> None:
            uid = int(index.ids[pos])
            if uid in evaluated:
                return
            evaluated.add(uid)
            key = index.keys[pos]
            source = None
            if key == query.key:
                source = self._source(uid)
            score, reasons = final_score(query, key, raw_score, source)
            if score >= min_score:
                results.append(Scored(score, raw_score, uid, reasons, key == query.key))

        for pos in np.asarray(special).tolist():
            consider(pos, similarity(query.codes, index.codes[pos]))
        for pos, raw_score in raw:
            if len(results) >= limit:
                results.sort(key=_order)
                del results[limit:]
                if raw_score < results[-1].score:
                    break
            consider(pos, raw_score)
        results.sort(key=_order)
        return results[:limit]

    def _source(self, uid: int) -> str | None:
        units = self.store.get_units([uid])
        if not units:
            return None
        return units[0].source if self.side == "source" else units[0].target

    def _matches(
        self, query: Query, scored: list[Scored], prev: str | None
    ) -> list[Match]:
        context = self._context_ids(prev, scored)
        units = {u.id: u for u in self.store.get_units(s.unit_id for s in scored)}
        out = [
            self._match(query, s, units[s.unit_id], s.unit_id in context)
            for s in scored
            if s.unit_id in units
        ]
        out.sort(key=lambda m: (-m.score, -(m.id or 0)))
        return out

    def _context_ids(self, prev: str | None, scored: list[Scored]) -> set[int]:
        if prev is None or not any(s.score == 100.0 for s in scored):
            return set()
        return self.store.units_after(match_key(prev))

    def _match(
        self, query: Query, s: Scored, unit: TranslationUnit, in_context: bool
    ) -> Match:
        text = unit.source if self.side == "source" else unit.target
        score = s.score
        kind = MatchKind.FUZZY
        if s.exact:
            kind = MatchKind.EXACT
            if score == 100.0 and in_context:
                score, kind = CONTEXT_SCORE, MatchKind.CONTEXT
        penalties = tuple(_penalty(r, query, text) for r in s.reasons)
        if unit.unconfirmed:
            score -= UNCONFIRMED_PENALTY
            detail = "unconfirmed translation" + (
                f" ({unit.status_note})" if unit.status_note else ""
            )
            penalties += (Penalty("unconfirmed", detail),)
        return Match(
            score=round(score, 2),
            kind=kind,
            unit=unit,
            similarity=round(s.similarity, 2),
            penalties=penalties,
            diff=tuple(diff_spans(query.text, text)),
        )


def _distinct(matches: list[Match]) -> list[Match]:
    """Keep the first (best, newest) of matches whose source and target are identical."""
    seen: set[tuple[str, str]] = set()
    out = []
    for m in matches:
        pair = (m.unit.source, m.unit.target)
        if pair not in seen:
            seen.add(pair)
            out.append(m)
    return out


def _order(s: Scored) -> tuple[float, int]:
    return (-s.score, -s.unit_id)


def _similarities(
    codes: str,
    all_codes: list[str],
    positions: np.ndarray,
    min_score: float,
    workers: int = 1,
) -> list[tuple[int, float]]:
    """(position, similarity ≥ min_score) pairs, best first, scored in float64."""
    if not len(positions):
        return []
    if len(positions) == len(all_codes):  # the scan: every unit, in order
        choices = all_codes
    else:
        choices = [all_codes[i] for i in positions.tolist()]
    cutoff = max(min_score / 100.0 - _EPS, 0.0)
    approx = cdist(
        [codes],
        choices,
        scorer=Levenshtein.normalized_similarity,
        score_cutoff=cutoff,
        dtype=np.float32,
        workers=workers,
    )[0]
    hit = np.flatnonzero(approx > 0) if cutoff > 0 else np.arange(len(choices))
    out = []
    for j in hit.tolist():
        raw = similarity(codes, choices[j])
        if raw >= min_score:
            out.append((int(positions[j]), raw))
    out.sort(key=lambda pr: (-pr[1], pr[0]))
    return out


def _penalty(reason: str, query: Query, text: str) -> Penalty:
    if reason == "formatting":
        return Penalty(
            "formatting", "only width, punctuation form, whitespace or case differ"
        )
    if reason == "punctuation":
        return Penalty("punctuation", "only punctuation differs")
    q_nums = find_numbers(query.text)
    t_nums = find_numbers(text)
    only_t, only_q = _unpaired(t_nums, q_nums)
    detail = "numbers differ: TM {} / query {}".format(
        ", ".join(n.text for n in only_t) or "—",
        ", ".join(n.text for n in only_q) or "—",
    )
    return Penalty(
        "numbers",
        detail,
        spans=tuple((n.start, n.end) for n in only_t),
        query_spans=tuple((n.start, n.end) for n in only_q),
    )


def _unpaired(a: list[Number], b: list[Number]) -> tuple[list[Number], list[Number]]:
    """Numbers of ``a`` and of ``b`` left over after pairing equal values.

    Same-looking numbers pair first (``九`` with ``九``), then equal values (``9`` with
    ``九``), so the ones reported are those a translator has to change.
    """
    left_a, left_b = list(a), list(b)

    def same_text(x: Number, y: Number) -> bool:
        return (x.value, x.percent, x.text) == (y.value, y.percent, y.text)

    def same_value(x: Number, y: Number) -> bool:
        return (x.value, x.percent) == (y.value, y.percent)

    for same in (same_text, same_value):
        for x in list(left_a):
            y = next((y for y in left_b if same(x, y)), None)
            if y is not None:
                left_a.remove(x)
                left_b.remove(y)
    return left_a, left_b


def diff_spans(query: str, text: str) -> list[DiffSpan]:
    """Which parts of the stored ``text`` differ from ``query``, on keys, mapped back.

    Differences are computed on match keys (so a width or punctuation-form difference
    is not shown as a change) and mapped onto both original strings.
    """
    qk, qmap = fold_with_map(query)
    tk, tmap = fold_with_map(text)
    out = []
    for op in Levenshtein.opcodes(qk, tk):
        if op.tag == "equal":
            continue
        start, end = _span(tmap, op.dest_start, op.dest_end, len(text))
        q_start, q_end = _span(qmap, op.src_start, op.src_end, len(query))
        out.append(DiffSpan(op.tag, start, end, q_start, q_end))
    return out


def _span(where: list[int], a: int, b: int, n: int) -> tuple[int, int]:
    if a < b:
        return where[a], where[b - 1] + 1
    at = where[a] if a < len(where) else n
    return at, at


def new_matcher(store: Store, *, side: str = "source") -> Matcher:
    """A matcher over ``side`` of ``store``; its index is built on first look-up.

    The caller keeps it (``TMService`` holds one per side) so the index is built once.
    """
    if side not in ("source", "target"):
        raise ValueError("side must be 'source' or 'target'")
    return Matcher(store, side=side, tokenizer=Tokenizer if side == "target" else None)


def _edits(version: str) -> str:
    """The edit count in a target-side version string ("" when it has none)."""
    return version.rpartition("|edits ")[2]
