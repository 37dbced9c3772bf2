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
    assert [c.cvalue for c in cands] == sorted((c.cvalue for c in cands), reverse=True)
    assert all(2 <= len(c.zh) <= 10 for c in cands)
    assert all(c.count >= 2 for c in cands)


def test_fragments_and_function_words_are_not_candidates(
    cands: list[Candidate],
) -> None:
    zh = {c.zh for c in cands}
    assert "建设用地" in zh
    assert "设用地" not in zh  # inside 建设用地 in nearly every occurrence
    assert not any(c.zh[0] in "的和与及" or c.zh[-1] in "的和与及" for c in cands)


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
