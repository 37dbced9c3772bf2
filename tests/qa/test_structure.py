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
