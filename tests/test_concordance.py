"""Concordance (any-length substring search with highlights) and sub-segment recall."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from rapidfuzz.distance.Levenshtein import normalized_similarity as ratio

from tm.fragments import clause_text
from tm.service import TMService
from tm.text.normalize import match_key


def _containing(service: TMService, key: str, side: str) -> set[tuple[str, str]]:
    """Every (source, target) whose side contains ``key`` (twin units count once)."""
    out = set()
    for u in service.store.iter_units():
        texts = {
            "source": [u.source],
            "target": [u.target],
            "both": [u.source, u.target],
        }
        if any(key in match_key(t) for t in texts[side]):
            out.add((u.source, u.target))
    return out


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("国", "source"),
        ("要素", "source"),
        ("市场化", "source"),
        ("数据要素市场", "source"),
        ("market", "target"),
        ("Factor", "target"),
        ("改革", "both"),
    ],
)
def test_finds_every_unit_and_highlights_the_hit(
    seed_service: TMService, text: str, side: str
) -> None:
    hits = seed_service.concordance(text, side=side, limit=10_000)
    pairs = [(h.unit.source, h.unit.target) for h in hits]
    assert len(pairs) == len(set(pairs))
    assert set(pairs) == _containing(seed_service, match_key(text), side)
    for h in hits:
        stored = h.unit.source if h.side == "source" else h.unit.target
        assert h.spans
        assert all(match_key(stored[a:b]) == match_key(text) for a, b in h.spans)


def test_width_and_punctuation_forms_are_folded(seed_service: TMService) -> None:
    unit = next(
        u for u in seed_service.store.iter_units() if re.search(r"\d+个", u.source)
    )
    m = re.search(r"\d+个", unit.source)
    assert m is not None
    wide = m.group().translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    hits = seed_service.concordance(wide, limit=10_000)
    hit = next(
        h for h in hits if (h.unit.source, h.unit.target) == (unit.source, unit.target)
    )
    assert unit.source[hit.spans[0][0] : hit.spans[0][1]] == m.group()


def test_ranked_by_frequency_of_the_rendering(seed_service: TMService) -> None:
    hits = seed_service.concordance("要素市场化配置综合改革试点", limit=10_000)
    assert len(hits) > 3
    counts = Counter(match_key(h.unit.target) for h in hits)
    assert [h.frequency for h in hits] == [
        counts[match_key(h.unit.target)] for h in hits
    ]
    assert [h.frequency for h in hits] == sorted(
        (h.frequency for h in hits), reverse=True
    )
    assert len(seed_service.concordance("要素市场化配置综合改革试点", limit=2)) == 2


def test_unknown_side_is_rejected(seed_service: TMService) -> None:
    with pytest.raises(ValueError, match="side"):
        seed_service.concordance("要素", side="middle")


def test_fragments_recall_clauses_of_the_next_document(
    seed_service: TMService, next_doc_path: Path
) -> None:
    text = next_doc_path.read_text(encoding="utf-8")
    sentences = [
        s
        for line in text.splitlines()
        for s in re.findall(r"[^。！？；]+[。！？；]?", line)
        if len(s.strip()) > 6
    ]
    whole = clause_hits = 0
    for s in sentences:
        whole += bool(seed_service.lookup(s, min_score=70, limit=1))
        for f in seed_service.fragments(s, limit=3):
            assert len(match_key(f.clause)) >= 6
            assert s[f.query_start : f.query_end] == f.clause
            for h in f.hits:  # the TM clause, exactly or at 80+ (tm.fragments)
                a, b = h.spans[0]
                mine = clause_text(match_key(f.clause))
                theirs = clause_text(match_key(h.unit.source[a:b]))
                assert h.score >= 80
                assert h.score == round(100 * ratio(mine, theirs), 2)
            clause_hits += 1
    # Reusable material of 003 sits in clauses rather than whole sentences.
    assert clause_hits > whole
    assert clause_hits >= 20


def test_paragraph_and_sentence_twins_count_once(seed_db) -> None:
    from tm.service import TMService

    with TMService.open(seed_db) as service:
        hits = service.concordance("福厦泉", limit=50)
    pairs = [(h.unit.source, h.unit.target) for h in hits]
    assert len(pairs) == len(set(pairs))
    title = next(
        h for h in hits if h.unit.source == "福厦泉要素市场化配置综合改革试点实施方案"
    )
    assert "Fuxiaquan" in title.unit.target
