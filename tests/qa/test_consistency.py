"""Cross-unit checks on the seed: both directions, near-identical, enumerator mapping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tm.models import TranslationUnit
from tm.qa import run_checks
from tm.qa.consistency import near_pairs, source_key, target_key


def units_of(report: Any, check: str) -> list[set[int]]:
    return [set(f.units) for f in report.findings if f.check == check]


def test_identical_source_translated_differently(seed_report: Any) -> None:
    groups = units_of(seed_report, "source-inconsistent")
    assert any({10, 24} <= g for g in groups)  # B01: the Beijing annex title
    assert any(
        {97, 254, 35} <= g for g in groups
    )  # 畅通劳动力和人才社会性流动渠道 (sentence level)


def test_repeated_headings_rendered_the_same_not_flagged(
    seed_units: list[TranslationUnit], seed_report: Any
) -> None:
    by_key: dict[str, set[str]] = {}
    ids: dict[str, set[int]] = {}
    for u in seed_units:
        by_key.setdefault(source_key(u.source), set()).add(target_key(u.target))
        ids.setdefault(source_key(u.source), set()).add(u.id or 0)
    same = [k for k, t in by_key.items() if len(t) == 1 and len(ids[k]) > 1]
    assert same  # the seed repeats headings (e.g. 二、… in several annexes)
    flagged = set().union(*units_of(seed_report, "source-inconsistent"))
    for k in same:
        whole = [
            f
            for f in seed_report.findings
            if f.check == "source-inconsistent" and source_key(f.source) == k
        ]
        assert whole == [], k
    assert flagged


def test_enumerators_stripped_from_keys() -> None:
    assert source_key("(三)畅通劳动力和人才社会性流动渠道。") == source_key(
        "(十一)畅通劳动力和人才社会性流动渠道。"
    )
    assert target_key("(10) Smooth the channels.") == target_key("Smooth the channels")


def test_target_inconsistent(seed_report: Any) -> None:
    # 162 and 288 differ only in 和/与 and share one English sentence
    assert any({162, 288} <= g for g in units_of(seed_report, "target-inconsistent"))


def test_near_identical_sources(pair_unit: Callable[..., TranslationUnit]) -> None:
    a = pair_unit(35)  # 支持事业单位通过特设岗位引进… "public institutions"
    b = pair_unit(254)  # the same sentence, "institutions"
    report = run_checks(
        [a, b], checks=["near-source-inconsistent", "source-inconsistent"]
    )
    assert report.findings
    near = [f for f in report.findings if f.check == "near-source-inconsistent"]
    assert near
    assert all(f.severity.value == "info" for f in near)  # the sources differ
    same = run_checks([a, pair_unit(35, id=999)], checks=["near-source-inconsistent"])
    assert same.findings == ()


def test_near_pairs_blocking_matches_scan() -> None:
    from itertools import combinations

    from rapidfuzz import fuzz

    keys = [
        "推动资本要素服务实体经济发展",
        "推动资本要素更好服务实体经济发展",
        "优化产业用地供应方式",
        "创新优化产业用地供应方式",
        "加强资源环境市场制度建设",
    ]
    scan = {tuple(sorted(p)) for p in combinations(keys, 2) if fuzz.ratio(*p) >= 90}
    got = {tuple(sorted((a, b))) for a, b, _ in near_pairs(keys, cutoff=90)}
    assert got == scan


def test_enumerator_mapping_inconsistency(seed_report: Any) -> None:
    [f] = [f for f in seed_report.findings if f.check == "enumerator-consistency"]
    assert f.message.startswith("二、")
    assert "'Second,'" in f.message
    assert "'2.'" in f.message
    assert f.fix == "2."
    assert {6, 56} <= set(f.units)


def test_clause_inconsistent(pair_unit: Callable[..., TranslationUnit]) -> None:
    # 162 and 193 share the clause 优化外国人来华工作许可和工作类居留许可联动审批 inside
    # different sentences; 193 says "work-type residence permits".
    a, b = pair_unit(162), pair_unit(193)
    report = run_checks([a, b], checks=["clause-inconsistent"])
    assert any("work-type" in f.message for f in report.findings)
    same = run_checks([a, pair_unit(162, id=998)], checks=["clause-inconsistent"])
    assert same.findings == ()
