"""Structure checks, merging, safe fixes and the streamed JSON, on real seed pairs."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from tm.models import TranslationUnit
from tm.qa import run_checks
from tm.qa.report import write_json


def test_stray_tail_after_the_final_stop(
    pair_unit: Callable[..., TranslationUnit],
) -> None:
    # The seed's pair 138 ends "… micro enterprises. credit products."
    report = run_checks([pair_unit(138)], checks=["stray-tail"])
    [f] = report.findings
    assert f.span is not None
    assert f.span.text == "credit products."
    # A clause after a semicolon is no stray sentence (pair 5: "…approved; please …").
    assert run_checks([pair_unit(5)], checks=["stray-tail"]).findings == ()


def test_repeated_sentence(pair_unit: Callable[..., TranslationUnit]) -> None:
    u = pair_unit(35)
    first = u.target.split(". ")[0] + "."
    doubled = pair_unit(35, target=u.target + " " + first)
    [f] = run_checks([doubled], checks=["repeated-sentence"]).findings
    assert f.span is not None
    assert f.span.text == first
    assert run_checks([u], checks=["repeated-sentence"]).findings == ()


def test_final_punctuation(pair_unit: Callable[..., TranslationUnit]) -> None:
    u = pair_unit(249)
    assert u.source.rstrip().endswith("。")
    [f] = run_checks([u], checks=["final-punctuation"]).findings
    assert f.severity.value == "info"
    assert f.fix.endswith(".")
    fixed = pair_unit(249, target=u.target.rstrip() + ".")
    assert run_checks([fixed], checks=["final-punctuation"]).findings == ()


def test_one_problem_seen_by_two_checks_is_one_finding(
    pair_unit: Callable[..., TranslationUnit],
) -> None:
    u = pair_unit(78)  # 标定地价 left in the English
    broken = pair_unit(78, target=u.target.replace("标定地价", "标定地价，"))
    report = run_checks([broken], checks=["untranslated-han", "cjk-punctuation"])
    merged = [f for f in report.findings if f.check == "untranslated-han"]
    assert merged
    assert all(f.check != "cjk-punctuation" for f in report.findings) or any(
        dict(f.data).get("checks") for f in merged
    )


def test_fix_keeps_the_units_own_label(seed_report: Any) -> None:
    checked = 0
    for f in seed_report.findings:
        if f.check != "source-inconsistent" or not f.fix.startswith("use one"):
            continue
        assert f.span is not None
        label = f.span.text.split(" ")[0]
        if label.startswith("(") and label.endswith(")"):
            assert f.fix.startswith(f"use one translation, e.g. '{label} ") or (
                f.fix.startswith(f'use one translation, e.g. "{label} ')
            ), (f.span.text[:20], f.fix[:60])
            checked += 1
    assert checked >= 3


def test_json_is_streamed_in_the_documented_shape(seed_report: Any) -> None:
    buf = io.StringIO()
    n = write_json(seed_report, buf)
    data = json.loads(buf.getvalue())
    assert n == len(data["findings"]) == len(seed_report.findings)
    assert data == json.loads(json.dumps(seed_report.to_dict()))


def test_final_punctuation_follows_the_lists_own_convention() -> None:
    """Items of one Taiwan-law list (../shared/corpora) whose English ends without a
    stop follow that list's convention; an item that lacks the stop its siblings
    have is reported, and one ending '; and' leads on to the next item."""
    items = [
        (
            "一、本基金運用之審議事項。",
            "(1)Reviewing and deliberating on the utilization of the Fund",
        ),
        (
            "二、科學技術研究發展成果及其收入歸屬中央政府部分。",
            "(2)Part of the research results conferred to the central government",
        ),
        ("三、研究機構。", "(3) Research institutes; and"),
        ("四、本基金之融資利息收入。", "(4)Interest on the Fund’s financing revenue"),
    ]
    bare = [TranslationUnit(zh, en, id=i) for i, (zh, en) in enumerate(items, 1)]
    assert run_checks(bare, checks=["final-punctuation"]).findings == ()
    stopped = [
        TranslationUnit(u.source, u.target + ("." if u.id in (1, 2) else ""), id=u.id)
        for u in bare
    ]
    [f] = run_checks(stopped, checks=["final-punctuation"]).findings
    assert f.units == (4,)
    assert f.fix.endswith("revenue.")


def test_stray_tail_not_after_an_ellipsis_abbreviation_or_quote() -> None:
    """WMT news pairs (../shared/corpora): the English splitter breaks after "...",
    "Gen." and before a lone closing quote; none leaves a stray piece. A target that
    pastes a second rendering after the first (a Taiwan-law item) still has one."""
    quiet = [
        (
            "奥斯汀将军于4月退役，目前由约瑟夫·沃特尔接替他在中央司令部的职位。",
            "General Austin retired in April and was replaced at Central Command by Gen. Joseph L. Votel.",
        ),
        (
            "《Riodoce》编辑安德烈斯·维拉里尔说，问题是“气息是一种会被欺骗的感觉......然后就会发生哈维尔那样的事。”",
            'The trouble, said Riodoce editor Andres Villarreal, is that "smell is a sense that can be fooled ... and then the thing with Javier happened."',
        ),
    ]
    for zh, en in quiet:
        assert (
            run_checks([TranslationUnit(zh, en)], checks=["stray-tail"]).findings == ()
        ), en
    pasted = TranslationUnit(
        "五、社會福利機構、團體或於衛生、就業、教育、司法、國防等領域執行社會福利方案之設計、管理、研究發展、督導、評鑑與教育訓練等。",
        "5. Design, manage, study, develop, guide, appraise, educate, train, etc. social service "
        "programs as it relates to social service agencies and groups or disease control, "
        "employment, education, law enforcement, national defense fields. design, management, "
        "research and development, supervision, evaluation and training of social welfare projects;",
    )
    [f] = run_checks([pasted], checks=["stray-tail"]).findings
    assert f.span is not None
    assert f.span.text.startswith("design, management")


def test_repeated_sentence_needs_the_same_numbers() -> None:
    """A Taiwan-law item (../shared/corpora): two alike sentences with different
    numbers are two statements; the same sentence written twice is a repeat."""
    zh = (
        "四、血壓檢查之收縮期血壓為一百四十毫米汞柱以下，舒張期血壓為九十毫米汞柱以下。"
    )
    en = "4. The systolic blood pressure shall be 140 mmHg or lower; the diastolic blood pressure shall be 90 mmHg or lower."
    assert (
        run_checks([TranslationUnit(zh, en)], checks=["repeated-sentence"]).findings
        == ()
    )
    twice = en + " The diastolic blood pressure shall be 90 mmHg or lower."
    assert run_checks(
        [TranslationUnit(zh, twice)], checks=["repeated-sentence"]
    ).findings


def test_truncated_not_before_a_list() -> None:
    """A Taiwan-law lead-in (../shared/corpora) ends on 'for' as its source ends on a
    colon; the same English for a source that is a full sentence is cut off."""
    lead_in = TranslationUnit("本會之任務如下：", "The Board shall be responsible for")
    assert run_checks([lead_in], checks=["truncated"]).findings == ()
    cut = TranslationUnit("本會負責基金之管理。", "The Board shall be responsible for")
    assert run_checks([cut], checks=["truncated"]).findings
