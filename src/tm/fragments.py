"""Fuzzy fragments: sub-segment recall for a query no whole TM unit matches.

Two kinds of hit, as in memoQ's LSC (longest substring concordance) and Trados'
fragment recall:

* ``clause``: a clause of the query (split at ，；：、 and sentence ends) matches a
  clause of a TM unit with a similarity of :data:`CLAUSE_MIN_SCORE` or more, compared
  without punctuation or list labels (探索生态环境导向的开发模式 finds
  …开发(EOD)模式 at 81);
* ``contained``: a whole TM source, or a TM clause, lies inside the query as it is
  (the longest first, not overlapping).

Each hit offers English: the TM clause's own English where the clause's alignment
inside its sentence pair is confident (the sentence aligner, :class:`tm.align.Aligner`,
run on the pair's clauses; a link with posterior confidence of
:data:`ALIGN_CONFIDENT` or more joining that clause alone), else the whole unit's
English; ``ConcordanceHit.english_scope`` says which.

The TM's clauses come from its sentence units (or all its units when it has none),
read once through the store's keys; :class:`FragmentIndex` holds them with a lossless
candidate index (:class:`tm.match_index.CandidateIndex`) for the fuzzy look-up and a
hash of the clause keys for the containment look-up.
"""

from __future__ import annotations

import logging
import os
import re
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

import numpy as np
from rapidfuzz.distance import Levenshtein

from tm.match_index import CandidateIndex, load_index, save_index
from tm.models import ConcordanceHit, FragmentHit, TranslationUnit
from tm.placeables import Label, en_label, split_key, zh_label
from tm.store.base import Store
from tm.text.normalize import fold_with_map, unpunctuated_key

log = logging.getLogger(__name__)

MIN_CLAUSE = 6
CLAUSE_MIN_SCORE = 80.0
# Chosen on the even rows of a hand-judged sample of seed clause links
# (benchmarks/fragments_judged.tsv: 97 % of links at or above it right there); on the
# odd rows, 92 % of them are right and they are 83 % of the right links.
ALIGN_CONFIDENT = 0.85
# How many TM occurrences of one clause key are kept (the newest units).
OCCURRENCES = 8
_KEY_BREAK = re.compile(r"[,;:!?]|\.(?!\d)")
_ZH_BREAK = re.compile(r"[，,；;：:、！!？?。]|[.．](?!\d)")
_EN_BREAK = re.compile(r"[,;:](?=\s)|[.!?](?=\s|$)")
_WORD = re.compile(r"[\W_]")


def _where_path(index_path: Path) -> Path:
    return index_path.with_name(index_path.name.removesuffix(".npz") + "-where.npz")


def key_clauses(key: str) -> list[tuple[int, int]]:
    """Clause spans of a match key (the one place the clause splitter is called).

    ``tm.text.segment.clause_spans`` will take this over; until then, breaks at the
    folded forms of ，；：、！？ and a full stop that is not a decimal point.
    """
    return _spans(key, _KEY_BREAK)


def zh_clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans of stored Chinese text (the same breaks as :func:`key_clauses`)."""
    return _spans(text, _ZH_BREAK)


def en_clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans of English text: at , ; : before a space and at sentence ends."""
    return _spans(text, _EN_BREAK)


def _spans(text: str, breaks: re.Pattern[str]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = 0
    for m in breaks.finditer(text):
        _add(out, text, start, m.start())
        start = m.end()
    _add(out, text, start, len(text))
    return out


def _add(out: list[tuple[int, int]], text: str, a: int, b: int) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if a < b:
        out.append((a, b))


def clause_text(key: str) -> str:
    """What clauses are compared on: the key without list label, punctuation, spaces."""
    return unpunctuated_key(split_key(key).body)


class FragmentIndex:
    """The TM's clauses (and whole sentence sources), ready for both look-ups.

    Build one with :meth:`build`. Each distinct clause text is an *entry*; where it
    occurs (unit id, start, end in the unit's key) is kept in flat arrays, up to
    :data:`OCCURRENCES` times per entry, so that a TM of a few hundred thousand units
    costs arrays, not millions of small objects.

    Args:
        where: one row (entry, unit id, start, end) per occurrence kept.
        index: the distinct clause texts (keys without label and punctuation), their
            ids the entry numbers, in sorted order among texts of one length (see
            :meth:`from_texts`).
    """

    def __init__(self, where: np.ndarray, index: CandidateIndex) -> None:
        self.index = index
        self.where = where[np.argsort(where[:, 0], kind="stable")]
        self.offsets = np.searchsorted(self.where[:, 0], np.arange(len(index) + 1))
        self.lengths: list[int] = np.unique(index.lens)[::-1].tolist()

    @classmethod
    def from_texts(cls, texts: list[str], where: np.ndarray) -> FragmentIndex:
        """The index of ``texts`` (entry ``e`` is ``texts[e]``).

        The candidate index keeps texts of one length together; given them in sorted
        order, it keeps that order inside each length, so :meth:`entry` finds a text
        by bisection and a loaded index needs no dictionary of two million texts.
        """
        order = sorted(range(len(texts)), key=texts.__getitem__)
        return cls(where, CandidateIndex.build(order, [texts[e] for e in order]))

    @property
    def texts(self) -> list[str]:
        """The clause texts by entry number."""
        out = [""] * len(self.index)
        for pos, e in enumerate(self.index.ids.tolist()):
            out[e] = self.index.codes[pos]
        return out

    def save(self, path: Path, stamp: str) -> None:
        """Cache the index beside the TM: its clause index at ``path`` and the
        occurrences in a second file, both tagged ``stamp`` (best effort)."""
        where = _where_path(path)
        tmp = where.with_name(where.name + ".tmp")
        try:
            with open(tmp, "wb") as fh:
                np.savez(fh, where=self.where, stamp=np.array([stamp]))
                fh.flush()
                os.fsync(fh.fileno())
            tmp.replace(where)
        except OSError as exc:  # a read-only directory only costs a rebuild
            log.info("fragment index not cached at %s: %s", where, exc)
            return
        save_index(self.index, path, stamp)

    @classmethod
    def load(cls, path: Path, stamp: str) -> FragmentIndex | None:
        """The index cached by :meth:`save` with ``stamp``; None if absent or stale."""
        index = load_index(path, stamp)
        if index is None:
            return None
        try:
            with np.load(_where_path(path), allow_pickle=False) as data:
                if str(data["stamp"][0]) != stamp:
                    return None
                where = data["where"]
        except Exception as exc:  # absent or damaged: rebuilt by the caller
            log.info("fragment occurrences not loaded from %s: %s", path, exc)
            return None
        return cls(where, index)

    @classmethod
    def build(cls, store: Store, *, min_chars: int = MIN_CLAUSE) -> FragmentIndex:
        """Read the TM's keys: sentence units when it has any, else every unit."""
        sentences = any(r.segtype == "sentence" for r in store.iter_keys(side="source"))
        entry: dict[str, int] = {}
        counts: list[int] = []
        rows = array("q")
        for r in store.iter_keys(side="source"):
            if sentences and r.segtype != "sentence":
                continue
            spans = key_clauses(r.key)
            if len(spans) > 1:
                spans.append((0, len(r.key)))
            for a, b in spans:
                text = clause_text(r.key[a:b])
                if len(text) < min_chars:
                    continue
                e = entry.setdefault(text, len(entry))
                if e == len(counts):
                    counts.append(0)
                if counts[e] < OCCURRENCES:
                    counts[e] += 1
                    rows.extend((e, r.id, a, b))
        where = np.frombuffer(rows, dtype=np.int64).reshape(-1, 4).copy()
        return cls.from_texts(list(entry), where)

    def __len__(self) -> int:
        return len(self.index)

    def occurrences(self, e: int) -> list[tuple[int, int, int]]:
        """(unit id, start, end) of entry ``e``'s occurrences kept, newest unit first."""
        part = self.where[self.offsets[e] : self.offsets[e + 1], 1:]
        return sorted(((u, a, b) for u, a, b in part.tolist()), key=lambda w: -w[0])

    def similar(self, text: str, min_score: float) -> list[tuple[int, float]]:
        """(entry, similarity) of the TM clauses within ``min_score`` of ``text``, best first."""
        positions = self.index.candidates(text, min_score)
        out = []
        for pos in positions.tolist():
            score = 100.0 * Levenshtein.normalized_similarity(
                text, self.index.codes[pos]
            )
            if score >= min_score:
                out.append((int(self.index.ids[pos]), score))
        out.sort(key=lambda es: (-es[1], es[0]))
        return out

    def contained(self, text: str, min_chars: int) -> list[tuple[int, int, int]]:
        """(start, end, entry): TM clauses inside ``text``, longest first, not overlapping."""
        n = len(text)
        hits: list[tuple[int, int, int]] = []
        codes, ids, lens = self.index.codes, self.index.ids, self.index.lens
        for size in self.lengths:
            if size > n:
                continue
            if size < min_chars:
                break
            lo, hi = np.searchsorted(
                lens, np.array([size, size + 1], lens.dtype)
            ).tolist()
            for i in range(n - size + 1):
                piece = text[i : i + size]
                pos = bisect_left(codes, piece, lo, hi)
                if pos < hi and codes[pos] == piece:
                    hits.append((i, i + size, int(ids[pos])))
        taken = np.zeros(n + 1, dtype=bool)
        out = []
        for a, b, e in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0])):
            if not taken[a:b].any():
                taken[a:b] = True
                out.append((a, b, e))
        return out


@dataclass(frozen=True, slots=True)
class _Piece:
    """A stretch of the query (a clause, or a TM clause found inside it), as keys."""

    start: int  # in the query as typed
    end: int
    kind: str
    found: tuple[tuple[int, float], ...]  # (entry, score)


def find_fragments(
    index: FragmentIndex,
    store: Store,
    text: str,
    *,
    min_chars: int = MIN_CLAUSE,
    min_score: float = CLAUSE_MIN_SCORE,
    limit: int = 5,
    exclude: Sequence[int] = (),
) -> list[FragmentHit]:
    """Fuzzy clause hits and contained TM clauses for ``text``, longest first.

    Args:
        index: the TM's clauses.
        store: the TM (units are read for the hits).
        text: the query.
        min_chars: the shortest clause (without punctuation) worth a look-up.
        min_score: the lowest clause similarity offered.
        limit: how many units per fragment.
        exclude: units not to offer (those already offered as whole matches).
    """
    pieces = _clause_pieces(index, text, min_chars, min_score)
    pieces += _contained_pieces(index, text, min_chars, pieces)
    skip = set(exclude)
    wanted: dict[int, None] = {}
    for p in pieces:
        for e, _ in p.found:
            for uid, _, _ in index.occurrences(e):
                if uid not in skip:
                    wanted[uid] = None
    units = {u.id: u for u in store.get_units(list(wanted))}
    out = []
    for p in pieces:
        hits = _hits(index, p, units, skip, limit)
        if hits:
            out.append(
                FragmentHit(text[p.start : p.end], p.start, p.end, tuple(hits), p.kind)
            )
    out.sort(key=lambda f: (-(f.query_end - f.query_start), f.query_start))
    return out


def _clause_pieces(
    index: FragmentIndex, text: str, min_chars: int, min_score: float
) -> list[_Piece]:
    key, where = fold_with_map(text)
    out = []
    for a, b in key_clauses(key):
        clause = clause_text(key[a:b])
        if len(clause) < min_chars:
            continue
        found = index.similar(clause, min_score)
        if found:
            out.append(_Piece(where[a], where[b - 1] + 1, "clause", tuple(found)))
    return out


def _contained_pieces(
    index: FragmentIndex, text: str, min_chars: int, clauses: list[_Piece]
) -> list[_Piece]:
    """TM clauses inside the query, except inside a clause already found as it is."""
    key, where = fold_with_map(text)
    bare, back = _unpunctuated(key)
    exact = [(p.start, p.end) for p in clauses if p.found[0][1] == 100.0]
    out = []
    for a, b, e in index.contained(bare, min_chars):
        start, end = where[back[a]], where[back[b - 1]] + 1
        if any(s <= start and end <= t for s, t in exact):
            continue
        out.append(_Piece(start, end, "contained", ((e, 100.0),)))
    return out


def _unpunctuated(key: str) -> tuple[str, list[int]]:
    """The key without punctuation and spaces, and each kept character's key index."""
    kept = [(c, i) for i, c in enumerate(key) if not _WORD.match(c)]
    return "".join(c for c, _ in kept), [i for _, i in kept]


def _hits(
    index: FragmentIndex,
    piece: _Piece,
    units: dict[int | None, TranslationUnit],
    skip: set[int],
    limit: int,
) -> list[ConcordanceHit]:
    out: list[ConcordanceHit] = []
    seen: set[tuple[str, str]] = set()
    for e, score in piece.found:
        where = index.occurrences(e)
        for uid, a, b in where:
            unit = units.get(uid)
            if unit is None or uid in skip:
                continue
            pair = (unit.source, unit.target)
            if pair in seen:
                continue
            seen.add(pair)
            span = _source_span(unit.source, a, b)
            english, scope = clause_english(unit, span)
            out.append(
                ConcordanceHit(
                    unit,
                    "source",
                    (span,),
                    len(where),
                    round(score, 2),
                    english,
                    scope,
                )
            )
            if len(out) >= limit:
                return out
    return out


def _source_span(source: str, a: int, b: int) -> tuple[int, int]:
    """A span of the unit's key mapped onto its stored source."""
    _key, where = fold_with_map(source)
    if not where or a >= len(where):
        return 0, len(source)
    return where[a], where[min(b, len(where)) - 1] + 1


# -- the English of a TM clause ---------------------------------------------------------

_ALIGNED: OrderedDict[tuple[str, str], tuple[list[tuple[int, int]], list[tuple[int, int]], list[tuple[tuple[int, ...], tuple[int, ...], float]]]] = OrderedDict()  # fmt: skip
_ALIGNED_SIZE = 2048
_lock = Lock()


def clause_english(unit: TranslationUnit, span: tuple[int, int]) -> tuple[str, str]:
    """(English, scope) for the clause of ``unit.source`` at ``span``.

    ``clause``: the English clauses its confident alignment link joins it to;
    ``unit``: the unit's whole English (the clause is the whole source, or its link
    is not confident or joins it with other clauses).
    """
    zh, en, links = _clause_links(unit.source, unit.target)
    if len(zh) <= 1 or span == (0, len(unit.source)):
        return unit.target, "unit"
    i = _clause_at(zh, span)
    for zi, ej, conf in links:
        if i in zi:
            if zi == (i,) and ej and conf >= ALIGN_CONFIDENT:
                return unit.target[en[ej[0]][0] : en[ej[-1]][1]], "clause"
            break
    return unit.target, "unit"


def _after_label(
    spans: list[tuple[int, int]], label: Label | None
) -> list[tuple[int, int]]:
    """Clause spans without the list label (五、 is not a clause of its own)."""
    if label is None:
        return spans
    out = []
    for a, b in spans:
        a = max(a, label.end)
        if a < b:
            out.append((a, b))
    return out


def _clause_at(spans: list[tuple[int, int]], span: tuple[int, int]) -> int:
    def overlap(s: tuple[int, int]) -> int:
        return min(s[1], span[1]) - max(s[0], span[0])

    return max(range(len(spans)), key=lambda i: overlap(spans[i]))


def _clause_links(
    source: str, target: str
) -> tuple[
    list[tuple[int, int]],
    list[tuple[int, int]],
    list[tuple[tuple[int, ...], tuple[int, ...], float]],
]:
    key = (source, target)
    with _lock:
        hit = _ALIGNED.get(key)
        if hit is not None:
            _ALIGNED.move_to_end(key)
            return hit
    zh = _after_label(zh_clauses(source), zh_label(source))
    en = _after_label(en_clauses(target), en_label(target))
    links: list[tuple[tuple[int, ...], tuple[int, ...], float]] = []
    if len(zh) > 1 and en:
        from tm.align import Aligner

        aligned = Aligner().align(
            [source[a:b] for a, b in zh], [target[a:b] for a, b in en]
        )
        links = [(lk.zh, lk.en, lk.confidence) for lk in aligned.links]
    value = (zh, en, links)
    with _lock:
        _ALIGNED[key] = value
        if len(_ALIGNED) > _ALIGNED_SIZE:
            _ALIGNED.popitem(last=False)
    return value
