"""The import pipeline: what worker processes prepare equals what one process reads.

A TMX read in parts by two processes, a TSV streamed from one, paragraphs aligned in
two: each gives exactly the rows, units, errors and sentence units of the plain path,
on real files (the seed, TMX files tm wrote and foreign ones). The writer side is the
store contract's (tests/store/).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pytest

from tests.reliability._support import SEED, write_big_tmx
from tm import fastpath, importer
from tm.errors import FormatError
from tm.formats.bilingual import iter_bilingual
from tm.formats.tmx import PLAIN_TMX, TMXHeader, iter_tmx, plain_units, write_tmx
from tm.models import Occurrence
from tm.store import open_store
from tm.store.rows import PreparedBatch
from tm.store.sql import SQLStore

STAMP, USER = "20250101T000000Z", "tester"


def _rows(prepared: list[importer.Prepared]) -> tuple[list[Any], list[Any], int]:
    """Every unit row and every unit's occurrences, in order; the sentence count."""
    batches = [p.batch for p in prepared if p.batch is not None]
    rows = [r for b in batches for r in b.rows]
    occurrences = [o for b in batches for o in b.occurrences]
    return rows, occurrences, sum(p.sentences for p in prepared)


def _in_parts(path: Path, size: int) -> list[importer.Prepared]:
    """The file read part by part, as the workers read it (here, in this process)."""
    cut = importer.tmx_parts(str(path), size)
    assert cut is not None
    assert len(cut.parts) > 3
    out: list[importer.Prepared] = []
    for part in cut.parts:
        reading = importer.Reading(str(path), "tmx", None, STAMP, USER, True)
        job = importer._PartJob(reading, cut.prolog, cut.epilog, part)
        result = importer._parse_part(job)
        assert not isinstance(result, str), result
        out += result
    return out


def _whole(path: Path) -> list[importer.Prepared]:
    return list(importer.prepare_units(iter_tmx(path), STAMP, USER, True))


@pytest.fixture
def tm_tmx(seed_path: Path, tmp_path: Path) -> Path:
    """A TMX as tm writes it: x-document props, contexts, units seen twice."""
    units = list(iter_bilingual(seed_path))
    units += [
        replace(u, other_occurrences=(Occurrence("again.txt", i, 1, "前", None, "附"),))
        for i, u in enumerate(units[:50])
    ]
    path = tmp_path / "tm.tmx"
    write_tmx(units, path, header=TMXHeader(segtype="paragraph"))
    return path


def test_parts_read_what_the_whole_file_reads(tm_tmx: Path, tmp_path: Path) -> None:
    assert _rows(_in_parts(tm_tmx, 20_000)) == _rows(_whole(tm_tmx))
    # A foreign TMX: no position props, so positions count <tu> elements across parts.
    foreign = tmp_path / "foreign.tmx"
    write_big_tmx(foreign, 3000, tag="f")
    parts = _in_parts(foreign, 16_000)
    assert _rows(parts) == _rows(_whole(foreign))
    positions = [
        o[1][1] for p in parts if p.batch for occs in p.batch.occurrences for o in occs
    ]
    assert positions == list(range(3000))
    # A unit longer than a part: the part grows to hold it whole.
    long = tmp_path / "long.tmx"
    write_big_tmx(long, 3000, tag="l")
    data = long.read_bytes()
    at = data.index(b"</seg>", len(data) // 2)
    # 30,000 characters (90 KB): under the segment cap, over five parts long
    long.write_bytes(data[:at] + "很长的句子".encode() * 6_000 + data[at:])
    assert _rows(_in_parts(long, 16_000)) == _rows(_whole(long))


@pytest.mark.parametrize(
    "inject",
    [
        b"<!-- <tu> in a comment -->",
        b"<tu><tuv xml:lang='zh-CN'><seg><![CDATA[<tu>]]></seg></tuv></tu>",
        b"<?pi <tu ?>",
    ],
)
def test_a_body_that_may_hide_a_tu_is_not_cut(tmp_path: Path, inject: bytes) -> None:
    path = tmp_path / "odd.tmx"
    write_big_tmx(path, 2000)
    data = path.read_bytes()
    at = data.index(b"<tu ", len(data) // 2)
    path.write_bytes(data[:at] + inject + data[at:])
    assert importer.tmx_parts(str(path), 8000) is None
    path.write_bytes(data)
    assert importer.tmx_parts(str(path), 8000) is not None


def test_a_body_found_unsafe_while_importing_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import cuts the file as its parts are parsed: a comment found past the
    first parts rolls the import back and reads the file whole, with the same units
    and counts as a read in one process."""
    path = tmp_path / "odd.tmx"
    write_big_tmx(path, 3000, tag="u")
    data = path.read_bytes()
    at = data.index(b"<tu ", 3 * len(data) // 4)
    path.write_bytes(data[:at] + b"<!-- <tu> in a comment -->" + data[at:])
    monkeypatch.setattr(importer, "PART_BYTES", 20_000)
    cut = importer.tmx_cut(str(path))
    assert cut is not None
    drawn: list[importer.Part] = []
    with pytest.raises(importer._PartFailed):
        drawn.extend(cut.parts)
    assert len(drawn) > 3
    parts = _import(f"{tmp_path}/parts.db", path, workers=True)
    whole = _import(f"{tmp_path}/whole.db", path, workers=False)
    assert parts == whole
    assert whole.added == 3000
    assert _stored(f"{tmp_path}/parts.db") == _stored(f"{tmp_path}/whole.db")


def test_utf16_and_small_files_are_not_cut(tmp_path: Path) -> None:
    utf16 = tmp_path / "utf16.tmx"
    write_big_tmx(utf16, 2000, encoding="utf-16")
    assert importer.tmx_parts(str(utf16), 8000) is None
    small = tmp_path / "small.tmx"
    write_big_tmx(small, 10)
    assert importer.tmx_parts(str(small), 8000) is None


def _stored(url: str) -> list[dict[str, Any]]:
    with open_store(url) as store:
        return [
            {**asdict(u), "created_at": None}
            for u in store.iter_units(all_occurrences=True)
        ]


def _import(url: str, path: Path, *, workers: bool, **kw: Any) -> Any:
    with open_store(url) as store:
        return importer.import_file(store, path, workers=workers, user=USER, **kw)


def test_workers_store_what_one_process_stores(
    store_url: str, tm_tmx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real processes, on both backends: the same report and the same TM."""
    monkeypatch.setattr(importer, "PART_BYTES", 20_000)
    plain = f"{tmp_path}/plain.db"
    expected = _import(plain, tm_tmx, workers=False, sentences=False)
    got = _import(store_url, tm_tmx, workers=True, sentences=False)
    assert got == expected
    assert _stored(store_url) == _stored(plain)


def test_plain_parts_store_what_the_streaming_reader_stores(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plain TMX fast path (``tm.formats.tmx.plain_units``) in the real workers,
    on both backends: the same report and TM as the streaming reader's, with one part
    that holds an inline code (read by the streaming reader there too)."""
    monkeypatch.setattr(importer, "PART_BYTES", 20_000)
    path = tmp_path / "mixed.tmx"
    write_big_tmx(path, 3000, tag="m")
    data = path.read_bytes()
    at = data.index(b"</seg>", len(data) // 2)
    data = data[:at] + b'<ph x="1">&lt;br/&gt;</ph>' + data[at:]
    path.write_bytes(data)
    cut = importer.tmx_parts(str(path))
    assert cut is not None
    docs = [cut.prolog + data[p.start : p.end] + cut.epilog for p in cut.parts]
    plain = [plain_units(d, "mixed.tmx") is not None for d in docs]
    assert plain.count(False) == 1
    assert len(plain) > 5
    streamed = f"{tmp_path}/streamed.db"
    with fastpath.plain(PLAIN_TMX):
        expected = _import(streamed, path, workers=True, sentences=False)
    got = _import(store_url, path, workers=True, sentences=False)
    assert got == expected
    assert got.added == 3000
    assert _stored(store_url) == _stored(streamed)


def _repeating_tmx(path: Path, n: int, distinct: int) -> None:
    """A TMX of ``n`` <tu> cycling through ``distinct`` seed pairs: units repeat
    within a batch of the writer (importer.BATCH) and across batches, each time
    as another occurrence (its own tuid)."""
    pairs = list(dict.fromkeys((u.source, u.target) for u in iter_bilingual(SEED)))
    pairs = pairs[:distinct]
    assert len(pairs) == distinct
    body = "".join(
        f'<tu tuid="r{i}"><tuv xml:lang="zh-CN"><seg>{escape(zh)}</seg></tuv>'
        f'<tuv xml:lang="en-US"><seg>{escape(en)}</seg></tuv></tu>\n'
        for i, (zh, en) in enumerate(pairs[j % distinct] for j in range(n))
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
        '<header creationtool="test" creationtoolversion="1" segtype="sentence" '
        'o-tmf="test" adminlang="en-US" srclang="zh-CN" datatype="plaintext"/>\n'
        f"<body>\n{body}</body>\n</tmx>\n",
        encoding="utf-8",
    )


def test_an_empty_tm_takes_repeated_units_as_the_probing_writer_does(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into an empty TM the writer asks the database nothing for a batch whose units
    are all new; units that repeat, in one batch or across batches, still become one
    unit with every occurrence: the same report and TM as the writer that probes the
    database for every batch (both backends, real worker processes)."""
    monkeypatch.setattr(importer, "PART_BYTES", 20_000)
    path = tmp_path / "repeats.tmx"
    _repeating_tmx(path, 5_000, 300)
    probing = f"{tmp_path}/probing.db"
    with monkeypatch.context() as m:
        writing = SQLStore._writing
        m.setattr(SQLStore, "_writing", lambda self, empty: writing(self, False))
        expected = _import(probing, path, workers=True, sentences=False)
    got = _import(store_url, path, workers=True, sentences=False)
    assert got == expected
    assert got.added == 300
    assert got.duplicates == 4_700
    assert _stored(store_url) == _stored(probing)


def _repeated_occurrences_tmx(path: Path) -> None:
    """Seed pairs whose occurrences repeat: each <tu> also lists its own occurrence
    again (x-occurrence) beside one of its own, and every pair comes three times, the
    later two at the first one's place with another section (their occurrence is
    the first one's: an import keeps the first)."""
    pairs = list(dict.fromkeys((u.source, u.target) for u in iter_bilingual(SEED)))
    tus = []
    for copy in range(3):
        for i, (zh, en) in enumerate(pairs[:200]):
            again = f'{{"document":"plan","position":{i}}}'
            other = f'{{"document":"plan","position":{1000 + i}}}'
            tus.append(
                f'<tu><prop type="x-document">plan</prop>'
                f'<prop type="x-position">{i}</prop>'
                f'<prop type="x-section">copy {copy}</prop>'
                f'<prop type="x-occurrence">{escape(again)}</prop>'
                f'<prop type="x-occurrence">{escape(other)}</prop>'
                f'<tuv xml:lang="zh-CN"><seg>{escape(zh)}</seg></tuv>'
                f'<tuv xml:lang="en-US"><seg>{escape(en)}</seg></tuv></tu>\n'
            )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
        '<header creationtool="test" creationtoolversion="1" segtype="sentence" '
        'o-tmf="test" adminlang="en-US" srclang="zh-CN" datatype="plaintext"/>\n'
        f"<body>\n{''.join(tus)}</body>\n</tmx>\n",
        encoding="utf-8",
    )


def test_repeated_occurrences_are_stored_once_on_both_backends(
    store_url: str, tmp_path: Path
) -> None:
    """An occurrence a unit lists twice, or that a later copy of the unit lists
    again, is stored once, the first one kept; importing the file again adds
    nothing. PostgreSQL copies the occurrences of new units straight into their
    table and stages the rest: the same TM and reports as SQLite's writer."""
    path = tmp_path / "repeated.tmx"
    _repeated_occurrences_tmx(path)
    sqlite = f"{tmp_path}/reference.db"
    first = [_import(url, path, workers=False) for url in (sqlite, store_url)]
    assert first[1] == first[0]
    assert (first[0].added, first[0].occurrences_added) == (200, 400)
    again = [_import(url, path, workers=False) for url in (sqlite, store_url)]
    assert again[1] == again[0]
    assert (again[0].added, again[0].occurrences_added) == (0, 0)
    stored = _stored(store_url)
    assert stored == _stored(sqlite)
    assert {u["occurrence"]["section"] for u in stored} == {"copy 0"}


def _screened_tmx(path: Path, n: int, *, translated: bool = True) -> None:
    """A TMX of ``n`` seed pairs: every 7th target empty, every 11th a Trados draft,
    and the last 300 untranslated (a part with no unit to write); with
    ``translated=False`` every target is empty."""
    write_big_tmx(path, n)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    out, i = [], 0
    for line in lines:
        if line.startswith("<tu "):
            if not translated or i % 7 == 0 or i >= n - 300:
                head = line.partition('<tuv xml:lang="en-US"><seg>')[0]
                line = head + '<tuv xml:lang="en-US"><seg></seg></tuv></tu>\n'
            elif i % 11 == 0:
                line = line.replace(
                    "><tuv", '><prop type="x-ConfirmationLevel">Draft</prop><tuv', 1
                )
            i += 1
        out.append(line)
    path.write_text("".join(out), encoding="utf-8")


@pytest.mark.parametrize("include_unconfirmed", [False, True])
def test_workers_screen_and_count_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, include_unconfirmed: bool
) -> None:
    """The status screen runs in the workers: the same units kept out, the same counts
    (and reasons) in the report, the same unconfirmed units marked."""
    path = tmp_path / "screened.tmx"
    _screened_tmx(path, 3000)
    monkeypatch.setattr(importer, "PART_BYTES", 20_000)
    assert importer.tmx_parts(str(path)) is not None
    kw: dict[str, Any] = {"include_unconfirmed": include_unconfirmed}
    plain = _import(f"{tmp_path}/plain.db", path, workers=False, **kw)
    parts = _import(f"{tmp_path}/parts.db", path, workers=True, **kw)
    assert parts == plain
    assert plain.read == 3000
    untranslated = sum(1 for i in range(3000) if i % 7 == 0 or i >= 2700)
    drafts = sum(1 for i in range(2700) if i % 7 and i % 11 == 0)
    assert plain.skipped_untranslated == untranslated
    assert plain.reasons["no target"] == untranslated
    if include_unconfirmed:
        assert (plain.unconfirmed_taken, plain.skipped_unconfirmed) == (drafts, 0)
    else:
        assert (plain.unconfirmed_taken, plain.skipped_unconfirmed) == (0, drafts)
    assert plain.added == 3000 - untranslated - plain.skipped_unconfirmed
    assert _stored(f"{tmp_path}/parts.db") == _stored(f"{tmp_path}/plain.db")


def test_a_file_with_nothing_to_keep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every unit untranslated: no batch at all, yet every unit is counted."""
    path = tmp_path / "empty-targets.tmx"
    _screened_tmx(path, 1500, translated=False)
    monkeypatch.setattr(importer, "PART_BYTES", 8000)
    for workers in (False, True):
        report = _import(f"{tmp_path}/{workers}.db", path, workers=workers)
        assert (report.read, report.skipped_untranslated, report.added) == (
            1500,
            1500,
            0,
        )


def test_keep_all_takes_every_unit(tmp_path: Path) -> None:
    path = tmp_path / "screened.tmx"
    _screened_tmx(path, 400)
    report = _import(f"{tmp_path}/all.db", path, workers=True, keep_all=True)
    assert (report.read, report.added, report.skipped_untranslated) == (400, 400, 0)


def test_a_part_that_does_not_parse_alone_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A <tu> nested in a <tu> (well-formed, if odd): a cut can land inside the outer
    one; that part fails alone, and the file is read whole instead."""
    path = tmp_path / "nested.tmx"
    write_big_tmx(path, 1500)
    path.write_bytes(
        path.read_bytes()
        .replace(b"<tu tuid=", b"<tu><tu/></tu><tu tuid=")
        .replace(b"</tuv></tu>", b"</tuv><tu/></tu>")
    )
    monkeypatch.setattr(importer, "PART_BYTES", 8000)
    plain = _import(f"{tmp_path}/plain.db", path, workers=False)
    assert _import(f"{tmp_path}/parts.db", path, workers=True) == plain
    assert _stored(f"{tmp_path}/parts.db") == _stored(f"{tmp_path}/plain.db")


def test_a_malformed_file_fails_as_when_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken <tu> in the last part: the reader's own error (file and line), and
    nothing of the file is kept."""
    path = tmp_path / "broken.tmx"
    write_big_tmx(path, 2000)
    data = path.read_bytes()
    at = data.rindex(b"<seg>")
    path.write_bytes(data[:at] + b"<seg><bad" + data[at + 5 :])
    monkeypatch.setattr(importer, "PART_BYTES", 8000)
    with pytest.raises(FormatError) as plain:
        _import(f"{tmp_path}/plain.db", path, workers=False)
    with pytest.raises(FormatError) as parts:
        _import(f"{tmp_path}/parts.db", path, workers=True)
    assert str(parts.value) == str(plain.value)
    assert parts.value.line == plain.value.line
    with open_store(f"{tmp_path}/parts.db") as store:
        assert store.count_units() == 0


def test_streamed_formats(tmp_path: Path, seed_path: Path) -> None:
    """A TSV streamed from one worker: the same TM; its errors keep their line."""
    units = list(iter_bilingual(seed_path))
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text(
        "zh-CN\ten-US\n" + "".join(f"{u.source}\t{u.target}\n" for u in units),
        encoding="utf-8",
    )
    plain = _import(f"{tmp_path}/plain.db", tsv, workers=False)
    assert _import(f"{tmp_path}/worker.db", tsv, workers=True) == plain
    assert _stored(f"{tmp_path}/worker.db") == _stored(f"{tmp_path}/plain.db")
    broken = tmp_path / "broken.tsv"
    broken.write_bytes(tsv.read_bytes() + b"\xff\xfe\tbad bytes\n")
    with pytest.raises(FormatError) as one:
        _import(f"{tmp_path}/b1.db", broken, workers=False)
    with pytest.raises(FormatError) as other:
        _import(f"{tmp_path}/b2.db", broken, workers=True)
    assert (str(other.value), other.value.line) == (str(one.value), one.value.line)


def test_alignment_in_processes_equals_one(
    seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tm import align

    paragraphs = list(iter_bilingual(seed_path))
    monkeypatch.setattr(align, "PARALLEL_MIN", 10)
    monkeypatch.setattr(align, "PARALLEL_CHUNK", 40)
    assert align.sentence_units(paragraphs, workers=2) == align.sentence_units(
        paragraphs
    )


@pytest.mark.slow
def test_the_index_is_cached_after_a_large_import(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An import past the matcher's cache threshold leaves the index cached: the
    first look-up of a new process loads it instead of building it."""
    from tm.match import CACHE_MIN_UNITS, Matcher
    from tm.match_index import cache_path
    from tm.service import TMService

    path = tmp_path / "big.tmx"
    write_big_tmx(path, CACHE_MIN_UNITS + 500, tag="c")
    db = tmp_path / "tm.db"
    with TMService.open(db) as service:
        service.import_file(path)
    assert cache_path(db, "source").exists()
    caplog.set_level(logging.INFO, logger="tm.match")
    with open_store(db, readonly=True) as store:
        (unit,) = store.get_units([8])
        assert Matcher(store).lookup(unit.source)[0].unit == unit
    assert any("loaded source index" in r.getMessage() for r in caplog.records)


@pytest.mark.slow
@pytest.mark.parametrize("in_memory", ["memory", "disk"])
def test_a_new_tm_gets_the_index_a_build_from_the_store_gives(
    tmp_path: Path, in_memory: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import into an empty TM caches the match index built from the units it
    writes (tm import then builds none); it is the index, array for array, that a
    build from the store gives, whether the feed built it in memory or, past 5,000
    units, on disk (leaving no file behind). A second file, into a TM that has
    units, leaves the cache to a build from the store after the import, in memory or
    on disk too: again the index a look-up's own build gives."""
    from tm.match import CACHE_MIN_UNITS, index_is_cached
    from tm.match_index import cache_path

    if in_memory == "disk":
        monkeypatch.setattr(importer, "INDEX_MEMORY_UNITS", 5000)
    path = tmp_path / "big.tmx"
    write_big_tmx(path, CACHE_MIN_UNITS + 500, tag="f")
    db = tmp_path / "tm.db"
    with open_store(db) as store:
        importer.import_file(store, path, workers=True, user=USER)
        assert store.path is not None
        importer._IndexFeed.wait(store.path)  # what cache_match_index waits for
        assert index_is_cached(store)
    cache = cache_path(db, "source")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["big.tmx", "tm.db", cache.name]
    )
    _same_as_a_look_ups_build(db)
    more = tmp_path / "more.tmx"
    write_big_tmx(more, 3000, tag="g")
    with open_store(db) as store:
        importer.import_file(store, more, workers=True, user=USER)
        assert not index_is_cached(store)
        importer.cache_match_index(store)
        assert index_is_cached(store)
    assert len(_same_as_a_look_ups_build(db)["ids"]) == CACHE_MIN_UNITS + 3500


def _same_as_a_look_ups_build(db: Path) -> dict[str, np.ndarray]:
    """Assert that the index cached beside ``db`` holds the arrays a look-up's own
    build writes there (it replaces it); those arrays."""
    from tm.match import new_matcher
    from tm.match_index import cache_path

    cache = cache_path(db, "source")
    cached = dict(np.load(cache))
    cache.unlink()
    with open_store(db, readonly=True) as store:
        new_matcher(store).ensure_index()
    built = dict(np.load(cache))
    assert sorted(cached) == sorted(built)
    for name, array in built.items():
        assert np.array_equal(cached[name], array), name
    return built


@pytest.mark.slow
def test_the_fed_cache_serves_the_first_look_up_until_another_writer_adds_units(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """After an import into a new TM, a new process's first look-up loads the index
    the import fed and cached (it builds none); once another writer adds a unit, the
    cache is stale: the next new matcher builds from the store and finds that unit."""
    from tm.match import CACHE_MIN_UNITS, Matcher
    from tm.models import TranslationUnit

    path = tmp_path / "big.tmx"
    write_big_tmx(path, CACHE_MIN_UNITS + 500, tag="s")
    db = tmp_path / "tm.db"
    with open_store(db) as store:
        importer.import_file(store, path, workers=True, user=USER)
        importer.cache_match_index(store)
    caplog.set_level(logging.INFO, logger="tm.match")
    with open_store(db, readonly=True) as store:
        (unit,) = store.get_units([11])
        assert Matcher(store).lookup(unit.source)[0].unit == unit
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("loaded source index") for m in messages)
    assert not any(m.startswith("built source index") for m in messages)
    caplog.clear()
    with open_store(db) as other:
        other.add_units(
            [TranslationUnit("另一个写入者后来加入的一句话", "added later")]
        )
    with open_store(db, readonly=True) as store:
        (match,) = Matcher(store).lookup("另一个写入者后来加入的一句话")
    assert match.unit.target == "added later"
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("built source index") for m in messages)
    assert not any(m.startswith("loaded source index") for m in messages)


@pytest.mark.slow
def test_after_a_fed_import_the_cache_is_trusted_only_at_the_version_fed(
    tmp_path: Path,
) -> None:
    """cache_match_index takes the feed's word that the index is cached (without
    importing the matcher) only while the TM is at the version the feed cached it
    for; once another writer has added a unit it builds the index from the store."""
    import subprocess
    import sys

    from tm.match import CACHE_MIN_UNITS, index_is_cached
    from tm.match_index import cache_path
    from tm.models import TranslationUnit

    path = tmp_path / "big.tmx"
    write_big_tmx(path, CACHE_MIN_UNITS + 500, tag="v")
    script = (
        "import sys\n"
        "from tm.importer import cache_match_index, import_file\n"
        "from tm.store import open_store\n"
        f"with open_store({str(tmp_path / 'a.db')!r}) as store:\n"
        f"    import_file(store, {str(path)!r}, workers=True)\n"
        "    cache_match_index(store)\n"
        "print('tm.match' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    )
    assert out.stdout.split() == ["False"]
    with open_store(tmp_path / "a.db", readonly=True) as store:
        assert index_is_cached(store)

    db = tmp_path / "b.db"
    with open_store(db) as store:
        importer.import_file(store, path, workers=True, user=USER)
        with open_store(db) as other:
            other.add_units([TranslationUnit("版本变了以后才加入的一句", "added")])
        importer.cache_match_index(store)
        assert index_is_cached(store)
    with np.load(cache_path(db, "source")) as data:
        assert len(data["ids"]) == CACHE_MIN_UNITS + 501


@pytest.mark.slow
def test_an_import_that_fails_after_writing_leaves_no_index_file(
    tmp_path: Path,
) -> None:
    """The feed stages the index while the import commits; an import that fails at
    that point (here in on_written) abandons it, and nothing of it stays beside the
    TM: no cache, no staged file."""
    from tm.match import CACHE_MIN_UNITS

    path = tmp_path / "big.tmx"
    write_big_tmx(path, CACHE_MIN_UNITS + 500, tag="x")
    db = tmp_path / "tm.db"

    def fail(report: Any) -> None:
        # Once the feed has started writing its file (it sorts first).
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob("tm.db.match-source.npz.*.tmp")):
            assert time.monotonic() < deadline, "the feed staged no index"
            time.sleep(0.01)
        raise RuntimeError("after the units were written")

    with open_store(db) as store, pytest.raises(RuntimeError, match="after the units"):
        importer.import_file(store, path, workers=True, user=USER, on_written=fail)
    with open_store(db) as store:
        assert store.count_units() == 0
    assert sorted(p.name for p in tmp_path.iterdir() if "match" in p.name) == []


def test_a_feed_whose_import_aligns_is_abandoned(tmp_path: Path) -> None:
    """Alignment adds units the feed never sees: once the file's units are written
    the feed ends, and the commit hands it nothing to cache."""
    with open_store(tmp_path / "tm.db") as store:
        feed = importer._IndexFeed.start(store)
        assert feed is not None
        feed.send([1], [("x",) * 20])
        feed.units_sent(complete=False)
        assert not feed._proc.is_alive()
        assert store.path is not None
        feed.finish(store.data_version(), store.path)
        assert store.path not in importer._FEEDS


def test_an_import_goes_on_when_its_feed_dies(tmp_path: Path) -> None:
    """The feed only caches the index: if its process dies (killed, out of memory),
    what the import sends it is dropped, the import is not failed, and no cache is
    claimed (the build from the store after the import makes it)."""
    with open_store(tmp_path / "tm.db") as store:
        feed = importer._IndexFeed.start(store)
        assert feed is not None
        feed._proc.kill()
        feed._proc.join()
        for start in range(0, 200_000, 1000):  # far more than a pipe holds
            feed.send(list(range(start, start + 1000)), [("键" * 50,) * 20] * 1000)
        feed.units_sent(complete=True)
        assert store.path is not None
        feed.finish(store.data_version(), store.path)
        assert importer._IndexFeed.wait(store.path) is None


def test_prepared_batches_pickle(tm_tmx: Path) -> None:
    """What workers send is plain data: a batch survives pickling unchanged."""
    import pickle

    batch = _whole(tm_tmx)[0].batch
    assert pickle.loads(pickle.dumps(batch)) == batch
    assert isinstance(batch, PreparedBatch)


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_workers_end_with_a_killed_import(tmp_path: Path) -> None:
    """SIGKILL on ``tm import``: its worker processes end too, and nothing is kept."""
    import os
    import signal
    import time

    from tests.reliability._support import start_tm

    path = tmp_path / "big.tmx"
    write_big_tmx(path, 60_000, cut=20)
    db = tmp_path / "tm.db"
    proc = start_tm("import", path, "--db", db, output=False)
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        workers = {p for p in _children(proc.pid) if "spawn_main" in _cmdline(p)}
        time.sleep(0.05)
    assert len(workers) >= 2, "no worker processes seen"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers)
    with open_store(db) as store:
        assert store.count_units() == 0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""
