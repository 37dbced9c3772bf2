"""The Store contract: SQLite and PostgreSQL must behave the same.

Every test runs on both backends through the ``store_url`` fixture (tests/conftest.py);
the PostgreSQL leg skips unless TM_TEST_POSTGRES_DSN is set and gets a fresh schema.
Expected values come from the seed file or from an exhaustive scan, never from the
backend under test.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tm.errors import FormatError, StoreError
from tm.formats.bilingual import doc_units, read_bilingual
from tm.models import Occurrence, TranslationUnit
from tm.store import Store, open_store
from tm.store.base import AddResult
from tm.text.normalize import match_key

SEED_UNITS = 305
SEED_OCCURRENCES = 334


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as s:
        yield s


def _import_seed(store: Store, seed_path: Path) -> AddResult:
    """The seed's paragraph units, as the service imports them, in one transaction."""
    doc = read_bilingual(seed_path)
    with store.transaction():
        store.add_document(doc.name, doc.meta)
        return store.add_units(doc_units(doc))


@pytest.fixture
def seeded(store: Store, seed_path: Path) -> Store:
    _import_seed(store, seed_path)
    return store


def _unit(source: str, target: str, **kw: object) -> TranslationUnit:
    """A unit with creation fields set, so it reads back exactly as written."""
    kw.setdefault("created_at", "20240601T000000Z")
    kw.setdefault("created_by", "tester")
    return TranslationUnit(source=source, target=target, **kw)  # type: ignore[arg-type]


# Units that exercise every stored field, long text (past PostgreSQL's btree row
# limit), LIKE metacharacters, inline-code placeholders and other language pairs.
RICH_UNITS = [
    _unit(
        "第一条 为规范〔2025〕1号文件的执行，制定本办法。",
        "Article 1 These Measures are formulated to regulate Document No. 1 [2025].",
        tuid="tu-1",
        created_at="20250101T010203Z",
        created_by="张三",
        changed_at="20250102T030405Z",
        changed_by="reviewer",
        props=(("x-domain", "法律"), ("x-client", "A&B <co>")),
        notes=("注：第一条", "second note"),
        source_codes=('<ph x="1">&lt;b&gt;</ph>',),
        target_codes=('<ph x="1">&lt;b&gt;</ph>',),
        occurrence=Occurrence("法规.tmx", 0, 0, None, "第二条", "第一章 总则"),
    ),
    _unit(
        "第二条 增长50%以上的\ue000部分",
        "Article 2 the part\ue000 growing by more than 50%",
        source_codes=("<bpt i='1'/>",),
        target_codes=("<bpt i='1'/>",),
        occurrence=Occurrence("法规.tmx", 1, 0, "第一条", None, "第一章 总则"),
    ),
    _unit("增长50x以上", "growth above 50x", segtype="sentence"),
    _unit("变量a_b的值", "the value of a_b", source_lang="zh-TW", target_lang="en-GB"),
    _unit("变量axb的值", 'the value of "axb" \\ backslash 😀'),
    _unit("长" * 3000 + "文本", "long " * 2000 + "text"),
]


def _scan(store: Store, query: str, side: str) -> list[int]:
    """The concordance an exhaustive scan gives: ids whose key contains the query."""
    out = []
    for u in store.iter_units():
        keys = {
            "source": [match_key(u.source)],
            "target": [match_key(u.target)],
            "both": [match_key(u.source), match_key(u.target)],
        }[side]
        if any(query in k for k in keys):
            assert u.id is not None
            out.append(u.id)
    return out


# -- import ----------------------------------------------------------------------


def test_seed_import_counts(store: Store, seed_path: Path) -> None:
    result = _import_seed(store, seed_path)
    assert result.added == SEED_UNITS
    assert result.duplicates == SEED_OCCURRENCES - SEED_UNITS
    assert result.occurrences_added == SEED_OCCURRENCES
    assert store.count_units() == SEED_UNITS
    assert store.documents() == [
        (read_bilingual(seed_path).name, read_bilingual(seed_path).meta)
    ]


def test_reimport_adds_nothing(seeded: Store, seed_path: Path) -> None:
    before = seeded.data_version()
    result = _import_seed(seeded, seed_path)
    assert (result.added, result.occurrences_added) == (0, 0)
    assert result.duplicates == SEED_OCCURRENCES
    assert seeded.stats()["occurrences"] == SEED_OCCURRENCES
    assert seeded.data_version() == before


def test_units_keep_document_order(seeded: Store, seed_path: Path) -> None:
    doc = read_bilingual(seed_path)
    firsts: dict[tuple[str, str], int] = {}
    for u in doc_units(doc):
        firsts.setdefault((u.source, u.target), len(firsts))
    got = [(u.source, u.target) for u in seeded.iter_units()]
    assert got == sorted(firsts, key=firsts.__getitem__)


def test_failing_iterator_rolls_back(store: Store) -> None:
    def broken() -> Iterator[TranslationUnit]:
        yield from RICH_UNITS[:3]
        raise FormatError("bad.tmx", 42, "unclosed <tu>")

    with pytest.raises(FormatError, match=r"bad\.tmx:42"):
        store.add_units(broken())
    assert store.count_units() == 0
    assert store.documents() == []
    assert store.stats()["occurrences"] == 0
    # The store stays usable after the rollback.
    assert store.add_units(RICH_UNITS[:2]).added == 2


def test_outer_transaction_rolls_back_everything(store: Store) -> None:
    def interrupted_import() -> None:
        with store.transaction():
            store.add_document("doc-a", {"title": "A"})
            store.add_units(RICH_UNITS)
            store.set_mark("fp", "numbers")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted_import()
    assert store.count_units() == 0
    assert store.documents() == []
    assert store.marks() == set()


def test_duplicates_within_one_call(store: Store) -> None:
    twice = [RICH_UNITS[0], RICH_UNITS[1], RICH_UNITS[0]]
    result = store.add_units(twice)
    assert (result.added, result.duplicates) == (2, 1)
    # The same text under another segtype or language pair is another unit.
    other = [replace(RICH_UNITS[0], segtype="sentence", occurrence=None)]
    assert store.add_units(other).added == 1


def test_units_with_one_identity_hash_stay_apart(store: Store) -> None:
    """Identity goes through a 64-bit hash; two different units that share one (made
    here by hand) are both stored, and each is recognised when it comes again."""
    from tm.store.rows import IDENT, prepare_batches

    units = [_unit("甲方", "Party A"), _unit("乙方", "Party B")]
    (batch,) = prepare_batches(units, stamp="20250101T000000Z", user="t")
    clash = batch.rows[0][IDENT]
    batch.rows[1] = (*batch.rows[1][:IDENT], clash, *batch.rows[1][IDENT + 1 :])
    assert store.add_batches([batch]).added == 2
    again = store.add_batches([batch, batch])
    assert (again.added, again.duplicates) == (0, 4)
    assert sorted(u.target for u in store.iter_units()) == ["Party A", "Party B"]


def test_new_units_get_their_id_as_tuid(store: Store) -> None:
    store.add_units([_unit("一", "one"), _unit("二", "two", tuid="t-2")])
    first, second = store.iter_units()
    assert (first.tuid, second.tuid) == (str(first.id), "t-2")


def test_user_and_stamp_fill_missing_fields(store: Store) -> None:
    store.add_units([TranslationUnit("你好", "Hello")], user="译者甲")
    (u,) = list(store.iter_units())
    assert u.created_by == "译者甲"
    assert u.created_at is not None
    assert len(u.created_at) == 16
    assert u.created_at.endswith("Z")


# -- reads -----------------------------------------------------------------------


def test_iter_units_round_trips_every_field(store: Store) -> None:
    store.add_units(RICH_UNITS)
    got = list(store.iter_units())
    # A unit read without a tuid gets its id as a stable tuid.
    assert [replace(u, id=None) for u in got] == [
        replace(u, tuid=u.tuid or str(g.id))
        for u, g in zip(RICH_UNITS, got, strict=True)
    ]
    assert [u.id for u in got] == sorted(u.id for u in got if u.id is not None)
    assert [u.source for u in store.iter_units(segtype="sentence")] == ["增长50x以上"]
    assert [u.source for u in store.iter_units(source_lang="zh-TW")] == ["变量a_b的值"]


def test_iter_keys_and_get_units(store: Store) -> None:
    store.add_units(RICH_UNITS)
    rows = list(store.iter_keys())
    assert [r.key for r in rows] == [match_key(u.source) for u in RICH_UNITS]
    assert [r.key for r in store.iter_keys(side="target")] == [
        match_key(u.target) for u in RICH_UNITS
    ]
    assert rows[3].source_lang == "zh-TW"
    assert rows[2].segtype == "sentence"
    ids = [rows[4].id, 10**6, rows[0].id]
    assert [u.source for u in store.get_units(ids)] == [
        RICH_UNITS[4].source,
        RICH_UNITS[0].source,
    ]


def test_exact(seeded: Store, seed_path: Path) -> None:
    doc = read_bilingual(seed_path)
    pair = doc.pairs[10]
    hits = seeded.exact(match_key(pair.zh))
    assert (pair.zh, pair.en) in {(u.source, u.target) for u in hits}
    # Width and punctuation fold into the key: the full-width form finds it too.
    assert seeded.exact(match_key(pair.zh.replace(",", "，"))) == hits
    assert seeded.exact(match_key(pair.zh), source_lang="zh-TW") == []
    assert seeded.exact("不存在的句子") == []


def test_exact_finds_long_text(store: Store) -> None:
    store.add_units(RICH_UNITS)
    long = RICH_UNITS[-1]
    assert [u.target for u in store.exact(match_key(long.source))] == [long.target]


def test_occurrences_of_a_repeated_unit(seeded: Store, seed_path: Path) -> None:
    doc = read_bilingual(seed_path)
    positions: dict[tuple[str, str], list[int]] = {}
    for u in doc_units(doc):
        assert u.occurrence is not None
        positions.setdefault((u.source, u.target), []).append(u.occurrence.position)
    repeated = next(k for k, v in positions.items() if len(v) > 1)
    (unit,) = [
        u for u in seeded.exact(match_key(repeated[0])) if u.target == repeated[1]
    ]
    assert unit.id is not None
    occs = seeded.occurrences(unit.id)
    assert [o.position for o in occs] == positions[repeated]
    assert {o.document for o in occs} == {doc.name}
    assert unit.occurrence == occs[0]


def test_units_after(seeded: Store, seed_path: Path) -> None:
    by_text = {(u.source, u.target): u.id for u in seeded.iter_units()}
    expected: dict[str, set[int | None]] = {}
    for u in doc_units(read_bilingual(seed_path)):
        assert u.occurrence is not None
        if u.occurrence.prev_source is not None:
            key = match_key(u.occurrence.prev_source)
            expected.setdefault(key, set()).add(by_text[(u.source, u.target)])
    assert len(expected) > 100
    for key, ids in expected.items():
        assert seeded.units_after(key) == ids
    assert seeded.units_after("不存在") == set()


CONCORDANCE_QUERIES = [
    ("的", "source"),  # one character: no trigram
    ("要素", "source"),  # two characters: no trigram
    ("市场化", "source"),
    ("数据要素", "source"),
    ("(", "source"),
    ("market", "target"),
    ("of", "target"),
    ("x", "both"),
    ("50%", "source"),  # LIKE metacharacters must be literal
    ("a_b", "source"),
    ("a_b", "both"),
    ('"axb"', "target"),
    ("\\", "target"),
    ("长长长长长", "source"),
    ("没有这个词组", "source"),
]


@pytest.mark.parametrize(("query", "side"), CONCORDANCE_QUERIES)
def test_concordance_equals_exhaustive_scan(
    seeded: Store, query: str, side: str
) -> None:
    seeded.add_units(RICH_UNITS)
    expected = _scan(seeded, query, side)
    got = [u.id for u in seeded.concordance(query, side=side)]
    assert got == expected
    assert [u.id for u in seeded.concordance(query, side=side, limit=3)] == expected[:3]


def test_concordance_hits_are_real(seeded: Store) -> None:
    hits = seeded.concordance("数据")
    assert len(hits) > 5
    assert all("数据" in match_key(u.source) for u in hits)
    assert seeded.concordance("") == []


# -- metadata --------------------------------------------------------------------


def test_stats(seeded: Store, seed_path: Path) -> None:
    stats = seeded.stats()
    assert stats == {
        "units": SEED_UNITS,
        "occurrences": SEED_OCCURRENCES,
        "languages": ["zh-CN→en-US"],
        "documents": [read_bilingual(seed_path).name],
        "by_segtype": {"paragraph": SEED_UNITS},
    }


def test_documents_merge_meta(store: Store) -> None:
    first = store.add_document("a.txt", {"title": "A"})
    assert store.add_document("a.txt", {"date": "2025"}) == first
    store.add_document("b.txt")
    assert store.documents() == [
        ("a.txt", {"title": "A", "date": "2025"}),
        ("b.txt", {}),
    ]


def test_long_document_names(store: Store) -> None:
    """A document name far past PostgreSQL's btree row limit (~2.7 kB) is accepted,
    kept whole and found again, on both backends."""
    # 3,600 distinct-looking characters (10.8 kB in UTF-8): a repetitive name would
    # be compressed below the limit and prove nothing.
    chars = "".join(chr(0x4E00 + i * 7919 % 20000) for i in range(3600))
    long_name = f"附件/{chars}.tmx"
    other = long_name[:-4] + "-2.tmx"  # same prefix: only the tail differs
    assert len(long_name.encode()) > 10_000
    first = store.add_document(long_name, {"title": "甲"})
    assert store.add_document(long_name) == first
    assert store.add_document(other) != first
    added = store.add_units(
        [replace(RICH_UNITS[2], occurrence=Occurrence(long_name, 7))]
    )
    assert added.occurrences_added == 1
    [unit] = store.iter_units()
    assert unit.id is not None
    assert [o.document for o in store.occurrences(unit.id)] == [long_name]
    assert store.documents() == [(long_name, {"title": "甲"}), (other, {})]


def test_data_version_changes_on_add(store: Store) -> None:
    empty = store.data_version()
    store.add_units(RICH_UNITS[:1])
    one = store.data_version()
    assert one != empty
    store.add_units(RICH_UNITS[:1])
    assert store.data_version() == one


def test_set_target_edits_in_place_and_counts_the_edit(seeded: Store) -> None:
    from tm.errors import NotFound

    unit = next(u for u in seeded.iter_units() if "标定地价" in u.target)
    fixed = unit.target.replace("标定地价", "standard land price")
    before, edits = seeded.data_version(), seeded.edit_version()
    seeded.set_target(unit.id, fixed, user="reviewer")
    (after,) = seeded.get_units([unit.id])
    assert (after.source, after.target, after.changed_by) == (
        unit.source,
        fixed,
        "reviewer",
    )
    assert seeded.exact(match_key(unit.source))[0].target == fixed
    assert seeded.edit_version() == edits + 1
    assert seeded.data_version() == before  # no unit added
    with pytest.raises(NotFound):
        seeded.set_target(10**9, "x")
    assert seeded.edit_version() == edits + 1


def test_set_target_refuses_a_duplicate_and_changes_nothing(store: Store) -> None:
    store.add_units([_unit("甲乙丙", "one"), _unit("甲乙丙", "two")])
    _, second = sorted(store.iter_units(), key=lambda u: u.target)
    with pytest.raises(StoreError, match="already has this source"):
        store.set_target(second.id, "one")
    assert sorted(u.target for u in store.iter_units()) == ["one", "two"]
    assert store.edit_version() == 0
    store.add_units([_unit("丁戊", "three")])  # the store is still usable
    assert store.count_units() == 3


def test_an_edited_unit_is_known_by_its_new_target(store: Store) -> None:
    store.add_units([_unit("甲乙丙", "one")])
    (unit,) = store.iter_units()
    assert unit.id is not None
    store.set_target(unit.id, "uno")
    assert store.add_units([_unit("甲乙丙", "uno")]).added == 0
    assert store.add_units([_unit("甲乙丙", "one")]).added == 1


def test_info_and_migrate(store_url: str, store: Store) -> None:
    info = store.info()
    assert (
        info.backend == {"sqlite": "sqlite", "postgresql": "postgresql"}[info.backend]
    )
    assert info.schema_version == len(info.migrations) >= 5
    assert info.migrations[0] == "0001_documents"
    assert list(info.migrations) == sorted(info.migrations)
    assert store.migrate() == []
    store.close()
    with open_store(store_url) as again:
        assert again.info().migrations == info.migrations
    with pytest.raises(StoreError, match="closed"):
        store.count_units()


def test_protocol_attributes(store_url: str, store: Store) -> None:
    """Where the TM is, without reaching into the backend class."""
    assert isinstance(store, Store)
    assert not store.readonly
    if store.backend == "sqlite":
        assert store.path == store.location == store_url
    else:
        assert store.backend == "postgresql"
        assert store.path is None
        assert store.location.startswith("postgresql://")
        assert ":" not in store.location.split("@")[0].removeprefix("postgresql://")
    assert store.info().location == store.location
    with open_store(":memory:") as memory:
        assert (memory.path, memory.location) == (None, ":memory:")


def test_tables_have_the_schema_columns(store: Store) -> None:
    """The tables both backends create follow the one column list in schema.py."""
    from tm.store.schema import OCCURRENCE_COLUMNS, UNIT_COLUMNS

    def columns(table: str) -> list[str]:
        cur = store._execute(f"SELECT * FROM {table} LIMIT 0")  # type: ignore[attr-defined]
        return [d[0] for d in cur.description]

    assert columns("units") == ["id", *(c.name for c in UNIT_COLUMNS)]
    assert columns("occurrences") == [
        "id",
        "unit_id",
        "document_id",
        *(c.name for c in OCCURRENCE_COLUMNS),
    ]


def test_info_counts_rows(seeded: Store) -> None:
    rows = seeded.info().extra["rows"]
    assert rows == {
        "units": SEED_UNITS,
        "occurrences": SEED_OCCURRENCES,
        "documents": 1,
        "qa_marks": 0,
    }


def test_marks(store: Store) -> None:
    store.set_mark("fp-1", "numbers", "checked by hand")
    store.set_mark("fp-1", "numbers", "note changed")
    store.set_mark("fp-2", "punctuation")
    assert store.marks() == {"fp-1", "fp-2"}
    store.clear_mark("fp-1")
    assert store.marks() == {"fp-2"}


# -- concurrency -----------------------------------------------------------------


def _import_worker(
    url: str, files: list[list[tuple[str, str, int]]], out: object
) -> None:
    try:
        with open_store(url) as s:
            for n, rows in enumerate(files):
                units = [
                    _unit(zh, en, occurrence=Occurrence(f"doc{n}", pos))
                    for zh, en, pos in rows
                ]
                s.add_units(units, batch_size=50)
        out.put("ok")  # type: ignore[attr-defined]
    except Exception as exc:  # reported to the parent, which fails the test
        out.put(f"{type(exc).__name__}: {exc}")  # type: ignore[attr-defined]


def test_concurrent_overlapping_imports(
    store_url: str, store: Store, seed_path: Path
) -> None:
    """Three processes import overlapping files in different orders: no unit lost or doubled."""
    pairs = [(p.zh, p.en) for p in read_bilingual(seed_path).pairs]
    rng = random.Random(9)
    jobs = []
    for _ in range(3):
        files = []
        for _ in range(3):
            rows = rng.sample(range(len(pairs)), 150)
            files.append([(*pairs[i], i) for i in rows])
        jobs.append(files)
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_import_worker, args=(store_url, f, out)) for f in jobs]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert results == ["ok"] * 3
    distinct = {pairs[i] for files in jobs for rows in files for *_, i in rows}
    stored = [(u.source, u.target) for u in store.iter_units()]
    assert len(stored) == len(set(stored)) == len(distinct)
    assert set(stored) == distinct
    occ = {(n, i) for files in jobs for n, rows in enumerate(files) for *_, i in rows}
    assert store.stats()["occurrences"] == len(occ)


def test_other_threads_read_committed_data_only(store: Store) -> None:
    """A TUI worker thread reads while an import runs: it sees the last commit, unblocked."""
    seen: list[int] = []
    with store.transaction():
        store.add_units(RICH_UNITS[:2])
        worker = threading.Thread(target=lambda: seen.append(store.count_units()))
        worker.start()
        worker.join(timeout=30)
        assert store.count_units() == 2  # the writing thread sees its own rows
    assert seen == [0]
    worker = threading.Thread(target=lambda: seen.append(store.count_units()))
    worker.start()
    worker.join(timeout=30)
    assert seen == [0, 2]


def test_crossed_imports_both_complete(store_url: str, store: Store) -> None:
    """Two transactions add the same two units in opposite orders, in two calls each.

    Each waits up to 2 s after its first call for the other's first call. Writers to
    one TM take turns (SQLite's one writer; PostgreSQL's advisory write lock), so the
    second never gets its first call in while the first holds its rows: exactly one
    of them waits in vain, then both complete and each unit is stored once. Without
    the turns, both first calls land and the crossing second calls deadlock.
    """
    units = [_unit("交叉导入甲", "crossed A"), _unit("交叉导入乙", "crossed B")]
    first_done = [threading.Event(), threading.Event()]
    outcome: dict[int, str] = {}
    saw_other: dict[int, bool] = {}

    def crossed(me: int) -> None:
        first, second = units[me], units[1 - me]
        try:
            with open_store(store_url) as s, s.transaction():
                s.add_units([first])
                first_done[me].set()
                saw_other[me] = first_done[1 - me].wait(timeout=2)
                s.add_units([second])
            outcome[me] = "ok"
        except Exception as exc:  # reported by the assertion below
            outcome[me] = f"{type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=crossed, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert outcome == {0: "ok", 1: "ok"}
    assert sorted(saw_other.values()) == [False, True]  # they took turns
    assert store.add_units(units).added == 0
    stored = [(u.source, u.target) for u in store.iter_units()]
    assert sorted(stored) == sorted((u.source, u.target) for u in units)


def test_many_calls_in_crossing_orders(
    store_url: str, store: Store, seed_path: Path
) -> None:
    """Four writers, each one transaction of four add_units calls: its own group of
    units first, then the others' groups in its own order. All complete; every unit
    and occurrence is stored once.

    They open their stores together, and after its first call each waits up to 1 s
    for the others' first calls: without turns, all four would hold their own group
    and then wait on each other's, a deadlock no retry of the last call can undo.
    Each writer imports its own file (document), as separate ``tm import`` runs do.
    """
    pairs = [(p.zh, p.en) for p in read_bilingual(seed_path).pairs]
    units = [_unit(f"{zh}（{n}）", f"{en} ({n})") for n in range(2) for zh, en in pairs]
    groups = [units[g * 150 : g * 150 + 150] for g in range(4)]
    orders = [[0, 1, 2, 3], [1, 0, 3, 2], [2, 3, 0, 1], [3, 2, 1, 0]]
    opened = threading.Barrier(len(orders), timeout=60)
    first_done = [threading.Event() for _ in orders]
    outcome: list[str] = []

    def write(me: int) -> None:
        try:
            with open_store(store_url) as s:
                opened.wait()
                with s.transaction():
                    for n, g in enumerate(orders[me]):
                        s.add_units(
                            replace(u, occurrence=Occurrence(f"file{me}", g * 150 + i))
                            for i, u in enumerate(groups[g])
                        )
                        if n == 0:
                            first_done[me].set()
                            deadline = time.monotonic() + 1
                            for ev in first_done:
                                ev.wait(timeout=max(0, deadline - time.monotonic()))
            outcome.append("ok")
        except Exception as exc:  # reported by the assertion below
            outcome.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(orders))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert outcome == ["ok"] * len(orders)
    expected = {(u.source, u.target) for g in groups for u in g}
    stored = [(u.source, u.target) for u in store.iter_units()]
    assert len(stored) == len(expected)
    assert set(stored) == expected
    assert store.stats()["occurrences"] == len(orders) * sum(map(len, groups))
    assert sorted(store.stats()["documents"]) == [f"file{me}" for me in range(4)]


def test_other_occurrences_are_stored_and_read_back(store: Store) -> None:
    """A unit read from a TMX with several occurrences keeps them all, in order."""
    occs = (
        Occurrence("a.txt", 3, prev_source="上一段", section="一、总体要求"),
        Occurrence("b.txt", 7, sub=1, next_source="下一段"),
        Occurrence("a.txt", 9),
    )
    unit = _unit(
        "总体要求",
        "General Requirements",
        occurrence=occs[0],
        other_occurrences=occs[1:],
    )
    # The same unit again with one known occurrence and one new: only the new one counts.
    again = replace(
        unit, occurrence=occs[0], other_occurrences=(Occurrence("c.txt", 1),)
    )
    with store.transaction():
        first = store.add_units([unit, again, _unit("要素", "factors")])
    assert (first.added, first.duplicates, first.occurrences_added) == (2, 1, 4)
    (stored, plain) = list(store.iter_units(all_occurrences=True))
    assert (stored.occurrence, stored.other_occurrences) == (
        occs[0],
        (*occs[1:], Occurrence("c.txt", 1)),
    )
    assert (plain.occurrence, plain.other_occurrences) == (None, ())
    assert store.occurrences(stored.id) == [
        stored.occurrence,
        *stored.other_occurrences,
    ]
    # Without the flag, units carry their first occurrence only (look-ups, QA).
    (lean, _) = list(store.iter_units())
    assert (lean.occurrence, lean.other_occurrences) == (occs[0], ())
