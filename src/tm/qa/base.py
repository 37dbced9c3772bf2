"""The QA check registry and the context checks run in.

A check is a small function registered by name with a severity; the first line of its
docstring is its title (Translate Toolkit's decorators do the same). Per-unit checks take
``(unit, ctx)``; corpus checks take ``(units, ctx)`` and see the whole TM at once, which
consistency and term-usage checks need. Both yield :class:`~tm.models.QAIssue`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tm.models import QAIssue, Severity, Span, TranslationUnit
from tm.text.normalize import PUNCT_TABLE

UnitCheck = Callable[[TranslationUnit, "QAContext"], Iterable[QAIssue]]
CorpusCheck = Callable[[Sequence[TranslationUnit], "QAContext"], Iterable[QAIssue]]


@dataclass(frozen=True, slots=True)
class Check:
    """A registered check: its name, function, severity, title and scope."""

    name: str
    func: Callable[..., Iterable[QAIssue]]
    severity: Severity
    title: str
    scope: str  # "unit" or "corpus"


CHECKS: dict[str, Check] = {}


@dataclass(slots=True)
class QAContext:
    """What checks share during one run: the term base and corpus statistics.

    Attributes:
        termbase: a ``tm.terms.TermBase`` or None (term checks then yield nothing).
        stats: corpus-wide figures computed once before the per-unit pass (the length
            model lives here), keyed by name.
    """

    termbase: Any = None
    stats: dict[str, Any] = field(default_factory=dict)


_KEY_TABLE = str.maketrans(
    {**PUNCT_TABLE, " ": None, "\t": None, "\n": None, "\r": None}
)


def group_key(text: str) -> str:
    """A cheap normalized key: NFKC, zh→ASCII punctuation, no whitespace, casefolded.

    Coarser than ``match_key`` in one way only (it drops every space, so "a b" and
    "ab" group together) and several times faster, which a million units need.
    Typical Chinese text takes :func:`_plain_key`, which gives the same key faster.
    """
    if text.isascii():
        return "".join(text.split()).translate(_KEY_TABLE).casefold()
    if _NOT_PLAIN.search(text) is None:
        return _plain_key(text)
    return unicodedata.normalize("NFKC", text).translate(_KEY_TABLE).casefold()


def _plain_key(text: str) -> str:
    """``group_key`` of text made only of "plain" characters (see :func:`_plain_chars`).

    For those, NFKC works character by character (no reordering, no composition), so
    NFKC and the key table fold into one character map; the few characters it changes
    are replaced with ``str.replace``, much faster than NFKC plus ``translate``.
    """
    for ch in set(_PLAIN_CHANGED.findall(text)):
        text = text.replace(ch, _PLAIN_MAP[ch])
    return text.casefold()


def _plain_chars() -> tuple[str, dict[str, str]]:
    """The plain characters and the key each one folds to (when it changes).

    Plain: ASCII, CJK ideographs (with extension A), and the CJK punctuation, general
    punctuation and full-width forms that are NFKC-stable starters or whose NFKC is
    one such character (，→ , ｡ → 。). None composes with a neighbour under NFC (a
    test checks this against every canonical decomposition).
    """

    def stable(c: str) -> bool:
        return unicodedata.normalize("NFKC", c) == c and not unicodedata.combining(c)

    extra = [
        chr(cp)
        for lo, hi in ((0x2010, 0x2027), (0x3000, 0x303F), (0xFF00, 0xFFEF))
        for cp in range(lo, hi + 1)
    ] + list(PUNCT_TABLE)
    plain = [chr(cp) for cp in range(0x80)]
    changed: dict[str, str] = {}
    for c in extra:
        n = unicodedata.normalize("NFKC", c)
        if len(n) == 1 and stable(n) and (n.isascii() or stable(c) or n in extra):
            plain.append(c)
            key = n.translate(_KEY_TABLE)
            if key != c:
                changed[c] = key
    for c in " \t\n\r":
        changed[c] = ""
    ranges = "\u3400-\u4dbf\u4e00-\u9fff" + re.escape("".join(sorted(set(plain))))
    return ranges, changed


_PLAIN_RANGES, _PLAIN_MAP = _plain_chars()
_NOT_PLAIN = re.compile(f"[^{_PLAIN_RANGES}]")
_PLAIN_CHANGED = re.compile("[" + re.escape("".join(_PLAIN_MAP)) + "]")


def primary_units(units: Sequence[TranslationUnit]) -> Sequence[TranslationUnit]:
    """The units per-unit checks read: all but sentence units, when there are others.

    Sentence units aligned from the TM's paragraphs repeat their text; checking both
    would report every number or stray character twice.
    """
    rest = [u for u in units if u.segtype != "sentence"]
    return rest if rest else units


def register(
    name: str, severity: Severity | str, *, scope: str = "unit"
) -> Callable[[Callable[..., Iterable[QAIssue]]], Callable[..., Iterable[QAIssue]]]:
    """Register a check under ``name``; its docstring's first line is the title."""

    def deco(
        func: Callable[..., Iterable[QAIssue]],
    ) -> Callable[..., Iterable[QAIssue]]:
        title = (func.__doc__ or name).strip().splitlines()[0].rstrip(".")
        CHECKS[name] = Check(name, func, Severity(severity), title, scope)
        return func

    return deco


def target_span(unit: TranslationUnit, start: int, end: int) -> Span:
    return Span("target", start, end, unit.target[start:end])


def source_span(unit: TranslationUnit, start: int, end: int) -> Span:
    return Span("source", start, end, unit.source[start:end])


def fingerprint(check: str, *parts: str) -> str:
    """A finding's stable id: the check plus normalized texts, not unit ids.

    Unit ids change when a file is checked in memory or re-imported; the texts do not,
    so a false-positive mark keeps holding.
    """
    h = hashlib.sha1(check.encode("utf-8"))
    for p in parts:
        h.update(b"\x1f" + p.encode("utf-8"))
    return h.hexdigest()[:16]


def issue(
    check: str,
    unit: TranslationUnit,
    message: str,
    *,
    spans: Sequence[Span] = (),
    fix: str = "",
    units: Sequence[int] | None = None,
    key: Sequence[str] = (),
    data: Sequence[tuple[str, object]] = (),
    severity: Severity | None = None,
) -> QAIssue:
    """Build a finding for ``unit`` with the check's registered severity.

    ``key`` are the texts that identify the finding for its fingerprint; by default
    the unit's source and target plus the spans' texts.
    """
    ids = (
        tuple(units)
        if units is not None
        else ((unit.id,) if unit.id is not None else ())
    )
    parts = list(key) or [
        group_key(unit.source),
        group_key(unit.target),
        *(f"{s.side}:{s.text}" for s in spans),
    ]
    return QAIssue(
        check=check,
        severity=severity or CHECKS[check].severity,
        units=ids,
        source=unit.source,
        target=unit.target,
        message=message,
        spans=tuple(spans),
        fix=fix,
        fingerprint=fingerprint(check, *parts),
        data=tuple(data),
    )
