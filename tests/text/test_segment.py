"""Sentence splitting: every rule of segment_rules.yaml, on real sentences.

Seed sentences come from examples/ (read through the seed reader, so a changed file
fails loudly); forms the seeds lack (！？, a closing quote after 。, "Mr.", "U.S.",
decimals) are quoted from the WMT news test sets in ../shared/corpora.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tm.errors import ConfigError
from tm.formats.bilingual import read_bilingual
from tm.text.labels import en_enumerator, zh_enumerator
from tm.text.segment import (
    Span,
    clause_spans,
    rule_set,
    sentence_spans,
    split_en,
    split_sentences,
    split_zh,
)


@pytest.fixture(scope="module")
def seed_pairs(seed_path: Path) -> dict[int, tuple[str, str]]:
    doc = read_bilingual(seed_path)
    return {p.index: (p.zh, p.en) for p in doc.pairs if p.index is not None}


def _rule(lang: str, text: str, pos: int) -> str | None:
    rule = rule_set(lang).breaks_at(text, pos)
    return rule.name if rule else None


# -- Chinese ---------------------------------------------------------------------------


def test_zh_splits_after_full_stop_and_keeps_enumerator_head(seed_pairs):
    zh = seed_pairs[7][
        0
    ]  # 三、有关省级人民政府…总结推广经验做法。重大事项及时请示报告。
    sentences = split_zh(zh)
    assert len(sentences) == 2
    assert sentences[0].startswith("三、有关省级人民政府")
    assert sentences[1] == "重大事项及时请示报告。"


def test_zh_item_heading_is_its_own_sentence_with_its_number(seed_pairs):
    sentences = split_zh(seed_pairs[47][0])
    assert sentences[0] == "(十五)强化新业态新领域和服务业要素保障。"
    assert len(sentences) == 6


def test_zh_splits_at_ascii_semicolon_the_seed_writes(seed_pairs):
    zh = next(z for z, _ in seed_pairs.values() if "混合用地供给;同一" in z)
    sentences = split_zh(zh)
    semi = [s for s in sentences if s.endswith(";")]
    assert semi
    assert semi[0].endswith("探索增加二三产业混合用地供给;")
    assert any(s.startswith("同一") for s in sentences)


def test_zh_no_terminator_no_split(seed_pairs):
    assert split_zh(seed_pairs[2][0]) == ["〔2025〕86号"]


def test_zh_closing_quote_stays_with_its_sentence():
    # WMT news test (zh side): ！ and ？ followed by a closing quote
    assert split_zh("“我们想要 - 罗杰！” 那人喊道。") == [
        "“我们想要 - 罗杰！”",
        "那人喊道。",
    ]
    text = "“你还记得我教过你什么时候黑人不得不为自己的信仰而战吗？”她回忆道。"
    assert split_zh(text) == [
        "“你还记得我教过你什么时候黑人不得不为自己的信仰而战吗？”",
        "她回忆道。",
    ]
    text = "“这样可以减少对格雷西亚造成进一步侵入性伤害。”朗格对新华国际记者说。"
    assert split_zh(text)[0].endswith("伤害。”")


def test_zh_ascii_punctuation_inside_latin_text_is_no_break():
    # python docs zh: a URL query string inside Chinese text
    text = "这套深入讲解 ``asyncio`` 的 `YouTube 教程系列 <https://www.youtube.com/watch?v=Xbl7XjFYsN4>`_。后文。"
    pos = text.index("?") + 1
    assert _rule("zh", text, pos) == "latin_punctuation"
    assert len(split_zh(text)) == 2


def test_zh_next_document_sentences(next_doc_path: Path):
    lines = next_doc_path.read_text(encoding="utf-8").splitlines()
    paras = [
        ln.strip() for ln in lines if ln.count("。") >= 3 and ln.strip().endswith("。")
    ]
    assert paras
    for para in paras:
        sentences = split_zh(para)
        assert len(sentences) == sum(para.count(c) for c in "。；;！？")
        assert "".join(sentences) == para


# -- English ---------------------------------------------------------------------------


def test_en_paragraph_initial_enumerator_and_semicolon(seed_pairs):
    en = seed_pairs[5][1]
    assert _rule("en", en, 2) == "enumerator_head"
    sentences = split_en(en)
    assert sentences[0].startswith("1. It is agreed")
    assert (
        sentences[1] == "In principle, the relevant implementation plans are approved;"
    )
    assert sentences[2] == "please carefully organize and implement them."


def test_en_number_abbreviation(seed_pairs):
    en = seed_pairs[2][1]
    assert en == "(2025) No. 86"
    assert _rule("en", en, en.index("No.") + 3) == "number_abbreviation"
    assert split_en(en) == ["(2025) No. 86"]


def test_en_etc_before_lower_case_goes_on_before_capital_ends(seed_pairs):
    en43 = seed_pairs[43][1]
    assert "institutions, etc. to carry out" in en43
    assert not any(s.endswith("etc.") for s in split_en(en43))
    en39 = seed_pairs[39][1]
    assert "etc. Support central" in en39
    assert any(s.endswith("applications, etc.") for s in split_en(en39))


def test_en_parenthesised_number_heading_stays(seed_pairs):
    sentences = split_en(seed_pairs[47][1])
    assert sentences[0].startswith("(15)Strengthen factor guarantees")


def test_en_latin_abbreviation_title_initialism_decimal():
    # WMT news test (en side)
    text = "Please note, there may be slight delays from the courier service during festive occasions (e.g. Christmas)."
    assert split_en(text) == [text]
    text = 'This process, Mr. Schiff said, "stalled the release of intelligence products," hurt morale.'
    assert split_en(text) == [text]
    text = "Gilead Sciences Inc is entitled to receive the attorney fees, a U.S. district judge has ruled."
    assert split_en(text) == [text]
    text = "Two earthquakes with magnitude 4.4 and 4.5 respectively struck Tibet's Nima County. No casualties were caused temporarily."
    assert split_en(text) == [
        "Two earthquakes with magnitude 4.4 and 4.5 respectively struck Tibet's Nima County.",
        "No casualties were caused temporarily.",
    ]


def test_en_closing_quote_stays_with_its_sentence():
    text = 'The four-time All-Pro wide receiver wrote on Twitter on Thursday: "I\'m still the best why stop now." He followed with the suggestion that the game needs him.'
    first, second = split_en(text)
    assert first.endswith('now."')
    assert second.startswith("He followed")


def test_every_rule_is_exercised():
    """A rule added to the table must get a test above (names listed here)."""
    tested = {
        "latin_punctuation",
        "enumerator_head",
        "number_abbreviation",
        "latin_abbreviation",
        "etc_lowercase",
        "title",
        "initialism",
    }
    names = {r.name for lang in ("zh", "en") for r in rule_set(lang).rules}
    assert names == tested


def test_language_tags_and_unknown_language():
    assert split_sentences("重大事项及时请示报告。好。", "zh-CN") == [
        "重大事项及时请示报告。",
        "好。",
    ]
    with pytest.raises(ConfigError):
        split_sentences("Bonjour.", "fr")


def test_whole_seed_splits_losslessly(seed_pairs):
    for zh, en in seed_pairs.values():
        assert "".join(split_zh(zh)) == zh.strip()
        assert " ".join(split_en(en)).split() == en.split()


# -- spans and clauses -----------------------------------------------------------------


def test_sentence_spans_index_the_text_as_given():
    en = "  (10) Improve global talent gathering capabilities. See No. 5 etc. and more. Optimize work permits. "
    spans = sentence_spans(en, "en")
    assert [en[a:b] for a, b in spans] == [
        "(10) Improve global talent gathering capabilities.",
        "See No. 5 etc. and more.",
        "Optimize work permits.",
    ]
    assert all(isinstance(s, Span) for s in spans)
    assert sentence_spans("   ", "zh") == []


def test_split_sentences_is_the_spans_sliced(seed_pairs):
    for zh, en in seed_pairs.values():
        assert split_zh(zh) == [zh[a:b] for a, b in sentence_spans(zh, "zh")]
        assert split_en(en) == [en[a:b] for a, b in sentence_spans(en, "en")]


def test_clauses_split_at_clause_marks_not_at_the_listing_comma():
    text = "一是加快建设，完善制度；二是推进改革:强化保障、提升能力, end。好。"
    assert [text[a:b] for a, b in clause_spans(text, "zh")] == [
        "一是加快建设",
        "完善制度",
        "二是推进改革",
        "强化保障、提升能力",
        "end",
        "好",
    ]


def test_english_clause_marks_need_a_space_after_them():
    text = "At 10:30, the 1,000 units (a,b) were sold; prices rose: sharply."
    assert [text[a:b] for a, b in clause_spans(text, "en")] == [
        "At 10:30",
        "the 1,000 units (a,b) were sold",
        "prices rose",
        "sharply",
    ]


def test_clauses_within_a_stretch_keep_the_text_positions(seed_pairs):
    zh = seed_pairs[47][0]
    first, second = sentence_spans(zh, "zh")[:2]
    inside = clause_spans(zh, "zh", within=second)
    assert inside
    assert all(second.start <= a < b <= second.end for a, b in inside)
    piece = zh[second.start : second.end]
    assert [zh[a:b] for a, b in inside] == [
        piece[a:b] for a, b in clause_spans(piece, "zh-CN")
    ]
    # The paragraph's label (十五) is structure: the first clause starts after it.
    assert zh.startswith("(十五)")
    assert clause_spans(zh, "zh", within=first) == [Span(4, first.end - 1)]


def test_clauses_cover_the_seed_without_their_marks_and_labels(seed_pairs):
    marks_zh, marks_en = set("，,；;：:。！？!?"), set(",;:.!?")
    for zh, en in seed_pairs.values():
        for text, lang, marks in ((zh, "zh", marks_zh), (en, "en", marks_en)):
            label = (zh_enumerator if lang == "zh" else en_enumerator)(text)
            if label:
                text = text[label.end :]
            pieces = [text[a:b] for a, b in clause_spans(text, lang)]
            assert all(p and p == p.strip() and p[-1] not in marks for p in pieces)
            rest = "".join(text.split())
            for p in pieces:
                rest = rest.replace("".join(p.split()), "", 1)
            assert set(rest) <= marks | set("”’)\"'"), rest


def test_items_split_at_the_listing_comma_when_asked():
    text = "推进资本、技术和数据要素融合发展，完善制度。"
    assert [text[a:b] for a, b in clause_spans(text, "zh", items=True)] == [
        "推进资本",
        "技术和数据要素融合发展",
        "完善制度",
    ]
