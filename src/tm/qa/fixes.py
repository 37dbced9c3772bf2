"""A QA finding's suggested fix, applied to the target when that is safe.

A finding's ``fix`` is written for a reviewer ("use ','", "replace with 'factor
market' (term base)", "strip it", "(1)", "use one translation, e.g. '…'"); some fixes
need a human ("translate it", "check for a missing part"). This module reads the
fix, tries the edits it can mean on the finding's target span, and keeps one only if
running the same check on the edited unit finds less than before: a fix is applied
when the check itself agrees it fixed something, never on a guess.

Consistency checks cannot be run on one unit alone. Their fix is applied only when it
is a label or number to write ("2." for "Second, "). "Use one translation, e.g. X"
and "align the translation with X" are never applied: the other unit's English
carries its own list label and clauses, or its source differs. A term check's fix
("use 'factor guarantees'") is applied only where the span is a rendering the term
base lists as forbidden or a variant, not where the check guessed the English.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from tm.models import QAIssue, Span, TranslationUnit

_QUOTED = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\"""")
# A fix that is text to write rather than advice: a label or number ("(1)", "2.",
# "(2025) No. 86"), with no run of lowercase letters a sentence would have.
_PROSE = re.compile(r"[a-z]{2}")


def fixed_target(finding: QAIssue, *, termbase: Any = None) -> str | None:
    """The finding's target with its fix applied, or None when it cannot be applied.

    Args:
        finding: the finding (its ``target``, ``spans`` and ``fix``).
        termbase: the term base the check ran with (term checks need it).
    """
    fix = finding.fix.strip()
    spans = [s for s in finding.spans if s.side == "target"]
    if not fix or not _span_is_known(finding, spans, termbase):
        return None
    before = _count(finding, finding.target, termbase)
    written = None  # the edit the fix spells out, for checks one unit cannot show
    for candidate, literal in _candidates(finding.target, spans, fix):
        if candidate == finding.target:
            continue
        if before and _count(finding, candidate, termbase) < before:
            return candidate
        if not before and literal and written is None:
            written = candidate
    return written


def _candidates(target: str, spans: list[Span], fix: str) -> Iterator[tuple[str, bool]]:
    """Edits the fix may mean, most specific first, each with whether the fix spells
    it out exactly (a one-translation choice, or a label or number to write)."""
    if fix == "strip it":
        yield target.strip(), False
        return
    if fix.startswith("start the target with "):
        label = fix.removeprefix("start the target with ").strip()
        yield f"{label} {target.lstrip()}", False
        return
    if fix.startswith("align the translation with"):
        return  # the sources differ: the other unit's English is no fix for this one
    if fix.startswith("use one translation"):
        return  # the other unit's English carries its own list label and clauses
    replacements: list[tuple[str, bool]] = []
    quoted = _quoted(fix)
    if quoted is not None:
        replacements.append((quoted, False))
    if " as " in fix:
        replacements.append((fix.rsplit(" as ", 1)[1], False))
    if fix == "one space":
        replacements.append((" ", False))
    for span in spans[:1]:
        if _PROSE.search(fix) is None or _blank_only(fix, span.text):
            replacements.append((fix, _PROSE.search(fix) is None))  # "(1)", "(3) Expl"
        for text, literal in replacements:
            yield (
                target[: span.start] + _spaced(text, span.text) + target[span.end :],
                literal,
            )


def _span_is_known(finding: QAIssue, spans: list[Span], termbase: Any) -> bool:
    """Whether a term finding's target span is a rendering the term base lists (a
    forbidden or variant one): then "use X" replaces exactly that. A span a term
    check only guessed (the English near where the term should be) is not replaced.
    """
    if not finding.check.startswith("term-"):
        return True
    if termbase is None or not spans:
        return False
    said = spans[0].text.strip().casefold()
    return any(
        said == text.casefold()
        for entry in termbase
        for text, _ in entry.renderings()
        if text != entry.en
    )


def _spaced(text: str, old: str) -> str:
    """``text`` keeping the blank ``old`` had at its ends ("Second, " → "2. ")."""
    if not text.strip():
        return text
    lead = old[: len(old) - len(old.lstrip())]
    trail = old[len(old.rstrip()) :]
    return lead + text.strip() + trail


def _blank_only(fix: str, text: str) -> bool:
    """Whether ``fix`` is ``text`` with only its spacing changed (the spacing check)."""
    return re.sub(r"\s", "", fix) == re.sub(r"\s", "", text)


def _quoted(fix: str) -> str | None:
    m = _QUOTED.search(fix)
    if m is None:
        return None
    try:
        value = ast.literal_eval(m.group())
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def _count(finding: QAIssue, target: str, termbase: Any) -> int:
    """Findings of the finding's check on its unit with ``target``."""
    from tm.qa import run_checks

    unit = TranslationUnit(
        source=finding.source, target=target, segtype="sentence", id=1
    )
    report = run_checks([unit], checks=[finding.check], termbase=termbase)
    return len(report.findings)
