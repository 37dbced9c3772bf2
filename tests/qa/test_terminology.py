"""Term usage and term checks on the seed with the shipped glossary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tm.models import TranslationUnit
from tm.qa import run_checks
from tm.qa.terminology import guess_rendering, term_usage


def usage_of(units: list[TranslationUnit], termbase: Any, zh: str) -> Any:
    return next(u for u in term_usage(units, termbase) if u.entry.zh == zh)


def test_fuxiaquan_two_renderings(
    seed_units: list[TranslationUnit], termbase: Any
) -> None:
    usage = usage_of(seed_units, termbase, "福厦泉")
    by_text = {r.text: r for r in usage.used}
    assert by_text["Fuzhou-Xiamen-Quanzhou"].status == "approved"
    assert by_text["Fuxiaquan"].status == "forbidden"
    assert 5 in by_text["Fuzhou-Xiamen-Quanzhou"].units
    assert {14, 148, 152} <= set(by_text["Fuxiaquan"].units)
    assert usage.inconsistent


def test_term_inconsistent_finding(seed_report: Any) -> None:
    [f] = [
        f
        for f in seed_report.findings
        if f.check == "term-inconsistent" and "福厦泉" in f.message
    ]
    assert "'Fuzhou-Xiamen-Quanzhou' ×1 (approved)" in f.message
    assert "'Fuxiaquan' ×3 (forbidden)" in f.message
    assert f.fix == "use 'Fuzhou-Xiamen-Quanzhou'"


def test_consistent_term_not_flagged(
    pair_unit: Callable[..., TranslationUnit], termbase: Any
) -> None:
    fixed = pair_unit(
        152, target=pair_unit(152).target.replace("Fuxiaquan", "Fuzhou-Xiamen-Quanzhou")
    )
    units = [pair_unit(5), fixed]
    report = run_checks(units, checks=["term-inconsistent"], termbase=termbase)
    assert not [f for f in report.findings if "福厦泉" in f.message]


def test_unknown_rendering_is_guessed(
    seed_units: list[TranslationUnit], termbase: Any
) -> None:
    usage = usage_of(seed_units, termbase, "北京城市副中心")
    unknown = [r for r in usage.used if r.status == "unknown"]
    assert [r.text for r in unknown] == ["Beijing Urban Sub-center"]
    assert unknown[0].units == (39,)


def test_guess_rendering_negative(
    termbase: Any, pair_unit: Callable[..., TranslationUnit]
) -> None:
    [entry] = termbase.lookup("福厦泉")
    assert guess_rendering(entry, pair_unit(3).target) is None


def test_term_forbidden_and_mismatch(
    pair_unit: Callable[..., TranslationUnit], termbase: Any
) -> None:
    report = run_checks([pair_unit(152)], checks=["term-forbidden"], termbase=termbase)
    assert any(f.span and f.span.text == "Fuxiaquan" for f in report.findings)
    good = pair_unit(
        152, target=pair_unit(152).target.replace("Fuxiaquan", "Fuzhou-Xiamen-Quanzhou")
    )
    report = run_checks(
        [good], checks=["term-forbidden", "term-mismatch"], termbase=termbase
    )
    assert not [f for f in report.findings if "福厦泉" in f.message]
    dropped = pair_unit(
        152, target=pair_unit(152).target.replace("Fuxiaquan", "the region")
    )
    report = run_checks([dropped], checks=["term-mismatch"], termbase=termbase)
    assert any("福厦泉" in f.message for f in report.findings)


def test_no_termbase_no_term_findings(seed_units: list[TranslationUnit]) -> None:
    report = run_checks(
        seed_units, checks=["term-inconsistent", "term-mismatch", "term-forbidden"]
    )
    assert report.findings == ()


def test_reordered_rendering_counts_as_known(
    termbase: Any, pair_unit: Callable[..., TranslationUnit]
) -> None:
    from tm.qa.terminology import reordered_rendering

    [entry] = termbase.lookup("科技成果转化")
    target = "(1) Unblock the chain of scientific and technological achievement transformation."
    moved = reordered_rendering(entry, target)
    assert moved is not None
    assert moved[1] == "approved"
    assert (
        target[moved[2] : moved[3]]
        == "scientific and technological achievement transformation"
    )
    [beijing] = termbase.lookup("北京城市副中心")
    assert (
        reordered_rendering(beijing, pair_unit(39).target) is None
    )  # "Urban" is added
