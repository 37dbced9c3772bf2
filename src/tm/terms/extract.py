"""Bilingual term extraction from a TM: Chinese candidates, then their English renderings.

Chinese side. Strings of 2–10 Han characters are counted over *distinct* sentences:
the seed repeats whole sentences in each pilot area's annex, and every window of such
a sentence would otherwise look like a frequent term. A candidate
(count ≥ ``min_count``) must

* not start or end with a function character or bound suffix (的, 和, 化, 性 …);
* have stable edges: varied neighbours on each side (a sentence edge counts as a new
  one each time), or one usual neighbour that ends a word of its own (气候投融资
  always follows 探索 in the seed; 探索 is frequent and free on both sides) – that
  second way only for short strings without a function character inside;
* not sit, in most occurrences, inside longer stable strings (设用地 in 建设用地).

Candidates are ranked by C-value (Frantzi et al.: log2 length × frequency, minus here
the largest frequency of a longer candidate containing it), discounted for 2-character
strings (mostly general words: 探索, 数据) and for strings that open clauses (policy
Chinese opens clauses with verbs: 支持, 探索建立), and weighted by 0.5 + the lower
of its left and right branching entropies, so a string met in many different
contexts outranks one that recurs in a single stock phrase. Strings ending in a
place or institution suffix (市, 省, 圈, 区, 委, 厅, 局, 院, 园 …) count double: names
are what a glossary most needs and what frequency ranks lowest.

English side: see ``tm.terms.renderings``. Sentence units, when the TM has them, are
used instead of paragraph units: co-occurrence in a paragraph is much noisier.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from tm.models import TranslationUnit
from tm.terms.entry import GlossaryHeader, TermEntry, TermStatus
from tm.terms.glossary import dump_glossary
from tm.terms.renderings import Rendering, RenderingIndex, confidence
from tm.text.normalize import match_key

MIN_LEN, MAX_LEN = 2, 10
# Longer strings are counted too, only so that a 10-character window of a longer
# recurring name (…综合改革试点实施方案) is discounted by the whole name.
COUNT_MAX_LEN = 16
_SENT_END = re.compile(r"(?<=[。！？；!?;])|\n")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Function characters that do not start or end a term.
# Bound suffixes (市场化, 创新性, 方式) do not start a term either.
STOP_START = frozenset(
    "的了和与及或在对为以并将把被从由向于是之其该这此而且也都就还等每各按化性式型率"
)
STOP_END = frozenset("的了和与及或在对为以并将把被从由向于是之其该这此而且也都就还")
# C-value was made for multi-word terms; a 2-character string is most often one
# general word (探索, 支持, 数据), so it competes at a discount.
SINGLE_WORD_WEIGHT = 0.1
FRAGMENT_SHARE = 0.85
# A 2-character string counts as a word when this frequent and this free.
WORD_MIN_COUNT = 5
WORD_MIN_NEIGHBOURS = 3
WORD_EDGE_MAX_LEN = 6
INNER_STOP = frozenset("的了和与及或向对把被将从由于是")
# How much a string that always opens a clause (a verb, in policy text) is discounted.
CLAUSE_OPENER_PENALTY = 0.8
# Names of places and bodies (合肥都市圈, 国家发展改革委, 人力资源服务产业园) are what a
# glossary most needs and what frequency ranks lowest: a string ending in an
# administrative-division or institution suffix counts double.
NAME_SUFFIXES = frozenset("委厅局部院所办区圈市省县州园港岛湾城")
NAME_BOOST = 2.0
CLAUSE_PUNCT = frozenset(",.;:!?。；：，！？\n")
# An alternative rendering is proposed as a variant only if this close to the best.
VARIANT_SHARE = 0.6


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate term with its English renderings, best first.

    Attributes:
        zh: the Chinese candidate.
        count: occurrences in the TM's source texts.
        units: how many units contain it.
        cvalue: the C-value it was ranked by.
        renderings: English renderings, best first (may be empty).
        confidence: 0–1, the best rendering's Dice times how much it leads the next.
        in_glossary: the English of an existing glossary entry with this term, if any.
        seen: occurrences per document.
    """

    zh: str
    count: int
    units: int
    cvalue: float
    renderings: tuple[Rendering, ...]
    confidence: float
    in_glossary: str | None = None
    seen: tuple[tuple[str, int], ...] = ()

    @property
    def en(self) -> str:
        return self.renderings[0].en if self.renderings else ""


def choose_units(
    sentence_units: Sequence[TranslationUnit],
    paragraph_units: Iterable[TranslationUnit],
) -> list[TranslationUnit]:
    """Sentence units if the TM has any, else paragraph units."""
    return list(sentence_units) if sentence_units else list(paragraph_units)


def extract_terms(
    units: Iterable[TranslationUnit],
    *,
    top: int = 300,
    min_count: int = 2,
    known: Callable[[str], str | None] | None = None,
    max_renderings: int = 3,
) -> list[Candidate]:
    """Rank Chinese term candidates in ``units`` and propose English renderings.

    Args:
        units: TM units (zh source, en target).
        top: how many candidates to return (after ranking).
        min_count: least number of occurrences of a candidate.
        known: returns the approved English of a glossary entry for a term, or None;
            known terms are ranked like the rest and marked, so a reviewer sees them.
        max_renderings: renderings kept per candidate.

    Returns:
        Candidates, highest C-value first.
    """
    units = [u for u in units if u.source and u.target]
    grams = _count_zh(units, min_count)
    ranked = _rank(grams)[:top]
    english = RenderingIndex(units)
    out = []
    for zh, cvalue in ranked:
        per_unit = _occurrences(english.keys, zh)
        starts = _positions(english.keys, per_unit, zh)
        rends = english.renderings(zh, starts, max_renderings)
        out.append(
            Candidate(
                zh=zh,
                count=sum(per_unit.values()),
                units=len(per_unit),
                cvalue=round(cvalue, 3),
                renderings=rends,
                confidence=confidence(rends),
                in_glossary=known(zh) if known else None,
                seen=_seen(units, per_unit),
            )
        )
    return out


# -- Chinese candidates ------------------------------------------------------------------


@dataclass(slots=True)
class _Gram:
    count: int = 0
    clause_starts: int = 0
    left: Counter[str] = field(default_factory=Counter)
    right: Counter[str] = field(default_factory=Counter)
    left2: Counter[str] = field(default_factory=Counter)
    right2: Counter[str] = field(default_factory=Counter)


def _sentences(units: list[TranslationUnit]) -> list[tuple[int, str]]:
    """``(unit index, sentence)`` for each Chinese sentence, each distinct one once.

    The seed repeats whole sentences in each pilot area's annex; counted once per
    copy, every string inside such a sentence would look like a frequent term.
    """
    seen: set[str] = set()
    out = []
    for ui, unit in enumerate(units):
        text = unicodedata.normalize("NFKC", unit.source)
        for sent in _SENT_END.split(text):
            key = match_key(sent)
            if len(key) >= MIN_LEN and key not in seen:
                seen.add(key)
                out.append((ui, sent))
    return out


def _runs(text: str) -> Iterator[tuple[str, bool]]:
    """Han runs of a sentence, each with whether it starts a clause.

    The text is only NFKC-folded: 、 (listing comma) must stay apart from the clause
    comma, since a listed item is typically a term and a clause opener a verb.
    """
    for m in _HAN_RUN.finditer(text):
        before = text[: m.start()].rstrip()
        yield m.group(), not before or before[-1] in CLAUSE_PUNCT


def _count_zh(units: list[TranslationUnit], min_count: int) -> dict[str, _Gram]:
    """Counts of 2–10-character Han strings over distinct sentences, with neighbours."""
    runs = [(ui, list(_runs(sent))) for ui, sent in _sentences(units)]
    counts: Counter[str] = Counter()
    for _, sent_runs in runs:
        for run, _ in sent_runs:
            n = len(run)
            for i in range(n - MIN_LEN + 1):
                for size in range(MIN_LEN, min(COUNT_MAX_LEN, n - i) + 1):
                    counts[run[i : i + size]] += 1
    grams = {s: _Gram(count=c) for s, c in counts.items() if c >= min_count}
    edge = 0  # an edge of a run is a new neighbour every time
    for _ui, sent_runs in runs:
        for run, clause_start in sent_runs:
            n = len(run)
            for i in range(n - MIN_LEN + 1):
                for size in range(MIN_LEN, min(COUNT_MAX_LEN, n - i) + 1):
                    g = grams.get(run[i : i + size])
                    if g is None:
                        continue
                    edge += 1
                    j = i + size
                    g.left[run[i - 1] if i else f"^{edge}"] += 1
                    g.right[run[j] if j < n else f"${edge}"] += 1
                    if i >= 2:
                        g.left2[run[i - 2 : i]] += 1
                    if j + 2 <= n:
                        g.right2[run[j : j + 2]] += 1
                    if i == 0 and clause_start:
                        g.clause_starts += 1
    return grams


def _positions(
    keys: list[str], per_unit: dict[int, int], zh: str
) -> dict[int, list[int]]:
    """Start positions of ``zh`` in each unit's key."""
    out: dict[int, list[int]] = {}
    for ui in per_unit:
        key, starts = keys[ui], []
        pos = key.find(zh)
        while pos >= 0:
            starts.append(pos)
            pos = key.find(zh, pos + 1)
        out[ui] = starts
    return out


def _occurrences(keys: list[str], zh: str) -> dict[int, int]:
    """Occurrences of ``zh`` per unit (all copies count here: they all need a rendering)."""
    out = {}
    for ui, key in enumerate(keys):
        n = key.count(zh)
        if n:
            out[ui] = n
    return out


def _rank(grams: dict[str, _Gram]) -> list[tuple[str, float]]:
    keep = {s: g for s, g in grams.items() if _is_candidate(s, g, grams)}
    # C-value, with the largest frequency of a longer candidate containing the string
    # subtracted (Frantzi et al. take the mean): 职务科技 only ever occurs inside
    # 职务科技成果, and a mean over rarer compounds would hide that.
    nested: dict[str, list[int]] = defaultdict(list)
    for s, g in keep.items():
        for size in range(MIN_LEN, len(s)):
            for i in range(len(s) - size + 1):
                sub = s[i : i + size]
                if sub in keep:
                    nested[sub].append(g.count)
    scored = []
    for s, g in keep.items():
        longer = nested.get(s)
        f = g.count - (max(longer) if longer else 0)
        if f > 0:
            weight = SINGLE_WORD_WEIGHT if len(s) == 2 else 1.0
            if len(s) > 2 and s[-1] in NAME_SUFFIXES:
                weight = NAME_BOOST
            opener = CLAUSE_OPENER_PENALTY * g.clause_starts / g.count
            edges = 0.5 + min(_entropy(g.left), _entropy(g.right))
            scored.append((s, math.log2(len(s)) * f * weight * (1 - opener) * edges))
    scored.sort(key=lambda x: (-x[1], -len(x[0]), x[0]))
    return [(s, v) for s, v in scored if len(s) <= MAX_LEN]


def _entropy(neighbours: Counter[str]) -> float:
    """Branching entropy (bits) of a string's neighbours on one side."""
    total = sum(neighbours.values())
    return -sum(n / total * math.log2(n / total) for n in neighbours.values())


def _is_candidate(s: str, g: _Gram, grams: dict[str, _Gram]) -> bool:
    if s[0] in STOP_START or s[-1] in STOP_END:
        return False
    for left in (True, False):
        if not _stable_edge(s, g, grams, left=left):
            return False
        if _inside_units(s, g.left if left else g.right, grams, left=left):
            return False
    return True


def _stable_edge(s: str, g: _Gram, grams: dict[str, _Gram], *, left: bool) -> bool:
    """Does this edge of the string fall on a word boundary?

    It does when the neighbours on that side vary (a sentence edge counts as a new
    neighbour each time), or when the one usual neighbour ends a word of its own:
    气候投融资 always follows 探索 in the seed, and 探索 is a word (frequent, free on
    both sides), so the edge holds. That second way is only open to short strings
    without a function character inside: a long window of a repeated sentence
    (要素向发展新质生产力) may happen to end on words, but is no term.
    """
    neighbours = g.left if left else g.right
    if (
        len(neighbours) >= 2
        and neighbours.most_common(1)[0][1] < FRAGMENT_SHARE * g.count
    ):
        return True
    pairs = g.left2 if left else g.right2
    if not pairs or len(s) > WORD_EDGE_MAX_LEN or any(c in INNER_STOP for c in s):
        return False
    pair, n = pairs.most_common(1)[0]
    return n >= FRAGMENT_SHARE * g.count and _is_word(grams.get(pair))


def _is_word(g: _Gram | None) -> bool:
    return (
        g is not None
        and g.count >= WORD_MIN_COUNT
        and len(g.left) >= WORD_MIN_NEIGHBOURS
        and len(g.right) >= WORD_MIN_NEIGHBOURS
    )


def _inside_units(
    s: str, neighbours: Counter[str], grams: dict[str, _Gram], *, left: bool
) -> bool:
    """True when most occurrences of ``s`` sit inside longer, stable strings.

    设用地 is inside 建设用地 in 67 of 68 cases, and 建设用地 has many different
    left neighbours, so 设用地 is a fragment; 业用地 likewise sits inside 产业用地
    and 工业用地.
    """
    inside = 0
    for ch, n in neighbours.items():
        if len(ch) != 1:
            continue
        longer = grams.get(ch + s if left else s + ch)
        if longer is not None and len(longer.left if left else longer.right) >= 2:
            inside += n
    return inside >= FRAGMENT_SHARE * sum(neighbours.values())


def _seen(
    units: list[TranslationUnit], per_unit: dict[int, int]
) -> tuple[tuple[str, int], ...]:
    docs: Counter[str] = Counter()
    for ui, n in per_unit.items():
        occ = units[ui].occurrence
        docs[occ.document if occ is not None else "?"] += n
    return tuple(sorted(docs.items()))


# -- output ------------------------------------------------------------------------------


def candidate_entry(cand: Candidate) -> TermEntry:
    """A proposed-status glossary entry for a candidate, counts and confidence in the note."""
    found = "; ".join(
        f"{r.en} ({r.count}× with the term, {r.total}× in TM, Dice {r.dice})"
        for r in cand.renderings
    )
    note = (
        f"extracted: {cand.count}× in {cand.units} units, C-value {cand.cvalue}, "
        f"confidence {cand.confidence}"
        + (f"; renderings: {found}" if found else "; no English rendering found")
    )
    return TermEntry(
        zh=cand.zh,
        en=cand.en,
        variants=tuple(
            r.en
            for r in cand.renderings[1:]
            if r.dice >= VARIANT_SHARE * cand.renderings[0].dice
        ),
        note=note,
        status=TermStatus.PROPOSED,
        seen=cand.seen,
    )


def dump_candidates(cands: Sequence[Candidate], header: GlossaryHeader) -> str:
    """Proposed entries as glossary YAML; terms already in the glossary become comments."""
    known = [c for c in cands if c.in_glossary is not None]
    comments = [
        f"Proposed by `tm terms extract`: {len(cands) - len(known)} new candidates,",
        "best first. Check each rendering against the TM before approving.",
    ]
    if known:
        comments.append(f"Already in the glossary ({len(known)}), not repeated:")
        comments.extend(f"  {c.zh} ({c.count}×) → {c.in_glossary}" for c in known)
    fresh = [candidate_entry(c) for c in cands if c.in_glossary is None]
    return dump_glossary(header, fresh, comments=comments)
