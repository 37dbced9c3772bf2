"""Sentence splitting for Chinese and English, driven by the rule table in segment_rules.yaml.

Chinese ends a sentence after 。！？； and their ASCII forms (the seeds write ``;`` inside
Chinese); English after ``. ! ? ;`` followed by whitespace. Closing quotes and brackets
after a terminator stay with their sentence. Exceptions (abbreviations, "No. 86",
enumerator heads) are rows of the table, not code: see the YAML file for the semantics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from tm.errors import ConfigError
from tm.text.normalize import primary_lang

_WINDOW = 80


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
    return RuleSet(key, candidate, rules)


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


def split_sentences(text: str, lang: str) -> list[str]:
    """Split a paragraph into sentences (stripped, never empty; text otherwise unchanged).

    Args:
        text: one paragraph.
        lang: "zh", "en" or a BCP 47 tag.

    Returns:
        The sentences in order; ``"".join`` of them equals ``text`` without the
        whitespace between sentences.
    """
    rules = rule_set(lang)
    out: list[str] = []
    start = 0
    for m in rules.candidate.finditer(text):
        pos = m.end()
        rule = rules.breaks_at(text, pos)
        if rule is not None and not rule.brk:
            continue
        _append(out, text[start:pos])
        start = pos
    _append(out, text[start:])
    return out


def _append(out: list[str], piece: str) -> None:
    piece = piece.strip()
    if piece:
        out.append(piece)


def split_zh(text: str) -> list[str]:
    """Chinese sentences of ``text``."""
    return split_sentences(text, "zh")


def split_en(text: str) -> list[str]:
    """English sentences of ``text``."""
    return split_sentences(text, "en")
