"""English renderings of a Chinese term, found by co-occurrence across aligned units.

For a term, English n-grams (1–7 tokens, no function word or punctuation at an edge)
of the units containing it are scored by Dice over occurrence counts (min of the two
counts in a unit, summed). In a paragraph unit only n-grams in a band around the
term's relative position count (sentences keep their order in a translation); ties –
common inside a repeated sentence – go to the n-gram nearest that position; and a
rendering grows to a longer n-gram that keeps most of its co-occurrences
("inefficient" → "inefficient land use"), but not across "to", which opens a clause
("… to take the lead" translates the word after the term). Sentence units use the
whole unit.

N-grams are counted under a key without "," / "and" / quotes, so one rendering
written two ways ("Changsha-Zhuzhou-Xiangtan", "Changsha, Zhuzhou and Xiangtan") is
counted once. A multi-word rendering does not start with an imperative verb (a word
that opens many sentences of the TM: "Support Ningbo"). A rendering mostly
capitalized inside sentences is a name (``Rendering.proper``) and may spell out
more words than a common term.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from tm.models import TranslationUnit
from tm.terms.english import tokens
from tm.text.normalize import match_key

MAX_EN_WORDS = 7
# Half-width of the band (share of the English) around a term's relative position.
BAND = 0.15
BAND_SLACK = 6
# A longer rendering replaces a shorter one inside it if it keeps this share of
# its co-occurrences.
EXTEND_SHARE = 0.6
# A rendering has at most len(zh) / CHARS_PER_WORD + 1 content words: a Chinese
# term of n characters is about n/2 words, each about one English content word.
CHARS_PER_WORD = 1.5
# How much a rendering's distance from the term's place (0–1) lowers its Dice.
POSITION_WEIGHT = 0.5
# English function words: a rendering neither starts nor ends with one.
# fmt: off
EN_STOP = frozenset({
    "a", "an", "the", "of", "and", "or", "to", "in", "on", "for", "by", "with", "at",
    "from", "as", "into", "its", "their", "this", "that", "these", "those", "is", "are",
    "be", "been", "was", "were", "will", "shall", "should", "can", "may", "such",
    "other", "which", "who", "including", "include", "etc", "through", "via",
    "under", "over", "between", "among", "about", "after", "before", "within",
    "without", "toward", "towards", "across", "against", "upon", "per", "than",
    "then", "also", "not", "all", "any", "each", "more", "most", "so", "it", "they",
})
# fmt: on
EN_INNER_PUNCT_OK = frozenset({",", '"', "“", "”", "+", "/", "&"})  # R&D
# Left out of the key an n-gram is counted under: "Changsha-Zhuzhou-Xiangtan" and
# "Changsha, Zhuzhou and Xiangtan" are one rendering written two ways (hyphens are
# already spaces), and split they each lose to a single shared word.
# A word that opens at least this share of its sentences (and this many) is an
# imperative verb ("Support Ningbo …"): a rendering of several words does not
# start with one, or every name after 支持 would be "Support X".
OPENER_SHARE = 0.3
OPENER_MIN = 3
# After these a capital opens a sentence or a list item, it does not mark a name.
SENTENCE_OPENERS = frozenset({".", ":", ";", "!", "?", "(", ")", "•", "-", '"', "“"})
# A rendering does not grow across these: "to" opens a purpose or infinitive clause
# ("industry leading enterprises | to take the lead", 牵头 following the term).
CLAUSE_WORDS = frozenset({"to"})
LOOSE = frozenset({",", "and", '"', "“", "”"})


@dataclass(frozen=True, slots=True)
class Rendering:
    """An English rendering found for a candidate.

    Attributes:
        en: the rendering as most often written in the TM.
        count: co-occurrences with the Chinese candidate.
        total: occurrences of the rendering in the whole TM.
        dice: 2·count / (candidate count + total).
        proper: mostly written with a capital inside a sentence (a name:
            "Taiwan Strait", "National Development and Reform Commission").
    """

    en: str
    count: int
    total: int
    dice: float
    proper: bool = False


class RenderingIndex:
    """English n-grams of every unit, their TM-wide counts, and their usual spelling.

    Co-occurrence is counted inside a band around the place where the Chinese term
    sits: in a paragraph pair the translation of a term at 30% of the Chinese is
    near 30% of the English (sentences keep their order), so n-grams from the other
    end of the paragraph are not counted. Sentence units use the whole unit.
    """

    def __init__(self, units: list[TranslationUnit]) -> None:
        self.units = units
        self.keys = [match_key(u.source) for u in units]
        self.toks = [tokens(u.target) for u in units]
        self.total: Counter[tuple[str, ...]] = Counter()
        self.surface: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
        self.names: Counter[tuple[str, ...]] = Counter()
        self.grams: list[list[tuple[tuple[str, ...], int, int]]] = []
        firsts: Counter[str] = Counter()
        words: Counter[str] = Counter()
        for unit, toks in zip(units, self.toks, strict=True):
            grams = list(_en_grams(toks, 0, len(toks)))
            self.grams.append(grams)
            caps = _capitals(unit.target, toks)
            firsts.update(
                t
                for k, (t, _, _) in enumerate(toks)
                if k == 0 or toks[k - 1][0] in SENTENCE_OPENERS
            )
            words.update(t for t, _, _ in toks)
            for key, i, j in grams:
                self.total[key] += 1
                self.surface[key][unit.target[toks[i][1] : toks[j - 1][2]]] += 1
                if caps[j] > caps[i]:
                    self.names[key] += 1

        # Words that open many sentences: imperative verbs (Support, Explore, Promote).
        self.openers = frozenset(
            w
            for w, n in firsts.items()
            if n >= OPENER_MIN and n >= OPENER_SHARE * words[w]
        )

    def renderings(
        self, zh: str, zh_units: dict[int, list[int]], keep: int
    ) -> tuple[Rendering, ...]:
        """The best English n-grams for a term at the given start positions per unit."""
        zh_count = sum(map(len, zh_units.values()))
        co: Counter[tuple[str, ...]] = Counter()
        dist: defaultdict[tuple[str, ...], float] = defaultdict(float)
        for ui, starts in zh_units.items():
            n = len(starts)
            inside: dict[tuple[str, ...], list[float]] = {}  # key → [count, nearest]
            for key, d in self._band_grams(ui, zh, starts):
                seen = inside.get(key)
                if seen is None:
                    inside[key] = [1, d]
                else:
                    seen[0] += 1
                    seen[1] = min(seen[1], d)
            for key, (m, d) in inside.items():
                k = min(n, int(m))
                co[key] += k
                dist[key] += d * k
        need = 2 if zh_count >= 2 else 1
        most_words = len(zh) / CHARS_PER_WORD + 1
        # Names spell out every syllable: 粤港澳大湾区 "Guangdong-Hong Kong-Macau
        # Greater Bay Area", 海峡两岸 "two sides of the Taiwan Strait".
        most_name = len(zh) + 2
        score: dict[tuple[str, ...], float] = {}
        dice_of: dict[tuple[str, ...], float] = {}
        for key, c in co.items():
            if (
                c >= need
                and _content_words(key)
                <= (most_name if self._proper(key) else most_words)
                and (len(key) == 1 or key[0] not in self.openers)
            ):
                dice_of[key] = 2 * c / (zh_count + self.total[key])
                # Ties are common (a repeated sentence makes all its n-grams equal):
                # the n-gram nearest the term's place wins.
                score[key] = dice_of[key] - POSITION_WEIGHT * dist[key] / c
        ranked = sorted(score, key=lambda k: (-score[k], -len(k)))
        out: list[tuple[str, ...]] = []
        for key in ranked[: keep * 8]:
            key = _extend(key, co, dice_of)
            if any(key == o or _contains(key, o) or _contains(o, key) for o in out):
                continue
            out.append(key)
            if len(out) == keep:
                break
        return tuple(
            Rendering(
                self.surface[key].most_common(1)[0][0],
                co[key],
                self.total[key],
                round(dice_of[key], 3),
                self._proper(key),
            )
            for key in out
        )

    def _proper(self, key: tuple[str, ...]) -> bool:
        return 2 * self.names[key] >= self.total[key]

    def _band_grams(
        self, ui: int, zh: str, starts: list[int]
    ) -> Iterator[tuple[tuple[str, ...], float]]:
        """N-grams near the term's occurrences, each with its relative distance."""
        toks, key = self.toks[ui], self.keys[ui]
        n = len(toks)
        mids = [(pos + len(zh) / 2) / max(1, len(key)) for pos in starts]
        whole = self.units[ui].segtype != "paragraph" or n <= 2 * BAND_SLACK
        covered = bytearray(b"\x01" * n) if whole else bytearray(n)
        if not whole:
            for mid in mids:
                lo = max(0, int((mid - BAND) * n) - BAND_SLACK)
                hi = min(n, int((mid + BAND) * n) + BAND_SLACK)
                covered[lo:hi] = b"\x01" * (hi - lo)
        if len(mids) <= 1:  # the usual case, without a min() per n-gram
            mid, half = (mids[0] if mids else 0.5), 2 * n
            for gram, a, b in self.grams[ui]:
                if covered[a] and covered[b - 1]:
                    yield gram, abs((a + b) / half - mid)
            return
        for gram, a, b in self.grams[ui]:
            if covered[a] and covered[b - 1]:
                centre = (a + b) / 2 / n
                yield gram, min(abs(centre - m) for m in mids)


def _capitals(text: str, toks: list[tuple[str, int, int]]) -> list[int]:
    """Running count of capitalized words that do not open a sentence or item.

    ``caps[j] - caps[i]`` is how many such words tokens i..j-1 hold.
    """
    caps = [0]
    for k, (_, start, _) in enumerate(toks):
        inner = k > 0 and toks[k - 1][0] not in SENTENCE_OPENERS
        caps.append(caps[-1] + (inner and text[start].isupper()))
    return caps


def _en_grams(
    toks: list[tuple[str, int, int]], lo: int, hi: int
) -> Iterator[tuple[tuple[str, ...], int, int]]:
    for i in range(lo, hi):
        for j in range(i + 1, min(hi, i + MAX_EN_WORDS) + 1):
            key = tuple(t for t, _, _ in toks[i:j])
            if _good_en(key):
                yield tuple(t for t in key if t not in LOOSE), i, j


def _extend(
    key: tuple[str, ...],
    co: Counter[tuple[str, ...]],
    dice_of: dict[tuple[str, ...], float],
) -> tuple[str, ...]:
    """Grow a rendering to a longer one that carries most of its co-occurrences.

    "inefficient" co-occurs with 低效用地 wherever "inefficient land" does; a single
    word often scores best on Dice while the TM's real rendering is the phrase. It
    does not grow across "to": 行业领军企业 is followed by 牵头 in 5 of 7 sentences,
    and "industry leading enterprises to take the lead" keeps as many co-occurrences
    as the term's own rendering.
    """
    while True:
        longer = [
            k
            for k in dice_of
            if len(k) > len(key)
            and _contains(k, key)
            and co[k] >= EXTEND_SHARE * co[key]
            and not CLAUSE_WORDS.intersection(_added(k, key))
        ]
        if not longer:
            return key
        key = max(longer, key=lambda k: (co[k], -len(k)))


def _added(big: tuple[str, ...], small: tuple[str, ...]) -> tuple[str, ...]:
    """The tokens of ``big`` around the first occurrence of ``small`` in it."""
    n = len(small)
    for i in range(len(big) - n + 1):
        if big[i : i + n] == small:
            return big[:i] + big[i + n :]
    return big


def _content_words(key: tuple[str, ...]) -> int:
    return sum(1 for t in key if t[0].isalnum() and t not in EN_STOP)


def _good_en(key: tuple[str, ...]) -> bool:
    first, last = key[0], key[-1]
    if first in EN_STOP or last in EN_STOP:
        return False
    if not (first[0].isalnum() and last[0].isalnum()):
        return False
    for t in key[1:-1]:
        if not t[0].isalnum() and t not in EN_INNER_PUNCT_OK:
            return False
    return not any(_is_han(t) for t in key)


def _is_han(token: str) -> bool:
    return "\u3400" <= token[0] <= "\ufaff"


def _contains(big: tuple[str, ...], small: tuple[str, ...]) -> bool:
    n = len(small)
    return len(big) > n and any(
        big[i : i + n] == small for i in range(len(big) - n + 1)
    )


def confidence(rends: tuple[Rendering, ...]) -> float:
    if not rends:
        return 0.0
    best = rends[0].dice
    lead = best - (rends[1].dice if len(rends) > 1 else 0.0)
    return round(min(1.0, best * (0.5 + lead)), 3)


def shared_rendering(
    key: str, units: list[TranslationUnit], *, min_share: float = 0.6
) -> str | None:
    """The English most of ``units`` give for ``key`` (a match key found in each of
    their sources, as concordance hits are), or None when no n-gram is shared by at
    least ``min_share`` of them (and by three at least).

    Counted over these units only (Dice within the hits, band around the term's
    place), so it needs no index of the TM: what a concordance can afford.
    """
    starts = {
        i: [at]
        for i, u in enumerate(units)
        if (at := match_key(u.source).find(key)) >= 0
    }
    if len(starts) < 3:
        return None
    best = RenderingIndex(units).renderings(key, starts, keep=1)
    if best and best[0].count >= min_share * len(starts):
        return best[0].en
    return None
