"""Fuzzy matching that never misses: a lossless q-gram candidate index and one scorer.

Score (the Translate Toolkit / amaGama convention, and Trados' for CJK): character
Levenshtein similarity ``100 × (1 − d / max(len a, len b))`` of the *bodies* of the
match keys: a leading list label (一、 (一) 1. (1) …, see :mod:`tm.placeables`) and a
final full stop are structure, compared apart. Then:

* the same key but different stored text (width, punctuation form, whitespace, case) → 99;
* keys that differ only in punctuation → 99;
* a label that differs or is missing on one side costs :data:`ENUMERATOR_PENALTY`, a
  full stop on one side only :data:`STOP_PENALTY`;
* any other difference is capped at 98, so 99 always means "only formatting differs";
* numbers that differ cap the score at :data:`NUMBER_CAP` (the match is still offered,
  with the numbers to change reported), unless repair carried every one of them into
  the English (:mod:`tm.repair`);
* an exact match whose previous unit also matches the query's previous unit → 101.

Every penalty only lowers a score, except the two 99 rules, which are found through
exact hash look-ups. So the candidate step only has to be lossless for the plain edit
similarity of the bodies: :mod:`tm.match_index` gives every unit that can reach the
cutoff. Per query the matcher takes the cheaper of the index's candidates and a scan
of the length window (the same units, found another way).

Matches then carry their repaired English (:mod:`tm.repair`) and QA flags
(:mod:`tm.flags`); a flagged unit ranks below a clean one of nearly the same score.

The scan (:meth:`Matcher.scan`) scores every unit with the same scorer; tests and the
benchmark check that both give the same top-k with the same scores.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist

from tm.errors import TMError
from tm.flags import unit_flags
from tm.fragments import MIN_CLAUSE, OCCURRENCES, FragmentIndex, find_fragments
from tm.match_index import (
    CandidateIndex,
    IndexBuilder,
    StagedIndex,
    cache_path,
    cached_stamp,
    load_index,
    save_index,
)
from tm.match_index_disk import DiskIndexBuilder, moved_to_disk
from tm.models import (
    DiffSpan,
    FragmentHit,
    Match,
    MatchKind,
    Penalty,
    TranslationUnit,
)
from tm.placeables import Parts, key_body, label_of, split_key
from tm.repair import NUMERIC_KINDS, RepairResult, repair
from tm.store.base import Store
from tm.text.normalize import fold_with_map, match_key, unpunctuated_key
from tm.text.numbers import Number, find_numbers
from tm.text.tokenize import Tokenizer

if TYPE_CHECKING:
    from tm.terms import TermBase

log = logging.getLogger(__name__)

DEFAULT_MIN_SCORE = 70.0
FUZZY_CAP = 98.0
FORMAT_SCORE = 99.0
NUMBER_CAP = 90.0
CONTEXT_SCORE = 101.0
# A unit imported from an unconfirmed target (``tm import --include-unconfirmed``)
# scores this much less, so it never ranks as a 100 % or context match.
UNCONFIRMED_PENALTY = 5.0
# A list label or a final full stop is structure: a small fixed cost, whatever its length.
ENUMERATOR_PENALTY = 2.0
STOP_PENALTY = 1.0
# A flagged unit (a QA error on it) ranks below clean units scoring up to this much less.
FLAG_MARGIN = 5.0
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


_NUMERALS = re.compile(
    "[0-9０-９零〇○一二两三四五六七八九十百千万亿萬億壹贰叁肆伍陆柒捌玖拾佰仟]"
)
_NO_NUMBERS: Counter[tuple[float, bool]] = Counter()


def _number_bag(body: str) -> Counter[tuple[float, bool]]:
    if _NUMERALS.search(body) is None:  # most text: no numeral at all
        return _NO_NUMBERS
    return _cached_bag(body)


@lru_cache(maxsize=8192)
def _cached_bag(body: str) -> Counter[tuple[float, bool]]:
    return Counter((n.value, n.percent) for n in find_numbers(body))


def body_codes(key: str, side: str) -> str:
    """What the scorer compares of a key: its body, without label and final full stop."""
    return key_body(key, _lang(side))


def _lang(side: str) -> str:
    return "zh" if side == "source" else "en"


@dataclass(frozen=True, slots=True)
class Query:
    """A prepared query: the text as typed, its key, and what the scorer needs of it."""

    text: str
    key: str
    codes: str
    stripped: str
    numbers: Counter[tuple[float, bool]]
    parts: Parts
    side: str = "source"

    @classmethod
    def make(
        cls,
        text: str,
        codes: Callable[[str], str] | None = None,
        *,
        side: str = "source",
    ) -> Query:
        key = match_key(text)
        parts = split_key(key, _lang(side))
        return cls(
            text=text,
            key=key,
            codes=codes(parts.body) if codes else parts.body,
            stripped=unpunctuated_key(key),
            numbers=_number_bag(parts.body),
            parts=parts,
            side=side,
        )


@dataclass(frozen=True, slots=True)
class Scored:
    """A unit's score before it is turned into a :class:`Match`.

    ``bound`` is the score without the numbers cap: what the match can reach once
    repair has carried the numbers over. Units are ranked by it, so a repairable
    match is never cut before it is repaired.
    """

    score: float
    similarity: float
    unit_id: int
    reasons: tuple[str, ...]
    exact: bool = False
    bound: float = 0.0


def final_score(
    query: Query, key: str, raw: float, source: str | None
) -> tuple[float, float, tuple[str, ...]]:
    """Apply the penalties to a raw similarity; returns score, bound and reasons.

    Args:
        query: the prepared query.
        key: the unit's match key.
        raw: the edit similarity of the bodies' code strings (0–100).
        source: the unit's stored text; only read when the keys are equal.

    Returns:
        The score, the score without the numbers cap (see :class:`Scored`), and the
        reasons it is lower than 100.
    """
    reasons: list[str] = []
    parts = query.parts if key == query.key else split_key(key, _lang(query.side))
    if key == query.key:
        score = 100.0
        if source is not None and source != query.text:
            score = FORMAT_SCORE
            reasons.append("formatting")
    elif query.stripped and unpunctuated_key(key) == query.stripped:
        score = FORMAT_SCORE
        reasons.append("punctuation")
    else:
        penalty = 0.0
        if parts.label != query.parts.label:
            penalty += ENUMERATOR_PENALTY
            reasons.append("enumerator")
        if parts.stop != query.parts.stop:
            penalty += STOP_PENALTY
            reasons.append("full-stop")
        score = min(raw - penalty, FUZZY_CAP)
    bound = score
    bag = _number_bag(parts.body)
    if key != query.key and bag is not query.numbers and bag != query.numbers:
        score = min(score, NUMBER_CAP)
        reasons.append("numbers")
    return score, bound, tuple(reasons)


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
        self._checking = False
        self.check_every = VERSION_CHECK_SECONDS
        self._lock = threading.Lock()
        self._fragments: tuple[str, FragmentIndex] | None = None
        self._fragments_building = threading.Lock()

    # -- index lifecycle -----------------------------------------------------------

    def ensure_index(self) -> list[CandidateIndex]:
        """The index tiers (main, then units added since), rebuilt when data changed.

        The first look-up, and the first after :meth:`invalidate` (this process
        wrote), check the data version before they search. Otherwise the version is
        checked every ``check_every`` seconds in a background thread while the
        look-up goes on with the index it has: counting a million rows takes longer
        than a look-up, and a translator's keystroke must not wait for it. Another
        process's units then show from the look-up after that check.
        """
        with self._lock:
            now = time.monotonic()
            if self.index is not None and self._checked:
                if now - self._checked >= self.check_every and not self._checking:
                    self._checking = True
                    threading.Thread(
                        target=self._check_in_background,
                        name="tm-index-version",
                        daemon=True,
                    ).start()
                return self._tiers()
            self._apply(self._current_version(), now)
            return self._tiers()

    def _current_version(self) -> str:
        version = self.store.data_version()
        if self.side == "target":  # a reviewer's edit changes target keys in place
            version += f"|edits {self.store.edit_version()}"
        return version

    def _apply(self, version: str, now: float) -> None:
        """Bring the index to ``version`` (call with the lock held)."""
        edited = (
            self.side == "target"
            and self.version is not None
            and _edits(version) != _edits(self.version)
        )
        self._checked = now
        if self.index is None or version != self.version:
            if self.index is None or edited or not self._extend():
                self.index = self._build(version)
                self._reset_delta(self.index)
                out_of_collector(len(self.index))
            self.version = version

    def _check_in_background(self) -> None:
        try:
            version = self._current_version()
        except TMError as exc:  # the store was closed meanwhile: nothing to refresh
            log.debug("index version check skipped: %s", exc)
            version = None
        with self._lock:
            self._checking = False
            if version is not None and self._checked and self.index is not None:
                self._apply(version, time.monotonic())

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
        self.delta = self._index_of(ids, keys, self._tok)
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
        stamp = index_stamp(self.side, version, tok)
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
        index = self._index_of(ids, keys, self._tok)
        log.info(
            "built %s index over %d units in %.1fs",
            self.side,
            len(ids),
            time.perf_counter() - t0,
        )
        if cache is not None and len(index) >= CACHE_MIN_UNITS:
            save_index(index, cache, stamp)
        return index

    def _index_of(
        self, ids: list[int], keys: list[str], tok: Tokenizer | None
    ) -> CandidateIndex:
        """An index scoring the keys' bodies (labels and final full stops apart)."""
        bodies = [body_codes(k, self.side) for k in keys]
        codes = tok.codes_many(bodies) if tok is not None else bodies
        return CandidateIndex.build(ids, codes, keys)

    def _cache_path(self) -> Path | None:
        path = self.store.path
        return cache_path(path, self.side) if path else None

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
        return Query.make(text, self.encoder, side=self.side)

    def lookup(
        self,
        text: str,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        limit: int = 5,
        prev: str | None = None,
        exhaustive: bool = False,
        termbase: TermBase | None = None,
        details: bool = True,
    ) -> list[Match]:
        """The best ``limit`` matches scoring at least ``min_score``, best first.

        Each match carries its repaired English and its flags; a flagged unit ranks
        below clean units scoring up to :data:`FLAG_MARGIN` less.

        Args:
            text: the query as typed.
            min_score: the cutoff (0–100).
            limit: how many matches at most.
            prev: the previous segment, for context (101) matches.
            exhaustive: score every unit instead of the index's candidates (the
                reference the index must equal; slow on a large TM).
            termbase: the glossary: terms to swap when repairing, forbidden
                renderings to flag (None: neither).
            details: False leaves out what only a translator's view shows: the
                repaired English of fuzzy matches, the diff and the penalties'
                wording. Scores, kinds other than "repaired", flags and order are
                the same. A TM server answering with source, target and score
                saves half its CPU.
        """
        tiers = self.ensure_index()
        query = self.prepare(text)
        return self._kept(
            tiers,
            query,
            min_score,
            limit,
            prev,
            exhaustive=exhaustive,
            termbase=termbase,
            details=details,
        )

    def _kept(
        self,
        tiers: list[CandidateIndex],
        query: Query,
        min_score: float,
        limit: int,
        prev: str | None,
        *,
        exhaustive: bool = False,
        termbase: TermBase | None = None,
        scored: list[Scored] | None = None,
        units: dict[int | None, TranslationUnit] | None = None,
        details: bool = True,
    ) -> list[Match]:
        """The matches :meth:`lookup` returns for a prepared query.

        ``scored`` and ``units``: a first ranking (of ``2 * limit``) and its units,
        already fetched by :meth:`lookup_many` for several queries at once.
        """
        # A one-sentence paragraph is stored twice (a paragraph and a sentence unit with
        # the same text); rank twice as many so that dropping such twins still leaves
        # ``limit`` distinct translations.
        want = 2 * limit
        if scored is None:
            scored = self._rank_tiers(tiers, query, min_score, want, exhaustive)
        while True:
            found = self._matches(query, scored, prev, termbase, units)
            out = _distinct([m for m in found if m.score >= min_score])[:limit]
            if len(scored) < want:
                break  # every unit that reaches the cutoff was looked at
            # Units not ranked cannot score over the last bound; stop when the last
            # match kept is at least that good (a cap or a flag may have dropped
            # matches below it), else rank more.
            if len(out) == limit and ranking_score(out[-1]) >= scored[-1].bound:
                break
            want *= 4
            scored = self._rank_tiers(tiers, query, min_score, want, exhaustive)
            units = None  # the wider ranking fetches its own units
        if not details:
            return out
        return [self._finish(query, m, termbase) for m in out]

    def fragments(
        self,
        text: str,
        *,
        min_chars: int = MIN_CLAUSE,
        limit: int = 5,
        exclude: Sequence[int] = (),
    ) -> list[FragmentHit]:
        """Sub-segment recall: clauses matching TM clauses at 80+, TM text inside the query.

        See :mod:`tm.fragments`. The TM's clauses are read on the first call and again
        after the TM changes.
        """
        self.ensure_index()
        with self._lock:
            version = self.version or ""
            held = self._fragments
        if held is None or held[0] != version:
            # Built outside the lock: look-ups in other threads need not wait for it.
            # One build at a time: a second caller (the TUI's look-up and document
            # screens) waits for the first and takes its index.
            with self._fragments_building:
                with self._lock:
                    held = self._fragments
                if held is None or held[0] != version:
                    held = (version, self._fragment_index(version))
                    with self._lock:
                        self._fragments = held
        index = held[1]
        return find_fragments(
            index, self.store, text, min_chars=min_chars, limit=limit, exclude=exclude
        )

    def _fragment_index(self, version: str) -> FragmentIndex:
        """The TM's clauses at ``version``: from the cache beside a large TM file,
        else built, a large TM's in another process that caches it.

        At 1M units the build is a minute and a half of Python; run in this process it
        would hold the interpreter lock against every look-up meanwhile (a keystroke in
        the TUI, a request in the server), so it runs in a process of its own.
        """
        path = cache_path(self.store.path, "fragments") if self.store.path else None
        if path is None or self.store.count_units() < CACHE_MIN_UNITS:
            return FragmentIndex.build(self.store)
        stamp = fragment_stamp(version)
        index = FragmentIndex.load(path, stamp)
        if index is None:
            from tm.workers import SPAWN  # multiprocessing: not for every look-up

            proc = SPAWN.Process(target=_cache_fragments, args=(str(self.store.path),))
            proc.start()
            proc.join()
            index = FragmentIndex.load(path, stamp)
            if index is None:  # the TM changed meanwhile, or the process failed
                log.info("fragment index built here (exit code %s)", proc.exitcode)
                index = FragmentIndex.build(self.store)
        out_of_collector(len(index))
        return index

    def lookup_many(
        self,
        texts: Sequence[str],
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        limit: int = 5,
        prevs: Sequence[str | None] | None = None,
        termbase: TermBase | None = None,
        details: bool = True,
    ) -> list[list[Match]]:
        """:meth:`lookup` for several texts at once: the same results, in order, with
        the units their first rankings show fetched in one round trip for all."""
        tiers = self.ensure_index()
        queries = [self.prepare(t) for t in texts]
        per_tier = [self._positions_many(index, queries, min_score) for index in tiers]
        scored = [
            self._rank_tiers(
                tiers,
                q,
                min_score,
                2 * limit,
                False,
                positions=[found[i] for found in per_tier],
            )
            for i, q in enumerate(queries)
        ]
        ids = {s.unit_id for ranked in scored for s in ranked}
        units = {u.id: u for u in self.store.get_units(sorted(ids))}
        prevs = prevs or [None] * len(texts)
        return [
            self._kept(
                tiers,
                q,
                min_score,
                limit,
                prev,
                termbase=termbase,
                scored=ranked,
                units=units,
                details=details,
            )
            for q, ranked, prev in zip(queries, scored, prevs, strict=True)
        ]

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
        """Scores without fetching units (for equivalence tests and benchmarks), but
        the stored text of units whose key is the query's (100 or 99)."""
        tiers = self.ensure_index()
        query = self.prepare(text)
        return self._rank_tiers(
            tiers, query, min_score, limit, exhaustive, workers, check_text=True
        )

    def _rank_tiers(
        self,
        tiers: list[CandidateIndex],
        query: Query,
        min_score: float,
        limit: int,
        exhaustive: bool,
        workers: int = 1,
        *,
        check_text: bool = False,
        positions: list[np.ndarray | range] | None = None,
    ) -> list[Scored]:
        """The best ``limit`` over every tier (their units are disjoint).

        ``positions``: the positions to score in each tier, found beforehand (by
        :meth:`_positions_many`, for several queries at once).

        ``check_text``: read the stored text of each unit whose key is the query's,
        to score it 100 or 99 (formatting). Otherwise such a unit is ranked at 100,
        its bound, and :meth:`_match` checks the text of the unit it fetches anyway:
        a look-up then reads no unit twice (the read was 7 % of a look-up's CPU).
        """
        results: list[Scored] = []
        for t, index in enumerate(tiers):
            where = (
                positions[t]
                if positions is not None
                else self._positions(index, query, min_score, exhaustive)
            )
            results += self._rank(
                index, query, where, min_score, limit, workers, check_text
            )
        results.sort(key=_order)
        return results[:limit]

    @staticmethod
    def _positions(
        index: CandidateIndex, query: Query, min_score: float, exhaustive: bool
    ) -> np.ndarray | range:
        """The positions to score: every one, the length window, or the candidates.

        The window and the candidates hold the same units that can reach the cutoff;
        the index chooses whichever costs less to score (see ``prefer_scan``).
        """
        if exhaustive and query.key:
            return range(len(index))
        return Matcher._positions_many(index, [query], min_score)[0]

    @staticmethod
    def _positions_many(
        index: CandidateIndex, queries: list[Query], min_score: float
    ) -> list[np.ndarray | range]:
        """The positions to score for each query (see :meth:`_positions`), the
        candidates of all found together."""
        out: list[np.ndarray | range] = []
        filtered: list[int] = []
        for i, query in enumerate(queries):
            if not query.key:
                out.append(range(0))
            elif index.prefer_scan(query.codes, min_score):
                out.append(range(*index.window(len(query.codes), min_score)))
            else:
                out.append(range(0))  # filled in below
                filtered.append(i)
        found = index.candidates_many([queries[i].codes for i in filtered], min_score)
        for i, where in zip(filtered, found, strict=True):
            out[i] = where
        return out

    def _rank(
        self,
        index: CandidateIndex,
        query: Query,
        positions: np.ndarray | range,
        min_score: float,
        limit: int,
        workers: int = 1,
        check_text: bool = False,
    ) -> list[Scored]:
        pos, approx = _similarities(
            query.codes, index.codes, positions, min_score, workers
        )
        special = index.same_stripped(query.stripped).tolist() if query.stripped else []
        evaluated: set[int] = set()
        # The best ``limit`` so far, worst on top: (bound, unit id) orders them as
        # _order does, so the cut-off is the heap's first item.
        best: list[tuple[float, int, Scored]] = []

        def consider(pos: int, raw_score: float) -> None:
            uid = int(index.ids[pos])
            if uid in evaluated:
                return
            evaluated.add(uid)
            key = index.keys[pos]
            source = None
            if key == query.key and check_text:
                source = self._source(uid)
            score, bound, reasons = final_score(query, key, raw_score, source)
            if bound >= min_score:
                exact = key == query.key
                item = (
                    bound,
                    uid,
                    Scored(score, raw_score, uid, reasons, exact, bound),
                )
                if len(best) < limit:
                    heapq.heappush(best, item)
                elif item[:2] > best[0][:2]:
                    heapq.heapreplace(best, item)

        for p in np.asarray(special).tolist():
            consider(p, similarity(query.codes, index.codes[p]))
        for p, a in zip(pos.tolist(), approx.tolist(), strict=True):
            # Sorted by the float32 similarity: once it is under the worst bound kept
            # (allowing for rounding), no later unit can be kept (no bound exceeds
            # its raw score, but the 99 rules, whose units were considered above).
            if len(best) >= limit and 100.0 * (a + _EPS) < best[0][0]:
                break
            raw_score = similarity(query.codes, index.codes[p])
            if raw_score >= min_score:
                consider(p, raw_score)
        return sorted((item[2] for item in best), key=_order)

    def _source(self, uid: int) -> str | None:
        units = self.store.get_units([uid])
        if not units:
            return None
        return units[0].source if self.side == "source" else units[0].target

    def _matches(
        self,
        query: Query,
        scored: list[Scored],
        prev: str | None,
        termbase: TermBase | None = None,
        units: dict[int | None, TranslationUnit] | None = None,
    ) -> list[Match]:
        context = self._context_ids(prev, scored)
        if units is None:
            units = {u.id: u for u in self.store.get_units(s.unit_id for s in scored)}
        out = [
            self._match(query, s, units[s.unit_id], s.unit_id in context, termbase)
            for s in scored
            if s.unit_id in units
        ]
        out.sort(key=lambda m: (-ranking_score(m), -(m.id or 0)))
        return out

    def _context_ids(self, prev: str | None, scored: list[Scored]) -> set[int]:
        if prev is None or not any(s.score == 100.0 for s in scored):
            return set()
        return self.store.units_after(match_key(prev))

    def _match(
        self,
        query: Query,
        s: Scored,
        unit: TranslationUnit,
        in_context: bool,
        termbase: TermBase | None = None,
    ) -> Match:
        """The match as ranked: its final score and flags (diff and repair to come).

        A capped score is repaired here, since the repair decides the score; the rest
        are repaired by :meth:`_finish`, once the matches kept are known.
        """
        score = s.score
        kind = MatchKind.FUZZY
        fixed: RepairResult | None = None
        reasons = s.reasons
        text = unit.source if self.side == "source" else unit.target
        if s.exact and score == 100.0 and text != query.text:
            # ranked at its bound without its text (see _rank_tiers)
            score = FORMAT_SCORE
            reasons = (*reasons, "formatting")
        if s.exact:
            kind = MatchKind.EXACT
            if score == 100.0 and in_context:
                score, kind = CONTEXT_SCORE, MatchKind.CONTEXT
        elif self.side == "source" and s.score < s.bound:
            fixed = repair(query.text, unit.source, unit.target, termbase=termbase)
            if fixed.numbers_repaired:
                score = s.bound
        penalties = tuple(Penalty(r, "") for r in reasons)
        if unit.unconfirmed:
            score -= UNCONFIRMED_PENALTY
            detail = "unconfirmed translation" + (
                f" ({unit.status_note})" if unit.status_note else ""
            )
            penalties += (Penalty("unconfirmed", detail),)
        match = Match(
            score=round(score, 2),
            kind=kind,
            unit=unit,
            similarity=round(s.similarity, 2),
            penalties=penalties,
            flags=unit_flags(unit, termbase),
        )
        return _with_repair(match, fixed) if fixed is not None else match

    def _finish(self, query: Query, match: Match, termbase: TermBase | None) -> Match:
        """A kept match with its repair, diff and penalty details."""
        # One replace() for every field (it costs as much as building the match).
        repaired: dict[str, Any] = {}
        target, repairs = match.repaired_target, match.repairs
        if (
            self.side == "source"
            and match.kind is MatchKind.FUZZY
            and not match.repairs
        ):
            fixed = repair(query.text, match.source, match.target, termbase=termbase)
            repaired = _repaired_fields(match, fixed)
            target, repairs = fixed.target, fixed.repairs
        text = match.source if self.side == "source" else match.target
        fixed_numbers = target is not None and not any(
            r.kind in NUMERIC_KINDS and not r.done for r in repairs
        )
        return replace(
            match,
            penalties=tuple(
                p
                if p.reason == "unconfirmed"  # its detail was written by _match
                else _penalty(p.reason, query, text, fixed_numbers)
                for p in match.penalties
            ),
            diff=tuple(diff_spans(query.text, text)),
            **repaired,
        )


def _repaired_fields(match: Match, fixed: RepairResult) -> dict[str, Any]:
    """What repairing ``match`` changes in it."""
    return {
        "kind": MatchKind.REPAIRED if fixed.complete else match.kind,
        "repaired_target": fixed.target,
        "repairs": fixed.repairs,
    }


def _with_repair(match: Match, fixed: RepairResult) -> Match:
    return replace(match, **_repaired_fields(match, fixed))


def ranking_score(m: Match) -> float:
    """The score a match is ranked by: a flagged unit's is :data:`FLAG_MARGIN` lower."""
    return m.score - FLAG_MARGIN if m.flags else m.score


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
    return (-s.bound, -s.unit_id)


def _similarities(
    codes: str,
    all_codes: list[str],
    positions: np.ndarray | range,
    min_score: float,
    workers: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Positions whose float32 similarity passes the cutoff, and that similarity (0–1),
    best first (then by position). Callers re-score in float64 the ones they use."""
    empty = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    if not len(positions):
        return empty
    if isinstance(positions, range):  # a window (or every unit): a slice, no copy loop
        choices = all_codes[positions.start : positions.stop]
        where = np.arange(positions.start, positions.stop, dtype=np.int64)
    else:
        choices = [all_codes[i] for i in positions.tolist()]
        where = np.asarray(positions, dtype=np.int64)
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
    order = np.lexsort((where[hit], -approx[hit]))
    return where[hit][order], approx[hit][order]


def _penalty(
    reason: str, query: Query, text: str, numbers_repaired: bool = False
) -> Penalty:
    if reason == "formatting":
        return Penalty(
            "formatting", "only width, punctuation form, whitespace or case differ"
        )
    if reason == "punctuation":
        return Penalty("punctuation", "only punctuation differs")
    lang = _lang(query.side)
    q_label, t_label = label_of(query.text, lang), label_of(text, lang)
    if reason == "enumerator":
        return Penalty(
            "enumerator",
            "list label differs: TM {} / query {}".format(
                t_label.text if t_label else "—", q_label.text if q_label else "—"
            ),
            spans=((t_label.start, t_label.start + len(t_label.text)),)
            if t_label
            else (),
            query_spans=((q_label.start, q_label.start + len(q_label.text)),)
            if q_label
            else (),
        )
    if reason == "full-stop":
        who = "TM" if query.parts.stop is False else "query"
        return Penalty("full-stop", f"final full stop only in the {who}")
    q_nums = _body_numbers(query.text, q_label.end if q_label else 0)
    t_nums = _body_numbers(text, t_label.end if t_label else 0)
    only_t, only_q = _unpaired(t_nums, q_nums)
    detail = "numbers differ: TM {} / query {}".format(
        ", ".join(n.text for n in only_t) or "—",
        ", ".join(n.text for n in only_q) or "—",
    )
    if numbers_repaired:
        detail += " (repaired)"
    return Penalty(
        "numbers",
        detail,
        spans=tuple((n.start, n.end) for n in only_t),
        query_spans=tuple((n.start, n.end) for n in only_q),
    )


def _body_numbers(text: str, start: int) -> list[Number]:
    return [n for n in find_numbers(text) if n.start >= start]


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


def index_stamp(side: str, version: str, tok: Tokenizer | None = None) -> str:
    """What a cached index of ``side`` is tagged with at the store's ``version``."""
    return f"{side}|{version}|{tok.fingerprint if tok else 'chars'}"


def index_is_cached(store: Store) -> bool:
    """True when the source-side index cached beside the file TM is current."""
    if store.path is None:
        return False
    stamp = index_stamp("source", store.data_version())
    return cached_stamp(cache_path(store.path, "source")) == stamp


class SourceIndexBuild:
    """The source-side index of the file TM at ``db_path``, built from its units' ids
    and source keys in id order as a :class:`Matcher` builds it: in memory up to
    ``in_memory`` units, on disk past them (:mod:`tm.match_index_disk`), so the
    process stays small whatever the TM's size.
    """

    def __init__(self, db_path: str, in_memory: int) -> None:
        self.path = cache_path(db_path, "source")
        self._in_memory = in_memory
        self._builder: IndexBuilder | DiskIndexBuilder = IndexBuilder()

    def __len__(self) -> int:
        return len(self._builder)

    def add(self, ids: list[int], keys: list[str]) -> None:
        """Add units by id and source key.

        Raises:
            OSError: a temporary file of the build on disk could not be written.
        """
        self._builder.add(ids, [body_codes(k, "source") for k in keys], keys)
        if isinstance(self._builder, IndexBuilder) and len(self) > self._in_memory:
            self._builder = moved_to_disk(self._builder, self.path.parent)

    def stage(self, version: str) -> StagedIndex | None:
        """Write the index beside the TM stamped with data ``version``, to publish
        once the TM is known to be at it; None when the TM is too small to cache or
        the file could not be written."""
        if len(self) < CACHE_MIN_UNITS:
            return None
        return self._builder.stage(self.path, index_stamp("source", version))


def cache_source_index(store: Store, in_memory: int) -> bool:
    """Build the source-side index of the file TM ``store`` from its units and cache
    it beside the file (:class:`SourceIndexBuild`); True when it was cached."""
    if store.path is None:
        return False
    version = store.data_version()
    build = SourceIndexBuild(store.path, in_memory)
    rows = store.iter_keys(side="source")
    while part := list(itertools.islice(rows, _CACHE_BATCH)):
        build.add([r.id for r in part], [r.key for r in part])
    staged = build.stage(version)
    return staged is not None and staged.publish()


# Units read from the store at a time by cache_source_index.
_CACHE_BATCH = 2000


def stage_source_index(
    build: SourceIndexBuild, last_id: int
) -> tuple[str, StagedIndex] | None:
    """Write the index ``build`` holds, of units whose highest id is ``last_id``,
    stamped with the data version the TM has if it holds exactly these units; that
    version and the file to publish once the TM is known to be at it (None when the
    TM is too small to cache, or the file could not be written).
    """
    version = f"{len(build)}:{last_id}"
    staged = build.stage(version)
    return (version, staged) if staged is not None else None


def new_matcher(store: Store, *, side: str = "source") -> Matcher:
    """A matcher over ``side`` of ``store``; its index is built on first look-up.

    The caller keeps it (``TMService`` holds one per side) so the index is built once.
    """
    if side not in ("source", "target"):
        raise ValueError("side must be 'source' or 'target'")
    return Matcher(store, side=side, tokenizer=Tokenizer if side == "target" else None)


# From this many units on, a new index is taken out of the cyclic garbage collector's
# view (see out_of_collector).
FREEZE_MIN_UNITS = 100_000


def fragment_stamp(version: str) -> str:
    """What a cached fragment index is tagged with: the TM's data version and what
    the build depends on."""
    return f"fragments 2|{version}|{MIN_CLAUSE}|{OCCURRENCES}"


def _cache_fragments(path: str) -> None:
    """Worker: build the fragment index of the TM file at ``path`` and cache it."""
    from tm.store import open_store
    from tm.workers import exit_with_parent

    exit_with_parent()

    with open_store(path, readonly=True) as store:
        index = FragmentIndex.build(store)
        version = store.data_version()
    index.save(cache_path(path, "fragments"), fragment_stamp(version))


def out_of_collector(units: int) -> None:
    """After a large index is built or loaded, keep every later full collection from
    walking it.

    The index holds lists of a million strings; each full collection (which Textual's
    and a server's allocations set off every few seconds) walks them, about 55 ms at
    1M units, and that pause lands on whatever look-up or keystroke is running then.
    ``gc.freeze`` moves every object alive now into a generation the collector skips;
    reference counting still frees them. The garbage collected just before would
    otherwise be frozen with them.
    """
    if units >= FREEZE_MIN_UNITS:
        gc.collect()
        gc.freeze()


def _edits(version: str) -> str:
    """The edit count in a target-side version string ("" when it has none)."""
    return version.rpartition("|edits ")[2]
