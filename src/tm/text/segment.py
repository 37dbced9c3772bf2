"""Sentences and clauses of Chinese and English text: the one splitter of ``tm``.

Import, alignment, concordance fragments, matching and QA all cut text here, driven by
the rule table in segment_rules.yaml. Chinese ends a sentence after 。！？； and their
ASCII forms (the seeds write ``;`` inside Chinese); English after ``. ! ? ;`` followed
by whitespace. Closing quotes and brackets after a terminator stay with their sentence.
Exceptions (abbreviations, "No. 86", enumerator heads) are rows of the table, not code:
see the YAML file for the semantics.

A clause is a stretch of a sentence between clause marks (Chinese ，；： and their ASCII
forms; English ``, ; :`` before whitespace); the list label opening a paragraph
(``tm.text.labels``: 一、 (一) 1. (1), 2. (b) First,) is structure and belongs to no
clause. The listing comma 、 is not a clause mark:
what it separates are items of one clause (typically terms).

Positions are :class:`Span` pairs over the text as given, so callers slice the stored
text and never see a normalized copy. A sentence span keeps its terminator (and the
closers after it); a clause span leaves out the mark that ends it. Both leave out the
whitespace around them and are never empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import NamedTuple

import yaml

from tm.errors import ConfigError
from tm.text.labels import en_enumerator, zh_enumerator
from tm.text.normalize import primary_lang

_WINDOW = 80


class Span(NamedTuple):
    """``text[start:end]`` of a sentence or clause, in the text's own positions.

    A tuple rather than a dataclass: a QA run over a million units builds several
    million, and ``text[slice(*span)]`` and ``a, b = span`` read naturally.
    """

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class BreakRule:
    """One row of the table: at a candidate, ``before``/``after`` decide ``brk``."""

    name: str
    brk: bool
    before: re.Pattern[str]
    after: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A language's candidates (terminator + closers) and its ordered rules."""

    lang: str
    candidate: re.Pattern[str]
    rules: tuple[BreakRule, ...]
    clause_mark: re.Pattern[str]
    item_mark: re.Pattern[str]
    marks: str

    def breaks_at(self, text: str, pos: int) -> BreakRule | None:
        """The rule deciding the candidate at ``pos``, or None (a default break)."""
        lo = max(0, pos - _WINDOW)
        for rule in self.rules:
            if rule.before.search(text, lo, pos) and rule.after.match(text, pos):
                return rule
        return None


@cache
def rule_set(lang: str) -> RuleSet:
    """The rules for ``lang`` ("zh", "en", or a tag such as "zh-CN").

    Raises:
        ConfigError: no rules for that language.
    """
    key = primary_lang(lang)
    table = _table()
    if key not in table:
        raise ConfigError(
            f"no sentence rules for language {lang!r}",
            hint=f"known: {', '.join(sorted(table))}",
        )
    spec = table[key]
    term = re.escape(spec["terminators"])
    close = re.escape(spec["closers"])
    space = r"(?=\s)" if spec["needs_space"] else ""
    candidate = re.compile(f"[{term}][{close}]*{space}")
    rules = tuple(
        BreakRule(
            name=row["name"],
            brk=bool(row["break"]),
            before=re.compile(f"(?:{row['before']})\\Z"),
            after=re.compile(row.get("after") or ""),
        )
        for row in spec["rules"]
    )
    clause_space = r"(?=\s)" if spec["clause_needs_space"] else ""
    clause_marks = spec["clause_marks"]
    item_marks = clause_marks + spec.get("item_marks", "")
    clause_mark = re.compile(f"[{re.escape(clause_marks)}]{clause_space}")
    item_mark = re.compile(f"[{re.escape(item_marks)}]{clause_space}")
    marks = spec["terminators"] + item_marks
    return RuleSet(key, candidate, rules, clause_mark, item_mark, marks)


def rule_table(lang: str) -> dict:  # type: ignore[type-arg]
    """The raw rule table for ``lang`` (terminators, closers, rules), e.g. for export.

    Raises:
        ConfigError: no rules for that language.
    """
    rule_set(lang)  # the same error for an unknown language
    return dict(_table()[primary_lang(lang)])


@cache
def _table() -> dict[str, dict]:  # type: ignore[type-arg]
    text = resources.files("tm.text").joinpath("segment_rules.yaml").read_text("utf-8")
    return dict(yaml.safe_load(text))


def sentence_spans(text: str, lang: str) -> list[Span]:
    """The sentences of a paragraph, as spans over ``text``.

    Args:
        text: one paragraph.
        lang: "zh", "en" or a BCP 47 tag.

    Returns:
        Spans in order, each without surrounding whitespace and never empty; the
        text between them is whitespace only.

    Raises:
        ConfigError: no rules for that language.
    """
    return list(_sentences(text, lang))


# QA reads one unit's English with several checks (a stray tail, a repeated sentence)
# one after the other; a small cache splits it once.
@lru_cache(maxsize=64)
def _sentences(text: str, lang: str) -> tuple[Span, ...]:
    rules = rule_set(lang)
    out: list[Span] = []
    start = 0
    for m in rules.candidate.finditer(text):
        pos = m.end()
        rule = rules.breaks_at(text, pos) if rules.rules else None
        if rule is not None and not rule.brk:
            continue
        _add(out, text, start, pos)
        start = pos
    _add(out, text, start, len(text))
    return tuple(out)


def clause_spans(
    text: str,
    lang: str,
    *,
    within: tuple[int, int] | None = None,
    items: bool = False,
) -> list[Span]:
    """The clauses of ``text`` (or of ``text[within[0]:within[1]]``), as spans.

    Sentences are split first (a clause never spans two), then each sentence at its
    clause marks. A span leaves out the mark that ends it (and the sentence
    terminator), so a clause's text is its words: what a fragment look-up searches
    and a clause key compares.

    Args:
        text: the text the spans index.
        lang: "zh", "en" or a BCP 47 tag.
        within: only this stretch of ``text`` (a sentence of a paragraph).
        items: also split at the listing comma 、 (the table's ``item_marks``), so
            each listed item is a piece of its own: what a fragment look-up wants,
            as a new document reuses the terms of a list more than the list.

    Returns:
        Spans in order, never empty, without surrounding whitespace or their end mark.

    Raises:
        ConfigError: no rules for that language.
    """
    a, b = within if within is not None else (0, len(text))
    return list(_clauses(text, primary_lang(lang), a, b, items))


# The sentence units of one paragraph come one after another and often share its
# English (so its clauses); a small cache serves them.
@lru_cache(maxsize=256)
def _clauses(text: str, lang: str, a: int, b: int, items: bool) -> tuple[Span, ...]:
    rules = rule_set(lang)
    piece = text[a:b]
    whole = [Span(s + a, e + a) for s, e in sentence_spans(piece, lang)]
    mark = rules.item_mark if items else rules.clause_mark
    label = zh_enumerator(piece) if lang == "zh" else en_enumerator(piece)
    out: list[Span] = []
    for s, e in whole:
        start = max(s, a + label.end) if label else s
        for m in mark.finditer(text, s, e):
            _add_clause(out, text, start, m.start(), rules.marks)
            start = m.end()
        _add_clause(out, text, start, e, rules.marks)
    return tuple(out)


def _add(out: list[Span], text: str, a: int, b: int) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if a < b:
        out.append(Span(a, b))


def _add_clause(out: list[Span], text: str, a: int, b: int, marks: str) -> None:
    while b > a and (text[b - 1].isspace() or text[b - 1] in marks):
        b -= 1
    _add(out, text, a, b)


def split_sentences(text: str, lang: str) -> list[str]:
    """The sentences of a paragraph as strings (see :func:`sentence_spans`).

    ``"".join`` of them equals ``text`` without the whitespace between sentences.
    """
    return [text[a:b] for a, b in sentence_spans(text, lang)]


def split_zh(text: str) -> list[str]:
    """Chinese sentences of ``text``."""
    return split_sentences(text, "zh")


def split_en(text: str) -> list[str]:
    """English sentences of ``text``."""
    return split_sentences(text, "en")
