"""Term checks: how the TM actually renders each glossary term, and where it strays.

:func:`term_usage` is the heart: for every term base entry found in the sources it lists
each rendering the targets use, with counts and unit ids, classified approved / variant /
forbidden (the entry names it) or unknown (a phrase in the target that looks like one of
the entry's renderings but is none of them), plus ``missing`` when nothing resembling the
term is in the target. Sentence units are used when the TM has them (an aligned pair
localizes the term); otherwise paragraph units, which is sound for known renderings and
coarser for unknown ones.

Unknown renderings are found by fuzzy matching: every run of target words about as long
as a known rendering is scored against it (character similarity over plural-folded
words, rapidfuzz ``ratio``); the best run over ``UNKNOWN_MIN_SCORE`` that shares a content
word with the rendering is taken. It finds near-misses (``Beijing Urban Sub-center`` for
``Beijing City Sub-center``, ``land space planning`` for ``territorial spatial planning``)
and misses free paraphrases, which stay ``missing``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from tm import fastpath
from tm.models import QAIssue, Severity, Span, TermEntry, TranslationUnit
from tm.qa.base import QAContext, issue, register
from tm.qa.lexicon import Lexicon, en_roots, learn_lexicon
from tm.text.normalize import has_han
from tm.text.numbers import find_numbers

UNKNOWN_MIN_SCORE = 72.0
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "in",
        "on",
        "for",
        "to",
        "with",
        "by",
        "at",
        "from",
        "as",
        "its",
        "their",
        "his",
        "her",
        "this",
        "that",
        "be",
        "is",
        "are",
    ]
)


@dataclass(frozen=True, slots=True)
class Rendering:
    """One way the TM renders a term.

    Attributes:
        text: the rendering as first written in a target ("" for missing).
        status: approved, variant, forbidden, unknown or missing.
        units: ids of the units using it.
        spans: where it sits in each unit's target, parallel to ``units``.
    """

    text: str
    status: str
    units: tuple[int, ...]
    spans: tuple[Span | None, ...] = ()

    @property
    def count(self) -> int:
        return len(self.units)


@dataclass(frozen=True, slots=True)
class TermUsage:
    """Every rendering of one glossary entry in the TM, most used first."""

    entry: Any
    renderings: tuple[Rendering, ...]

    @property
    def used(self) -> tuple[Rendering, ...]:
        """The renderings actually present (missing excluded)."""
        return tuple(r for r in self.renderings if r.status != "missing")

    @property
    def inconsistent(self) -> bool:
        used = self.used
        return len(used) > 1 or any(r.status in ("forbidden", "unknown") for r in used)


@dataclass(slots=True)
class _Acc:
    text: str
    status: str
    units: list[int]
    spans: list[Span | None]
    rep: list[TranslationUnit]


def term_units(units: Sequence[TranslationUnit]) -> list[TranslationUnit]:
    """The units term usage is read from: sentence units if the TM has any, else all."""
    sentences = [u for u in units if u.segtype == "sentence"]
    return sentences or list(units)


def term_usage(
    units: Sequence[TranslationUnit],
    termbase: Any,
    *,
    candidates: Sequence[TranslationUnit] | None = None,
) -> list[TermUsage]:
    """How each glossary term found in the sources is rendered in the targets.

    Args:
        units: the TM's units (sentence units are preferred when present).
        termbase: a ``tm.terms.TermBase``.
        candidates: the units that passed :func:`term_candidates` already (a parallel
            run computes them in its workers).

    Returns:
        One :class:`TermUsage` per entry found, in term base order.
    """
    per_entry: dict[int, dict[str, _Acc]] = {}
    entries: dict[int, Any] = {}
    if candidates is None:
        candidates = term_candidates(term_units(units), termbase)
    for u in candidates:
        seen_here: set[int] = set()
        for hit in checked_hits(termbase, u.source):
            key = id(hit.entry)
            if key in seen_here:
                continue
            seen_here.add(key)
            entries[key] = hit.entry
            accs = per_entry.setdefault(key, {})
            found = (
                [("", "untranslated", None)]
                if hit.text in u.target
                else _renderings(termbase, hit.entry, u.target)
            )
            for text, status, span in found:
                acc = accs.setdefault(
                    _norm(text) + "\x1f" + status, _Acc(text, status, [], [], [])
                )
                if u.id is not None and u.id in acc.units:
                    continue
                acc.units.append(u.id if u.id is not None else -1)
                acc.spans.append(span)
                acc.rep.append(u)
    order = {id(e): i for i, e in enumerate(termbase.entries)}
    out = []
    for key in sorted(per_entry, key=lambda k: order.get(k, 0)):
        ranked = sorted(
            per_entry[key].values(),
            key=lambda a: (a.status == "missing", -len(a.units)),
        )
        out.append(
            TermUsage(
                entries[key],
                tuple(
                    Rendering(a.text, a.status, tuple(a.units), tuple(a.spans))
                    for a in ranked
                ),
            )
        )
    return out


def checked_hits(termbase: Any, source: str) -> list[Any]:
    """The term hits of a source that are checked: every occurrence, overlaps too.

    A heading or title (a source without final punctuation) is checked with terms of
    its own size: a hit made up entirely of shorter hits (要素市场化配置综合改革试点 in
    an annex title, made of 要素市场化配置 and 综合改革试点) is left out, as titles
    render such compounds word by word around their head noun; its parts are checked.
    A hit that only contains a shorter one (要素市场化配置 holds 要素市场) stays.
    """
    hits = termbase.find(source, lang="zh", overlapping=True)
    if len(hits) < 2 or source.rstrip()[-1:] in _FINAL_STOPS:
        return list(hits)
    return [h for h in hits if not _made_of_parts(h, hits)]


def _made_of_parts(hit: Any, hits: Sequence[Any]) -> bool:
    """Whether shorter hits inside ``hit`` cover every one of its characters."""
    parts = sorted(
        (o.start, o.end)
        for o in hits
        if hit.start <= o.start
        and o.end <= hit.end
        and (o.end - o.start) < (hit.end - hit.start)
    )
    reach = hit.start
    for start, end in parts:
        if start > reach:
            return False
        reach = max(reach, end)
    return bool(parts) and reach >= hit.end


_FINAL_STOPS = frozenset("。！？；.!?;：:")


def term_candidates(
    units: Sequence[TranslationUnit], termbase: Any
) -> list[TranslationUnit]:
    """The units whose source may hold a term (see :func:`term_prefilter`)."""
    maybe = term_prefilter(termbase)
    if maybe is None or not fastpath.on(TERM_PREFILTER):
        return list(units)
    return [u for u in units if maybe.search(u.source)]


TERM_PREFILTER = fastpath.register(
    "term-prefilter",
    "term checks: a source holding none of the terms' Han runs skips the term scan",
)


def term_prefilter(termbase: Any) -> re.Pattern[str] | None:
    """A regex that any source holding a term must match: each term's longest Han run.

    Han characters survive normalization unchanged, so a source without any of these
    runs holds no term and skips the (much slower) term base scan. None when a term
    has no Han at all (then every source is scanned).
    """
    runs = []
    for e in termbase.entries:
        found = _HAN_RUNS.findall(e.zh)
        if not found:
            return None
        runs.append(max(found, key=len))
    return re.compile(
        "|".join(sorted(map(re.escape, set(runs)), key=len, reverse=True))
    )


_HAN_RUNS = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_HAN_CHARS = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _norm(text: str) -> str:
    from tm.terms.english import phrase_key

    return " ".join(phrase_key(text))


def _renderings(
    termbase: Any, entry: Any, target: str
) -> list[tuple[str, str, Span | None]]:
    """(text, status, span) of each rendering of ``entry`` in ``target``."""
    hits = termbase.renderings_in(entry, target)
    if hits:
        return [
            (
                h.text,
                "unknown"
                if entry.category != "learned" and _case_lost(h.rendering, h.text)
                else str(h.kind.value if hasattr(h.kind, "value") else h.kind),
                Span("target", h.start, h.end, h.text),
            )
            for h in hits
        ]
    moved = reordered_rendering(entry, target)
    if moved:
        rendering, kind, a, b = moved
        return [(rendering, kind, Span("target", a, b, target[a:b]))]
    guess = guess_rendering(entry, target)
    if guess:
        a, b = guess
        return [
            (
                target[a:b],
                _guess_status(entry, target[a:b]),
                Span("target", a, b, target[a:b]),
            )
        ]
    return [("", "missing", None)]


def _guess_status(entry: Any, guess: str) -> str:
    """What a fuzzy guess is: a known rendering with words added (a longer term or a
    modifier: "high-quality economic development") counts as that rendering, unless it
    is a name (a word added to a name is another name); one word
    of a longer rendering ("security" for "data security") is a partial match, no
    rendering at all; anything else is an unknown rendering.
    """
    words = _content_words(guess)
    for rendering, kind in entry.renderings():
        known = _content_words(rendering)
        status = str(kind.value if hasattr(kind, "value") else kind)
        if known and known <= words and status in GOOD and rendering.islower():
            return status
        if len(words) == 1 and words < known:
            return "missing"
    return "unknown"


REORDERED_PRETEST = fastpath.register(
    "reordered-pretest",
    "term renderings: a window is only read when it opens on a word of the rendering",
)


_WORD = re.compile(r"[^\W\d_]+")


def _case_lost(rendering: str, written: str) -> bool:
    """A name written in lower case: "beijing city sub-center" for "Beijing City Sub-center".

    Renderings match case-blind; for a rendering with capitals (a proper name) a word
    the glossary capitalizes must be capitalized in the target too.
    """
    want, got = _WORD.findall(rendering), _WORD.findall(written)
    if len(want) != len(got):
        return False
    return any(
        w[0].isupper() and g[0].islower() for w, g in zip(want, got, strict=True)
    )


def reordered_rendering(entry: Any, target: str) -> tuple[str, str, int, int] | None:
    """A known rendering whose content words all stand together in ``target``, alone.

    "achievement transformation" for "transformation of … achievements", or "China and
    Africa" for "China-Africa": the same words in another order or grammatical form
    (a word matches another that it starts, when the shorter has 4+ letters). Returns
    (rendering, kind, start, end) or None.
    """
    from tm.terms.english import phrase_key, tokens

    toks = tokens(target)
    words = [t for t, _, _ in toks]
    for rendering, kind in entry.renderings():
        key = phrase_key(rendering)
        ref = [w for w in key if w.isalnum() and w not in _STOP]
        if not ref:
            continue
        span = len(key) + 3
        for i in range(len(words)):
            if fastpath.on(REORDERED_PRETEST) and not any(
                _same_word(words[i], r) for r in ref
            ):
                continue  # the window must open on a reference word (hits has a 0)
            window = words[i : i + span]
            hits = [
                next((j for j, w in enumerate(window) if _same_word(w, r)), -1)
                for r in ref
            ]
            if 0 in hits and min(hits) >= 0 and _only(window[: max(hits) + 1], ref):
                end = i + max(hits)
                return (
                    rendering,
                    str(kind.value if hasattr(kind, "value") else kind),
                    toks[i][1],
                    toks[end][2],
                )
    return None


def _only(window: Sequence[str], ref: Sequence[str]) -> bool:
    """Every word of the window is a reference word or a stop word (nothing added)."""
    return all(
        w in _STOP or not w.isalnum() or any(_same_word(w, r) for r in ref)
        for w in window
    )


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and long_.startswith(short)


def guess_rendering(entry: Any, target: str) -> tuple[int, int] | None:
    """The target span most like one of the entry's renderings, or None.

    See the module docstring for the method and its limits.
    """
    from tm.terms.english import phrase_key, tokens

    toks = tokens(target)
    words = [t for t, _, _ in toks]
    best: tuple[float, int, int] | None = None
    for rendering, _kind in entry.renderings():
        ref = [w for w in phrase_key(rendering) if w.isalnum() or w == "'"]
        if not ref:
            continue
        ref_s = " ".join(ref)
        content = {w for w in ref if w not in _STOP}
        k = len(ref)
        for n in range(max(1, k - 1), k + 3):
            for i in range(0, len(words) - n + 1):
                win = words[i : i + n]
                if win[0] in _STOP or win[-1] in _STOP or not content.intersection(win):
                    continue
                if not all(w.isalnum() or w == "'" for w in win):
                    continue
                score = fuzz.ratio(" ".join(win), ref_s, score_cutoff=UNKNOWN_MIN_SCORE)
                if score and (best is None or score > best[0]):
                    best = (score, toks[i][1], toks[i + n - 1][2])
    return (best[1], best[2]) if best else None


def _usage(units: Sequence[TranslationUnit], ctx: QAContext) -> list[TermUsage]:
    if ctx.termbase is None:
        return []
    if "term_usage" not in ctx.stats:
        ctx.stats["term_usage"] = term_usage(
            units, ctx.termbase, candidates=ctx.stats.get("term_candidates")
        )
    return ctx.stats["term_usage"]  # type: ignore[no-any-return]


def _by_id(units: Sequence[TranslationUnit]) -> dict[int, TranslationUnit]:
    return {u.id: u for u in term_units(units) if u.id is not None}


GOOD = ("approved", "variant")


@dataclass(frozen=True, slots=True)
class Conflict:
    """What is wrong with one entry's renderings in the TM, if anything.

    Attributes:
        check: term-forbidden (a forbidden rendering is used), term-inconsistent (the
            TM renders the term several ways, approved variants counting as one),
            term-mismatch (one unknown rendering throughout, or none found).
        odd: the renderings a reviewer must look at (forbidden, unknown, missing).
        good: the approved and variant renderings used.
        mixed: only acceptable renderings, with different words (info).
    """

    check: str
    odd: tuple[Rendering, ...]
    good: tuple[Rendering, ...]
    mixed: bool = False


def conflict(usage: TermUsage) -> Conflict | None:
    """The one finding an entry's usage gives (see :class:`Conflict`), or None."""
    good = tuple(r for r in usage.renderings if r.status in GOOD)
    good_ids = {i for r in good for i in r.units}
    # A term left in Chinese is the untranslated-han check's finding, not a rendering.
    odd = tuple(
        r
        for r in usage.renderings
        if r.status not in (*GOOD, "untranslated") and set(r.units) - good_ids
    )
    if not odd:
        return _mixed(good)
    if any(r.status == "forbidden" for r in odd):
        odd = tuple(sorted(odd, key=lambda r: r.status != "forbidden"))
        return Conflict("term-forbidden", odd, good)
    other = [r for r in odd if r.status != "missing"]
    if other and (good or len(other) > 1):
        return Conflict("term-inconsistent", odd, good)
    return Conflict("term-mismatch", odd, good)


def _mixed(good: tuple[Rendering, ...]) -> Conflict | None:
    """Acceptable renderings with different words mixed in one TM (info), or None.

    Word order and inflection are the same wording ("data circulation", "circulation
    of data"); a variant that adds or drops a word ("Chengdu-Chongqing Economic
    Circle", "… Twin Cities Economic Circle") is a choice the TM should make once.
    """
    words = {r: _content_words(r.text) for r in good}
    if len(set(words.values())) < 2:
        return None
    main = max(good, key=lambda r: r.count)
    odd = tuple(r for r in good if words[r] != words[main])
    return Conflict("term-inconsistent", odd, (main,), mixed=True)


def _content_words(text: str) -> frozenset[str]:
    from tm.terms.english import phrase_key

    return frozenset(
        _root(w) for w in phrase_key(text) if w.isalnum() and w not in _STOP
    )


def _root(word: str) -> str:
    """A crude root for comparing wordings: "technological" and "technology" agree."""
    return word[:6] if len(word) > 6 else word


def _conflicts(
    units: Sequence[TranslationUnit], ctx: QAContext, check: str
) -> Iterator[QAIssue]:
    lookup = _by_id(units)
    lexicon = _lexicon(units, ctx)
    for usage in _usage(units, ctx):
        c = conflict(_term_differences(usage, lexicon, lookup, drop=("unknown",)))
        if c is None or c.check != check:
            continue
        first = next(
            (
                (lookup[i], span)
                for r in c.odd
                for i, span in zip(r.units, r.spans, strict=True)
                if i in lookup
            ),
            None,
        )
        if first is not None:
            yield _finding(usage.entry, c, *first)


def _finding(e: Any, c: Conflict, rep: TranslationUnit, span: Span | None) -> QAIssue:
    odd_ids = [i for r in c.odd for i in r.units]
    ids = tuple(dict.fromkeys([*odd_ids, *(i for r in c.good for i in r.units)]))
    parts = [f"{r.text or '(not found)'!r} ×{r.count} ({r.status})" for r in c.odd]
    parts += [f"{r.text!r} ×{r.count} ({r.status})" for r in c.good]
    spans = [s for s in (_zh_span(rep, e.zh), span) if s is not None]
    severity = None
    if c.mixed or (
        c.check == "term-mismatch" and all(r.status == "missing" for r in c.odd)
    ):
        severity = Severity.INFO  # acceptable wordings, or nothing like a rendering
    return issue(
        c.check,
        rep,
        f"{e.zh}: " + ", ".join(parts) + _advice(e, c),
        spans=spans,
        fix=_fix(e, c),
        units=ids,
        key=[e.zh, *sorted(_norm(r.text) + r.status for r in c.odd)],
        severity=severity,
        data=[
            ("term", e.zh),
            ("units_to_check", odd_ids),
            (
                "renderings",
                [(r.text, r.status, r.count, list(r.units)) for r in c.odd + c.good],
            ),
        ],
    )


def _advice(e: Any, c: Conflict) -> str:
    if c.mixed:
        return "; all acceptable, but worded differently: choose one"
    if c.check == "term-forbidden":
        return "; the glossary forbids " + ", ".join(
            repr(r.text) for r in c.odd if r.status == "forbidden"
        )
    if c.check == "term-mismatch" and not c.good and c.odd[0].status == "unknown":
        return f"; the glossary approves {e.en!r}: change the TM or the glossary"
    if c.check == "term-mismatch":
        return f"; the glossary approves {e.en!r}"
    return ""


def _fix(e: Any, c: Conflict) -> str:
    """A fix only where it is safe: never away from an approved rendering or variant.

    The fix names the glossary's rendering for the odd units only; when the TM uses
    one unknown rendering throughout (the glossary may be the one that is wrong) there
    is no fix.
    """
    if not e.en or c.mixed:
        return ""
    if c.check == "term-mismatch" and not c.good and c.odd[0].status == "unknown":
        return ""
    n = sum(r.count for r in c.odd)
    return f"use {e.en!r} in the {n} unit{'s' if n > 1 else ''} listed first"


@register("term-forbidden", "error", scope="corpus")
def term_forbidden(
    units: Sequence[TranslationUnit], ctx: QAContext
) -> Iterator[QAIssue]:
    """A rendering the glossary forbids is used for a term: one finding per term."""
    yield from _conflicts(units, ctx, "term-forbidden")


# term-inconsistent and term-mismatch are info: on the tune data
# (``qa_precision_corpus.py --calibrate``: the judged corpus rounds and the seed TM's
# tune part) their warnings were real in 4 of 7 and 4 of 6; the false ones are
# partial guesses of the rendering ('evaluation' for 人才评价), a longer term's
# rendering ('carbon emissions trading' for 碳排放权) or a fair other wording. Not
# "probably wrong"; a forbidden rendering stays an error (13 of 14).
@register("term-inconsistent", "info", scope="corpus")
def term_inconsistent(
    units: Sequence[TranslationUnit], ctx: QAContext
) -> Iterator[QAIssue]:
    """A glossary term is rendered in more than one way (approved variants count as one)."""
    yield from _conflicts(units, ctx, "term-inconsistent")


@register("term-mismatch", "info", scope="corpus")
def term_mismatch(
    units: Sequence[TranslationUnit], ctx: QAContext
) -> Iterator[QAIssue]:
    """A glossary term's approved rendering and variants are absent where the term is."""
    yield from _conflicts(units, ctx, "term-mismatch")


def _zh_span(u: TranslationUnit, zh: str) -> Span | None:
    i = u.source.find(zh)
    return Span("source", i, i + len(zh), zh) if i >= 0 else None


# -- terms learned from the TM itself ------------------------------------------------

# The learned check reads at most this many units (term extraction grows faster than
# linearly); a larger TM is checked against its glossary only.
LEARN_MAX_UNITS = 50_000
LEARN_TOP = 400  # Chinese candidates whose renderings are learned
LEARN_MIN_DICE = 0.25  # the TM's main rendering must co-occur with the term this much
LEARN_MIN_CHARS = 3  # shorter candidates are mostly general words (改革, 市场)


def learned_usage(
    units: Sequence[TranslationUnit], termbase: Any = None
) -> list[TermUsage]:
    """How each recurring Chinese term that the glossary lacks is rendered in the TM.

    Candidates and their main English rendering come from ``tm.terms.extract``
    (C-value over the sources, Dice over aligned pairs: the TM's own usual rendering).
    Each unit holding the term is then read as a glossary term would be, with the main
    rendering as the approved one: the same words in another order count as it, a
    similar phrase sharing a content word is another rendering, and no such phrase
    counts as not found (a paraphrase or an alignment slip, not reported).
    """
    from tm.terms.base import TermBase
    from tm.terms.extract import extract_terms

    pool = [u for u in term_units(units) if has_han(u.source) and u.target]
    if len(pool) > LEARN_MAX_UNITS or not pool:
        return []
    known = (lambda zh: "x" if termbase.lookup(zh) else None) if termbase else None
    texts = [" ".join(_norm(u.target).split()) for u in pool]
    holding = _units_holding(pool)
    out: list[TermUsage] = []
    for cand in extract_terms(pool, top=LEARN_TOP, known=known, max_renderings=1):
        if cand.in_glossary or len(cand.zh) < LEARN_MIN_CHARS or not cand.renderings:
            continue
        if find_numbers(cand.zh) or cand.zh.endswith("第"):
            # 十八條 (in 二十八條, 一百一十八條), 本法第 (before an article's number):
            # numbers and references, which the numbers check reads, not terms
            continue
        main = cand.renderings[0]
        if main.dice < LEARN_MIN_DICE or cand.units < 2:
            continue
        if any(c.isdigit() for c in main.en):
            continue  # rendered as a number ("Article 48"): a reference, not a term
        entry = TermEntry(zh=cand.zh, en=main.en, category="learned")
        tb = TermBase([entry])
        usage = term_usage(
            pool, tb, candidates=term_candidates(_holding(holding, cand.zh, pool), tb)
        )
        if usage:
            kept = _learned_renderings(usage[0], main.proper, pool, texts)
            if kept is not None:
                out.append(kept)
    return out


def _units_holding(pool: Sequence[TranslationUnit]) -> dict[str, list[int]]:
    """For each Han character, the positions in ``pool`` of the sources holding it."""
    out: dict[str, list[int]] = defaultdict(list)
    for i, u in enumerate(pool):
        for ch in set(_HAN_CHARS.findall(u.source)):
            out[_unified(ch)].append(i)
    return out


def _unified(ch: str) -> str:
    """A compatibility ideograph (U+F900…) as normalization reads it."""
    return unicodedata.normalize("NFKC", ch) if ch >= "\uf900" else ch


def _holding(
    holding: dict[str, list[int]], zh: str, pool: Sequence[TranslationUnit]
) -> Sequence[TranslationUnit]:
    """The units of ``pool`` that hold the rarest Han character of ``zh``, in order.

    A learned term is read in these only: the others cannot hold it (Han characters
    pass normalization unchanged), and reading the whole TM once per learned term was
    the largest cost of QA on a large TM after term extraction.
    """
    han = {_unified(ch) for ch in _HAN_CHARS.findall(zh)}
    if not han:
        return pool
    rarest = min(han, key=lambda ch: len(holding.get(ch, ())))
    return [pool[i] for i in holding.get(rarest, ())]


# An odd rendering must stand with the term in at least this share of the units that
# hold it: a phrase common elsewhere ("key core technologies") renders something else.
LEARN_WITH_TERM = 0.6


def _differs_outside(main: str, odd: str) -> bool:
    """The two differ only in words past a function word at one end: not the term's.

    "market-oriented reform of natural" and "… of industrial" name what follows the
    term (natural gas, industrial land); the term itself is rendered alike.
    """
    from tm.terms.english import phrase_key

    a, b = phrase_key(main), phrase_key(odd)
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    if tail == 0 and head and a[head - 1] in _STOP:
        return True
    return head == 0 and tail > 0 and a[len(a) - tail] in _STOP


def _learned_renderings(
    usage: TermUsage,
    proper: bool,
    pool: Sequence[TranslationUnit],
    texts: list[str],
) -> TermUsage | None:
    """The usage with the odd renderings that are credibly the term's, or None.

    A name's rendering keeps its capitalized words ("Fujian Province" is not rendered
    "Sichuan provinces"), and an odd rendering must mostly occur where the term does.
    """
    main = next((r for r in usage.renderings if r.status == "approved"), None)
    if main is None:
        return None
    names = {w.casefold() for w in _WORD.findall(main.text) if w[:1].isupper()}
    keep = []
    for r in usage.renderings:
        if r.status != "unknown":
            keep.append(r)
            continue
        words = {w.casefold() for w in _WORD.findall(r.text)}
        if (proper and not names <= words) or _differs_outside(main.text, r.text):
            continue
        phrase = " ".join(_norm(r.text).split())
        anywhere = sum(1 for t in texts if phrase in t)
        if anywhere and r.count / anywhere >= LEARN_WITH_TERM:
            keep.append(r)
    return TermUsage(usage.entry, tuple(keep))


def _lexicon(units: Sequence[TranslationUnit], ctx: QAContext) -> Lexicon | None:
    """The run's word lexicon (``tm.qa.lexicon``), learned once; None past
    ``LEARN_MAX_UNITS`` units, where QA checks against the glossary alone."""
    if "lexicon" not in ctx.stats:
        ctx.stats["lexicon"] = (
            learn_lexicon(term_units(units)) if len(units) <= LEARN_MAX_UNITS else None
        )
    return ctx.stats["lexicon"]  # type: ignore[no-any-return]


def _term_differences(
    usage: TermUsage,
    lexicon: Lexicon | None,
    lookup: dict[int, TranslationUnit],
    *,
    drop: tuple[str, ...] = ("unknown", "approved", "variant"),
) -> TermUsage:
    """The usage without other renderings whose difference is not the term's.

    A learned rendering is read off the words around the term in the target, so two
    renderings can differ by what the source says next to the term: "digital
    transformation" and "digital solutions" for 数字化 (转型, 解决方案 follow it),
    "allocation" and "allocation method" (方式 follows). A word that only one of the
    two renderings has is the neighbours' when the lexicon expects it from the source
    right beside the term and the target has it nowhere else: the rendering absorbed
    it.
    "idle rural houses" beside "rural industrial projects" keeps its "rural": 乡村 is
    rendered apart, so the word is the term's.

    ``drop`` are the statuses that may go: a glossary term's odd renderings are only
    its unknown ones (a forbidden one stays forbidden whatever surrounds it).
    """
    main = next((r for r in usage.renderings if r.status == "approved"), None)
    if lexicon is None or main is None:
        return usage
    zh = usage.entry.zh
    inside = lexicon.words(zh)  # every word the term's own characters may bring
    main_roots = en_roots(main.text)
    keep = []
    for r in usage.renderings:
        if r is main or r.status not in drop:
            keep.append(r)
            continue
        odd_roots = en_roots(r.text)
        if _absorbed(odd_roots - main_roots - inside, r, zh, lexicon, lookup) or (
            _absorbed(main_roots - odd_roots - inside, main, zh, lexicon, lookup)
        ):
            continue
        keep.append(r)
    return TermUsage(usage.entry, tuple(keep))


NEIGHBOUR_CHARS = 4  # the source next to a term, each side, whose words it may absorb


def _beside(source: str, zh: str) -> str:
    """The characters next to each occurrence of ``zh`` in ``source``, apart."""
    out = []
    i = source.find(zh)
    while i >= 0:
        end = i + len(zh)
        out += [
            source[max(0, i - NEIGHBOUR_CHARS) : i],
            source[end : end + NEIGHBOUR_CHARS],
        ]
        i = source.find(zh, end)
    return "\x1f".join(out)


def _absorbed(
    words: set[str],
    r: Rendering,
    zh: str,
    lexicon: Lexicon,
    lookup: dict[int, TranslationUnit],
) -> bool:
    """Whether, in most units using ``r`` (up to 5 read), one of ``words`` renders
    the source outside the term ``zh`` and stands only inside the rendering."""
    if not words:
        return False
    read = [
        (lookup[i], span)
        for i, span in list(zip(r.units, r.spans, strict=False))[:5]
        if i in lookup and span is not None
    ]
    hits = 0
    for u, span in read:
        rest = en_roots(u.target[: span.start] + " " + u.target[span.end :])
        outside = lexicon.anchors(_beside(u.source, zh))
        hits += bool((words & outside) - rest)
    return bool(read) and hits * 2 > len(read)


@register("rendering-inconsistent", "info", scope="corpus")
def rendering_inconsistent(
    units: Sequence[TranslationUnit], ctx: QAContext
) -> Iterator[QAIssue]:
    """A recurring term the glossary lacks is rendered in more than one way in the TM."""
    lookup = _by_id(units)
    seen: dict[tuple[str, ...], str] = {}
    learned = learned_usage(units, ctx.termbase)
    lexicon = _lexicon(units, ctx) if learned else None
    for usage in sorted(learned, key=lambda u: -len(u.entry.zh)):
        usage = _term_differences(usage, lexicon, lookup)
        c = conflict(usage)
        if c is None or c.check != "term-inconsistent":
            continue
        odd = tuple(r for r in c.odd if r.status != "missing")
        if not odd or not any(_content_words(r.text) for r in odd):
            continue
        rep = next(
            (
                (lookup[i], span)
                for r in odd
                for i, span in zip(r.units, r.spans, strict=True)
                if i in lookup
            ),
            None,
        )
        if rep is None:
            continue
        e = usage.entry
        parts = [f"{r.text!r} ×{r.count}" for r in (*c.good, *odd)]
        ids = tuple(dict.fromkeys(i for r in (*odd, *c.good) for i in r.units))
        unit, span = rep
        same = tuple(sorted(_norm(r.text) for r in (*odd, *c.good)))
        if any(usage.entry.zh in longer for longer in seen.get(same, "").split("|")):
            continue  # a piece of a longer term already reported with these renderings
        seen[same] = seen.get(same, "") + "|" + usage.entry.zh
        yield issue(
            "rendering-inconsistent",
            unit,
            f"{e.zh} is rendered {len(parts)} ways in the TM: " + ", ".join(parts),
            spans=[s for s in (_zh_span(unit, e.zh), span) if s is not None],
            fix="choose one rendering (and add the term to the glossary)",
            units=ids,
            key=[e.zh, *sorted(_norm(r.text) for r in (*odd, *c.good))],
            data=[
                ("term", e.zh),
                ("units_to_check", [i for r in odd for i in r.units]),
                (
                    "renderings",
                    [(r.text, r.status, r.count, list(r.units)) for r in c.good + odd],
                ),
            ],
        )
