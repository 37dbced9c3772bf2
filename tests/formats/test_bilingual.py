"""The seed bilingual reader on the real seed, and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tm.errors import FormatError
from tm.formats.bilingual import doc_units, parse_bilingual, read_bilingual


@pytest.fixture(scope="module")
def doc(seed_path: Path):
    return read_bilingual(seed_path)


def test_title_and_all_333_pairs_in_order(doc) -> None:
    assert len(doc.pairs) == 334
    assert doc.pairs[0].index is None
    assert doc.pairs[0].zh == "国务院:开展10个要素市场化配置综合改革试点"
    assert [p.index for p in doc.pairs[1:]] == list(range(333))
    assert doc.pairs[3].zh == "〔2025〕86号"
    assert doc.pairs[3].en == "(2025) No. 86"


def test_header_metadata(doc) -> None:
    assert doc.meta["translator"] == "冉略"
    assert doc.meta["institution"] == "武汉科技大学"
    assert doc.meta["date"] == "2025-09-15"
    assert doc.meta["direction"] == "中-英"
    assert doc.meta["word_count"] == "41161"
    assert (doc.source_lang, doc.target_lang) == ("zh-CN", "en-US")


def test_footer_lines_are_not_pairs(doc) -> None:
    assert all("翻译教学平台" not in p.zh for p in doc.pairs)
    assert doc.pairs[-1].zh.startswith("(二十一)促进要素协同高效配置")


def test_section_paths(doc) -> None:
    by_index = {p.index: p for p in doc.pairs}
    # Annex 1 starts at pair 23 (dev README); its plan title follows.
    assert by_index[23].section == "附件1"
    assert (
        by_index[25].section == "附件1 北京城市副中心要素市场化配置综合改革试点实施方案"
    )
    assert by_index[28].section.endswith(
        "> 一、聚力技术要素激发创新势能 > (二)推进技术与资本要素融合"
    )
    assert by_index[332].section.startswith("附件10 成都市")


def test_units_carry_provenance_and_context(doc) -> None:
    units = list(doc_units(doc))
    assert len(units) == 334
    u = units[4]  # pair 3, 〔2025〕86号
    assert u.occurrence.position == 4
    assert u.occurrence.prev_source == units[3].source
    assert u.occurrence.next_source == units[5].source
    assert u.created_by == "冉略"
    assert u.created_at == "20250915T000000Z"


def test_distinct_pairs_are_305(doc) -> None:
    assert len({(p.zh, p.en) for p in doc.pairs}) == 305


def test_chinese_line_without_english_is_an_error_with_its_line() -> None:
    text = "标题\nTitle\n\n  • 第一段。\n    First.\n  • 第二段没有英文。\n\n"
    with pytest.raises(FormatError) as err:
        parse_bilingual(text, "bad.txt")
    assert err.value.line == 6
    assert "bad.txt:6" in str(err.value)


def test_english_line_without_chinese_is_an_error() -> None:
    text = "标题\nTitle\n\n  • 第一段。\n    First.\n    Orphan English.\n"
    with pytest.raises(FormatError) as err:
        parse_bilingual(text, "bad.txt")
    assert err.value.line == 6


def test_text_without_pairs_is_refused() -> None:
    with pytest.raises(FormatError, match="not the seed bilingual format"):
        parse_bilingual("只有中文。\n没有英文。\n", "zh.txt")


def test_monolingual_page_with_bullets_fails_on_its_line(next_doc_path: Path) -> None:
    # 003's web-page residue has "  • 发布机构:…" bullets with no English under them.
    with pytest.raises(FormatError) as err:
        read_bilingual(next_doc_path)
    assert err.value.line == 2
