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
similarity, and the q-gram lemma makes it so: two strings within ``k`` edits share at
least ``max(|a|, |b|) − q + 1 − k·q`` q-grams (counted with multiplicity). The index
(:class:`CandidateIndex`) keeps units sorted by key length, so the length window that
``min_score`` allows is one contiguous range, and inverted lists of *numbered* q-grams
(the i-th occurrence of a gram in a key is its own gram), so that counting list hits
counts shared grams with multiplicity. Dropping the ``t`` longest lists from the count
lowers the bound by ``t`` and stays lossless while the bound stays positive.

The scan (:meth:`Matcher.scan`) scores every unit with the same scorer; tests and the
benchmark check that both give the same top-k with the same scores.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist

from tm.models import DiffSpan, Match, MatchKind, Penalty, TranslationUnit
from tm.store.base import Store
from tm.text.normalize import fold_with_map, match_key
from tm.text.numbers import Number, find_numbers

log = logging.getLogger(__name__)

DEFAULT_MIN_SCORE = 70.0
FUZZY_CAP = 98.0
FORMAT_SCORE = 99.0
NUMBER_CAP = 90.0
CONTEXT_SCORE = 101.0
Q = 2
# rapidfuzz's cdist works in float32: filter a hair below the cutoff, then re-score
# the survivors in float64 so no unit is lost to rounding.
_EPS = 1e-4
_PUNCT = re.compile(r"[\W_]+")
# Scores are checked against the store's data version at most this often, so a
# look-up does not pay for a count over a million rows each time.
VERSION_CHECK_SECONDS = 2.0


def similarity(a: str, b: str) -> float:
    """Edit similarity 0–100: ``100 × (1 − d / max(len a, len b))`` (100 for two empty keys)."""
    return 100.0 * Levenshtein.normalized_similarity(a, b)


def strip_punct(key: str) -> str:
    """The key without punctuation, symbols and spaces (for the punctuation-only rule)."""
    return _PUNCT.sub("", key)


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
            stripped=strip_punct(key),
            numbers=_number_bag(key),
        )


@dataclass(frozen=True, slots=True)
class Scored:
    """A unit's final score before it is turned into a :class:`Match`."""

    score: float
    similarity: float
    unit_id: int
    reasons: tuple[str, ...]


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
    elif query.stripped and strip_punct(key) == query.stripped:
        score = FORMAT_SCORE
        reasons.append("punctuation")
    else:
        score = min(raw, FUZZY_CAP)
    if query.numbers != _number_bag(key) and key != query.key:
        score = min(score, NUMBER_CAP)
        reasons.append("numbers")
    return score, tuple(reasons)


class CandidateIndex:
    """Units' code strings sorted by length, with inverted lists of numbered q-grams.

    Args:
        ids: unit ids.
        codes: one code string per unit (the match key itself for Chinese; one
            character per SentencePiece piece for piece scoring).
        q: the gram length.
    """

    def __init__(self, ids: Sequence[int], codes: Sequence[str], *, q: int = Q) -> None:
        self.q = q
        lens = np.fromiter((len(c) for c in codes), dtype=np.int32, count=len(codes))
        order = np.argsort(lens, kind="stable")
        self.lens = lens[order]
        self.ids = np.asarray(ids, dtype=np.int64)[order]
        self.codes: list[str] = [codes[i] for i in order.tolist()]
        self.gram_keys, self.offsets, self.postings = _build_postings(self.codes, q)
        stripped = np.fromiter(
            (hash(strip_punct(c)) for c in self.codes),
            dtype=np.int64,
            count=len(self.codes),
        )
        self._stripped_order = np.argsort(stripped, kind="stable")
        self._stripped = stripped[self._stripped_order]

    def __len__(self) -> int:
        return len(self.codes)

    def nbytes(self) -> int:
        arrays = (self.lens, self.ids, self.gram_keys, self.offsets, self.postings)
        return sum(a.nbytes for a in arrays) + self._stripped.nbytes * 2

    def window(self, m: int, min_score: float) -> tuple[int, int]:
        """The range of positions whose length can reach ``min_score`` against length ``m``."""
        s = min_score / 100.0
        if s <= 0:
            return 0, len(self.codes)
        lo_len = math.floor(m * s) - 1
        hi_len = math.ceil(m / s) + 1
        lo = int(np.searchsorted(self.lens, lo_len, side="left"))
        hi = int(np.searchsorted(self.lens, hi_len, side="right"))
        return lo, hi

    def candidates(self, codes: str, min_score: float) -> np.ndarray:
        """Positions of every unit whose similarity to ``codes`` can reach ``min_score``."""
        m = len(codes)
        lo, hi = self.window(m, min_score)
        if lo >= hi:
            return np.empty(0, dtype=np.int64)
        lens = self.lens[lo:hi]
        need = _need(np.maximum(lens, m), min_score, self.q)
        lists = self._lists(codes, lo, hi)
        min_need = int(need.min())
        dropped = 0
        if min_need > 1 and lists:
            # Drop the longest lists while the bound stays ≥ 1: counts lose at most
            # one per dropped numbered gram, so the bound drops by as much.
            lists.sort(key=len)
            budget = (min_need - 1) // 2
            while dropped < budget and len(lists[-1]) > 256:
                lists.pop()
                dropped += 1
        counts = _count(lists, lo, hi)
        keep = counts >= (need - dropped)
        return np.flatnonzero(keep) + lo

    def _lists(self, codes: str, lo: int, hi: int) -> list[np.ndarray]:
        keys = np.array(_numbered_grams(codes, self.q), dtype=np.int64)
        if not len(keys):
            return []
        at = np.searchsorted(self.gram_keys, keys)
        at = at[at < len(self.gram_keys)]
        at = at[self.gram_keys[at] == keys[: len(at)]] if len(at) else at
        out = []
        for j in at.tolist():
            post = self.postings[self.offsets[j] : self.offsets[j + 1]]
            a, b = np.searchsorted(post, (lo, hi))
            if b > a:
                out.append(post[a:b])
        return out

    def same_stripped(self, stripped: str) -> np.ndarray:
        """Positions of units whose punctuation-free key hashes like ``stripped``."""
        h = hash(stripped)
        a, b = np.searchsorted(self._stripped, (h, h + 1))
        return self._stripped_order[a:b]


def _need(m: np.ndarray, min_score: float, q: int) -> np.ndarray:
    """The q-gram bound per max length: ``M − q + 1 − k·q`` with ``k`` the edits allowed."""
    k = np.floor(m * (1.0 - min_score / 100.0) + 1e-9).astype(np.int64)
    return m.astype(np.int64) - q + 1 - k * q


def _count(lists: list[np.ndarray], lo: int, hi: int) -> np.ndarray:
    if not lists:
        return np.zeros(hi - lo, dtype=np.int64)
    hits = np.concatenate(lists)
    return np.bincount(hits - lo, minlength=hi - lo)


def _numbered_grams(codes: str, q: int) -> list[int]:
    seen: Counter[int] = Counter()
    out = []
    for i in range(len(codes) - q + 1):
        g = _gram_value(codes[i : i + q])
        out.append(g | (seen[g] << 42))
        seen[g] += 1
    return out


def _gram_value(gram: str) -> int:
    v = 0
    for ch in gram:
        v = (v << 21) | ord(ch)
    return v


def _build_postings(
    codes: list[str], q: int, chunk: int = 200_000
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted numbered-gram keys, list offsets, and postings (positions, ascending)."""
    if q != 2:
        raise ValueError("the vectorized build supports q = 2")
    key_parts = []
    pos_parts = []
    for start in range(0, len(codes), chunk):
        keys, pos = _chunk_grams(codes[start : start + chunk], start)
        key_parts.append(keys)
        pos_parts.append(pos)
    keys = np.concatenate(key_parts) if key_parts else np.empty(0, np.int64)
    pos = np.concatenate(pos_parts) if pos_parts else np.empty(0, np.int32)
    del key_parts, pos_parts
    order = np.argsort(keys, kind="stable")  # stable: positions stay ascending
    keys = keys[order]
    pos = pos[order]
    del order
    uniq, first = np.unique(keys, return_index=True)
    offsets = np.append(first, len(keys)).astype(np.int64)
    return uniq, offsets, pos


def _chunk_grams(codes: list[str], base: int) -> tuple[np.ndarray, np.ndarray]:
    lens = np.fromiter((len(c) for c in codes), dtype=np.int64, count=len(codes))
    flat = np.frombuffer("".join(codes).encode("utf-32-le"), dtype=np.uint32)
    flat = flat.astype(np.int64)
    owner = np.repeat(np.arange(len(codes), dtype=np.int64), lens)
    if len(flat) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int32)
    valid = owner[:-1] == owner[1:]
    grams = ((flat[:-1] << 21) | flat[1:])[valid]
    owner = owner[:-1][valid]
    # Number repeated grams inside one key: rank within runs of equal (owner, gram).
    order = np.lexsort((grams, owner))
    g_sorted = grams[order]
    o_sorted = owner[order]
    n = len(g_sorted)
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = (g_sorted[1:] != g_sorted[:-1]) | (o_sorted[1:] != o_sorted[:-1])
    run_start = np.maximum.accumulate(np.where(new_run, np.arange(n), 0))
    rank = np.arange(n) - run_start
    keys = g_sorted | (rank << 42)
    return keys, (o_sorted + base).astype(np.int32)


class Matcher:
    """Fuzzy look-up over one side of a store, with a lossless in-memory index.

    Args:
        store: the TM store.
        side: ``source`` (Chinese queries, scored over characters) or ``target``
            (English queries, scored over SentencePiece pieces when a model exists).
        encoder: turns a key into the code string scored and indexed (identity when None).
    """

    def __init__(
        self,
        store: Store,
        *,
        side: str = "source",
        encoder: Callable[[str], str] | None = None,
    ) -> None:
        self.store = store
        self.side = side
        self.encoder = encoder
        self.keys: dict[int, str] = {}
        self.index: CandidateIndex | None = None
        self.version: str | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    # -- index lifecycle -----------------------------------------------------------

    def ensure_index(self) -> CandidateIndex:
        """Build the index, or rebuild it when the store's data changed."""
        with self._lock:
            now = time.monotonic()
            if self.index is not None and now - self._checked < VERSION_CHECK_SECONDS:
                return self.index
            version = self.store.data_version()
            self._checked = now
            if self.index is None or version != self.version:
                self.index = self._build()
                self.version = version
            return self.index

    def _build(self) -> CandidateIndex:
        t0 = time.perf_counter()
        ids: list[int] = []
        keys: list[str] = []
        for row in self.store.iter_keys(side=self.side):
            ids.append(row.id)
            keys.append(row.key)
        codes = [self.encoder(k) for k in keys] if self.encoder else keys
        index = CandidateIndex(ids, codes)
        self.keys = dict(zip(ids, keys, strict=True))
        log.info(
            "built %s index over %d units in %.1fs",
            self.side,
            len(ids),
            time.perf_counter() - t0,
        )
        return index

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
    ) -> list[Match]:
        """The best ``limit`` matches scoring at least ``min_score``, best first."""
        index = self.ensure_index()
        query = self.prepare(text)
        positions = index.candidates(query.codes, min_score)
        return self._matches(index, query, positions, min_score, limit, prev)

    def scan(
        self,
        text: str,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        limit: int = 5,
        prev: str | None = None,
    ) -> list[Match]:
        """Like :meth:`lookup` but scoring every unit: the reference the index must equal."""
        index = self.ensure_index()
        query = self.prepare(text)
        positions = np.arange(len(index), dtype=np.int64)
        return self._matches(index, query, positions, min_score, limit, prev)

    def rank(
        self,
        text: str,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        limit: int = 5,
        exhaustive: bool = False,
    ) -> list[Scored]:
        """Scores without fetching units (for equivalence tests and benchmarks)."""
        index = self.ensure_index()
        query = self.prepare(text)
        if exhaustive:
            positions = np.arange(len(index), dtype=np.int64)
        else:
            positions = index.candidates(query.codes, min_score)
        return self._rank(index, query, positions, min_score, limit)

    def _rank(
        self,
        index: CandidateIndex,
        query: Query,
        positions: np.ndarray,
        min_score: float,
        limit: int,
    ) -> list[Scored]:
        raw = _similarities(query.codes, index.codes, positions, min_score)
        special = index.same_stripped(query.stripped) if query.stripped else []
        evaluated: set[int] = set()
        sources: dict[int, str] = {}
        results: list[Scored] = []

        def consider(pos: int, raw_score: float) -> None:
            uid = int(index.ids[pos])
            if uid in evaluated:
                return
            evaluated.add(uid)
            key = self.keys[uid]
            source = None
            if key == query.key:
                source = sources.get(uid) or self._source(uid)
            score, reasons = final_score(query, key, raw_score, source)
            if score >= min_score:
                results.append(Scored(score, raw_score, uid, reasons))

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
        self,
        index: CandidateIndex,
        query: Query,
        positions: np.ndarray,
        min_score: float,
        limit: int,
        prev: str | None,
    ) -> list[Match]:
        scored = self._rank(index, query, positions, min_score, limit)
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
        if self.keys.get(s.unit_id) == query.key:
            kind = MatchKind.EXACT
            if score == 100.0 and in_context:
                score, kind = CONTEXT_SCORE, MatchKind.CONTEXT
        penalties = tuple(_penalty(r, query, text) for r in s.reasons)
        return Match(
            score=round(score, 2),
            kind=kind,
            unit=unit,
            similarity=round(s.similarity, 2),
            penalties=penalties,
            diff=tuple(diff_spans(query.text, text)),
        )


def _order(s: Scored) -> tuple[float, int]:
    return (-s.score, -s.unit_id)


def _similarities(
    codes: str, all_codes: list[str], positions: np.ndarray, min_score: float
) -> list[tuple[int, float]]:
    """(position, similarity ≥ min_score) pairs, best first, scored in float64."""
    if not len(positions):
        return []
    choices = [all_codes[i] for i in positions.tolist()]
    cutoff = max(min_score / 100.0 - _EPS, 0.0)
    approx = cdist(
        [codes],
        choices,
        scorer=Levenshtein.normalized_similarity,
        score_cutoff=cutoff,
        dtype=np.float32,
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
    q_vals = Counter((n.value, n.percent) for n in q_nums)
    t_vals = Counter((n.value, n.percent) for n in t_nums)
    only_t = _unmatched(t_nums, q_vals)
    only_q = _unmatched(q_nums, t_vals)
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


def _unmatched(nums: list[Number], other: Counter[tuple[float, bool]]) -> list[Number]:
    left = Counter(other)
    out = []
    for n in nums:
        k = (n.value, n.percent)
        if left[k] > 0:
            left[k] -= 1
        else:
            out.append(n)
    return out


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


def exhaustive_top(
    matcher: Matcher, texts: Iterable[str], *, min_score: float, limit: int
) -> list[list[Scored]]:
    """The scan's ranking for many queries (a helper for tests and benchmarks)."""
    return [
        matcher.rank(t, min_score=min_score, limit=limit, exhaustive=True)
        for t in texts
    ]


_MATCHERS: dict[tuple[str, str], Matcher] = {}
_MATCHERS_LOCK = threading.Lock()


def matcher_for(store: Store, *, side: str = "source") -> Matcher:
    """One matcher per (database, side) per process, so the index is built once.

    A matcher cached for a closed store of the same database is re-pointed at the
    new one; its data version is checked again before the next look-up.
    """
    if side not in ("source", "target"):
        raise ValueError("side must be 'source' or 'target'")
    place = getattr(store, "path", None) or f"{type(store).__name__}:{id(store)}"
    if place == ":memory:":
        place = f":memory:{id(store)}"
    with _MATCHERS_LOCK:
        matcher = _MATCHERS.get((place, side))
        if matcher is None:
            matcher = Matcher(store, side=side, encoder=_encoder(store, side))
            _MATCHERS[(place, side)] = matcher
        elif matcher.store is not store:
            matcher.rebind(store)
        return matcher


def _encoder(store: Store, side: str) -> Callable[[str], str] | None:
    return None
