"""The packed one-sort build of the q-gram postings gives the arrays the two-sort
build gives, on real keys and on strings made of few characters (long runs of
repeated grams, many ranks)."""

from __future__ import annotations

import gzip
import random
from collections import Counter
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from tm import match_index, match_index_disk
from tm.match import body_codes
from tm.text.normalize import match_key

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def _both(codes: list[str]) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    packed = match_index._build_postings(codes, 2)
    keep = match_index._packed_postings
    match_index._packed_postings = lambda *a: None
    try:
        stable = match_index._build_postings(codes, 2)
    finally:
        match_index._packed_postings = keep
    return packed, stable


def _same(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> None:
    for x, y in zip(a, b, strict=True):
        assert x.dtype == y.dtype
        assert np.array_equal(x, y)


def test_packed_build_equals_the_stable_sorts_on_law_text() -> None:
    path = CORPORA / "tw_moj_laws.paragraphs.zh-en.tsv.gz"
    if not path.exists():
        pytest.skip("corpus not available")
    codes: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for _, line in zip(range(6000), fh, strict=False):
            zh, en = line.rstrip("\n").split("\t")[:2]
            codes += [body_codes(match_key(zh), "source"), match_key(en)]
    codes.sort(key=len)
    assert sum(len(c) - 1 for c in codes) > match_index._PACK_MIN  # packed path taken
    _same(*_both(codes))


@pytest.mark.parametrize("alphabet", ["ab", "中文，。", "a中\U00020000𠀀z "])
def test_packed_build_equals_the_stable_sorts_on_repeats(alphabet: str) -> None:
    rng = random.Random(len(alphabet))
    codes = ["".join(rng.choices(alphabet, k=rng.randint(0, 120))) for _ in range(3000)]
    codes += [alphabet[0] * 2000, "", alphabet[-1]]
    codes.sort(key=len)
    _same(*_both(codes))


def _law_keys(n: int) -> list[str]:
    path = CORPORA / "tw_moj_laws.paragraphs.zh-en.tsv.gz"
    if not path.exists():
        pytest.skip("corpus not available")
    keys: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for _, line in zip(range(n), fh, strict=False):
            zh = line.split("\t")[0]
            keys.append(match_key(zh))
    return keys


def _same_index(a: match_index.CandidateIndex, b: match_index.CandidateIndex) -> None:
    for name in ("ids", "lens", "gram_keys", "offsets", "postings"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype, name
        assert np.array_equal(x, y), name
    assert np.array_equal(a.stripped_hashes(), b.stripped_hashes())
    assert a.codes == b.codes
    assert a.keys == b.keys


@pytest.mark.parametrize("block", [None, 1000])
def test_an_index_fed_in_parts_equals_the_one_built_at_once(
    block: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an import feeds a builder batch by batch (ids in arrival order, lengths
    in any order) is the index a build from the whole list gives; also when the
    grams fill many blocks, parts straddling them (a block of 1,000 grams)."""
    keys = _law_keys(6000)
    ids = list(range(1, len(keys) + 1))
    bodies = [body_codes(k, "source") for k in keys]
    whole = match_index.CandidateIndex.build(ids, bodies, keys)
    if block is not None:
        monkeypatch.setattr(match_index._Blocks, "SIZE", block)
    builder = match_index.IndexBuilder()
    rng = random.Random(3)
    start = 0
    while start < len(keys):
        end = start + rng.randint(1, 900)
        builder.add(ids[start:end], bodies[start:end], keys[start:end])
        start = end
    assert len(builder) == len(keys)
    _same_index(builder.finish(), whole)


@pytest.mark.parametrize(
    "extra",
    [[], ["a\x00b"], ["\x00", "\x01", "\ufffe", "\uffff", "\U0010fffe", "\U0010ffff"]],
)
def test_the_cache_gives_back_every_text(tmp_path: Path, extra: list[str]) -> None:
    """Texts holding the separators the cache joins with (down to none left: then
    lengths) come back unchanged, empty ones and astral characters too."""
    keys = _law_keys(300) + extra + ["", "𠀀𠀁", "x"]
    codes = [body_codes(k, "source") for k in keys]
    index = match_index.CandidateIndex.build(list(range(len(keys))), codes, keys)
    path = tmp_path / "index.npz"
    match_index.save_index(index, path, "stamp")
    loaded = match_index.load_index(path, "stamp")
    assert loaded is not None
    _same_index(loaded, index)
    assert match_index.load_index(path, "other") is None


@pytest.mark.parametrize(
    ("keys", "utf16"),
    [
        (["abc", "", "x y", "the act."], False),
        (["第一條", "本法", "𠀀𠀁", "mixed 文字"], True),
        (["第一條", "甲\ud800\udc00", "\udfff"], False),  # surrogates kept apart
    ],
)
def test_cached_texts_are_utf16_unless_ascii_or_holding_surrogates(
    tmp_path: Path, keys: list[str], utf16: bool
) -> None:
    codes = [k.encode("utf-16", "surrogatepass").hex() for k in keys]  # all ASCII
    index = match_index.CandidateIndex.build(list(range(len(keys))), codes, keys)
    path = tmp_path / "index.npz"
    match_index.save_index(index, path, "stamp")
    with np.load(path) as data:
        assert bool(data["keys_utf16"][0]) is utf16
        assert not bool(data["codes_utf16"][0])
    loaded = match_index.load_index(path, "stamp")
    assert loaded is not None
    assert loaded.keys == index.keys
    assert loaded.codes == index.codes


def test_a_staged_index_is_cached_only_when_published(tmp_path: Path) -> None:
    """The import writes the index before its commit: in place (and loadable) only
    once published; a discarded one leaves nothing behind."""
    keys = _law_keys(400)
    codes = [body_codes(k, "source") for k in keys]
    index = match_index.CandidateIndex.build(list(range(1, 401)), codes, keys)
    path = tmp_path / "tm.db.match-source.npz"
    staged = match_index.stage_index(index, path, "stamp")
    assert staged is not None
    assert not path.exists()
    staged.discard()
    assert list(tmp_path.iterdir()) == []
    staged = match_index.stage_index(index, path, "stamp")
    assert staged is not None
    staged.publish()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    loaded = match_index.load_index(path, "stamp")
    assert loaded is not None
    _same_index(loaded, index)


def test_staging_removes_what_ended_processes_left(tmp_path: Path) -> None:
    """A process killed while writing leaves its staged file; the next staging of
    the same cache removes it, and leaves a live process's file alone."""
    import os

    path = tmp_path / "tm.db.match-source.npz"
    dead = 4_000_000  # above Linux's pid_max: no such process
    orphan = match_index.staging_path(path, dead)
    orphan.write_bytes(b"partial")
    live = match_index.staging_path(path, os.getppid())
    live.write_bytes(b"being written")
    index = match_index.CandidateIndex.build([1, 2], ["甲乙丙", "丁戊"])
    staged = match_index.stage_index(index, path, "stamp")
    assert staged is not None
    assert not orphan.exists()
    assert live.exists()
    staged.publish()
    assert match_index.load_index(path, "stamp") is not None


def _index_and_queries(
    n: int, *, edited: int, others: int, seed: int
) -> tuple[match_index.CandidateIndex, list[str], list[str]]:
    """An index of the bodies of ``n`` law paragraphs' keys; those bodies; and
    queries: ``edited`` of them with their middle character replaced, then the
    bodies of ``others`` paragraphs the index does not hold."""
    keys = _law_keys(n + others)
    bodies = [body_codes(k, "source") for k in keys]
    index = match_index.CandidateIndex.build(range(n), bodies[:n], keys[:n])
    rng = random.Random(seed)
    queries = [
        b[: len(b) // 2] + "的" + b[len(b) // 2 + 1 :]
        for b in rng.sample(bodies[:n], edited)
    ]
    return index, bodies[:n], queries + bodies[n:]


def _shared_grams(a: str, b: str) -> int:
    """How many bigrams ``a`` and ``b`` share, counted with multiplicity."""
    return sum((Counter(pairwise(a)) & Counter(pairwise(b))).values())


def _reference_candidates(
    index: match_index.CandidateIndex, query: str, cutoff: float
) -> list[int]:
    """The q-gram lemma applied position by position: shared bigrams counted with
    multiplicity over the whole window, no list left out."""
    lo, hi = index.window(len(query), cutoff)
    out = []
    for pos in range(lo, hi):
        shared = _shared_grams(query, index.codes[pos])
        longest = max(len(query), int(index.lens[pos]))
        need = int(match_index._need(np.array([longest]), cutoff, index.q)[0])
        if shared >= need:
            out.append(pos)
    return out


def test_candidates_equal_a_plain_count_of_shared_grams() -> None:
    """With no list left out, the candidates are exactly the positions whose count
    of shared grams reaches the bound: on law sentences queried with edited copies of
    their own and with other laws' text, at three cutoffs (the bound not positive
    at 60 for short keys, so whole lengths come in unfiltered)."""
    index, _, queries = _index_and_queries(3_000, edited=25, others=15, seed=11)
    found = 0
    for cutoff in (60.0, 75.0, 90.0):
        for q in queries:
            got = index.candidates(q, cutoff, drop_over=10**9).tolist()
            assert got == _reference_candidates(index, q, cutoff), (q, cutoff)
            found += len(got)
    assert found > 100  # the queries do find candidates


def test_candidates_of_a_batch_equal_each_querys_own() -> None:
    """Lists found and cut for many queries at once give each query the candidates
    it gets alone, with the default dropping of long lists, queries of every length
    (an empty one and one longer than any key among them) and a window outside the
    index."""
    index, bodies, queries = _index_and_queries(20_000, edited=120, others=80, seed=12)
    queries += ["", "的", max(bodies, key=len) * 3]
    random.Random(12).shuffle(queries)
    found = 0
    for cutoff in (50.0, 75.0, 95.0):
        alone = [index.candidates(q, cutoff).tolist() for q in queries]
        together = [c.tolist() for c in index.candidates_many(queries, cutoff)]
        assert together == alone
        found += sum(map(len, alone))
    assert found > 1000  # the queries do find candidates


@pytest.mark.parametrize("seed", range(3))
def test_lower_bounds_equal_numpys_search_per_run(seed: int) -> None:
    """The batched binary search finds, in each sorted run, numpy's searchsorted
    answer: runs empty, of one value, of repeats, targets before, inside and after."""
    rng = np.random.default_rng(seed)
    runs = [np.sort(rng.integers(0, 50, size)) for size in rng.integers(0, 40, 300)]
    values = np.concatenate(runs).astype(np.int32)
    sizes = np.array([len(r) for r in runs])
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    targets = rng.integers(-5, 56, len(runs))
    got = match_index._lower_bounds(values, starts, sizes, targets)
    want = [
        start + int(np.searchsorted(run, t))
        for start, run, t in zip(starts, runs, targets, strict=True)
    ]
    assert got.tolist() == want


def test_saved_arrays_load_back_as_numpy_saved_them(tmp_path: Path) -> None:
    """The cache's own writer gives np.load what np.savez would: every dtype the
    cache holds, empty arrays and a non-contiguous view included."""
    arrays = {
        "ids": np.arange(5, dtype=np.int64) * 7,
        "lens": np.array([3, 1, 4], dtype=np.int32),
        "empty": np.empty(0, dtype=np.int64),
        "stamp": np.array(["4|source:12:34"]),
        "flag": np.array([True]),
        "texts": np.frombuffer("要素市场".encode("utf-16-le"), dtype=np.uint8),
        "every_other": np.arange(10, dtype=np.int64)[::2],
    }
    ours, numpys = tmp_path / "ours.npz", tmp_path / "numpy.npz"
    with open(ours, "wb") as fh:
        match_index._save_arrays(fh, arrays)
    np.savez(numpys, **arrays)  # type: ignore[arg-type]
    with np.load(ours, allow_pickle=False) as a, np.load(numpys) as b:
        assert a.files == b.files
        for name in b.files:
            assert a[name].dtype == b[name].dtype
            assert np.array_equal(a[name], b[name])


def _fed_on_disk(
    tmp_path: Path, ids: list[int], keys: list[str], in_memory: int
) -> match_index_disk.DiskIndexBuilder:
    """What an import's feed builds: ``in_memory`` units in memory, handed to a disk
    builder, then the rest in parts of random sizes."""
    rng = random.Random(len(keys))
    memory = match_index.IndexBuilder()
    disk = None
    start = 0
    while start < len(keys):
        end = start + rng.randint(1, 900)
        part = keys[start:end]
        codes = [body_codes(k, "source") for k in part]
        (disk or memory).add(ids[start:end], codes, part)
        if disk is None and len(memory) > in_memory:
            disk = match_index_disk.DiskIndexBuilder(tmp_path)
            disk.take_over(memory)
            assert not len(memory)
        start = end
    assert disk is not None
    assert len(disk) == len(keys)
    return disk


@pytest.mark.parametrize("sort_max", [None, 5000])
def test_an_index_built_on_disk_is_the_one_built_in_memory(
    tmp_path: Path, sort_max: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache a disk build writes loads as the index a build in memory gives, and
    holds the same arrays as the file that index is saved to; also when key ranges
    are too large to sort at once and are cut again (5,000 grams at a time). Nothing
    is left beside the cache."""
    keys = [*_law_keys(8000), "", "x", "𠀀𠀁", "第一條。"]
    ids = list(range(10, 10 + len(keys)))
    if sort_max is not None:
        monkeypatch.setattr(match_index_disk, "SORT_MAX", sort_max)
        monkeypatch.setattr(match_index_disk, "_TEXTS_HELD", 700)
    disk = _fed_on_disk(tmp_path, ids, keys, 3000)
    staged = disk.stage(tmp_path / "disk.npz", "stamp")
    assert staged is not None
    assert staged.publish()
    whole = match_index.CandidateIndex.build(
        ids, [body_codes(k, "source") for k in keys], keys
    )
    loaded = match_index.load_index(tmp_path / "disk.npz", "stamp")
    assert loaded is not None
    _same_index(loaded, whole)
    match_index.save_index(whole, tmp_path / "memory.npz", "stamp")
    with np.load(tmp_path / "disk.npz") as a, np.load(tmp_path / "memory.npz") as b:
        assert sorted(a.files) == sorted(b.files)
        for name in b.files:
            assert a[name].dtype == b[name].dtype, name
            assert np.array_equal(a[name], b[name]), name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["disk.npz", "memory.npz"]


def test_an_index_of_ascii_texts_built_on_disk_is_stored_as_ascii(
    tmp_path: Path,
) -> None:
    keys = [f"section {i} of the act {i % 97}." for i in range(6000)]
    ids = list(range(len(keys)))
    disk = _fed_on_disk(tmp_path, ids, keys, 2000)
    staged = disk.stage(tmp_path / "disk.npz", "stamp")
    assert staged is not None
    assert staged.publish()
    with np.load(tmp_path / "disk.npz") as data:
        assert not data["keys_utf16"][0]
        assert not data["codes_utf16"][0]
    loaded = match_index.load_index(tmp_path / "disk.npz", "stamp")
    whole = match_index.CandidateIndex.build(
        ids, [body_codes(k, "source") for k in keys], keys
    )
    assert loaded is not None
    _same_index(loaded, whole)


def test_a_disk_build_leaves_texts_it_cannot_join_to_the_first_look_up(
    tmp_path: Path,
) -> None:
    """A key holding U+0000: no cache is written (the first look-up builds the
    index), and no file is left behind."""
    keys = _law_keys(3000)
    keys[2500] = "第一條\x00本法"
    disk = _fed_on_disk(tmp_path, list(range(len(keys))), keys, 1000)
    assert disk.stage(tmp_path / "disk.npz", "stamp") is None
    assert not list(tmp_path.iterdir())
