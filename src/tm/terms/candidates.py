"""Chinese term candidates from a TM's source side, ranked by C-value.

Strings of 2–10 Han characters are counted over *distinct* sentences:
the seed repeats whole sentences in each pilot area's annex, and every window of such
a sentence would otherwise look like a frequent term. A candidate
(count ≥ ``min_count``) must

* not start or end with a function character or bound suffix (的, 和, 化, 性 …;
  等 "etc." ends a list, not a term), not end in a locative (前提下, 基础上: "on
  the basis of"), not be a numeral (二十一);
* have stable edges: varied neighbours on each side (a sentence edge counts as a new
  one each time), or one usual neighbour that ends a word of its own (气候投融资
  always follows 探索 in the seed; 探索 is frequent and free on both sides) – that
  second way only for short strings without a function character inside;
* not sit, in most occurrences, inside longer stable strings (设用地 in 建设用地).

Candidates are first ranked by C-value (Frantzi et al.: log2 length × frequency, minus
here the largest frequency of a longer candidate containing it, unless that longer
string is a verb phrase or the term plus a free word; the frequency raised to 0.8),
discounted for 2-character strings (mostly general words: 探索, 数据; their
frequency also counts at most 20), for strings that open clauses (policy Chinese opens clauses with verbs:
支持, 探索建立) and for verb phrases (a verb plus a candidate: 支持行业领军企业, which
then does not use up 行业领军企业's frequency; a verb plus a long object; a candidate
plus a verb: 补充耕地国家统筹),
and weighted by 1 + the lower of its left and right branching entropies, capped at
2 bits (past that, variety only says "frequent"; an edge always preceded by a verb
counts as full). Strings ending in a place or institution suffix (市, 省, 圈, 区, 委,
厅, 局, 院, 园 …) count double: names are what a glossary most needs and what
frequency ranks lowest.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from tm.models import TranslationUnit
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
STOP_END = frozenset("的了和与及或在对为以并将把被从由向于是之其该这此而且也都就还等")
# A noun + one of these is a locative phrase (在…前提下, 在…基础上), not a term;
# the 2-character words (线上, 线下) stay.
LOCATIVE = frozenset("上下")
NUMERALS = frozenset("〇零一二三四五六七八九十百千万亿两")
# C-value was made for multi-word terms; a 2-character string is most often one
# general word (探索, 支持, 数据), so it competes at a discount.
SINGLE_WORD_WEIGHT = 0.1
# A 2-character string counts at most this often: 数据 (261×), 人才, 管理 are
# frequent because they are general vocabulary, not because they are terms.
GENERAL_WORD_COUNT = 20
FRAGMENT_SHARE = 0.85
# A 2-character string counts as a word when this frequent and this free.
WORD_MIN_COUNT = 5
WORD_MIN_NEIGHBOURS = 3
WORD_EDGE_MAX_LEN = 6
INNER_STOP = frozenset("的了和与及或向对把被将从由于是")
# How much a string that always opens a clause (a verb, in policy text) is discounted.
CLAUSE_OPENER_PENALTY = 0.8
# A word that opens this share of its clauses is a verb (支持, 探索, 推进, 完善); a verb
# plus a candidate is a verb phrase, weighted down like a general word.
VERB_SHARE = 0.4
VERB_PHRASE_WEIGHT = 0.1
# A verb before this many characters is a verb phrase whatever follows it
# (完善 + 按要素分配机制).
VERB_OBJECT_LEN = 3
# Frequency enters C-value dampened: a translator's term list holds about as many
# terms seen 2–4 times as the top of a C-value ranking holds 10 times over.
FREQUENCY_EXPONENT = 0.8
# Branching entropy (bits) past which an edge counts as fully stable.
EDGE_BITS = 2.0
# Names of places and bodies (合肥都市圈, 国家发展改革委, 人力资源服务产业园) are what a
# glossary most needs and what frequency ranks lowest: a string ending in an
# administrative-division or institution suffix counts double.
NAME_SUFFIXES = frozenset("委厅局部院所办区圈市省县州园港岛湾城")
NAME_BOOST = 2.0
CLAUSE_PUNCT = frozenset(",.;:!?。；：，！？\n")


@dataclass(slots=True)
class Gram:
    """A Han string's count over distinct sentences, with its neighbours.

    Attributes:
        count: occurrences.
        clause_starts: occurrences that open a clause.
        left, right: neighbouring characters (a run edge is a fresh ``^n``/``$n``).
        left2, right2: neighbouring 2-character strings.
    """

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


def count_grams(units: list[TranslationUnit], min_count: int) -> dict[str, Gram]:
    """Counts of 2–10-character Han strings over distinct sentences, with neighbours."""
    runs = [(ui, list(_runs(sent))) for ui, sent in _sentences(units)]
    counts: Counter[str] = Counter()
    for _, sent_runs in runs:
        for run, _ in sent_runs:
            n = len(run)
            for i in range(n - MIN_LEN + 1):
                for size in range(MIN_LEN, min(COUNT_MAX_LEN, n - i) + 1):
                    counts[run[i : i + size]] += 1
    grams = {s: Gram(count=c) for s, c in counts.items() if c >= min_count}
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


def rank_candidates(grams: dict[str, Gram]) -> list[Scored]:
    """Candidates among ``grams`` (see the module notes), best C-value first."""
    keep = candidate_grams(grams)
    phrases = verb_phrases(keep, grams)
    own = independent_counts(keep, phrases, grams)
    scored = []
    for s, g in keep.items():
        f = own[s]
        if f > 0 and len(s) <= MAX_LEN:
            weight = SINGLE_WORD_WEIGHT if len(s) == 2 else 1.0
            if len(s) > 2 and s[-1] in NAME_SUFFIXES:
                weight = NAME_BOOST
            if s in phrases:
                weight = VERB_PHRASE_WEIGHT
            opener = CLAUSE_OPENER_PENALTY * g.clause_starts / g.count
            edges = 1.0 + min(
                _edge_entropy(s, g, grams, left=True),
                _edge_entropy(s, g, grams, left=False),
            )
            if len(s) == 2:  # past this, a word's frequency says "general word"
                f = min(f, GENERAL_WORD_COUNT)
            base = math.log2(len(s)) * f**FREQUENCY_EXPONENT * (1 - opener) * edges
            scored.append(Scored(s, base, weight, s in phrases))
    scored.sort(key=lambda x: (-x.score, -len(x.zh), x.zh))
    return scored


def candidate_grams(grams: dict[str, Gram]) -> dict[str, Gram]:
    """The strings that pass the edge, fragment and function-character tests."""
    return {s: g for s, g in grams.items() if _is_candidate(s, g, grams)}


def verb_phrases(keep: dict[str, Gram], grams: dict[str, Gram]) -> set[str]:
    """Candidates that are verb phrases around a term (see ``_verb_phrase``)."""
    return {s for s in keep if _verb_phrase(s, keep, grams)}


def independent_counts(
    keep: dict[str, Gram], phrases: set[str], grams: dict[str, Gram]
) -> dict[str, int]:
    """Each candidate's frequency less that of the longest-lived string around it.

    C-value subtracts the frequency of longer candidates containing the string; we
    subtract the largest one (Frantzi et al. take the mean): 职务科技 only ever occurs
    inside 职务科技成果, and a mean over rarer compounds would hide that. A verb
    phrase around the string does not count, nor does the string plus free words
    (碳排放权 + 交易, 行业领军企业 + 牵头组建) when the string also occurs outside it: then
    the longer string is built from the term, it does not show that the term is
    only a piece of something.
    """
    nested: dict[str, list[int]] = defaultdict(list)
    for s, g in keep.items():
        if s in phrases:
            continue
        for size in range(MIN_LEN, len(s)):
            for i in range(len(s) - size + 1):
                sub = s[i : i + size]
                if sub in keep and not (
                    g.count <= FRAGMENT_SHARE * keep[sub].count
                    and _word_beside(s, i, size, grams)
                ):
                    nested[sub].append(g.count)
    return {s: g.count - max(nested.get(s, [0])) for s, g in keep.items()}


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate's monolingual termhood: ``base`` × ``weight`` (length, names, verbs)."""

    zh: str
    base: float
    weight: float
    phrase: bool

    @property
    def score(self) -> float:
        return self.base * self.weight


def _edge_entropy(s: str, g: Gram, grams: dict[str, Gram], *, left: bool) -> float:
    """Branching entropy of one edge, capped; full when a verb always precedes.

    Above ``EDGE_BITS`` more variety says only that the string is frequent. A
    string always preceded by one verb (探索 气候投融资) is its object: the edge is
    stable though its entropy there is 0.
    """
    if left and g.left2:
        pair, n = g.left2.most_common(1)[0]
        if n >= FRAGMENT_SHARE * g.count and _is_verb(grams.get(pair)):
            return EDGE_BITS
    return min(EDGE_BITS, _entropy(g.left if left else g.right))


def _verb_phrase(s: str, keep: dict[str, Gram], grams: dict[str, Gram]) -> bool:
    """Is ``s`` a verb phrase around a term?

    Policy Chinese opens most clauses with a verb; a string that is such a verb
    plus a candidate or word (支持 + 行业领军企业, 探索 + 建立), or plus any object of
    3+ characters (完善 + 按要素分配机制), or a candidate or word followed by such a
    verb (补充耕地国家 + 统筹) is a verb phrase, not a longer term holding the term,
    so it neither competes as a term nor uses up the term's frequency.
    """
    for cut in range(MIN_LEN, len(s) - MIN_LEN + 1):
        head, rest = grams.get(s[:cut]), s[cut:]
        if _is_verb(head) and (
            rest in keep or is_word(grams.get(rest)) or len(rest) >= VERB_OBJECT_LEN
        ):
            return True
        first, tail = s[:cut], grams.get(s[cut:])
        if _is_verb(tail) and (first in keep or is_word(grams.get(first))):
            return True
    return False


def _word_beside(s: str, i: int, size: int, grams: dict[str, Gram]) -> bool:
    """Is ``s`` the candidate ``s[i:i+size]`` with free words added at one end?

    The added part is one free word (碳排放权 + 交易) or a run of free 2-character
    words (行业领军企业 + 牵头 + 组建, 补充耕地 + 国家 + 统筹).
    """
    rest = s[i + size :] if i == 0 else s[:i] if i + size == len(s) else ""
    if len(rest) < MIN_LEN:
        return False
    if is_word(grams.get(rest)):
        return True
    return len(rest) % 2 == 0 and all(
        is_word(grams.get(rest[k : k + 2])) for k in range(0, len(rest), 2)
    )


def _is_verb(g: Gram | None) -> bool:
    """A word that mostly opens clauses: in policy Chinese, a verb (支持, 探索, 推进)."""
    return is_word(g) and g is not None and g.clause_starts >= VERB_SHARE * g.count


def _entropy(neighbours: Counter[str]) -> float:
    """Branching entropy (bits) of a string's neighbours on one side."""
    total = sum(neighbours.values())
    return -sum(n / total * math.log2(n / total) for n in neighbours.values())


def _is_candidate(s: str, g: Gram, grams: dict[str, Gram]) -> bool:
    if s[0] in STOP_START or s[-1] in STOP_END:
        return False
    if len(s) > 2 and s[-1] in LOCATIVE:  # 前提下, 基础上: "on the basis of"
        return False
    if all(c in NUMERALS for c in s):  # 二十一、: an enumerator, not a term
        return False
    for left in (True, False):
        if not _stable_edge(s, g, grams, left=left):
            return False
        if _inside_units(s, g.left if left else g.right, grams, left=left):
            return False
    return True


def _stable_edge(s: str, g: Gram, grams: dict[str, Gram], *, left: bool) -> bool:
    """Does this edge of the string fall on a word boundary?

    It does when the neighbours on that side vary (a sentence edge counts as a new
    neighbour each time), or when the one usual neighbour ends a word of its own:
    气候投融资 always follows 探索 in the seed, and 探索 is a word (frequent, free on
    both sides), so the edge holds. That second way is only open to short strings
    without a function character inside: a long window of a repeated sentence
    (要素向发展新质生产力) may happen to end on words, but is no term. Nor does it
    hold when the neighbour word runs on into the string: 业要素保障 follows 服务,
    but 服务业 is a word too, so the edge cuts it.
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
    across = pair + s[0] if left else s[-1] + pair
    return (
        n >= FRAGMENT_SHARE * g.count
        and is_word(grams.get(pair))
        and not is_word(grams.get(across))
    )


def is_word(g: Gram | None) -> bool:
    """Frequent and free on both sides: a word of its own (探索, 企业)."""
    return (
        g is not None
        and g.count >= WORD_MIN_COUNT
        and len(g.left) >= WORD_MIN_NEIGHBOURS
        and len(g.right) >= WORD_MIN_NEIGHBOURS
    )


def _inside_units(
    s: str, neighbours: Counter[str], grams: dict[str, Gram], *, left: bool
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
