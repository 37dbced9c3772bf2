"""Flags on TM units whose English is unsafe to reuse as it is.

A match is flagged when its unit fails one of the QA checks below: Chinese left in the
English, a rendering the glossary forbids, an English cut off mid-phrase, an empty
English. The checks are QA's own (``tm.qa``), run on the one unit; the matcher ranks a
flagged unit below a clean one of nearly the same score, and pre-translation never
inserts its English as if it were clean.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any

from tm.models import Flag, TranslationUnit

#: The QA checks whose findings flag a match (per-unit checks, and the glossary's).
FLAG_CHECKS = ("empty-target", "untranslated-han", "term-forbidden", "truncated")
_CACHE_SIZE = 4096
_cache: OrderedDict[tuple[int, str, str], tuple[Flag, ...]] = OrderedDict()
_lock = Lock()


def unit_flags(unit: TranslationUnit, termbase: Any = None) -> tuple[Flag, ...]:
    """The flags of one unit (empty when it is clean).

    Args:
        unit: a TM unit.
        termbase: the glossary for the forbidden-rendering check (None skips it).
    """
    key = (id(termbase), unit.source, unit.target)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    flags = _run(unit, termbase)
    with _lock:
        _cache[key] = flags
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return flags


def _run(unit: TranslationUnit, termbase: Any) -> tuple[Flag, ...]:
    from tm.qa import CHECKS, QAContext

    ctx = QAContext(termbase=termbase)
    out: list[Flag] = []
    for name in FLAG_CHECKS:
        check = CHECKS[name]
        if name == "term-forbidden":
            out.extend(_forbidden(unit, termbase) if termbase is not None else ())
            continue
        found = check.func([unit] if check.scope == "corpus" else unit, ctx)
        for issue in found:
            spans = tuple((s.start, s.end) for s in issue.spans if s.side == "target")
            out.append(Flag(name, issue.message, spans))
    return tuple(out)


def _forbidden(unit: TranslationUnit, termbase: Any) -> list[Flag]:
    """Each forbidden rendering of a glossary term of the source found in the English.

    Read straight from the glossary rather than through QA's term check: QA reports a
    long term made of shorter entries through those entries (one finding per problem
    in a review), but a match whose English uses the long term's forbidden rendering
    is unsafe to reuse all the same.
    """
    out: list[Flag] = []
    seen: set[tuple[int, int]] = set()
    for hit in termbase.find(unit.source):
        if not hit.entry.forbidden:  # most entries: nothing to look for
            continue
        for found in termbase.renderings_in(hit.entry, unit.target):
            kind = getattr(found.kind, "value", found.kind)
            if kind != "forbidden" or (found.start, found.end) in seen:
                continue
            seen.add((found.start, found.end))
            out.append(
                Flag(
                    "term-forbidden",
                    f"{hit.entry.zh}: the glossary forbids {found.text!r}"
                    f" (use {hit.entry.en!r})",
                    ((found.start, found.end),),
                )
            )
    return out
