"""Applying a QA finding's fix (tm.qa.fixes): only when the check agrees, on real units."""

from __future__ import annotations

from collections import Counter

import pytest

from tm.models import QAIssue, Severity, Span, TranslationUnit
from tm.qa import run_checks
from tm.qa.fixes import fixed_target
from tm.service import TMService


def _finding(check: str, target: str, **kw) -> QAIssue:
    unit = TranslationUnit(kw.pop("source", "第一条"), target, segtype="sentence", id=1)
    found = [f for f in run_checks([unit], checks=[check]).findings]
    assert found, f"{check} finds nothing in {target!r}"
    return found[0]


def test_punctuation_spacing_and_whitespace_fixes() -> None:
    f = _finding("cjk-punctuation", "Article 1，General provisions")
    assert fixed_target(f) == "Article 1,General provisions"
    f = _finding("spacing", "Land,labour and capital")
    assert fixed_target(f) == "Land, labour and capital"
    f = _finding("whitespace", "Article 1 ")
    assert fixed_target(f) == "Article 1"


def test_advice_that_needs_a_human_is_not_applied() -> None:
    for fix in ("complete the translation", "check for a missing part", "translate it"):
        f = QAIssue(
            "truncated",
            Severity.WARNING,
            (1,),
            "第一条",
            "Article 1 and",
            "ends on a bare word",
            spans=(Span("target", 10, 13, "and"),),
            fix=fix,
        )
        assert fixed_target(f) is None
    near = QAIssue(
        "near-source-inconsistent",
        Severity.INFO,
        (1, 2),
        "第一条",
        "Article 1",
        "near sources, different targets",
        spans=(Span("target", 0, 9, "Article 1"),),
        fix='align the translation with "Article One"',
    )
    assert fixed_target(near) is None  # the other unit's source differs


@pytest.fixture(scope="module")
def seed_findings(seed_db_master, glossary_dir) -> tuple[list[QAIssue], object]:
    with TMService.open(seed_db_master, glossary=glossary_dir, readonly=True) as s:
        return list(s.qa().findings), s.terms.optional()


def test_on_the_seed_every_applied_fix_removes_what_its_check_found(
    seed_findings,
) -> None:
    findings, termbase = seed_findings
    applied: Counter[str] = Counter()
    for f in findings:
        fixed = fixed_target(f, termbase=termbase)
        if fixed is None:
            continue
        applied[f.check] += 1
        assert fixed != f.target
        # outside consistency checks (one unit cannot show them), the check agrees
        if f.check in ("spacing", "cjk-punctuation", "untranslated-han"):
            unit = TranslationUnit(f.source, fixed, segtype="sentence", id=1)
            before = TranslationUnit(f.source, f.target, segtype="sentence", id=1)
            after_n = len(
                run_checks([unit], checks=[f.check], termbase=termbase).findings
            )
            before_n = len(
                run_checks([before], checks=[f.check], termbase=termbase).findings
            )
            assert after_n < before_n
    assert applied["spacing"]
    assert applied["term-forbidden"]
    assert not applied["truncated"]
    assert not applied["length-ratio"]
