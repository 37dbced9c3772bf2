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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from tm.models import QAIssue, Span, TranslationUnit
from tm.qa.base import QAContext, fingerprint, issue, register

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


def term_usage(units: Sequence[TranslationUnit], termbase: Any) -> list[TermUsage]:
    """How each glossary term found in the sources is rendered in the targets.

    Args:
        units: the TM's units (sentence units are preferred when present).
        termbase: a ``tm.terms.TermBase``.

    Returns:
        One :class:`TermUsage` per entry found, in term base order.
    """
    per_entry: dict[int, dict[str, _Acc]] = {}
    entries: dict[int, Any] = {}
    for u in term_units(units):
        seen_here: set[int] = set()
        for hit in termbase.find(u.source, lang="zh"):
            key = id(hit.entry)
            if key in seen_here:
                continue
            seen_here.add(key)
            entries[key] = hit.entry
            accs = per_entry.setdefault(key, {})
            for text, status, span in _renderings(termbase, hit.entry, u.target):
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
        accs = sorted(
            per_entry[key].values(),
            key=lambda a: (a.status == "missing", -len(a.units)),
        )
        out.append(
            TermUsage(
                entries[key],
                tuple(
                    Rendering(a.text, a.status, tuple(a.units), tuple(a.spans))
                    for a in accs
                ),
            )
        )
    return out


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
                str(h.kind.value if hasattr(h.kind, "value") else h.kind),
                Span("target", h.start, h.end, h.text),
            )
            for h in hits
        ]
    guess = guess_rendering(entry, target)
    if guess:
        a, b = guess
        return [(target[a:b], "unknown", Span("target", a, b, target[a:b]))]
    return [("", "missing", None)]


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
        ctx.stats["term_usage"] = term_usage(units, ctx.termbase)
    return ctx.stats["term_usage"]  # type: ignore[no-any-return]


def _by_id(units: Sequence[TranslationUnit]) -> dict[int, TranslationUnit]:
    return {u.id: u for u in term_units(units) if u.id is not None}


@register("term-inconsistent", "warning", scope="corpus")
def term_inconsistent(
    units: Sequence[TranslationUnit], ctx: QAContext
) -> Iterator[QAIssue]:
    """A glossary term is rendered in more than one way across the TM."""
    lookup = _by_id(units)
    for usage in _usage(units, ctx):
        if not usage.inconsistent:
            continue
        e = usage.entry
        used = usage.used
        odd = next((r for r in used if r.status != "approved"), used[0])
        rep = lookup.get(odd.units[0])
        if rep is None:
            continue
        parts = [f"{r.text!r} ×{r.count} ({r.status})" for r in used]
        all_ids = tuple(dict.fromkeys(i for r in used for i in r.units))
        yield issue(
            "term-inconsistent",
            rep,
            (
                f"{e.zh} is rendered {len(used)} ways: "
                if len(used) > 1
                else f"{e.zh} is rendered only as "
            )
            + ", ".join(parts),
            spans=[s for s in odd.spans[:1] if s is not None],
            fix=f"use {e.en!r}" if e.en else "choose one rendering",
            units=all_ids,
            key=[e.zh, *sorted(_norm(r.text) + r.status for r in used)],
            data=[
                ("term", e.zh),
                (
                    "renderings",
                    [
                        (r.text, r.status, r.count, list(r.units))
                        for r in usage.renderings
                    ],
                ),
            ],
        )


@register("term-forbidden", "error", scope="corpus")
def term_forbidden(
    units: Sequence[TranslationUnit], ctx: QAContext
) -> Iterator[QAIssue]:
    """A rendering the glossary forbids is used for a term in the source."""
    lookup = _by_id(units)
    for usage in _usage(units, ctx):
        e = usage.entry
        for r in usage.renderings:
            if r.status != "forbidden":
                continue
            for uid, span in zip(r.units, r.spans, strict=True):
                u = lookup.get(uid)
                if u is None:
                    continue
                yield issue(
                    "term-forbidden",
                    u,
                    f"{e.zh} is rendered {r.text!r}, which the glossary forbids",
                    spans=[span] if span else [],
                    fix=f"use {e.en!r}",
                    key=[e.zh, u.source, u.target, r.text],
                )


@register("term-mismatch", "warning", scope="corpus")
def term_mismatch(
    units: Sequence[TranslationUnit], ctx: QAContext
) -> Iterator[QAIssue]:
    """A glossary term in the source has neither its approved rendering nor a variant in the target."""
    lookup = _by_id(units)
    for usage in _usage(units, ctx):
        e = usage.entry
        if not e.en:
            continue
        good = {
            uid
            for r in usage.renderings
            if r.status in ("approved", "variant")
            for uid in r.units
        }
        for r in usage.renderings:
            if r.status not in ("unknown", "missing"):
                continue
            for uid, span in zip(r.units, r.spans, strict=True):
                u = lookup.get(uid)
                if u is None or uid in good:
                    continue
                zh_span = _zh_span(u, e.zh)
                found = f"; the target has {r.text!r}" if r.status == "unknown" else ""
                yield issue(
                    "term-mismatch",
                    u,
                    f"{e.zh} should be {e.en!r}{found}",
                    spans=[s for s in (zh_span, span) if s is not None],
                    fix=f"use {e.en!r}",
                    key=[e.zh, fingerprint("u", u.source, u.target)],
                )


def _zh_span(u: TranslationUnit, zh: str) -> Span | None:
    i = u.source.find(zh)
    return Span("source", i, i + len(zh), zh) if i >= 0 else None
