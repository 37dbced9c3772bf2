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


def test_one_finding_per_term_listing_its_units(seed_report: Any) -> None:
    [f] = [f for f in seed_report.findings if dict(f.data).get("term") == "福厦泉"]
    assert f.check == "term-forbidden"
    assert "'Fuzhou-Xiamen-Quanzhou' ×1 (approved)" in f.message
    assert "'Fuxiaquan' ×3 (forbidden)" in f.message
    assert f.fix == "use 'Fuzhou-Xiamen-Quanzhou' in the 3 units listed first"
    assert set(f.units[:3]) >= {148, 152}
    assert 5 in f.units[3:]
    assert dict(f.data)["units_to_check"] == list(f.units[:3])


def test_approved_variants_with_the_same_words_are_no_inconsistency(
    pair_unit: Callable[..., TranslationUnit], termbase: Any
) -> None:
    [entry] = termbase.lookup("数据流通")
    assert "circulation of data" in entry.variants
    units = [
        pair_unit(0, source="推进数据流通。", target="Promote data circulation.", id=1),
        pair_unit(
            0, source="推动数据流通。", target="Advance the circulation of data.", id=2
        ),
    ]
    report = run_checks(units, termbase=termbase)
    assert not [f for f in report.findings if dict(f.data).get("term") == "数据流通"]


def test_proper_name_in_lower_case_is_a_rendering_of_its_own(
    pair_unit: Callable[..., TranslationUnit], termbase: Any
) -> None:
    units = [
        pair_unit(
            0, source="福厦泉试点。", target="The Fuzhou-Xiamen-Quanzhou pilot.", id=1
        ),
        pair_unit(
            0, source="福厦泉试点。", target="The fuzhou-xiamen-quanzhou pilot.", id=2
        ),
    ]
    report = run_checks(units, checks=["term-inconsistent"], termbase=termbase)
    [f] = [f for f in report.findings if dict(f.data).get("term") == "福厦泉"]
    assert "'fuzhou-xiamen-quanzhou' ×1 (unknown)" in f.message
    assert f.units[0] == 2


def test_title_is_checked_with_terms_of_its_own_size(termbase: Any) -> None:
    from tm.qa.terminology import checked_hits

    title = "北京城市副中心要素市场化配置综合改革试点实施方案"
    assert "要素市场化配置综合改革试点" not in [
        h.text for h in checked_hits(termbase, title)
    ]
    assert {"要素市场化配置", "综合改革试点"} <= {
        h.text for h in checked_hits(termbase, title)
    }
    sentence = "开展要素市场化配置综合改革试点。"
    assert "要素市场化配置综合改革试点" in [
        h.text for h in checked_hits(termbase, sentence)
    ]


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
    assert any(s.text == "Fuxiaquan" for f in report.findings for s in f.spans)
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
