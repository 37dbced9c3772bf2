"""Bilingual term extraction from a TM: Chinese candidates, then their English renderings.

Chinese candidates come from ``tm.terms.candidates``, ranked by C-value. The best
``POOL`` of them get their English renderings, and the final score
is C-value × the best rendering's Dice: a term has one usual translation, a fragment
or loose phrase has none, so the bilingual evidence lifts consistent low-frequency
terms (国家发展改革委, 气候投融资) over frequent fragments. A rendering mostly
capitalized inside a sentence marks a name ("Taiwan Strait"), weighted like a Chinese
name. Last, a candidate that repeats a higher-ranked one with the same English (another
window of one recurring name, a word + term phrase, a piece one character short) is
moved down, so the top holds more distinct terms.

English side: see ``tm.terms.renderings``. Sentence units, when the TM has them, are
used instead of paragraph units: co-occurrence in a paragraph is much noisier.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from tm.models import GlossaryHeader, TermEntry, TermStatus, TranslationUnit
from tm.terms.candidates import (
    MIN_LEN,
    NAME_BOOST,
    Gram,
    Scored,
    count_grams,
    is_word,
    rank_candidates,
)
from tm.terms.english import phrase_key
from tm.terms.glossary import dump_glossary
from tm.terms.renderings import EN_STOP, Rendering, RenderingIndex, confidence

# Candidates ranked by C-value whose English is looked up and scored; the rest
# are ranked too low for their English to lift them into any usual top.
POOL = 1500
# A candidate without a rendering keeps this much of its C-value.
MIN_DICE = 0.05
# A candidate that repeats a better one (an overlapping window with the same
# English) keeps this share of its score; two windows of one name must be about
# as frequent and share most content words of the shorter rendering.
DUPLICATE_WEIGHT = 0.2
DUPLICATE_SHARE = 0.8
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
        score: what candidates are ranked by: C-value × the best rendering's Dice
            (× 2 for a name).
    """

    zh: str
    count: int
    units: int
    cvalue: float
    renderings: tuple[Rendering, ...]
    confidence: float
    in_glossary: str | None = None
    seen: tuple[tuple[str, int], ...] = ()
    score: float = 0.0

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
    progress: Callable[[int, int], None] | None = None,
) -> list[Candidate]:
    """Rank Chinese term candidates in ``units`` and propose English renderings.

    Args:
        units: TM units (zh source, en target).
        top: how many candidates to return (after ranking).
        min_count: least number of occurrences of a candidate.
        known: returns the approved English of a glossary entry for a term, or None;
            known terms are ranked like the rest and marked, so a reviewer sees them.
        max_renderings: renderings kept per candidate.
        progress: called with (candidates weighed, candidates to weigh) as it goes.

    Returns:
        Candidates, highest C-value first.
    """
    units = [u for u in units if u.source and u.target]
    grams = count_grams(units, min_count)
    english = RenderingIndex(units)
    out = []
    pool = rank_candidates(grams)[: max(top, POOL)]
    holding = _units_holding(english.keys)
    for done, mono in enumerate(pool):
        if progress is not None and done % 50 == 0:
            progress(done, len(pool))
        zh = mono.zh
        per_unit = _occurrences(english.keys, zh, holding)
        starts = _positions(english.keys, per_unit, zh)
        rends = english.renderings(zh, starts, max_renderings)
        out.append(
            Candidate(
                zh=zh,
                count=sum(per_unit.values()),
                units=len(per_unit),
                cvalue=round(mono.score, 3),
                renderings=rends,
                confidence=confidence(rends),
                in_glossary=known(zh) if known else None,
                seen=_seen(units, per_unit),
                score=round(_bilingual_score(mono, rends), 3),
            )
        )
    if progress is not None:
        progress(len(pool), len(pool))
    out.sort(key=lambda c: (-c.score, -c.cvalue, c.zh))
    out = _demote_near_duplicates(out, grams)
    return out[:top]


def _demote_near_duplicates(
    ranked: list[Candidate], grams: dict[str, Gram]
) -> list[Candidate]:
    """Move down candidates that repeat a higher-ranked one with the same English.

    Two windows of one long name (综合改革试点 / 改革试点实施, both "… reform of
    market-oriented allocation …"); a phrase around a term, the extra part a word
    of its own (服务实体经济 below 实体经济, both "real economy"); a piece of a
    term one character short (用场景 below 应用场景, "application scenarios").
    """
    keys = {c.zh: _content_key(c.en) for c in ranked}
    by_char: dict[str, list[Candidate]] = defaultdict(list)
    losers: set[str] = set()
    for cand in ranked:
        seen: set[str] = set()
        for ch in set(cand.zh):
            for better in by_char[ch]:
                if better.zh not in seen:
                    seen.add(better.zh)
                    losers |= _duplicate_loser(cand, better, keys, grams)
            by_char[ch].append(cand)
    out = [
        replace(c, score=round(c.score * DUPLICATE_WEIGHT, 3)) if c.zh in losers else c
        for c in ranked
    ]
    out.sort(key=lambda c: (-c.score, -c.cvalue, c.zh))
    return out


def _duplicate_loser(
    cand: Candidate,
    better: Candidate,
    keys: dict[str, frozenset[str]],
    grams: dict[str, Gram],
) -> set[str]:
    """``{cand.zh}`` if it repeats the higher-ranked ``better``, else nothing."""
    a, b = cand.zh, better.zh
    mine, theirs = keys[a], keys[b]
    if not (mine and theirs):
        return set()
    if b in a:  # a phrase around the better one, when the extra part is a word
        extra = a.replace(b, "", 1)
        same = len(extra) >= MIN_LEN and is_word(grams.get(extra))
        return {a} if same and mine == theirs else set()
    if a in b:  # a piece of the better one, when it lacks only a character
        return {a} if len(b) == len(a) + 1 and mine == theirs else set()
    # Two windows of one recurring name: overlapping, about as frequent, and
    # translated by mostly the same words.
    least = max(3, min(len(a), len(b)) // 2)
    chained = any(
        a.endswith(b[:n]) or b.endswith(a[:n])
        for n in range(least, min(len(a), len(b)))
    )
    shared = len(mine & theirs)
    if (
        chained
        and min(cand.count, better.count)
        >= DUPLICATE_SHARE * max(cand.count, better.count)
        and shared >= DUPLICATE_SHARE * min(len(mine), len(theirs))
    ):
        return {a}
    return set()


def _content_key(en: str) -> frozenset[str]:
    return frozenset(w for w in phrase_key(en) if w[0].isalnum() and w not in EN_STOP)


def _bilingual_score(mono: Scored, rends: tuple[Rendering, ...]) -> float:
    """Monolingual termhood × how consistently the TM translates the candidate.

    A term has one usual English rendering (high Dice); a fragment or a loose
    phrase has none. A rendering mostly capitalized inside a sentence is a name
    (海峡两岸 "Taiwan Strait", 国家发展改革委), weighted like a Chinese name.
    """
    dice = max(MIN_DICE, rends[0].dice) if rends else MIN_DICE
    weight = mono.weight
    if rends and rends[0].proper and not mono.phrase:
        weight = max(weight * NAME_BOOST, NAME_BOOST if len(mono.zh) > 2 else 0.0)
    return mono.base * weight * dice


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


def _units_holding(keys: list[str]) -> dict[str, list[int]]:
    """For each character, the units whose key holds it, in unit order."""
    out: dict[str, list[int]] = defaultdict(list)
    for ui, key in enumerate(keys):
        for ch in set(key):
            out[ch].append(ui)
    return out


def _occurrences(
    keys: list[str], zh: str, holding: dict[str, list[int]]
) -> dict[int, int]:
    """Occurrences of ``zh`` per unit (all copies count here: they all need a rendering).

    Only the units holding the candidate's rarest character are read: a candidate is
    in a few hundred of the TM's units, and reading them all for each of the
    candidates was the largest cost of learning terms on a large TM.
    """
    rarest = min(zh, key=lambda ch: len(holding.get(ch, ())))
    out = {}
    for ui in holding.get(rarest, ()):
        n = keys[ui].count(zh)
        if n:
            out[ui] = n
    return out


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
        f"extracted: {cand.count}× in {cand.units} units, score {cand.score}, "
        f"C-value {cand.cvalue}, "
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
