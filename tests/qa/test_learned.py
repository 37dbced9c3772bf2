"""Checks that read the TM's learned lexicon, on the seed TM as imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tm.models import QAIssue, TranslationUnit
from tm.qa import run_checks
from tm.service import TMService


@pytest.fixture(scope="module")
def findings(seed_db_master: Path, termbase: Any) -> list[QAIssue]:
    with TMService.open(seed_db_master) as service:
        units = list(service.store.iter_units())
    return list(run_checks(units, termbase=termbase).findings)


def _about(findings: list[QAIssue], check: str, term: str) -> list[QAIssue]:
    return [
        f for f in findings if f.check == check and dict(f.data).get("term") == term
    ]


def test_learned_rendering_differing_by_a_word_of_the_term(
    findings: list[QAIssue],
) -> None:
    # 闲置农房 is "idle farm houses" and "idle rural houses": 农房 itself is rendered two
    # ways, and the target renders the 乡村 next to it apart ("rural industrial").
    [f] = _about(findings, "rendering-inconsistent", "盘活利用闲置农房")
    assert "rural houses" in f.message
    assert "farm houses" in f.message


def test_learned_rendering_differing_by_a_neighbour_is_not_reported(
    findings: list[QAIssue],
) -> None:
    # "circulation and transaction rules" / "data transaction rules": 流通 or 数据
    # stands right before 交易规则.
    assert _about(findings, "rendering-inconsistent", "交易规则") == []
    # "allocation" / "allocation method": 方式 follows the term.
    assert _about(findings, "rendering-inconsistent", "科技创新资源配置") == []


def test_glossary_rendering_with_a_neighbours_word_is_no_inconsistency(
    findings: list[QAIssue],
) -> None:
    # "the transformation and trading mechanism of scientific and technological
    # achievements" renders 科技成果转化交易机制; its "mechanism" is 机制's.
    for f in _about(findings, "term-inconsistent", "科技成果转化"):
        assert "'mechanism of scientific" not in f.message


def test_a_sentence_is_reported_once_not_clause_by_clause(
    findings: list[QAIssue],
) -> None:
    sentence = "更好发挥市场机制作用,创造更加公平、更有活力的市场环境"
    whole = [
        f for f in findings if f.check == "source-inconsistent" and sentence in f.source
    ]
    assert len(whole) == 1
    pieces = [
        f for f in findings if f.check == "clause-inconsistent" and sentence in f.source
    ]
    assert pieces == []


def test_article_numbers_are_not_learned_terms(shared_dir: Path) -> None:
    """Taiwan-law paragraphs citing 第十八條, 第二十八條 … (../shared/corpora): 十八條
    and 三十八條 recur with 'Article 18', 'Article 28', 'Article 138' beside them, which
    are numbers and references, not renderings of a term."""
    import gzip

    units = []
    path = shared_dir / "corpora/tw_moj_laws.paragraphs.zh-en.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            zh, _, en = line.rstrip("\n").partition("\t")
            if "十八條" in zh and len(zh) < 80:
                units.append(TranslationUnit(zh, en, id=len(units) + 1))
            if len(units) == 60:
                break
    findings = run_checks(units, checks=["rendering-inconsistent"]).findings
    terms = [str(dict(f.data)["term"]) for f in findings]
    assert terms  # the check runs and learns from these units
    assert not [t for t in terms if "條" in t or t.endswith("第")], terms
