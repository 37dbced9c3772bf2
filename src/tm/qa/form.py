"""Form checks: brackets and quotes, spacing, Chinese punctuation in English,
whitespace at the ends, and targets cut off mid-phrase.

Per unit, cheap and language-aware: the seeds write ASCII ``,():;`` inside Chinese, so
only the English side is checked for full-width punctuation; brackets on both sides
(the Changsha–Zhuzhou–Xiangtan action plan itself has unbalanced “”).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import pairwise

from tm import fastpath
from tm.models import QAIssue, Severity, Span, TranslationUnit
from tm.qa.base import QAContext, issue, register, target_span
from tm.text.labels import en_enumerator
from tm.text.normalize import has_han

# -- form --------------------------------------------------------------------------

_PAIRS = {
    "(": ")",
    "（": "）",
    "[": "]",
    "【": "】",
    "〔": "〕",
    "《": "》",
    "“": "”",
    "{": "}",
}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


def _unbalanced(text: str) -> list[int]:
    """Positions of brackets and curly quotes that have no partner."""
    if "x" in text or "×" in text:
        text = _DIMENSIONS.sub(_blank_marks, text)  # 2”x2”: inch marks
    # Brackets and curly quotes are matched apart: '(hereafter “the Act")' has a
    # mixed quote pair, which is reported, inside brackets that are closed.
    brackets: list[int] = []
    quotes: list[int] = []
    bad: list[int] = []
    for i, ch in enumerate(text):
        if ch in _PAIRS:
            (quotes if ch == "“" else brackets).append(i)
        elif ch in _CLOSERS:
            stack = quotes if ch == "”" else brackets
            if stack and text[stack[-1]] == _CLOSERS[ch]:
                stack.pop()
            else:
                bad.append(i)
    bad.extend(brackets)
    bad.extend(quotes)
    if (text.count('"') - len(_INCH.findall(text))) % 2:
        bad.append(text.rfind('"'))
    return sorted(bad)


# A " between numbers is an inch mark (5"2, 6'1"), not a quote.
_INCH = re.compile(r"(?<=\d)\"(?=\d)|(?<=\d'\d)\"|(?<=\d'\d\d)\"")
# Dimensions in inches: 2”x2”, 8" × 10".
_DIMENSIONS = re.compile(r"\d[\"”″]\s*[x×]\s*\d+(?:\.\d+)?[\"”″]")


def _blank_marks(m: re.Match[str]) -> str:
    return re.sub('["”″]', "_", m.group(0))


BRACKET_PRETEST = fastpath.register(
    "bracket-pretest",
    "brackets: the scan runs over the bracket characters of a text only",
)


def _balanced(text: str) -> bool:
    """True when the text has no unbalanced bracket or quote.

    Balance depends on the bracket characters alone, usually none or a pair, so the
    scan reads those instead of the whole text.
    """
    marks = "".join(_MARKS.findall(text))
    return not marks or (
        not _unbalanced(marks)
        and not _INCH.search(text)
        and not _DIMENSIONS.search(text)
    )


_MARKS = re.compile("[" + re.escape("".join(_PAIRS) + "".join(_CLOSERS) + '"') + "]")


# What a mark is, whatever its width or style: a source's unbalanced “ and a target's
# unbalanced " are the same quotation left open.
_FAMILY = str.maketrans(
    {"（": "(", "）": ")", "“": '"', "”": '"', "【": "[", "】": "]"}
)


_QUOTES = frozenset('“”"')
_EDGE = re.compile(r"[\s。！？!?.…]*")


def _running_quote(text: str, i: int) -> bool:
    """Whether the quote mark at ``i`` opens the paragraph or closes it: a quotation
    running over paragraphs opens each one and closes only the last."""
    if text[i] not in _QUOTES:
        return False
    return not text[:i].strip() or _EDGE.fullmatch(text, i + 1) is not None


def _families(text: str, at: list[int]) -> set[str]:
    return {text[i].translate(_FAMILY).replace(")", "(").replace("]", "[") for i in at}


@register("brackets", "warning")
def brackets(unit: TranslationUnit, ctx: QAContext) -> Iterator[QAIssue]:
    """Unbalanced brackets or quotes, in the source or the target.

    In the target a warning, unless the source leaves the same kind of mark open
    (a quotation running over several paragraphs opens in one and closes in
    another: the translation mirrors it) or the mark closes the list label the
    target starts with ("1) Owned by …"). In the source an info: the translator has
    nothing to fix, the source's author may; a quote mark alone at the very start or
    end of the source is a quotation running over paragraphs, no error at all.
    """
    src_bad: list[int] = []
    if not (fastpath.on(BRACKET_PRETEST) and _balanced(unit.source)):
        src_bad = _unbalanced(unit.source)
        for i in src_bad:
            if _running_quote(unit.source, i):
                continue
            yield issue(
                "brackets",
                unit,
                f"unbalanced {unit.source[i]} in the source",
                spans=[Span("source", i, i + 1, unit.source[i])],
                fix="add the missing partner or remove it",
                severity=Severity.INFO,
            )
    text = unit.target
    if fastpath.on(BRACKET_PRETEST) and _balanced(text):
        return
    mirrored = _families(unit.source, src_bad)
    label = en_enumerator(text)
    lead = _LEAD_LABEL.match(text)
    for i in _unbalanced(text):
        if (label and i < label.end) or (lead and i < lead.end()):
            continue
        if text[i] in ")）" and _INLINE_LABEL.search(text, 0, i):
            continue  # "… regarding 1) the cooperator, 2) …": labels in the text
        if _families(text, [i]) & mirrored:
            continue
        # A quote mark alone at the very start or end: news copy opens each paragraph
        # of a quotation running over several and closes only the last.
        # or a quotation the source, cut mid-sentence, carries on in the next unit.
        running = _running_quote(text, i) or (
            text[i] in _QUOTES and unit.source.rstrip()[-1:] not in _ZH_CLOSED
        )
        yield issue(
            "brackets",
            unit,
            f"unbalanced {text[i]} in the target"
            + (": a quotation running over paragraphs?" if running else ""),
            spans=[Span("target", i, i + 1, text[i])],
            fix="add the missing partner or remove it",
            severity=Severity.INFO if running else None,
        )


# A list label of the translator's own style at the start of the target ("2.)",
# "(a))", "iv)"): its bracket closes the label, not an opening one. 9 of 10 brackets
# false positives of corpus-17 were such labels (qa_judged_corpus.yaml).
_LEAD_LABEL = re.compile(
    r"\s*[(（]{0,2}\s*(?:\d{1,3}|[A-Za-z]{1,2}|[ivxlcIVXLC]{1,6})\s*[.．]?\s*[)）]{1,2}"
)
# A label inside the text: a number of one or two digits or a letter, after a space
# or a comma, closed by ")" ("report 1) the cooperator, 2) …", "item 2) through 10)").
_INLINE_LABEL = re.compile(r"(?:^|[\s,;:])(?:\d{1,2}|[a-zA-Z])\s?$")


_SPACING = re.compile(
    r"(?P<double>(?<=\S) {2,}(?=\S))"
    r"|(?P<after>(?<=[a-z])[,;](?=[A-Za-z])|(?<=\))(?=[A-Za-z]))"
    # "page(s)", "party(ies)": a plural written so takes no space before its bracket
    r"|(?P<before>(?<=[a-z])(?=\((?!(?:s|es|ies)\))))"
)


# Every _SPACING match contains one of these: a cheap search rules most targets out.
_SPACING_HINT = re.compile(r"  |[,;)][A-Za-z]|[a-z]\(")
SPACING_PRETEST = fastpath.register(
    "spacing-pretest", "spacing: a target with no hint of a spacing problem is skipped"
)


@register("spacing", "info")
def spacing(unit: TranslationUnit, ctx: QAContext) -> Iterator[QAIssue]:
    """Doubled spaces, or a missing space after , ; ) or before ( in the target."""
    if fastpath.on(SPACING_PRETEST) and not _SPACING_HINT.search(unit.target):
        return
    for m in _SPACING.finditer(unit.target):
        kind = m.lastgroup
        if kind == "double":
            msg, fix = "doubled space", "one space"
            span = target_span(unit, m.start(), m.end())
        else:
            at = m.end() if kind == "after" else m.start()
            lo = max(0, at - 4)
            msg = (
                "missing space "
                + ("after" if kind == "after" else "before")
                + f" {unit.target[at - 1 if kind == 'after' else at]!r}"
            )
            fix = f"{unit.target[lo:at]} {unit.target[at : at + 4]}"
            span = target_span(unit, lo, min(len(unit.target), at + 4))
        yield issue("spacing", unit, msg, spans=[span], fix=fix)


_ZH_PUNCT_EN = {
    "，": ",",
    "。": ".",
    "；": ";",
    "：": ":",
    "？": "?",
    "！": "!",
    "、": ",",
    "（": "(",
    "）": ")",
    "《": '"',
    "》": '"',
    "【": "[",
    "】": "]",
    "〔": "(",
    "〕": ")",
    "「": '"',
    "」": '"',
    "～": "~",
    "…": "...",
}
_ZH_PUNCT_RE = re.compile(
    "[" + re.escape("".join(k for k in _ZH_PUNCT_EN if k != "…")) + "]"
)


@register("cjk-punctuation", "warning")
def cjk_punctuation(unit: TranslationUnit, ctx: QAContext) -> Iterator[QAIssue]:
    """Chinese (full-width) punctuation left in the English target."""
    for m in _ZH_PUNCT_RE.finditer(unit.target):
        if _in_han_run(unit.target, m.start()):
            continue  # part of untranslated Chinese, reported there
        ch = m.group(0)
        yield issue(
            "cjk-punctuation",
            unit,
            f"Chinese punctuation {ch} in the target",
            spans=[target_span(unit, m.start(), m.end())],
            fix=f"use {_ZH_PUNCT_EN[ch]!r}",
        )


def _in_han_run(text: str, i: int) -> bool:
    near = text[max(0, i - 1) : i + 2]
    return has_han(near)


@register("whitespace", "info")
def whitespace(unit: TranslationUnit, ctx: QAContext) -> Iterator[QAIssue]:
    """Leading or trailing whitespace on either side."""
    for side, text in (("source", unit.source), ("target", unit.target)):
        lead = len(text) - len(text.lstrip())
        trail = len(text) - len(text.rstrip())
        if lead and text.strip():
            yield issue(
                "whitespace",
                unit,
                f"leading whitespace in the {side}",
                spans=[Span(side, 0, lead, text[:lead])],
                fix="strip it",
            )
        if trail and text.strip():
            n = len(text)
            yield issue(
                "whitespace",
                unit,
                f"trailing whitespace in the {side}",
                spans=[Span(side, n - trail, n, text[n - trail :])],
                fix="strip it",
            )


# "…; or" / "…, and" (or "…； and", with a full-width mark, or "…; and/or") end list
# items in legal English, and "applies to:" / "based on." end with punctuation: not a cut. A cut
# target stops on the bare word.
_DANGLING = re.compile(
    r"(?<![,;，；]\s)(?<![,;，；])(?<!/)\b(?:and|or|of|the|a|an|in|for|to|with|by|on|at|from|as|that)[\s,]*$",
    re.IGNORECASE,
)


@register("truncated", "warning")
def truncated(unit: TranslationUnit, ctx: QAContext) -> Iterator[QAIssue]:
    """The target stops mid-phrase (ends on 'and', 'of', 'the' …)."""
    tail = len(unit.target) - 40 if len(unit.target) > 40 else 0
    m = _DANGLING.search(unit.target, tail)
    if unit.source.rstrip()[-1:] in "：:":
        return  # the source leads into a list: "The Board shall be responsible for"
    if m and not _DANGLING.search(unit.source[-40:]):
        closed = unit.source.rstrip()[-1:] in _ZH_CLOSED
        yield issue(
            "truncated",
            unit,
            f"the target ends on {m.group(0).strip()!r}: likely cut off",
            spans=[target_span(unit, m.start(), m.end())],
            fix="complete the translation",
            data=[("kind", "source-closed" if closed else "source-open")],
            severity=None if closed else Severity.INFO,
        )


# Severity by sub-kind (``qa_precision_corpus.py --calibrate``): where the source
# itself ends without a stop (a title, a fragment the TM split there, a list item
# leading on) the English may end the same way: 1 of 3 real on the tune data, info.
# A source that ends with its stop while the English stops on 'and' is cut: warning
# (no such finding has been judged yet).


# How a complete Chinese sentence or paragraph ends: a stop, a closing quote or bracket.
_ZH_CLOSED = "。！？!?.；;…”’」』)）》"


def continued(found: list[QAIssue], pool: Sequence[TranslationUnit]) -> list[QAIssue]:
    """``found`` without the truncated findings on a sentence that goes on in the next
    unit of the TM.

    A TM may split one sentence over two units ("他表示" / "当前俄中贸易…"): the first
    source then ends without a stop and the next target opens in lower case ("He
    expressed that" / "at present, …"). The first target ends mid-phrase because its
    sentence does; nothing is cut.
    """
    cut = {f.units[0] for f in found if f.check == "truncated" and f.units}
    if not cut:
        return found
    goes_on: set[int] = set()
    for u, after in pairwise(pool):
        if (
            u.id in cut
            and u.source.rstrip()[-1:] not in _ZH_CLOSED
            and after.target.lstrip()[:1].islower()
        ):
            goes_on.add(u.id)
    return [
        f
        for f in found
        if not (f.check == "truncated" and f.units and f.units[0] in goes_on)
    ]
