"""The fast paths of a QA run give what the plain code gives.

Every fast path registered in ``tm.fastpath`` (the NFKC shortcut, the target-key memo,
the counted grouping, the pre-tests, the term prefilter, the collector pause) is turned
off with ``fastpath.plain()`` and the run's findings compared with the fast run's, on a
few thousand real units from ../shared/corpora (Taiwan statutes as paragraph units,
sentence units cut from them that carry the paragraph's English, and a Simplified
copy, as the benchmark TM holds them) and on the seed. The process pool is compared
with the serial run the same way.
"""

from __future__ import annotations

import gzip
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest

import tm.qa
from tm import fastpath
from tm.models import SegType, TranslationUnit
from tm.qa import run_checks
from tm.text.normalize import _NOT_PLAIN, spaceless_key

LAWS = "corpora/tw_moj_laws.paragraphs.zh-en.tsv.gz"
SENTENCE = re.compile(r"[^。！？；]+[。！？；]?")


@pytest.fixture(scope="module")
def corpus_units(shared_dir: Path) -> list[TranslationUnit]:
    """About 4,000 units: 1,200 law paragraphs, their sentences, a Simplified copy."""
    import opencc

    pairs = []
    with gzip.open(shared_dir / LAWS, "rt", encoding="utf-8") as fh:
        for line in fh:
            zh, _, en = line.rstrip("\n").partition("\t")
            if zh and en:
                pairs.append((zh, en))
            if len(pairs) == 1200:
                break
    t2s = opencc.OpenCC("t2s")
    units: list[TranslationUnit] = []
    for lang, convert in (("zh-TW", str), ("zh-CN", t2s.convert)):
        for zh, en in pairs[: 1200 if lang == "zh-TW" else 500]:
            for s in SENTENCE.findall(zh):
                if len(s.strip()) >= 2:
                    units.append(
                        TranslationUnit(
                            convert(s.strip()),
                            en,
                            source_lang=lang,
                            segtype=SegType.SENTENCE,
                        )
                    )
            units.append(TranslationUnit(convert(zh), en, source_lang=lang))
    return [TranslationUnit(**_fields(u), id=i + 1) for i, u in enumerate(units)]


def _fields(u: TranslationUnit) -> dict[str, Any]:
    return {
        "source": u.source,
        "target": u.target,
        "source_lang": u.source_lang,
        "segtype": u.segtype,
    }


@pytest.fixture(scope="module")
def paragraphs(corpus_units: list[TranslationUnit]) -> list[TranslationUnit]:
    """The same TM without sentence units: consistency then derives sentence pairs."""
    return [u for u in corpus_units if u.segtype != "sentence"]


# -- whole runs, fast and plain ------------------------------------------------------


def _plain_run(units: list[TranslationUnit], termbase: Any) -> Any:
    with fastpath.plain():
        return run_checks(units, termbase=termbase)


@pytest.mark.parametrize("tm", ["corpus_units", "paragraphs", "seed_units"])
def test_fast_run_same_as_plain(
    tm: str, request: pytest.FixtureRequest, termbase: Any
) -> None:
    units: list[TranslationUnit] = request.getfixturevalue(tm)
    fast = run_checks(units, termbase=termbase)
    assert len(fast.findings) > 100
    assert len({f.check for f in fast.findings}) >= 8
    plain = _plain_run(units, termbase)
    assert fastpath.off() == frozenset()
    assert plain.findings == fast.findings
    assert plain.term_usage == fast.term_usage


def test_fast_paths_are_taken_on_this_data(corpus_units: list[TranslationUnit]) -> None:
    """The comparison above means something only if the shortcuts fire."""
    texts = [t for u in corpus_units for t in (u.source, u.target)]
    assert sum(_NOT_PLAIN.search(t) is None and not t.isascii() for t in texts) > 1000


# -- the NFKC shortcut, character by character ---------------------------------------


def test_spaceless_key_same_for_every_plain_character() -> None:
    plain = [chr(c) for c in range(0x10000) if _NOT_PLAIN.search(chr(c)) is None]
    assert {"，", "。", "\u3000", "“"} <= set(plain)
    texts = [f"中{c}文 {c}" for c in plain]
    with fastpath.plain("plain-nfkc"):
        reference = [spaceless_key(t) for t in texts]
    assert [spaceless_key(t) for t in texts] == reference


def test_no_plain_character_composes_with_the_one_before() -> None:
    """NFC composes only pairs that are a canonical decomposition; none ends plain."""
    for cp in range(sys.maxunicode + 1):
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<") and len(d.split()) == 2:
            second = chr(int(d.split()[1], 16))
            assert _NOT_PLAIN.search(second) is not None, hex(cp)


# -- processes ------------------------------------------------------------------------


def test_process_pool_same_as_serial(
    corpus_units: list[TranslationUnit],
    termbase: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The parallel sweep and parallel corpus checks: the same report, finding for finding."""
    serial = run_checks(corpus_units, termbase=termbase)
    assert len(serial.findings) > 500
    monkeypatch.setattr(tm.qa, "PARALLEL_MIN", 0)
    parallel = run_checks(corpus_units, termbase=termbase, workers=2)
    assert parallel.findings == serial.findings
    assert parallel.term_usage == serial.term_usage
    with fastpath.plain("numbers-pretest"):  # workers get the parent's switches
        again = run_checks(corpus_units[:400], termbase=termbase, workers=2)
    assert again.findings == run_checks(corpus_units[:400], termbase=termbase).findings


def test_run_leaves_the_garbage_collector_as_it_found_it(
    seed_units: list[TranslationUnit],
) -> None:
    import gc

    assert gc.isenabled()
    run_checks(seed_units[:50])
    assert gc.isenabled()
    gc.disable()
    try:
        run_checks(seed_units[:50])
        assert not gc.isenabled()
    finally:
        gc.enable()


# -- repeated units --------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_repeats(corpus_units: list[TranslationUnit]) -> list[TranslationUnit]:
    """The TM with its first 1,500 units again as further occurrences (new ids), as a
    TM exported one unit per occurrence holds them."""
    n = len(corpus_units)
    again = [
        TranslationUnit(**_fields(u), id=n + i + 1)
        for i, u in enumerate(corpus_units[:1500])
    ]
    return [*corpus_units, *again]


def test_repeats_take_their_first_occurrences_findings(
    with_repeats: list[TranslationUnit], termbase: Any
) -> None:
    fast = run_checks(with_repeats, termbase=termbase)
    with fastpath.plain("repeat-reuse"):
        plain = run_checks(with_repeats, termbase=termbase)
    assert plain.findings == fast.findings
    n = len(with_repeats) - 1500
    unit_checks = {c.name for c in tm.qa.CHECKS.values() if c.scope == "unit"}
    on_repeats = [f for f in fast.findings if f.check in unit_checks and f.units[0] > n]
    assert len(on_repeats) > 50  # the reused findings are there, on the repeats
    firsts = {
        (f.check, f.fingerprint, f.units[0])
        for f in fast.findings
        if f.check in unit_checks
    }
    assert all((f.check, f.fingerprint, f.units[0] - n) in firsts for f in on_repeats)


def test_repeats_in_processes_same_as_serial(
    with_repeats: list[TranslationUnit],
    termbase: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    serial = run_checks(with_repeats, termbase=termbase)
    monkeypatch.setattr(tm.qa, "PARALLEL_MIN", 0)
    parallel = run_checks(with_repeats, termbase=termbase, workers=2)
    assert parallel.findings == serial.findings


def test_repeats_count_in_progress_and_a_cancelled_run(
    with_repeats: list[TranslationUnit], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Progress counts every unit, repeats too; a run cancelled after its first slice
    reports what the plain run reports when cancelled after the same units."""
    import threading

    monkeypatch.setattr(tm.qa, "SLICE", 1000)
    seen: list[int] = []
    run_checks(with_repeats, checks=["numbers"], progress=seen.append)
    with fastpath.plain("repeat-reuse"):
        plain_seen: list[int] = []
        run_checks(with_repeats, checks=["numbers"], progress=plain_seen.append)
    assert (
        seen[-1] == plain_seen[-1] == sum(u.segtype != "sentence" for u in with_repeats)
    )
    cancel = threading.Event()
    cancel.set()
    cut = run_checks(with_repeats, checks=["numbers"], cancel=cancel)
    ids = [u.id for u in with_repeats[:1000]]
    full = run_checks(with_repeats[:1000], checks=["numbers"])
    assert cut.findings == full.findings
    assert {i for f in cut.findings for i in f.units} <= set(ids)
