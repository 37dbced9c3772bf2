"""The lossless candidate index behind fuzzy look-up, and its cache beside the database.

Two strings within ``k`` edits share at least ``max(|a|, |b|) − q + 1 − k·q`` q-grams,
counted with multiplicity (the q-gram lemma). The index keeps units sorted by key
length, so the length window that ``min_score`` allows is one contiguous range of
positions, and holds inverted lists of *numbered* q-grams (the i-th occurrence of a
gram in a key is its own gram), so that counting list hits per position counts shared
grams with multiplicity. A position whose count is under the bound cannot reach the
cutoff; every other one is a candidate. Dropping the ``t`` longest lists from the
count lowers the bound by ``t`` and stays lossless while the bound stays positive.

Everything is numpy arrays plus two lists of strings. A copy is saved beside a
SQLite database (``<db>.match-<side>.npz``) tagged with the store's data version, so
a new process loads the index instead of rebuilding it.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from tm.locations import match_index_path
from tm.text.normalize import unpunctuated_key

log = logging.getLogger(__name__)

Q = 2
# Lists at most this long are always counted: leaving them out saves little. With the
# hits sorted, 64 took 1-3 % less CPU a look-up than 256 on both halves of the 1,000
# queries at 1M units and on a 100k-unit TM of the other corpora.
DROP_OVER = 64
# Share of the bound that dropping lists may use up: a lower bound means fewer
# postings to count but more candidates to verify, which cost far more each.
DROP_SHARE = 0.5
# A length window this small is scored outright rather than filtered by q-grams
# (benchmarks/bench_lookup.py prints both paths' times).
SCAN_BELOW = 2000
# 2: codes are the keys' bodies (list labels and full stops apart); 3: texts in UTF-8,
# joined by a character none of them holds (one split rebuilds the list); 4: texts
# in UTF-16 unless all ASCII.
CACHE_FORMAT = "4"


class CandidateIndex:
    """Units' code strings sorted by length, with inverted lists of numbered q-grams.

    Build one with :meth:`build`; the constructor takes the arrays as they are (so a
    cached copy can be loaded without rebuilding).

    Attributes:
        ids: unit id at each position (positions are in key-length order).
        codes: the code string scored at each position.
        keys: the match key at each position (the same list as ``codes`` when the
            code string is the key, as for Chinese).
    """

    def __init__(
        self,
        *,
        ids: np.ndarray,
        lens: np.ndarray,
        codes: list[str],
        keys: list[str],
        gram_keys: np.ndarray,
        offsets: np.ndarray,
        postings: np.ndarray,
        stripped: np.ndarray,
        q: int = Q,
    ) -> None:
        self.q = q
        self.ids = ids
        self.lens = lens
        self.codes = codes
        self.keys = keys
        self.gram_keys = gram_keys
        self.offsets = offsets
        self.postings = postings
        self._stripped_order = np.argsort(stripped, kind="stable")
        self._stripped = stripped[self._stripped_order]

    @classmethod
    def build(
        cls,
        ids: Sequence[int],
        codes: Sequence[str],
        keys: Sequence[str] | None = None,
        *,
        q: int = Q,
    ) -> CandidateIndex:
        """Index ``codes`` (one per unit id); ``keys`` default to the codes themselves."""
        builder = IndexBuilder(q)
        for start in range(0, len(codes), BUILD_CHUNK):
            end = start + BUILD_CHUNK
            builder.add(
                ids[start:end],
                codes[start:end],
                None if keys is None else keys[start:end],
            )
        return builder.finish()

    def __len__(self) -> int:
        return len(self.codes)

    def stripped_hashes(self) -> np.ndarray:
        """The punctuation-free key hash at each position (as given to the constructor)."""
        out = np.empty_like(self._stripped)
        out[self._stripped_order] = self._stripped
        return out

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
        lo = int(_search(self.lens, lo_len, side="left"))
        hi = int(_search(self.lens, hi_len, side="right"))
        return lo, hi

    def prefer_scan(self, codes: str, min_score: float) -> bool:
        """Whether scoring the whole length window costs less than the q-gram filter.

        When the q-gram bound is not positive for the query's own length (for q = 2,
        at any cutoff of 50 or under), it filters nothing there and its count costs
        more than it saves; a small window is cheaper to score outright. Measured on
        a 200k-unit TM, the filter wins by far in every other case. The answer is the
        same either way: the window holds every unit the candidates hold.
        """
        m = len(codes)
        lo, hi = self.window(m, min_score)
        if hi - lo <= SCAN_BELOW:
            return True
        return int(_need(np.array([m]), min_score, self.q)[0]) <= 0

    def candidates(
        self, codes: str, min_score: float, *, drop_over: int | None = None
    ) -> np.ndarray:
        """Positions of every unit whose similarity to ``codes`` can reach ``min_score``.

        Args:
            codes: the query's code string.
            min_score: the cutoff, 0–100.
            drop_over: lists longer than this may be left out of the count (while
                the bound allows it); a tuning knob that never changes the result.
        """
        return self.candidates_many([codes], min_score, drop_over=drop_over)[0]

    def candidates_many(
        self,
        queries: Sequence[str],
        min_score: float,
        *,
        drop_over: int | None = None,
    ) -> list[np.ndarray]:
        """:meth:`candidates` of each of ``queries`` (code strings), in order.

        The lists of all the queries' grams are looked up and cut to each query's
        window together: a look-up's lists lie scattered over hundreds of MB, and
        one binary search per list waited on one cache miss after another.
        """
        windows = [self.window(len(codes), min_score) for codes in queries]
        spans = self._spans(queries, windows)
        return [
            self._counted_candidates(len(codes), lo, hi, found, min_score, drop_over)
            for codes, (lo, hi), found in zip(queries, windows, spans, strict=True)
        ]

    def _spans(
        self, queries: Sequence[str], windows: list[tuple[int, int]]
    ) -> list[list[tuple[int, int]]]:
        """Per query, where in ``postings`` each of its grams' lists has the positions
        of its window: (start, end) pairs, empty ones left out, in the order of the
        numbered grams."""
        out: list[list[tuple[int, int]]] = [[] for _ in queries]
        if not len(self.gram_keys):
            return out
        # The numbered grams of all the queries at once, as the index numbers them
        # when it is built (sorted by query, then gram).
        keys, owner = _chunk_grams(
            [
                codes if lo < hi else ""
                for codes, (lo, hi) in zip(queries, windows, strict=True)
            ],
            0,
        )
        if not len(keys):
            return out
        at = np.searchsorted(self.gram_keys, keys)
        at[at == len(self.gram_keys)] = 0  # past the last gram: compared unequal below
        known = self.gram_keys[at] == keys
        at, owner = at[known], owner[known]
        bounds = np.array(windows, dtype=self.postings.dtype)[owner]
        starts = self.offsets[at]
        list_sizes = self.offsets[at + 1] - starts
        # Both ends of each list's window at once: [first ≥ lo] then [first ≥ hi].
        cut = _lower_bounds(
            self.postings,
            np.concatenate((starts, starts)),
            np.concatenate((list_sizes, list_sizes)),
            np.concatenate((bounds[:, 0], bounds[:, 1])),
        )
        begin, stop = cut[: len(at)], cut[len(at) :]
        keep = stop > begin
        for who, a, b in zip(
            owner[keep].tolist(), begin[keep].tolist(), stop[keep].tolist(), strict=True
        ):
            out[who].append((a, b))
        return out

    def _counted_candidates(
        self,
        m: int,
        lo: int,
        hi: int,
        spans: list[tuple[int, int]],
        min_score: float,
        drop_over: int | None,
    ) -> np.ndarray:
        """The candidates of a query of ``m`` codes from its lists' ``spans``."""
        if lo >= hi:
            return np.empty(0, dtype=np.int64)
        first_len = int(self.lens[lo])
        lengths = np.arange(first_len, int(self.lens[hi - 1]) + 1)
        need = _need(np.maximum(lengths, m), min_score, self.q)  # per length
        min_need = int(need.min())
        dropped = 0
        if min_need > 1 and spans:
            # Leave the longest lists out while the bound stays ≥ 1: a unit loses at
            # most one count per list left out, so the bound drops by as much.
            spans.sort(key=_span_size)
            budget = int((min_need - 1) * DROP_SHARE)
            drop_over = DROP_OVER if drop_over is None else drop_over
            while dropped < budget and spans and _span_size(spans[-1]) > drop_over:
                spans.pop()
                dropped += 1
        postings = self.postings
        lists = [postings[a:b] for a, b in spans]
        counted = _counted(lists, lo, max(1, min_need - dropped))
        pos = counted[0] + lo
        ok = counted[1] >= need[self.lens[pos] - first_len] - dropped
        out = pos[ok]
        if min_need - dropped <= 0:
            out = np.union1d(out, self._free(lengths[need - dropped <= 0], lo, hi))
        return np.asarray(out)

    def _free(self, lengths: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """All positions (in [lo, hi)) of the given lengths: the bound does not filter them."""
        parts = [
            np.arange(
                max(lo, int(_search(self.lens, n, side="left"))),
                min(hi, int(_search(self.lens, n, side="right"))),
            )
            for n in lengths.tolist()
        ]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def same_stripped(self, stripped: str) -> np.ndarray:
        """Positions of units whose punctuation-free key hashes like ``stripped``."""
        h = _stable_hash(stripped)
        a, b = np.searchsorted(self._stripped, (h, h + 1))
        return self._stripped_order[a:b]


# Units whose grams are counted at a time (bounds the temporary arrays of a build).
BUILD_CHUNK = 50_000


class IndexBuilder:
    """A :class:`CandidateIndex` built from units given a few at a time, in any
    order of length: each part's numbered grams and hashes are computed when it is
    added, so :meth:`finish` only sorts. The import feeds one the units it writes
    while it writes them (:mod:`tm.importer`); :meth:`CandidateIndex.build` is one
    too, so both give the same arrays.
    """

    def __init__(self, q: int = Q) -> None:
        if q != 2:
            raise ValueError("the vectorized build supports q = 2")
        self.q = q
        self._empty()

    def _empty(self) -> None:
        self._ids: list[np.ndarray] = []
        self._codes: list[str] = []
        self._keys: list[str] | None = []
        self._grams = _Blocks()
        self._stripped: list[np.ndarray] = []
        # The characters the grams use and their highest rank, noted as units come,
        # so that finish() (which an import waits for) need not scan every gram.
        self._chars = _Chars()
        self._lens: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self._codes)

    def add(
        self, ids: Sequence[int], codes: Sequence[str], keys: Sequence[str] | None
    ) -> None:
        """Add units: their ids, code strings and match keys (None: the codes).

        Every call passes keys, or none does.
        """
        if len(ids) != len(codes) or (keys is not None and len(keys) != len(codes)):
            raise ValueError("ids, codes and keys of different lengths")
        if (keys is None) != (self._keys is None) and self._codes:
            raise ValueError("keys given for some units only")
        # Each unit's grams, in unit order: a unit of length n has max(n - 1, 0),
        # which is all finish() needs to know whose they are.
        lens = _lengths(codes)
        grams, _ = _chunk_grams(list(codes), len(self._codes), lens)
        self._lens.append(lens.astype(np.int32))
        self._ids.append(np.asarray(ids, dtype=np.int64))
        self._codes += codes
        if keys is None:
            self._keys = None
        elif self._keys is not None:
            self._keys += keys
        self._grams.extend(grams)
        self._chars.add(grams)
        self._stripped.append(_stripped_hashes(keys if keys is not None else codes))

    def finish(self) -> CandidateIndex:
        """The index of every unit added (the builder is emptied)."""
        codes = self._codes
        lens = _joined(self._lens, np.int32)
        order = np.argsort(lens, kind="stable")
        order_list = order.tolist()
        sorted_codes = [codes[i] for i in order_list]
        sorted_keys = (
            sorted_codes if self._keys is None else [self._keys[i] for i in order_list]
        )
        # Each unit's position in length order, for the grams counted in arrival order.
        position = np.empty(len(codes), dtype=np.int32)
        position[order] = np.arange(len(codes), dtype=np.int32)
        ids = _joined(self._ids, np.int64)[order]
        stripped = _joined(self._stripped, np.int64)[order]
        grams = self._grams.joined()
        pos = np.repeat(position, np.maximum(lens.astype(np.int64) - 1, 0))
        del position
        if len(pos) != len(grams):
            raise AssertionError("q-grams counted do not match the units' lengths")
        self._codes, self._keys = [], []
        gram_keys, offsets, postings = _postings(grams, pos, len(codes), self._chars)
        self._chars = _Chars()
        return CandidateIndex(
            ids=ids,
            lens=lens[order],
            codes=sorted_codes,
            keys=sorted_keys,
            gram_keys=gram_keys,
            offsets=offsets,
            postings=postings,
            stripped=stripped,
            q=self.q,
        )

    def stage(self, path: Path, stamp: str) -> StagedIndex | None:
        """:meth:`finish`, written as :func:`stage_index` writes it."""
        return stage_index(self.finish(), path, stamp)

    def handed_over(self) -> tuple[np.ndarray, list[str], list[str] | None, np.ndarray]:
        """The units added (ids, codes, keys or None) and their grams, in any order;
        the builder is emptied."""
        ids = _joined(self._ids, np.int64)
        codes, keys = self._codes, self._keys
        grams = self._grams.joined()
        self._empty()
        return ids, codes, keys, grams


class _Blocks:
    """int64 values appended a part at a time, kept in blocks of 32 MB.

    An import's feed adds its units' grams a batch at a time, a few hundred KB each:
    arrays that size come from the C heap, which keeps them when they are freed, so
    joining them at the end held every gram twice (0.3 GB more at 1M units). A block
    this large is mapped apart, and goes back to the system when it is freed.
    """

    SIZE = 1 << 22

    def __init__(self) -> None:
        self._blocks: list[np.ndarray] = []
        self._free = 0  # unused values at the end of the last block

    def __len__(self) -> int:
        return len(self._blocks) * self.SIZE - self._free

    def extend(self, values: np.ndarray) -> None:
        at = 0
        while at < len(values):
            if not self._free:
                self._blocks.append(np.empty(self.SIZE, dtype=np.int64))
                self._free = self.SIZE
            start = self.SIZE - self._free
            n = min(self._free, len(values) - at)
            self._blocks[-1][start : start + n] = values[at : at + n]
            self._free -= n
            at += n

    def joined(self) -> np.ndarray:
        """Every value in one array (the blocks are emptied, each freed once copied)."""
        if self._blocks:
            self._blocks[-1] = self._blocks[-1][: self.SIZE - self._free]
        self._free = 0
        return _joined(self._blocks, np.int64)


def _joined(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    """``parts`` concatenated into one array, each part dropped once copied (the list
    is emptied), so the peak holds every element about once, not twice."""
    out = np.empty(sum(len(p) for p in parts), dtype=dtype)
    at = 0
    parts.reverse()
    while parts:
        part = parts.pop()
        out[at : at + len(part)] = part
        at += len(part)
    return out


def _search(
    ordered: np.ndarray, values: int | tuple[int, ...], side: str = "left"
) -> Any:
    """``np.searchsorted`` with ``values`` in the array's own type.

    Given a Python int, numpy converts the whole array to int64 before searching an
    int32 one: 0.5 ms per call on a million lengths, a sixth of a look-up's CPU at
    1M units.
    """
    return np.searchsorted(ordered, np.asarray(values, dtype=ordered.dtype), side=side)  # type: ignore[call-overload]


def _stable_hash(text: str) -> int:
    # Stable across processes (unlike hash()), so a cached index stays valid; a
    # collision only adds a candidate, which the scorer then rejects.
    return zlib.crc32(text.encode("utf-8"))


def _stripped_hashes(keys: Sequence[str]) -> np.ndarray:
    return np.fromiter(
        (_stable_hash(unpunctuated_key(k)) for k in keys),
        dtype=np.int64,
        count=len(keys),
    )


def _span_size(span: tuple[int, int]) -> int:
    return span[1] - span[0]


def _lower_bounds(
    values: np.ndarray, starts: np.ndarray, sizes: np.ndarray, targets: np.ndarray
) -> np.ndarray:
    """Per i, the first index in ``values[starts[i] : starts[i] + sizes[i]]`` (a sorted
    run) whose value is at least ``targets[i]``; the run's end if none is.

    All the binary searches step together, so each step's reads of ``values`` are
    independent and the processor overlaps their cache misses.
    """
    base = starts.astype(np.int64)
    left = sizes.astype(np.int64)
    targets = targets.astype(values.dtype)
    last = len(values) - 1
    while left.any():
        half = left >> 1
        mid = base + half
        # A finished search (nothing left) reads a harmless in-range value.
        go = values[np.minimum(mid, last)] < targets
        go &= left > 0
        base = np.where(go, mid + 1, base)
        left = np.where(go, left - half - 1, half)
    return base


def _need(m: np.ndarray, min_score: float, q: int) -> np.ndarray:
    """The q-gram bound per max length: ``M − q + 1 − k·q`` with ``k`` the edits allowed."""
    k = np.floor(m * (1.0 - min_score / 100.0) + 1e-9).astype(np.int64)
    return m.astype(np.int64) - q + 1 - k * q


def _counted(
    lists: list[np.ndarray], lo: int, at_least: int
) -> tuple[np.ndarray, np.ndarray]:
    """(offsets from ``lo``, counts) of the positions hit at least ``at_least`` times
    by ``lists`` (each list sorted, a position at most once in it).

    The hits are sorted, not counted into an array over the window: with numpy's
    vectorized sort that costs less at every density seen at 1M units (a mean of 19k
    hits over a 300k-position window), and the cut-off then reads only the hits.
    """
    if not lists:
        return _NONE, _NONE
    hits = np.concatenate(lists)
    hits.sort()
    n = len(hits)
    if at_least > 1:
        if n < at_least:
            return _NONE, _NONE
        # Sorted, a position is hit at least k times exactly where some hits[i] equals
        # hits[i + k - 1]; a run longer than k shows its position more than once.
        head = hits[: n - at_least + 1]
        found = head[hits[at_least - 1 :] == head]
        if not len(found):
            return _NONE, _NONE
        pos = found[np.concatenate(([True], found[1:] != found[:-1]))]
    else:
        pos = hits[np.concatenate(([True], hits[1:] != hits[:-1]))]
    counts = np.searchsorted(hits, pos, side="right") - np.searchsorted(
        hits, pos, side="left"
    )
    return pos.astype(np.int64) - lo, counts


_NONE = np.empty(0, dtype=np.int64)
_NONE.flags.writeable = False


def _build_postings(
    codes: list[str], q: int, chunk: int = BUILD_CHUNK
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted numbered-gram keys, list offsets, and postings (positions, ascending)
    of ``codes`` at positions 0, 1, …"""
    if q != 2:
        raise ValueError("the vectorized build supports q = 2")
    grams: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    for start in range(0, len(codes), chunk):
        part_grams, part_owners = _chunk_grams(codes[start : start + chunk], start)
        grams.append(part_grams)
        owners.append(part_owners)
    return _postings(_joined(grams, np.int64), _joined(owners, np.int32), len(codes))


def _postings(
    keys: np.ndarray, pos: np.ndarray, n_codes: int, chars: _Chars | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted numbered-gram keys, list offsets, and postings (positions, ascending)
    from each gram occurrence's key and position, in any order (both overwritten).
    ``chars``: what the keys use, if noted already."""
    if not len(keys):
        return keys, np.zeros(1, dtype=np.int64), pos
    packed = _packed_postings(keys, pos, n_codes, chars)
    if packed is not None:
        return packed
    order = np.lexsort((pos, keys))  # by key, then position
    pos = pos[order]
    keys = keys[order]
    del order
    # Run starts of the sorted keys (np.unique would sort them all over again).
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    uniq = keys[starts]
    del keys
    offsets = np.append(starts, len(pos)).astype(np.int64)
    return uniq, offsets, pos


_CHAR_BITS = 21
_CHAR_MASK = (1 << _CHAR_BITS) - 1
# Grams packed and unpacked at a time. The temporaries of a chunk are 2 MB: glibc
# serves blocks over 32 MB by mmap, whose every page then faults in anew (in a fresh
# process at 100k units, 4M-gram temporaries made the packing take 0.1 s longer),
# while blocks this size are reused from the heap, chunk after chunk.
_PACK_CHUNK = 1 << 18
_PACK_MIN = 1 << 16


class _Chars:
    """Which characters numbered grams use, and their highest rank."""

    def __init__(self) -> None:
        self.present = np.zeros(1 << _CHAR_BITS, dtype=bool)
        self.rank = 0
        self._numbering: tuple[np.ndarray, np.ndarray] | None = None

    def numbering(self) -> tuple[np.ndarray, np.ndarray]:
        """The characters used, in code point order, and each code point's number
        among them: computed once (a build on disk packs a key range at a time)."""
        if self._numbering is None:
            used = np.flatnonzero(self.present).astype(np.int64)
            dense = np.cumsum(self.present, dtype=np.int64) - 1
            self._numbering = used, dense
        return self._numbering

    def add(self, keys: np.ndarray) -> None:
        self._numbering = None
        for start in range(0, len(keys), _PACK_CHUNK):
            part = keys[start : start + _PACK_CHUNK]
            self.present[(part >> _CHAR_BITS) & _CHAR_MASK] = True
            self.present[part & _CHAR_MASK] = True
            self.rank = max(self.rank, int(part.max() >> 42))


def _packed_postings(
    keys: np.ndarray, pos: np.ndarray, n_codes: int, chars: _Chars | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """:func:`_build_postings`'s result from one sort instead of two, or None.

    A numbered gram is (rank, first character, second character) in its bits, so
    its order is that triple's. Numbering the characters the codes use, in code
    point order, packs the triple and the position into one int64 whose sort is the
    keys' order with positions ascending within each key: what the stable argsort of
    the keys and the sort of the keys give together, for half their time. None when
    the packed value would not fit (more distinct characters, positions or repeats
    than 63 bits hold). ``keys`` and ``pos`` are overwritten.
    """
    if len(keys) < _PACK_MIN:
        return None  # a small index: the table of characters would cost more
    if chars is None:
        chars = _Chars()
        chars.add(keys)
    used, dense = chars.numbering()
    b = max(1, int(len(used) - 1).bit_length())
    p = max(1, int(n_codes - 1).bit_length())
    r = chars.rank.bit_length()
    if 2 * b + p + r > 63:
        return None
    packed = keys  # overwritten chunk by chunk: no second array of every gram
    for start in range(0, len(keys), _PACK_CHUNK):
        part = keys[start : start + _PACK_CHUNK]
        value = (part >> 42) << (2 * b)
        value |= dense[(part >> _CHAR_BITS) & _CHAR_MASK] << b
        value |= dense[part & _CHAR_MASK]
        value <<= p
        value |= pos[start : start + _PACK_CHUNK]
        packed[start : start + _PACK_CHUNK] = value
    # One core: numpy's vectorized sort of 45M values (1M units) took 0.60 s, and
    # sorting halves in two threads then merging them 0.71-0.77 s.
    packed.sort()
    # The sorted positions go back into ``pos`` a chunk at a time: no temporary of
    # every gram (at 1M units, 45M grams: 360 MB for the masked copy alone).
    mask = (1 << p) - 1
    for start in range(0, len(packed), _PACK_CHUNK):
        pos[start : start + _PACK_CHUNK] = packed[start : start + _PACK_CHUNK] & mask
    packed >>= p
    starts = np.flatnonzero(np.concatenate(([True], packed[1:] != packed[:-1])))
    runs = packed[starts]
    bmask = (1 << b) - 1
    uniq = (runs >> (2 * b)) << 42
    uniq |= used[(runs >> b) & bmask] << _CHAR_BITS
    uniq |= used[runs & bmask]
    offsets = np.append(starts, len(pos)).astype(np.int64)
    return uniq, offsets, pos


def _lengths(codes: Sequence[str]) -> np.ndarray:
    return np.fromiter(map(len, codes), dtype=np.int64, count=len(codes))


def _chunk_grams(
    codes: list[str], base: int, lens: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    if lens is None:
        lens = _lengths(codes)
    flat = np.frombuffer("".join(codes).encode("utf-32-le"), dtype=np.uint32)
    flat = flat.astype(np.int64)
    owner = np.repeat(np.arange(len(codes), dtype=np.int64), lens)
    if len(flat) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int32)
    valid = owner[:-1] == owner[1:]
    grams = ((flat[:-1] << 21) | flat[1:])[valid]
    owner = owner[:-1][valid]
    # Number repeated grams inside one key: rank within runs of equal (owner, gram).
    # One int64 sort on owner·2⁴² + gram (owner < 2²¹ per chunk) is far cheaper than
    # a lexsort on two columns.
    both = np.sort((owner << 42) | grams)
    del grams, owner
    g_sorted = both & ((1 << 42) - 1)
    o_sorted = both >> 42
    n = len(g_sorted)
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = (g_sorted[1:] != g_sorted[:-1]) | (o_sorted[1:] != o_sorted[:-1])
    run_start = np.maximum.accumulate(np.where(new_run, np.arange(n), 0))
    rank = np.arange(n) - run_start
    keys = g_sorted | (rank << 42)
    return keys, (o_sorted + base).astype(np.int32)


def cache_path(db_path: str | Path, side: str) -> Path:
    """Where the index of ``side`` of the SQLite TM at ``db_path`` is cached."""
    return match_index_path(db_path, side)


def save_index(index: CandidateIndex, path: Path, stamp: str) -> None:
    """Write ``index`` to ``path`` atomically, tagged with ``stamp`` (best effort)."""
    staged = stage_index(index, path, stamp)
    if staged is not None:
        staged.publish()


class StagedIndex:
    """An index written to a temporary file beside ``path``: :meth:`publish` puts
    it in place (an atomic rename), :meth:`discard` removes it."""

    def __init__(self, tmp: Path, path: Path) -> None:
        self.tmp = tmp
        self.path = path

    def publish(self) -> bool:
        """Put the index in place; False when it could not be (it is removed)."""
        try:
            self.tmp.replace(self.path)
        except OSError as exc:
            log.info("index not cached at %s: %s", self.path, exc)
            self.discard()
            return False
        return True

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.tmp.unlink()


def staging_path(path: Path, pid: int) -> Path:
    """Where process ``pid`` writes the cache ``path`` before renaming it: one name
    per process, so two processes caching the same TM never write one file."""
    return path.with_name(f"{path.name}.{pid}.tmp")


def _remove_orphans(path: Path) -> None:
    """Remove what processes that ended (killed while writing) staged for ``path``."""
    for tmp in path.parent.glob(f"{path.name}.*.tmp"):
        pid = tmp.name[len(path.name) + 1 : -len(".tmp")]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def stage_index(index: CandidateIndex, path: Path, stamp: str) -> StagedIndex | None:
    """Write ``index``, tagged with ``stamp``, to a temporary file beside ``path``
    (flushed to disk); None when it cannot be written (a read-only directory only
    costs a rebuild next time)."""
    arrays = {
        "ids": index.ids,
        "lens": index.lens,
        "gram_keys": index.gram_keys,
        "offsets": index.offsets,
        "postings": index.postings,
        "stripped": index.stripped_hashes(),
        "stamp": np.array([CACHE_FORMAT + "|" + stamp]),
        **_texts("codes", index.codes),
    }
    if index.keys is not index.codes:
        arrays.update(_texts("keys", index.keys))
    _remove_orphans(path)
    tmp = staging_path(path, os.getpid())
    try:
        with open(tmp, "wb") as fh:
            _save_arrays(fh, arrays)
            fh.flush()
            os.fsync(fh.fileno())  # else a crash can leave a renamed, empty file
    except OSError as exc:
        log.info("index not cached at %s: %s", path, exc)
        with contextlib.suppress(OSError):
            tmp.unlink()
        return None
    return StagedIndex(tmp, path)


def _save_arrays(fh: IO[bytes], arrays: dict[str, np.ndarray]) -> None:
    """The file ``np.savez`` writes (a zip of ``.npy`` members, stored), each array's
    bytes written from its own memory.

    ``np.savez`` copies every array out in pieces of 16 MB before writing it: at 100k
    units that took 0.09-0.25 s of the 0.1-0.3 s staging costs, all of it after the
    import's last batch, while the import waits.
    """
    with zipfile.ZipFile(fh, mode="w", compression=zipfile.ZIP_STORED) as zf:
        write_arrays(zf, arrays)


def write_arrays(zf: zipfile.ZipFile, arrays: dict[str, np.ndarray]) -> None:
    """Add each of ``arrays`` to ``zf`` as ``np.savez`` would (a ``.npy`` member)."""
    for name, value in arrays.items():
        array = np.ascontiguousarray(value)
        with npy_member(zf, name, array.dtype, array.shape) as member:
            member.write(array.reshape(-1).view(np.uint8).data)


@contextlib.contextmanager
def npy_member(
    zf: zipfile.ZipFile, name: str, dtype: Any, shape: tuple[int, ...]
) -> Iterator[_Counted]:
    """A ``.npy`` member of ``zf`` holding an array of ``dtype`` and ``shape``, whose
    bytes (C order) the caller writes, in as many pieces as it likes.

    Raises:
        ValueError: what was written is not that array's size.
    """
    dtype = np.dtype(dtype)
    header = {
        "descr": np.lib.format.dtype_to_descr(dtype),
        "fortran_order": False,
        "shape": tuple(shape),
    }
    with zf.open(f"{name}.npy", mode="w", force_zip64=True) as member:
        np.lib.format.write_array_header_1_0(member, header)
        counted = _Counted(member)
        yield counted
    if counted.written != math.prod(shape) * dtype.itemsize:
        raise ValueError(f"{name}: {counted.written} bytes written for shape {shape}")


class _Counted:
    """A zip member's writer that counts the bytes written (it cannot tell)."""

    def __init__(self, member: IO[bytes]) -> None:
        self._member = member
        self.written = 0

    def write(self, data: Any) -> int:
        n = self._member.write(data)
        self.written += n
        return n


def cached_stamp(path: Path) -> str | None:
    """The stamp the cache at ``path`` carries (without its format), or None."""
    try:
        with np.load(path, allow_pickle=False) as data:
            tag = str(data["stamp"][0])
    except Exception:  # absent or damaged: load_index says which, when it is loaded
        return None
    fmt, _, stamp = tag.partition("|")
    return stamp if fmt == CACHE_FORMAT else None


def load_index(path: Path, stamp: str) -> CandidateIndex | None:
    """The cached index at ``path`` if it carries ``stamp``; None when absent or stale.

    A damaged cache (empty, truncated, arrays that disagree) is None too, with a
    warning: the caller rebuilds the index from the TM and writes the cache again.
    """
    if not path.exists():
        return None
    try:
        index = _read_index(path, stamp)
    except Exception as exc:  # any damage only costs a rebuild
        # np.load raises EOFError on an empty file (which click would report as
        # "Interrupted."), BadZipFile on a truncated one, ValueError on bad arrays.
        log.warning(
            "the match index cache %s is damaged (%s: %s); rebuilding it",
            path,
            type(exc).__name__,
            exc,
        )
        with contextlib.suppress(OSError):  # a small TM is not cached again
            path.unlink()
        return None
    return index


def _read_index(path: Path, stamp: str) -> CandidateIndex | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["stamp"][0]) != CACHE_FORMAT + "|" + stamp:
                return None
            lens = data["lens"]
            codes = _read_texts(data, "codes")
            keys = _read_texts(data, "keys") if "keys" in data else codes
            if not len(data["ids"]) == len(lens) == len(codes) == len(keys):
                raise ValueError("arrays of different lengths")
            return CandidateIndex(
                ids=data["ids"],
                lens=lens,
                codes=codes,
                keys=keys,
                gram_keys=data["gram_keys"],
                offsets=data["offsets"],
                postings=data["postings"],
                stripped=data["stripped"],
            )
    except OSError as exc:  # unreadable (permissions): rebuilt, and not a warning
        log.info("ignoring unreadable index cache %s: %s", path, exc)
        return None


# Joins a list of texts for the cache: the first of these that no text holds.
_SEPARATORS = ("\x00", "\x01", "\ufffe", "\uffff", "\U0010fffe", "\U0010ffff")


def _texts(name: str, texts: list[str]) -> dict[str, np.ndarray]:
    """``texts`` as arrays for the cache: the texts joined by a separator none of
    them holds (``<name>_sep``, its code point), or, when each candidate occurs,
    back to back with their lengths (``<name>_lens``); in UTF-16 unless every
    character is ASCII (``<name>_utf16``).

    Splitting one string is what makes loading fast: rebuilding a million strings
    one slice at a time took most of a first look-up's load. Chinese text takes two
    thirds of its UTF-8 bytes in UTF-16, and decodes in half the time.
    """
    for sep in _SEPARATORS:
        joined = sep.join(texts)
        if joined.count(sep) == max(len(texts) - 1, 0):  # no text holds it
            extra = {f"{name}_sep": np.array([ord(sep)], dtype=np.int32)}
            break
    else:
        joined = "".join(texts)
        extra = {f"{name}_lens": np.fromiter(map(len, texts), dtype=np.int32)}
    utf16 = not joined.isascii()
    try:
        # Strict: a surrogate code point (two in a row would come back as one
        # character) makes it UTF-8, which keeps each apart.
        encoded = joined.encode("utf-16-le") if utf16 else joined.encode("ascii")
    except UnicodeEncodeError:
        utf16 = False
        encoded = joined.encode("utf-8", "surrogatepass")
    data = np.frombuffer(encoded, dtype=np.uint8)
    return {name: data, f"{name}_utf16": np.array([utf16]), **extra}


def _read_texts(data: Any, name: str) -> list[str]:
    """The list :func:`_texts` stored under ``name``."""
    encoding = "utf-16-le" if bool(data[f"{name}_utf16"][0]) else "utf-8"
    text = data[name].tobytes().decode(encoding, "surrogatepass")
    if f"{name}_sep" in data:
        if not text and not len(data["lens"]):
            return []
        texts: list[str] = text.split(chr(int(data[f"{name}_sep"][0])))
        return texts
    out = []
    start = 0
    for end in np.cumsum(data[f"{name}_lens"]).tolist():
        out.append(text[start:end])
        start = end
    return out
