"""The matcher: scorer properties, penalties, and the index against an exhaustive scan."""

from __future__ import annotations

import gzip
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tm.match import (
    ENUMERATOR_PENALTY,
    FLAG_MARGIN,
    FUZZY_CAP,
    NUMBER_CAP,
    STOP_PENALTY,
    Matcher,
    similarity,
)
from tm.match_index import CandidateIndex
from tm.models import MatchKind, SegType, TranslationUnit
from tm.service import TermService, TMService
from tm.store import open_store
from tm.text.normalize import match_key

SENTENCE_END = re.compile(r"[^。！？；]+[。！？；]?")
EDIT_CHARS = "的和及与在国家市场要素改革试点数据1234"


@pytest.fixture(scope="module")
def seed_store(seed_db_master: Path) -> Iterator[object]:
    store = open_store(seed_db_master, create=False)
    yield store
    store.close()


@pytest.fixture(scope="module")
def seed_matcher(seed_store: object) -> Matcher:
    return Matcher(seed_store)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def seed_units(seed_store: object) -> list[TranslationUnit]:
    return list(seed_store.iter_units())  # type: ignore[attr-defined]


def edited(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(0, max(1, len(chars) // 6))):
        i = rng.randrange(len(chars) + 1)
        op = rng.random()
        if op < 0.4:
            chars.insert(i, rng.choice(EDIT_CHARS))
        elif op < 0.7 and i < len(chars):
            del chars[i]
        elif i < len(chars):
            chars[i] = rng.choice(EDIT_CHARS)
    return "".join(chars)


def random_queries(sources: list[str], n: int, seed: int) -> list[str]:
    """Edited TM text, TM substrings of every length (1 char up), and shuffled text."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        src = rng.choice(sources)
        kind = i % 4
        if kind == 0:
            out.append(edited(src, rng))
        elif kind == 1:
            a = rng.randrange(len(src))
            out.append(src[a : a + rng.choice([1, 2, 3, 5, 12, 40])])
        elif kind == 2:
            sentences = SENTENCE_END.findall(src) or [src]
            out.append(edited(rng.choice(sentences), rng))
        else:
            chars = list(src[: rng.randint(1, 30)])
            rng.shuffle(chars)
            out.append("".join(chars))
    return out


@contextmanager
def path(forced: str | None) -> Iterator[None]:
    """Make the index take one path: ``q-grams``, ``window``, or None (its choice)."""
    choose = CandidateIndex.prefer_scan
    if forced is not None:
        CandidateIndex.prefer_scan = lambda self, c, m: forced == "window"  # type: ignore[method-assign]
    try:
        yield
    finally:
        CandidateIndex.prefer_scan = choose  # type: ignore[method-assign]


def same_ranking(matcher: Matcher, q: str, min_score: float, limit: int) -> None:
    """The index's answer, by its own choice and by each path, equals the scan's."""
    ref = matcher.rank(q, min_score=min_score, limit=limit, exhaustive=True)
    want = [(s.unit_id, s.score) for s in ref]
    for forced in (None, "q-grams", "window"):
        with path(forced):
            got = matcher.rank(q, min_score=min_score, limit=limit)
        assert [(s.unit_id, s.score) for s in got] == want, (q, forced)


# -- scorer properties ------------------------------------------------------------


def test_similarity_is_levenshtein_over_the_longer_length() -> None:
    assert similarity("要素市场", "要素市场") == 100.0
    assert similarity("要素市场", "要素市") == pytest.approx(75.0)
    assert similarity("abcd", "abxd") == pytest.approx(75.0)
    assert similarity("", "") == 100.0


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_identical_text_scores_100_and_results_are_sorted_above_cutoff(
    data: st.DataObject,
    seed_matcher: Matcher,
    seed_units: list[TranslationUnit],
) -> None:
    unit = data.draw(st.sampled_from(seed_units))
    cutoff = data.draw(st.sampled_from([30.0, 50.0, 70.0, 95.0]))
    matches = seed_matcher.lookup(unit.source, min_score=cutoff, limit=10)
    exact = next(m for m in matches if m.score == 100.0)
    assert exact.kind is MatchKind.EXACT
    assert match_key(exact.source) == match_key(unit.source)
    # Only a clean unit of nearly the same score goes before a flagged exact match.
    ahead = matches[: matches.index(exact)]
    assert all(exact.flags and not m.flags for m in ahead)
    assert all(m.score >= 100.0 - FLAG_MARGIN for m in ahead)
    # Ranked by score, a flagged unit as if it scored FLAG_MARGIN less.
    ranked = [m.score - (FLAG_MARGIN if m.flags else 0) for m in matches]
    assert ranked == sorted(ranked, reverse=True)
    assert all(m.score >= cutoff for m in matches)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet="要素市场化配置改革试点国务院的和,。1２３ ", max_size=25))
def test_arbitrary_text_never_scores_under_cutoff_and_agrees_with_scan(
    text: str, seed_matcher: Matcher
) -> None:
    for cutoff in (0.0, 40.0, 70.0):
        same_ranking(seed_matcher, text, cutoff, 5)
        matches = seed_matcher.lookup(text, min_score=cutoff, limit=5)
        assert all(m.score >= cutoff for m in matches)


# -- penalties and kinds ------------------------------------------------------------


def _long_unit(units: list[TranslationUnit], pattern: str) -> TranslationUnit:
    return next(u for u in units if re.search(pattern, u.source) and len(u.source) > 25)


def test_width_or_punctuation_form_only_scores_99(
    seed_matcher: Matcher, seed_units: list[TranslationUnit]
) -> None:
    unit = _long_unit(seed_units, r"\d")
    wide = unit.source.translate(
        str.maketrans("0123456789:(),", "０１２３４５６７８９：（），")
    )
    assert wide != unit.source
    best = seed_matcher.lookup(wide)[0]
    assert (best.source, best.score, best.kind) == (unit.source, 99.0, MatchKind.EXACT)
    assert [p.reason for p in best.penalties] == ["formatting"]
    assert best.diff == ()


def test_punctuation_only_difference_scores_99(
    seed_matcher: Matcher, seed_units: list[TranslationUnit]
) -> None:
    unit = _long_unit(seed_units, "，|,")
    changed = re.sub("[，,]", "；", unit.source)
    best = seed_matcher.lookup(changed)[0]
    assert (best.source, best.score) == (unit.source, 99.0)
    assert [p.reason for p in best.penalties] == ["punctuation"]


def test_differing_numbers_are_located_and_repaired_by_value(
    seed_matcher: Matcher, seed_units: list[TranslationUnit]
) -> None:
    unit = _long_unit(seed_units, r"\d+")
    m = re.search(r"\d+", unit.source)
    assert m is not None
    new = str(int(m.group()) + 7)
    query = unit.source[: m.start()] + new + unit.source[m.end() :]
    best = seed_matcher.lookup(query, min_score=50)[0]
    assert best.source == unit.source
    penalty = next(p for p in best.penalties if p.reason == "numbers")
    assert [unit.source[a:b] for a, b in penalty.spans] == [m.group()]
    assert [query[a:b] for a, b in penalty.query_spans] == [new]
    # The English has the number once: it is carried over, so the cap does not apply.
    assert unit.target.count(m.group()) == 1
    assert best.kind is MatchKind.REPAIRED
    assert best.repaired_target == unit.target.replace(m.group(), new)
    assert NUMBER_CAP < best.score <= best.similarity


def test_numbers_that_cannot_be_repaired_cap_the_score(
    seed_matcher: Matcher, seed_units: list[TranslationUnit]
) -> None:
    unit = _long_unit(seed_units, r"\d+")
    query = unit.source + "另有3个"  # a number only the query has: nothing to map
    best = seed_matcher.lookup(query, min_score=50)[0]
    assert best.source == unit.source
    assert best.kind is MatchKind.FUZZY
    assert best.score <= NUMBER_CAP < best.similarity
    assert best.repaired_target is None
    left = [(r.kind, r.query, r.reason) for r in best.repairs if not r.done]
    assert ("number", "3", "only the query has it") in left


def test_context_match_scores_101(seed_service: TMService) -> None:
    units = list(seed_service.store.iter_units())
    unit = next(
        u
        for u in units
        if u.occurrence and u.occurrence.prev_source and len(u.source) > 10
    )
    assert unit.occurrence is not None
    best = seed_service.lookup(unit.source, prev=unit.occurrence.prev_source)[0]
    assert (best.source, best.score, best.kind) == (
        unit.source,
        101.0,
        MatchKind.CONTEXT,
    )
    plain = seed_service.lookup(unit.source, prev="与本文无关的上一句话")[0]
    assert (plain.score, plain.kind) == (100.0, MatchKind.EXACT)


def test_diff_spans_point_at_the_stored_text(
    seed_matcher: Matcher, seed_units: list[TranslationUnit]
) -> None:
    unit = _long_unit(seed_units, "市场")
    at = unit.source.index("市场")
    query = unit.source[:at] + "数据" + unit.source[at + 2 :]
    best = seed_matcher.lookup(query)[0]
    assert best.source == unit.source
    changed = [
        (d.op, unit.source[d.start : d.end], query[d.query_start : d.query_end])
        for d in best.diff
    ]
    assert changed == [("replace", "市场", "数据")]


def test_short_cjk_queries(tmp_path: Path, seed_db: Path) -> None:
    with TMService.open(seed_db) as service:
        service.store.add_units(
            [TranslationUnit("要素", "factors"), TranslationUnit("改", "reform")]
        )
        m = service.matcher()
        m.invalidate()
        assert [(x.target, x.score) for x in service.lookup("要素")] == [
            ("factors", 100.0)
        ]
        assert [(x.target, x.score) for x in service.lookup("改")] == [
            ("reform", 100.0)
        ]
        assert [x.target for x in service.lookup("要", min_score=50)] == ["factors"]
        for q in ("要素", "改", "要", "素市", "改革"):
            for cutoff in (0.0, 30.0, 50.0, 70.0):
                same_ranking(m, q, cutoff, 5)


def test_index_follows_new_units(seed_db: Path) -> None:
    with TMService.open(seed_db) as service:
        text = "本句话在种子翻译记忆里不存在但稍后会被加入"
        assert service.lookup(text) == []
        service.store.add_units([TranslationUnit(text, "added later")])
        service.matcher().invalidate()
        assert [m.target for m in service.lookup(text)] == ["added later"]


# -- lossless: the index against the exhaustive scan --------------------------------


def test_index_equals_scan_on_seed_tm(
    seed_matcher: Matcher, seed_units: list[TranslationUnit]
) -> None:
    queries = random_queries([u.source for u in seed_units], 3000, seed=0)
    for i, q in enumerate(queries):
        cutoff = (30.0, 50.0, 70.0, 85.0, 95.0)[i % 5]
        same_ranking(seed_matcher, q, cutoff, 5)


def test_next_document_gets_the_same_best_match_as_the_scan(
    seed_service: TMService, next_doc_path: Path
) -> None:
    text = next_doc_path.read_text(encoding="utf-8")
    sentences = [s.strip() for s in SENTENCE_END.findall(text) if s.strip()]
    assert len(sentences) > 100
    matcher = seed_service.matcher()
    found = 0
    for s in sentences:
        for cutoff in (20.0, 50.0, 70.0):
            got = seed_service.lookup(s, min_score=cutoff, limit=1)
            ref = matcher.scan(s, min_score=cutoff, limit=1)
            assert [(m.id, m.score) for m in got] == [(m.id, m.score) for m in ref], s
            found += bool(got)
    assert found > 0  # the seed holds paragraphs: low cutoffs reach some of them


def test_lookup_without_details_gives_the_same_matches(
    seed_service: TMService, seed_units: list[TranslationUnit]
) -> None:
    """``details=False`` (the tmserver answer) drops repair, diff and penalty wording
    only: the same units, scores, flags and order, glossary included."""
    queries = random_queries([u.source for u in seed_units], 400, seed=7)
    differs = 0
    for q in queries:
        full = seed_service.lookup(q, min_score=50, limit=5)
        bare = seed_service.lookup(q, min_score=50, limit=5, details=False)
        assert [(m.id, m.score, m.similarity, m.flags) for m in bare] == [
            (m.id, m.score, m.similarity, m.flags) for m in full
        ], q
        assert all(not m.diff for m in bare)
        differs += any(m.diff or m.repaired_target for m in full)
    assert differs > 100  # the full answers did carry the details left out


def _law_units(shared: Path, size: int) -> list[TranslationUnit]:
    """Law paragraphs split naively into sentences: a quick ~100k-unit TM."""
    units = []
    path = shared / "corpora" / "tw_moj_laws.paragraphs.zh-en.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            zh, _, en = line.rstrip("\n").partition("\t")
            for s in SENTENCE_END.findall(zh):
                if len(s.strip()) > 1:
                    units.append(
                        TranslationUnit(s.strip(), en, segtype=SegType.SENTENCE)
                    )
            if len(units) >= size:
                return units[:size]
    return units


@pytest.mark.slow
def test_index_equals_scan_on_100k_law_tm(shared_dir: Path, tmp_path: Path) -> None:
    units = _law_units(shared_dir, 100_000)
    store = open_store(tmp_path / "laws.db")
    try:
        store.add_units(units, batch_size=10_000)
        matcher = Matcher(store)
        queries = random_queries([u.source for u in units], 2000, seed=1)
        for i, q in enumerate(queries):
            same_ranking(matcher, q, (50.0, 70.0, 90.0)[i % 3], 5)
    finally:
        store.close()


def test_target_side_pieces_index_equals_scan(seed_service: TMService) -> None:
    units = list(seed_service.store.iter_units())
    matcher = seed_service.matcher("target")
    rng = random.Random(2)
    matches = 0
    for i in range(400):
        words = rng.choice(units).target.split()
        a = rng.randrange(len(words))
        words = words[a : a + rng.choice([1, 2, 6, 15, 40])]
        if i % 2 and len(words) > 2:
            words[rng.randrange(len(words))] = rng.choice(["data", "market", "12"])
        q = " ".join(words)
        for cutoff in (30.0, 60.0, 80.0):
            same_ranking(matcher, q, cutoff, 5)
        matches += bool(seed_service.lookup(q, side="target", min_score=60))
    assert matcher.encoder is not None  # scored over pieces, not characters
    assert matches > 10  # long slices of a target still reach 60


def test_index_cache_beside_the_db_is_reused_and_refreshed(
    seed_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tm.match

    monkeypatch.setattr(tm.match, "CACHE_MIN_UNITS", 0)
    store = open_store(seed_db)
    try:
        first = Matcher(store)
        (built,) = first.ensure_index()
        cache = Path(f"{seed_db}.match-source.npz")
        assert cache.exists()
        (loaded,) = Matcher(store).ensure_index()
        assert loaded is not built
        assert loaded.codes == built.codes
        assert loaded.ids.tolist() == built.ids.tolist()
        query = built.codes[-1][:-3]
        assert Matcher(store).rank(query) == first.rank(query)
        store.add_units([TranslationUnit("缓存之后才加入的一句新的话", "added")])
        fresh = Matcher(store)
        assert [s.score for s in fresh.rank("缓存之后才加入的一句新的话")] == [100.0]
    finally:
        store.close()


def test_twin_paragraph_and_sentence_units_are_offered_once(seed_service) -> None:
    # "附件1" is both a paragraph unit and the sentence unit aligned from it.
    matches = seed_service.lookup("附件1", min_score=50, limit=5)
    pairs = [(m.unit.source, m.unit.target) for m in matches]
    assert pairs[0] == ("附件1", "Attachment 1")
    assert len(pairs) == len(set(pairs))
    assert {u.segtype for u in seed_service.store.exact("附件1")} == {
        "paragraph",
        "sentence",
    }


def test_a_unit_imported_in_this_process_is_found_at_once(
    seed_service, tmp_path
) -> None:
    assert seed_service.lookup("全新的一句话,此前从未出现。", min_score=90) == []
    tsv = tmp_path / "new.tsv"
    tsv.write_text(
        "全新的一句话,此前从未出现。\tA brand-new sentence, never seen before.\n",
        encoding="utf-8",
    )
    seed_service.import_file(tsv)
    (match,) = seed_service.lookup("全新的一句话,此前从未出现。", min_score=90)
    assert match.score == 100


def test_units_added_later_go_to_a_second_tier_that_ranks_like_a_full_build(
    seed_db: Path,
) -> None:
    store = open_store(seed_db)
    try:
        matcher = Matcher(store)
        (main,) = matcher.ensure_index()
        sentences = [u for u in store.iter_units(segtype="sentence")][:300]
        store.add_units(
            TranslationUnit(
                f"{u.source}(修订稿)", f"{u.target} (revised)", segtype="sentence"
            )
            for u in sentences
        )
        matcher.invalidate()
        tiers = matcher.ensure_index()
        assert tiers[0] is main
        assert len(tiers) == 2
        assert len(tiers[1]) == 300
        rebuilt = Matcher(store)
        for u in sentences[:60]:
            for query in (u.source, f"{u.source}(修订稿)", u.source[2:]):
                assert matcher.rank(query, min_score=50) == rebuilt.rank(
                    query, min_score=50
                )
        assert matcher.rank(f"{sentences[0].source}(修订稿)")[0].score == 100.0
    finally:
        store.close()


def test_too_many_new_units_rebuild_the_main_index(
    seed_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tm.match

    monkeypatch.setattr(tm.match, "DELTA_MIN_UNITS", 10)
    monkeypatch.setattr(tm.match, "DELTA_SHARE", 0.0)
    store = open_store(seed_db)
    try:
        matcher = Matcher(store)
        (main,) = matcher.ensure_index()
        store.add_units(
            TranslationUnit(f"新加的第{i}句话。", f"New sentence {i}.")
            for i in range(20)
        )
        matcher.invalidate()
        (again,) = matcher.ensure_index()
        assert again is not main
        assert len(again) == len(main) + 20
    finally:
        store.close()


# -- list labels and full stops are placeables (issue 14) ---------------------------


def test_a_missing_list_label_and_full_stop_cost_a_small_fixed_penalty(
    seed_matcher: Matcher,
) -> None:
    # The seed has (二)推动科技成果高效转化应用。 The label is structure, not content.
    best = seed_matcher.lookup("推动科技成果高效转化应用", min_score=50)[0]
    assert best.source == "(二)推动科技成果高效转化应用。"
    assert [p.reason for p in best.penalties] == ["enumerator", "full-stop"]
    assert best.score == 100 - ENUMERATOR_PENALTY - STOP_PENALTY
    assert best.kind is MatchKind.REPAIRED  # the English loses its "(2) " and "."
    assert best.repaired_target == best.target[len("(2) ") : -1]
    # Another label: the English label follows, in the English's own style.
    other = seed_matcher.lookup("(五)推动科技成果高效转化应用。", min_score=50)[0]
    assert other.source == best.source
    assert [p.reason for p in other.penalties] == ["enumerator"]
    assert other.score == FUZZY_CAP
    assert other.repaired_target == "(5)" + best.target[len("(2)") :]


def test_a_label_never_triggers_the_numbers_cap(
    seed_matcher: Matcher, seed_units: list[TranslationUnit]
) -> None:
    labelled = [
        u for u in seed_units if re.match(r"\([一二三四五六七八九十]+\)", u.source)
    ]
    assert len(labelled) > 20
    for unit in labelled[:20]:
        bare = re.sub(r"^\([一二三四五六七八九十]+\)", "", unit.source)
        best = seed_matcher.lookup(bare, min_score=50, limit=10)
        mine = next(m for m in best if m.source == unit.source)
        assert "numbers" not in [p.reason for p in mine.penalties]
        assert mine.score >= 100 - ENUMERATOR_PENALTY - STOP_PENALTY


def test_english_labels_are_placeables_on_the_target_side(
    seed_service: TMService,
) -> None:
    english = "Promote the efficient transformation and application of scientific"
    best = seed_service.lookup(english, side="target", min_score=50)[0]
    assert best.target.startswith("(2) Promote the efficient transformation")
    assert "enumerator" in [p.reason for p in best.penalties]


# -- flagged units ------------------------------------------------------------------


def test_a_truncated_unit_is_flagged_and_ranks_below_a_clean_near_equal(
    seed_matcher: Matcher,
) -> None:
    # The seed's English for this title stops at "… Changsha, Zhuzhou and".
    found = seed_matcher.lookup("长株潭要素市场化配置综合改革试点实施方案", limit=3)
    first, second = found[0], found[1]
    assert second.score == 100.0
    assert [f.check for f in second.flags] == ["truncated"]
    assert not first.flags
    assert first.score >= 100.0 - FLAG_MARGIN
    assert first.offered_target.endswith("Zhuzhou and Xiangtan")


def test_a_forbidden_rendering_flags_the_unit(
    seed_db: Path, glossary_dir: Path
) -> None:
    termbase = TermService(glossary_dir).load()
    store = open_store(seed_db)
    try:
        store.add_units(
            [
                TranslationUnit(
                    "盘活存量土地资源的新机制",
                    "a new mechanism to revitalize stock land",
                )
            ]
        )
        matcher = Matcher(store)
        (m,) = matcher.lookup("盘活存量土地资源的新机制", limit=1, termbase=termbase)
        assert [f.check for f in m.flags] == ["term-forbidden"]
        ((a, b),) = m.flags[0].spans
        assert m.target[a:b] == "stock land"
        (plain,) = matcher.lookup("盘活存量土地资源的新机制", limit=1)
        assert plain.flags == ()  # without the glossary, nothing says it is forbidden
    finally:
        store.close()


# -- index or window: never slower than a scan, always the same answer ---------------


def test_the_bound_filters_nothing_at_50_so_the_window_is_scanned(
    seed_matcher: Matcher,
) -> None:
    (index,) = seed_matcher.ensure_index()
    assert index.prefer_scan("要素市场化配置综合改革", 50.0)
    big = CandidateIndex.build(
        range(5000), [f"第{i}条要素市场化配置综合改革" for i in range(5000)]
    )
    assert big.prefer_scan("要素市场化配置综合改革试点", 50.0)
    assert not big.prefer_scan("要素市场化配置综合改革试点", 70.0)


def test_a_query_gram_past_the_indexs_last_gram_loses_nothing(tmp_path: Path) -> None:
    store = open_store(tmp_path / "stems.db")
    try:
        store.add_units(
            [
                TranslationUnit("甲乙丙丁戊己庚辛壬癸子丑寅卯", "stems"),
                TranslationUnit("辰巳午未申酉戌亥", "branches"),
            ]
        )
        matcher = Matcher(store)
        # The numbered grams of 龘龘… sort after every gram of this TM; the query's
        # other grams must still find their lists.
        for q in ("龘龘龘龘甲乙丙丁戊己庚辛壬癸子丑", "甲乙丙丁戊己庚辛壬癸龘龘龘龘"):
            for cutoff in (50.0, 60.0):
                same_ranking(matcher, q, cutoff, 5)
            with path("q-grams"):  # 62.5: 4 grams of 龘 and 寅卯 apart
                assert [s.unit_id for s in matcher.rank(q, min_score=60.0)] == [1]
    finally:
        store.close()
