"""Fuzzy fragments: query clauses matching TM clauses at 80+, TM text inside the query."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

import tm.match
from tm.fragments import (
    CLAUSE_MIN_SCORE,
    FragmentIndex,
    clause_english,
    clause_text,
    key_clauses,
)
from tm.service import TMService
from tm.text.normalize import match_key


def test_a_clause_missing_a_code_still_finds_the_tm_clause(
    seed_service: TMService,
) -> None:
    # 003 writes 探索生态环境导向的开发模式; the seed has …开发(EOD)模式.
    found = seed_service.fragments("鼓励社会资本参与,探索生态环境导向的开发模式。")
    clause = next(f for f in found if f.clause == "探索生态环境导向的开发模式")
    assert clause.kind == "clause"
    hit = clause.hits[0]
    (a, b) = hit.spans[0]
    assert hit.unit.source[a:b] == "探索生态环境导向的开发(EOD)模式"
    assert CLAUSE_MIN_SCORE <= hit.score < 100
    assert "(EOD)" in hit.english


def test_whole_tm_sentences_inside_the_query_are_found(
    seed_service: TMService,
) -> None:
    units = [u for u in seed_service.store.iter_units(segtype="sentence")]
    rng = random.Random(3)
    inner = next(u for u in rng.sample(units, 200) if 12 <= len(u.source) <= 40)
    body = inner.source.rstrip("。")
    query = f"各地要结合实际,{body},并及时总结经验"
    found = seed_service.fragments(query)
    contained = [f for f in found if body in f.clause or f.clause in body]
    assert contained, [f.clause for f in found]
    best = contained[0]
    assert best.hits[0].unit.source.rstrip("。").endswith(best.clause[-6:])
    assert best.hits[0].english  # English offered, of the clause or the unit


def test_the_english_of_a_clause_is_the_clause_only_when_the_link_is_confident(
    seed_service: TMService,
) -> None:
    sentences = [
        u for u in seed_service.store.iter_units(segtype="sentence") if "," in u.source
    ]
    scopes = {"clause": 0, "unit": 0}
    for unit in sentences[:150]:
        key = match_key(unit.source)
        for a, b in key_clauses(key)[:2]:
            english, scope = clause_english(unit, (a, b))
            scopes[scope] += 1
            if scope == "clause":
                assert english in unit.target
                assert len(english) < len(unit.target)
            else:
                assert english == unit.target
    assert scopes["clause"] > 50
    assert scopes["unit"] > 10


def test_the_clause_index_misses_nothing_a_scan_finds(seed_service: TMService) -> None:
    index = FragmentIndex.build(seed_service.store)
    texts = index.texts
    rng = random.Random(4)
    for text in rng.sample(texts, 40):
        query = text[1:] + "的"  # one edit at each end
        got = index.similar(query, 80.0)
        want = sorted(
            (
                (i, 100 * Levenshtein.normalized_similarity(query, t))
                for i, t in enumerate(texts)
            ),
            key=lambda es: (-es[1], es[0]),
        )
        want = [(i, s) for i, s in want if s >= 80.0]
        assert [i for i, _ in got] == [i for i, _ in want]
    assert clause_text("(二)推动科技成果转化,") == "推动科技成果转化"


def test_more_sentences_get_a_fragment_hit_than_with_exact_clauses(
    seed_service: TMService, next_doc_path
) -> None:  # type: ignore[no-untyped-def]
    from tm.concordance import fragments as exact_clauses

    lines = [
        line.strip()
        for line in next_doc_path.read_text(encoding="utf-8").splitlines()
        if len(line.strip()) > 20
    ][:60]
    before = sum(bool(exact_clauses(seed_service.store, q)) for q in lines)
    after = sum(bool(seed_service.fragments(q)) for q in lines)
    assert after > before


def test_a_cached_fragment_index_answers_as_the_built_one(
    seed_service: TMService, tmp_path: Path
) -> None:
    built = FragmentIndex.build(seed_service.store)
    path = tmp_path / "tm.db.match-fragments.npz"
    built.save(path, "stamp 1")
    assert FragmentIndex.load(path, "stamp 2") is None  # another TM version
    loaded = FragmentIndex.load(path, "stamp 1")
    assert loaded is not None
    assert loaded.texts == built.texts
    rng = random.Random(5)
    for text in rng.sample(built.texts, 30):
        assert loaded.similar(text[1:] + "的", 80.0) == built.similar(
            text[1:] + "的", 80.0
        )
        query = "推动" + text + "等工作"
        assert loaded.contained(query, 6) == built.contained(query, 6)
        assert built.contained(query, 6)  # the clause itself is found inside


def test_a_large_tm_builds_its_fragment_index_in_another_process_and_caches_it(
    seed_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The seed stands in for a large TM: the threshold is what makes it "large".
    monkeypatch.setattr(tm.match, "CACHE_MIN_UNITS", 100)
    query = "鼓励社会资本参与,探索生态环境导向的开发模式。"
    with TMService.open(seed_db) as service:
        got = service.fragments(query)
    cache = Path(f"{seed_db}.match-fragments.npz")
    assert cache.exists()
    assert Path(f"{seed_db}.match-fragments-where.npz").exists()
    monkeypatch.setattr(tm.match, "CACHE_MIN_UNITS", 10**9)  # built here, no cache
    with TMService.open(seed_db) as service:
        assert service.fragments(query) == got
    stamp = cache.stat().st_mtime_ns
    monkeypatch.setattr(tm.match, "CACHE_MIN_UNITS", 100)
    with TMService.open(seed_db) as service:
        assert service.fragments(query) == got  # loaded, not built again
    assert cache.stat().st_mtime_ns == stamp


def test_two_threads_asking_at_once_share_one_fragment_index_build(
    seed_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tm.match, "CACHE_MIN_UNITS", 100)  # built in a process
    built: list[str] = []
    build = tm.match.Matcher._fragment_index

    def counted(self: tm.match.Matcher, version: str) -> FragmentIndex:
        built.append(version)
        return build(self, version)

    monkeypatch.setattr(tm.match.Matcher, "_fragment_index", counted)
    query = "鼓励社会资本参与,探索生态环境导向的开发模式。"
    start = threading.Barrier(2)
    found: list[object] = []
    with TMService.open(seed_db) as service:
        service.lookup(query)  # the match index first, as a look-up screen has it

        def ask() -> None:  # the TUI's look-up and document screens
            start.wait()
            found.append(service.fragments(query))

        threads = [threading.Thread(target=ask) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(built) == 1
    assert len(found) == 2
    assert found[0] == found[1]
    assert found[0]
