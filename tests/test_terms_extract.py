"""Term extraction on the seed TM: candidates, boundaries, renderings, proposed YAML."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tm.formats.bilingual import doc_units, read_bilingual
from tm.models import SegType
from tm.terms import GlossaryHeader, TermStatus
from tm.terms.english import phrase_key
from tm.terms.extract import (
    Candidate,
    candidate_entry,
    choose_units,
    dump_candidates,
    extract_terms,
)
from tm.terms.glossary import parse_glossary


@pytest.fixture(scope="module")
def seed_units(seed_path: Path) -> list:
    return list(doc_units(read_bilingual(seed_path)))


@pytest.fixture(scope="module")
def cands(seed_units: list) -> list[Candidate]:
    return extract_terms(
        seed_units, top=300, known=lambda zh: "x" if zh == "建设用地" else None
    )


def test_candidates_are_ranked_and_bounded(cands: list[Candidate]) -> None:
    assert len(cands) == 300
    assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)
    assert all(2 <= len(c.zh) <= 10 for c in cands)
    assert all(c.count >= 2 for c in cands)


def test_fragments_and_function_words_are_not_candidates(
    cands: list[Candidate],
) -> None:
    zh = {c.zh for c in cands}
    assert "建设用地" in zh
    assert "设用地" not in zh  # inside 建设用地 in nearly every occurrence
    assert not any(c.zh[0] in "的和与及" or c.zh[-1] in "的和与及" for c in cands)
    assert "前提下" not in zh  # a locative phrase: 在…前提下
    assert "基础上" not in zh
    assert not any(set(c.zh) <= set("一二三四五六七八九十") for c in cands)  # 二十一、


def test_renderings_are_what_the_tm_uses(
    cands: list[Candidate], seed_units: list
) -> None:
    by_zh = {c.zh: c for c in cands}
    assert by_zh["建设用地"].en.lower() == "construction land"
    assert by_zh["知识产权"].en.lower() == "intellectual property"
    english = " ".join(u.target for u in seed_units)
    for c in cands:
        for r in c.renderings:
            assert r.en in english  # spelled as in the TM, never assembled
            assert r.count <= c.count
            assert 0 < r.dice <= 1


def test_known_terms_are_marked(cands: list[Candidate]) -> None:
    marked = [c for c in cands if c.in_glossary is not None]
    assert [c.zh for c in marked] == ["建设用地"]


def test_proposed_yaml_is_a_valid_glossary(cands: list[Candidate]) -> None:
    text = dump_candidates(cands[:30], GlossaryHeader(name="proposed"))
    assert "#   建设用地 (" in text
    _, entries = parse_glossary(text, "proposed.yaml")
    assert "建设用地" not in {e.zh for e in entries}
    assert all(e.status == TermStatus.PROPOSED for e in entries)
    first = next(c for c in cands if c.in_glossary is None)
    assert entries[0] == candidate_entry(first)
    assert "confidence" in entries[0].note


def test_sentence_units_are_preferred(seed_units: list) -> None:
    sentences = [replace(u, segtype=SegType.SENTENCE) for u in seed_units[:5]]
    assert choose_units(sentences, seed_units) == sentences
    assert choose_units([], iter(seed_units)) == seed_units


def test_sentence_units_give_whole_unit_cooccurrence() -> None:
    """With sentence units there is no band: a rendering anywhere in the unit counts."""
    from tm.models import TranslationUnit

    pairs = (
        (
            "推进长沙标定地价改革。",
            "The reform of the standard land price in Changsha is pushed ahead.",
        ),
        ("公布株洲市标定地价。", "Zhuzhou publishes its standard land price."),
        (
            "湘潭县标定地价和基准地价",
            "Xiangtan county: standard land price and benchmark price",
        ),
    )
    units = [TranslationUnit(zh, en, segtype=SegType.SENTENCE) for zh, en in pairs]
    (cand,) = [c for c in extract_terms(units, top=50) if c.zh == "标定地价"]
    assert phrase_key(cand.en) == phrase_key("standard land price")


def test_verb_phrases_do_not_crowd_out_terms(cands: list[Candidate]) -> None:
    """支持 + 行业领军企业 is a verb phrase: ranked like a general word, not a term."""
    top = [c.zh for c in cands[:100]]
    assert not any(z.startswith(("支持", "鼓励")) and len(z) > 2 for z in top)
    assert "探索建立" not in top  # 探索 + 建立


def test_rendering_written_two_ways_counts_once(seed_units: list) -> None:
    """000 writes 长株潭 both "Changsha-Zhuzhou-Xiangtan" and "Changsha, Zhuzhou and
    Xiangtan"; counted as one rendering it beats the single shared word."""
    units = [u for u in seed_units if "长株潭" in u.source]
    (cand,) = [c for c in extract_terms(units, top=300) if c.zh == "长株潭"]
    assert phrase_key(cand.en) in {
        phrase_key("Changsha-Zhuzhou-Xiangtan"),
        phrase_key("Changsha, Zhuzhou and Xiangtan"),
    }


def test_renderings_do_not_start_with_an_imperative(cands: list[Candidate]) -> None:
    """支持宁波市 is "Support Ningbo …": the verb that opens the unit is not part of
    the name's rendering."""
    for c in cands:
        for r in c.renderings:
            words = r.en.split()
            assert len(words) == 1 or words[0].lower() not in {"support", "explore"}


def test_english_names_are_flagged(cands: list[Candidate]) -> None:
    by_zh = {c.zh: c for c in cands}
    assert by_zh["长株潭"].renderings[0].proper  # Changsha-Zhuzhou-Xiangtan
    assert not by_zh["建设用地"].renderings[0].proper  # construction land


def test_near_duplicates_are_moved_down(cands: list[Candidate]) -> None:
    """Windows of the repeated plan title (…综合改革试点实施方案) and one-character
    pieces of a term with the same English (用场景 / 应用场景) do not fill the top."""
    from tm.terms.extract import _content_key

    top = cands[:300]
    windows = [c.zh for c in top if c.zh in ("改革试点实施", "试点实施方案")]
    assert len(windows) <= 1
    for a in top:
        for b in top:
            if a.zh in b.zh and len(b.zh) == len(a.zh) + 1:
                assert _content_key(a.en) != _content_key(b.en), (a.zh, b.zh)


def test_ampersand_stays_inside_a_rendering(cands: list[Candidate]) -> None:
    by_zh = {c.zh: c for c in cands}
    assert by_zh["新型研发机构"].en == "new R&D institutions"  # not "new R"


def test_names_may_spell_out_every_syllable(cands: list[Candidate]) -> None:
    """A name's rendering is not cut at the word limit of common terms."""
    by_zh = {c.zh: c for c in cands}
    assert by_zh["粤港澳大湾区"].en == "Guangdong-Hong Kong-Macau Greater Bay Area"


def test_frequent_general_words_do_not_lead(cands: list[Candidate]) -> None:
    """数据 (data) is in 000 far more often than any term, being a common word."""
    top = [c.zh for c in cands[:100]]
    assert "数据" not in top
    assert "公共数据" in top


@pytest.fixture(scope="module")
def seed_grams(seed_units: list) -> tuple[dict, dict, set, dict]:
    """000's counted strings, its candidates, their verb phrases and own counts."""
    from tm.terms.candidates import (
        candidate_grams,
        count_grams,
        independent_counts,
        verb_phrases,
    )

    grams = count_grams(seed_units, 2)
    keep = candidate_grams(grams)
    phrases = verb_phrases(keep, grams)
    return grams, keep, phrases, independent_counts(keep, phrases, grams)


def test_etc_ends_no_term(seed_grams: tuple) -> None:
    """弹性年期供应等 is a list closed by 等 ("etc."); the item before it is the term."""
    _, keep, _, _ = seed_grams
    assert "弹性年期供应等" not in keep
    assert "弹性年期供应" in keep


def test_verb_phrases_at_either_edge(seed_grams: tuple) -> None:
    """A clause-opening verb before a long object, or after a term, makes a phrase."""
    _, keep, phrases, _ = seed_grams
    assert "完善按要素分配机制" in phrases  # 完善 + an object of 3+ characters
    assert "补充耕地国家统筹" in phrases  # 补充耕地 + 国家 + the verb 统筹
    for term in ("生态产品价值实现机制", "建设用地使用权", "数据共享", "技术转移"):
        assert term in keep
        assert term not in phrases  # 共享, 转移 do not open clauses: not verbs here


def test_term_plus_free_word_keeps_the_terms_frequency(seed_grams: tuple) -> None:
    """碳排放权交易 is 碳排放权 + the word 交易: it does not use up 碳排放权's count.

    But 职务科技 never occurs outside 职务科技成果, so the longer string still
    takes all of it, though 成果 is a word too.
    """
    grams, _, _, own = seed_grams
    assert own["碳排放权"] > grams["碳排放权"].count - grams["碳排放权交易"].count
    assert own["补充耕地"] == grams["补充耕地"].count  # 补充耕地国家(统筹) aside
    # 行业领军企业牵头组建 adds two free words, 牵头 and 组建
    longer = grams["行业领军企业牵头组建"].count
    assert own["行业领军企业"] > grams["行业领军企业"].count - longer
    assert grams["职务科技"].count == grams["职务科技成果"].count
    assert own["职务科技"] <= 0


@pytest.fixture(scope="module")
def sentence_cands(seed_db_master: Path) -> dict[str, Candidate]:
    """Extraction over 000's sentence units (the default import makes them)."""
    from tm.store import open_store

    store = open_store(str(seed_db_master))
    try:
        units = list(store.iter_units(segtype="sentence"))
    finally:
        store.close()
    return {c.zh: c for c in extract_terms(units, top=300)}


def test_rendering_does_not_grow_across_to(sentence_cands: dict) -> None:
    """行业领军企业 is followed by 牵头 in 5 of its 7 sentences; "… to take the lead"
    translates 牵头, so the rendering stops before "to". Growing without "to" still
    happens: 低效用地 "inefficient" → "inefficient land use"."""
    leaders = sentence_cands["行业领军企业"]
    assert phrase_key(leaders.en) == phrase_key("industry leading enterprises")
    assert all(" to " not in r.en for r in leaders.renderings)
    assert sentence_cands["低效用地"].en == "inefficient land use"


def test_an_edge_after_a_word_does_not_cut_a_longer_word(seed_grams: tuple) -> None:
    """业要素保障 always follows 服务 (a word), but 服务业 is a word too: the edge cuts
    it. 气候投融资 always follows 探索, and 探索气 is no word: that edge holds."""
    grams, keep, _, _ = seed_grams
    assert grams["业要素保障"].left2.most_common(1)[0][0] == "服务"
    assert "业要素保障" not in keep
    assert grams["气候投融资"].left2.most_common(1)[0][0] == "探索"
    assert "气候投融资" in keep


def test_occurrences_read_through_the_character_index(seed_units: list) -> None:
    """Counting a candidate only in the units holding its rarest character finds
    exactly what reading every unit finds, for every candidate of the seed."""
    from tm.terms.candidates import count_grams
    from tm.terms.extract import _occurrences, _units_holding
    from tm.text.normalize import match_key

    keys = [match_key(u.source) for u in seed_units]
    holding = _units_holding(keys)
    grams = count_grams(seed_units, 2)
    assert len(grams) > 100
    for zh in grams:
        every = {ui: k.count(zh) for ui, k in enumerate(keys) if zh in k}
        assert list(_occurrences(keys, zh, holding).items()) == list(every.items()), zh
