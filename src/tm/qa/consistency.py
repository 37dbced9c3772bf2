"""Checks across units: one source with several targets, one target with several sources,
near-identical sources translated differently, and the enumerator mapping of the TM.

Keys are ``tm.text.normalize.unlabeled_key``: the normalized text without the opening
list label and the final punctuation, so the heading ``(三)畅通劳动力和人才社会性流动渠道。`` in one
annex and ``(一)畅通…`` in another count as the same source, and repeated headings
rendered the same are never reported. Checks run at paragraph level and at sentence
level: on the TM's sentence units when it has them, else on sentence pairs derived from
paragraphs whose two sides split (``tm.text.segment``) into the same number of sentences.

Near-identical sources are found with rapidfuzz ``ratio`` ≥ ``NEAR_MIN``; candidates are
blocked by the first and by the last ``BLOCK`` characters of the key and by the length
window the cutoff allows; inside a block each key meets at most ``NEAR_WINDOW``
neighbours in length order, so the cost is linear in the number of keys. Pairs that
share neither end (a change at both ends of a key), or that sit further apart in a huge
block of same-prefix keys, are missed; that is the price of blocking.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import attrgetter
from typing import Any

from rapidfuzz import fuzz

from tm import fastpath
from tm.models import QAIssue, Span, TranslationUnit
from tm.qa.base import QAContext, issue, register
from tm.text.labels import EN_STYLES, en_enumerator, render, zh_enumerator
from tm.text.normalize import clause_key, has_han, unlabeled_key
from tm.text.numbers import find_english_numbers
from tm.text.segment import clause_spans, sentence_spans

NEAR_MIN = 95.0
NEAR_TARGET_MAX = 98.0
NEAR_MARGIN = 2.0
BLOCK = 8
NEAR_WINDOW = 64  # neighbours compared inside one block, in length order
MIN_SOURCE_KEY = 4
MIN_TARGET_KEY = 12


@dataclass(slots=True)
class Seg:
    """A source/target pair to compare: a whole unit or a sentence of it.

    Not frozen, unlike our other value objects: a million-unit run builds millions
    (the forked run rebuilds them from rows), and a frozen dataclass's ``__init__`` is
    four times slower. Nothing changes a Seg once built.
    """

    level: str
    unit: TranslationUnit
    src: tuple[int, int]
    tgt: tuple[int, int]
    skey: str
    tkey: str

    @property
    def source(self) -> str:
        return self.unit.source[self.src[0] : self.src[1]]

    @property
    def target(self) -> str:
        return self.unit.target[self.tgt[0] : self.tgt[1]]


def source_key(text: str) -> str:
    """The consistency key of a Chinese source (see ``unlabeled_key``)."""
    return unlabeled_key(text, "zh")


def target_key(text: str) -> str:
    """The consistency key of an English target (see ``unlabeled_key``)."""
    return unlabeled_key(text, "en")


def segments(
    units: Sequence[TranslationUnit], *, derive: bool | None = None
) -> list[Seg]:
    """Paragraph and sentence pairs to compare (see the module docstring).

    Args:
        units: the units.
        derive: split paragraphs into sentence pairs; default: when no unit is a
            sentence unit.
    """
    if derive is None:
        derive = not any(u.segtype == "sentence" for u in units)
    tkeys: dict[str, str] = {}
    return [s for u in units for s in unit_segments(u, derive, tkeys)]


TARGET_KEY_MEMO = fastpath.register(
    "target-key-memo",
    "consistency: a target text seen before in the run reuses its key",
)


def unit_segments(
    u: TranslationUnit, derive: bool, tkeys: dict[str, str] | None = None
) -> list[Seg]:
    """The pairs one unit gives: itself, plus its sentence pairs when ``derive``.

    ``tkeys`` (target text → key) is kept by the caller for a whole run: a TM often
    holds one English text several times (a paragraph and its sentence units, a
    Traditional and a Simplified source), and the dict costs little as the texts
    and keys are held by the units and segments anyway.
    """
    if not has_han(u.source) or not u.target.strip():
        return []
    level = "sentence" if u.segtype == "sentence" else "paragraph"
    memo = tkeys if tkeys is not None and fastpath.on(TARGET_KEY_MEMO) else None
    tkey = memo.get(u.target) if memo is not None else None
    if tkey is None:
        tkey = target_key(u.target)
        if memo is not None:
            memo[u.target] = tkey
    out = [
        Seg(
            level,
            u,
            (0, len(u.source)),
            (0, len(u.target)),
            source_key(u.source),
            tkey,
        )
    ]
    if not derive or level == "sentence":
        return out
    zs, es = sentence_spans(u.source, "zh"), sentence_spans(u.target, "en")
    if len(zs) < 2 or len(zs) != len(es):
        return out
    for a, b in zip(zs, es, strict=True):
        out.append(
            Seg(
                "sentence",
                u,
                a,
                b,
                source_key(u.source[a[0] : a[1]]),
                target_key(u.target[b[0] : b[1]]),
            )
        )
    return out


def _segs(units: Sequence[TranslationUnit], ctx: QAContext) -> list[Seg]:
    if "segments" not in ctx.stats:
        ctx.stats["segments"] = segments(units)
    return ctx.stats["segments"]  # type: ignore[no-any-return]


def _variants(group: list[Seg], key: str) -> list[tuple[str, list[Seg]]]:
    by: dict[str, list[Seg]] = defaultdict(list)
    for s in group:
        by[getattr(s, key)].append(s)
    return sorted(by.items(), key=lambda kv: -len(kv[1]))


def _ids(segs: Sequence[Seg]) -> list[int]:
    return list(dict.fromkeys(s.unit.id for s in segs if s.unit.id is not None))


def _one_to_many(
    segs: Sequence[Seg], side: str, min_len: int
) -> Iterator[tuple[str, list[tuple[str, list[Seg]]], Seg]]:
    """Keys of ``side`` ("skey"/"tkey") seen with 2+ keys of the other side.

    Units of different language pairs (zh-TW and zh-CN sources) never group together.

    Yields the key, the variants (other-side key → segments, most used first) and the
    odd one out (first segment of the least used variant).
    """
    if not fastpath.on(COUNTED_GROUPING):
        yield from _one_to_many_plain(segs, side, min_len)
        return
    other = "tkey" if side == "skey" else "skey"
    get, get_other = attrgetter(side), attrgetter(other)
    # Most keys occur once; counting them in C first leaves a Python loop over the
    # repeated ones only. Language pairs keep the order they are first seen in.
    keys = list(map(get, segs))
    pairs = list(map(_PAIR, segs))
    counts = Counter(keys)
    repeated = compress(
        zip(segs, keys, pairs, strict=True),
        map((1).__lt__, map(counts.__getitem__, keys)),
    )
    by_pair: dict[tuple[str, str], dict[str, list[Seg]]] = {
        p: defaultdict(list) for p in dict.fromkeys(pairs)
    }
    for s, key, pair in repeated:
        if len(key) >= min_len:
            by_pair[pair][key].append(s)
    for groups in by_pair.values():
        for key, group in groups.items():
            if len(group) < 2 or len(set(map(get_other, group))) < 2:
                continue
            variants = _variants(group, other)
            yield key, variants, variants[-1][1][0]


COUNTED_GROUPING = fastpath.register(
    "counted-grouping",
    "consistency: keys seen once are counted out in C before grouping in Python",
)


def _one_to_many_plain(
    segs: Sequence[Seg], side: str, min_len: int
) -> Iterator[tuple[str, list[tuple[str, list[Seg]]], Seg]]:
    other = "tkey" if side == "skey" else "skey"
    by_pair: dict[tuple[str, str], dict[str, list[Seg]]] = {}
    for s in segs:
        key = getattr(s, side)
        groups = by_pair.setdefault(_PAIR(s), defaultdict(list))
        if len(key) >= min_len:
            groups[key].append(s)
    for groups in by_pair.values():
        for key, group in groups.items():
            if len(group) >= 2 and len({getattr(s, other) for s in group}) >= 2:
                variants = _variants(group, other)
                yield key, variants, variants[-1][1][0]


_PAIR = attrgetter("unit.source_lang", "unit.target_lang")
_SKEY = attrgetter("skey")


def _fix_like(odd: Seg, model: Seg, *, verb: str = "use one translation, e.g.") -> str:
    """A fix that gives ``odd`` the wording of ``model`` but keeps its own label and numbers.

    The model's list label is swapped for the odd one's ("(5) …" stays "(5)" where the
    model says "(6) …"); when the model's numbers differ from the odd unit's, the fix
    names the unit instead of copying its text.
    """
    text = model.target.strip()
    own = en_enumerator(odd.target.strip())
    theirs = en_enumerator(text)
    body = text[theirs.end :] if theirs else text
    if find_numbers_en(body) != find_numbers_en(_unlabeled(odd.target.strip())):
        return f"align the wording with unit {model.unit.id}"
    label = (own.text + " ") if own else ""
    return f"{verb} {label + body!r}"


def _unlabeled(text: str) -> str:
    e = en_enumerator(text)
    return text[e.end :] if e else text


def find_numbers_en(text: str) -> list[float]:
    """The values of the numbers in an English text, in order."""
    return [n.value for n in find_english_numbers(text)]


def _spread(
    check: str, key: str, variants: list[tuple[str, list[Seg]]], odd: Seg, **kw: Any
) -> QAIssue:
    return issue(
        check,
        odd.unit,
        units=_ids([s for _, v in variants for s in v]),
        key=[key, *sorted(k for k, _ in variants)],
        **kw,
    )


@register("source-inconsistent", "warning", scope="corpus")
def source_inconsistent(
    units: Sequence[TranslationUnit], ctx: QAContext
) -> Iterator[QAIssue]:
    """The same source is translated in different ways."""
    for key, variants, odd in _one_to_many(_segs(units, ctx), "skey", MIN_SOURCE_KEY):
        parts = [f"{v[0].target!r} ×{len(_ids(v))}" for _, v in variants]
        yield _spread(
            "source-inconsistent",
            key,
            variants,
            odd,
            message=f"{odd.level} {odd.source.strip()!r} has {len(variants)} "
            "translations: " + "; ".join(parts),
            spans=[Span("target", *odd.tgt, odd.target)],
            fix=_fix_like(odd, variants[0][1][0]),
            data=[("level", odd.level)],
        )


@register("target-inconsistent", "info", scope="corpus")
def target_inconsistent(
    units: Sequence[TranslationUnit], ctx: QAContext
) -> Iterator[QAIssue]:
    """The same translation stands for different sources."""
    for key, variants, odd in _one_to_many(_segs(units, ctx), "tkey", MIN_TARGET_KEY):
        parts = [f"{v[0].source.strip()!r} ×{len(_ids(v))}" for _, v in variants]
        yield _spread(
            "target-inconsistent",
            key,
            variants,
            odd,
            message=f"{odd.target.strip()!r} translates {len(variants)} different "
            "sources: " + "; ".join(parts),
            spans=[Span("source", *odd.src, odd.source)],
            fix="check that the sources mean the same",
        )


MIN_CLAUSE_HAN = 8


def clauses(seg: Seg) -> list[Seg]:
    """Clause pairs of a sentence pair (``tm.text.segment.clause_spans``).

    With equal counts clauses pair in order; otherwise only the first and the last
    clauses pair (lists of names add commas in the middle of English sentences).
    """
    if fastpath.on(CLAUSE_PRETEST) and not _MAYBE_CLAUSES.search(
        seg.unit.source, *seg.src
    ):
        return []  # one clause at most
    zs = clause_spans(seg.unit.source, "zh", within=seg.src)
    if len(zs) < 2:
        return []
    es = clause_spans(seg.unit.target, "en", within=seg.tgt)
    if len(es) < 2:
        return []
    pairs = (
        list(zip(zs, es, strict=False))
        if len(zs) == len(es)
        else [(zs[0], es[0]), (zs[-1], es[-1])]
    )
    out = []
    for a, b in pairs:
        zh = seg.unit.source[a[0] : a[1]]
        if len(zh) < MIN_CLAUSE_HAN or len(HAN_RUN.findall(zh)) < MIN_CLAUSE_HAN:
            continue
        en = clause_key(seg.unit.target[b[0] : b[1]], "en")
        out.append(Seg("clause", seg.unit, a, b, source_key(zh), en))
    return out


CLAUSE_PRETEST = fastpath.register(
    "clause-pretest",
    "clauses: a Chinese sentence with no clause mark and no inner terminator is "
    "not split",
)
# A clause mark, or a terminator with something after it (a second sentence).
_MAYBE_CLAUSES = re.compile("[,，;；:：]|[。！？!?](?=.)", re.S)
HAN_RUN = re.compile("[\u4e00-\u9fff]")


def all_clauses(segs: Sequence[Seg]) -> list[Seg]:
    """Clause pairs of every sentence-level pair."""
    return [c for s in segs if s.level != "paragraph" for c in clauses(s)]


@register("clause-inconsistent", "info", scope="corpus")
def clause_inconsistent(
    units: Sequence[TranslationUnit], ctx: QAContext
) -> Iterator[QAIssue]:
    """The same clause inside different sentences is translated in different ways.

    Clauses are paired by position (see :func:`clauses`), which is a heuristic: an
    English sentence that reorders its clauses can give a false finding, hence info.
    """
    segs = _segs(units, ctx)
    if "clauses" not in ctx.stats:
        ctx.stats["clauses"] = all_clauses(segs)
    whole = set(map(_SKEY, segs))
    pieces = [c for c in ctx.stats["clauses"] if c.skey not in whole]
    for key, variants, odd in _one_to_many(pieces, "skey", MIN_CLAUSE_HAN):
        if _one_sentence(variants):
            continue  # the same sentence throughout: source-inconsistent reports it
        parts = [f"{v[0].target.strip()!r} ×{len(_ids(v))}" for _, v in variants]
        yield _spread(
            "clause-inconsistent",
            key,
            variants,
            odd,
            message=f"clause {odd.source.strip()!r} has {len(variants)} "
            "translations: " + "; ".join(parts),
            spans=[
                Span("source", *odd.src, odd.source),
                Span("target", *odd.tgt, odd.target),
            ],
            fix=_fix_like(odd, variants[0][1][0]),
        )


def _one_sentence(variants: list[tuple[str, list[Seg]]]) -> bool:
    """Whether every clause of a group sits in the same source sentence (by key)."""
    keys = set()
    for _, group in variants:
        for c in group:
            text = c.unit.source
            spans = sentence_spans(text, "zh")
            whole = next((sp for sp in spans if sp[0] <= c.src[0] < sp[1]), None)
            keys.add(source_key(text[slice(*whole)]) if whole else "")
            if len(keys) > 1:
                return False
    return True


@register("near-source-inconsistent", "info", scope="corpus")
def near_source_inconsistent(
    units: Sequence[TranslationUnit], ctx: QAContext
) -> Iterator[QAIssue]:
    """Near-identical sources (≥ 95) have materially different translations.

    Material: the targets are less alike than the sources by more than NEAR_MARGIN
    points, i.e. the translation changed more than the source did. An info, not a
    warning: the sources do differ, and their difference (最高/高等, 目標/非目標, a
    clause more) often explains the English's; judged on the tune parts, 2 of 4 were
    worth a look and none had to be fixed.
    """
    by_lang: dict[tuple[str, str], dict[str, Seg]] = defaultdict(dict)
    for s in _segs(units, ctx):
        if len(s.skey) >= 10:
            by_lang[(s.unit.source_lang, s.unit.target_lang)].setdefault(s.skey, s)
    for reps in by_lang.values():
        yield from _near_findings(reps)


def _near_findings(reps: dict[str, Seg]) -> Iterator[QAIssue]:
    for a, b, score in near_pairs(list(reps)):
        sa, sb = reps[a], reps[b]
        if sa.unit.id == sb.unit.id:
            continue  # a paragraph and its own first sentence
        tscore = fuzz.ratio(sa.tkey, sb.tkey)
        if tscore >= min(NEAR_TARGET_MAX, score - NEAR_MARGIN):
            continue
        yield issue(
            "near-source-inconsistent",
            sb.unit,
            f"sources {score:.0f}% alike but targets only {tscore:.0f}%: "
            f"{sa.target.strip()!r} vs {sb.target.strip()!r}",
            spans=[Span("target", *sb.tgt, sb.target)],
            fix=_fix_like(sb, sa, verb="align the translation with"),
            units=_ids([sa, sb]),
            key=sorted([a, b]),
        )


def near_pairs(
    keys: Sequence[str], *, cutoff: float = NEAR_MIN
) -> Iterator[tuple[str, str, float]]:
    """Pairs of distinct keys with ``fuzz.ratio`` ≥ cutoff, found through blocking."""
    blocks: dict[tuple[int, str], list[str]] = defaultdict(list)
    for k in keys:
        blocks[(0, k[:BLOCK])].append(k)
        blocks[(1, k[-BLOCK:])].append(k)
    done: set[tuple[str, str]] = set()
    grow = (200 - cutoff) / cutoff  # longest/shortest length ratio ratio≥cutoff allows
    for members in blocks.values():
        if len(members) < 2:
            continue
        members.sort(key=len)
        for i, a in enumerate(members):
            limit = len(a) * grow
            for b in members[i + 1 : i + 1 + NEAR_WINDOW]:
                if len(b) > limit:
                    break
                pair = (a, b) if a < b else (b, a)
                if pair in done:
                    continue
                done.add(pair)
                score = fuzz.ratio(a, b, score_cutoff=cutoff)
                if score:
                    yield a, b, score


@register("enumerator-consistency", "warning", scope="corpus")
def enumerator_consistency(
    units: Sequence[TranslationUnit], ctx: QAContext
) -> Iterator[QAIssue]:
    """A Chinese enumerator style (一、 (一) 1. (1)) is rendered in more than one English style."""
    by_style: dict[str, Counter[str]] = defaultdict(Counter)
    by_value: dict[tuple[str, int], dict[str, list[tuple[TranslationUnit, str]]]] = (
        defaultdict(lambda: defaultdict(list))
    )
    for u in units:
        if u.segtype == "sentence":
            continue
        zs = zh_enumerator(u.source)
        ze = en_enumerator(u.target) if zs else None
        if zs is None or ze is None:
            continue
        by_style[zs.style][ze.style] += 1
        by_value[(zs.style, zs.value)][ze.style].append((u, ze.text))
    for (zstyle, value), styles in by_value.items():
        if len(by_style[zstyle]) < 2:
            continue
        main = by_style[zstyle].most_common(1)[0][0]
        odd = [s for s in styles if s != main]
        if not odd:
            continue
        first_odd = styles[odd[0]][0]
        u, _text = first_odd
        ze = en_enumerator(u.target)
        zs = zh_enumerator(u.source)
        parts = [
            f"{v[0][1]!r} ×{len(v)}"
            for _, v in sorted(styles.items(), key=lambda kv: -len(kv[1]))
        ]
        all_units = [
            x for s in sorted(styles, key=lambda s: s == main) for x in styles[s]
        ]
        yield issue(
            "enumerator-consistency",
            u,
            f"{zs.text if zs else zstyle} is rendered "
            + " and ".join(parts)
            + f"; {by_style[zstyle][main]} {_zh_label(zstyle)} enumerators use the {EN_STYLES[main]!r} style",
            spans=[Span("target", ze.start, ze.end, u.target[ze.start : ze.end])]
            if ze
            else [],
            fix=render(main, value),
            units=list(dict.fromkeys(x.id for x, _ in all_units if x.id is not None)),
            key=[zstyle, str(value), *sorted(styles)],
        )


def _zh_label(style: str) -> str:
    return {"dun": "一、", "cnparen": "(一)", "numdot": "1.", "numparen": "(1)"}[style]
