"""The matcher over each backend: its index (built from ``store.iter_keys()``) must equal
the exhaustive scan on PostgreSQL as on SQLite, and both backends must offer the same
matches for the next document, context (101) matches included.

The query generators and the index-vs-scan check are tests/test_match.py's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_match import random_queries, same_ranking
from tm.formats.bilingual import doc_units, read_bilingual
from tm.match import Matcher
from tm.service import TMService
from tm.store import Store, open_store

SENTENCE_END = re.compile(r"[^。！？；]+[。！？；]?")


def _seed(store: Store, seed_path: Path) -> None:
    doc = read_bilingual(seed_path)
    with store.transaction():
        store.add_document(doc.name, doc.meta)
        store.add_units(doc_units(doc))


@pytest.fixture
def seeded(store_url: str, seed_path: Path) -> Iterator[Store]:
    with open_store(store_url) as store:
        _seed(store, seed_path)
        yield store


def test_index_equals_scan_on_seed(seeded: Store) -> None:
    matcher = Matcher(seeded)
    sources = [u.source for u in seeded.iter_units()]
    for i, q in enumerate(random_queries(sources, 1500, seed=3)):
        same_ranking(matcher, q, (30.0, 50.0, 70.0, 85.0, 95.0)[i % 5], 5)


def test_target_side_index_equals_scan(seeded: Store) -> None:
    matcher = Matcher(seeded, side="target")
    targets = [u.target for u in seeded.iter_units()]
    for i, q in enumerate(random_queries(targets, 300, seed=4)):
        same_ranking(matcher, q, (40.0, 70.0)[i % 2], 5)


def test_target_side_index_sees_an_edit(seeded: Store) -> None:
    """A reviewer's fix is found by English look-ups at once, and the old text is gone."""
    matcher = Matcher(seeded, side="target")
    unit = next(u for u in seeded.iter_units() if "Fuxiaquan" in u.target)
    old = unit.target
    new = old.replace("Fuxiaquan", "Fuzhou-Xiamen-Quanzhou")
    assert matcher.lookup(old, min_score=100, limit=1)[0].id == unit.id
    seeded.set_target(unit.id, new)
    matcher.invalidate()
    found = matcher.lookup(new, min_score=100, limit=1)
    assert [m.id for m in found] == [unit.id]
    assert all(m.id != unit.id for m in matcher.lookup(old, min_score=100))
    targets = [u.target for u in seeded.iter_units()]
    for q in random_queries(targets, 100, seed=5):
        same_ranking(matcher, q, 60.0, 5)


@pytest.mark.postgres
def test_both_backends_offer_the_same_matches(
    postgres_url: str, tmp_path: Path, seed_path: Path, next_doc_path: Path
) -> None:
    text = next_doc_path.read_text(encoding="utf-8")
    sentences = [s.strip() for s in SENTENCE_END.findall(text) if s.strip()][:150]
    seed_pairs = [(p.zh, p.en) for p in read_bilingual(seed_path).pairs]
    results = []
    for url in (str(tmp_path / "tm.db"), postgres_url):
        with TMService(open_store(url)) as service:
            _seed(service.store, seed_path)
            got = []
            prev = None
            for s in sentences:
                got.append(service.lookup(s, min_score=20, limit=3, prev=prev))
                prev = s
            # Seed paragraphs looked up in order with their predecessor: context matches.
            for (zh, _), (prev_zh, _) in zip(
                seed_pairs[1:40], seed_pairs, strict=False
            ):
                got.append(service.lookup(zh, prev=prev_zh, limit=2))
            results.append(
                [[(m.source, m.target, m.score, str(m.kind)) for m in ms] for ms in got]
            )
    assert results[0] == results[1]
    assert any(ms and ms[0][2] == 101 for ms in results[1])
    assert sum(bool(ms) for ms in results[1][: len(sentences)]) > 0
