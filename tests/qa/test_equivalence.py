"""The fast paths of a QA run give what the straightforward code gives.

Each optimized step (the fast group key, the counted grouping, the one-pass sweep
with its caches, the clause split, the bracket pre-test, the reordered-rendering
pre-test, the forked corpus checks) is compared with a plain reference written here,
on a few thousand real units from ../shared/corpora (Taiwan statutes as paragraph
units, sentence units cut from them that carry the paragraph's English, and a
Simplified copy, as the benchmark TM holds them) and on the seed.
"""

from __future__ import annotations

import gzip
import multiprocessing as mp
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

import tm.qa
from tm.models import SegType, TranslationUnit
from tm.qa import CHECKS, run_checks
from tm.qa import consistency as cons
from tm.qa.base import _KEY_TABLE, _NOT_PLAIN, QAContext, group_key, primary_units
from tm.qa.consistency import Seg, segments, source_key, target_key, unit_segments
from tm.qa.form import _PAIRS, _balanced_counts
from tm.qa.sweep import make_plan, sweep
from tm.qa.terminology import (
    _STOP,
    _only,
    _same_word,
    reordered_rendering,
    term_candidates,
    term_units,
)

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


# -- group keys -------------------------------------------------------------------


def reference_group_key(text: str) -> str:
    if text.isascii():
        return "".join(text.split()).translate(_KEY_TABLE).casefold()
    return unicodedata.normalize("NFKC", text).translate(_KEY_TABLE).casefold()


def test_group_key_same_on_corpus_and_seed(
    corpus_units: list[TranslationUnit], seed_units: list[TranslationUnit]
) -> None:
    texts = [t for u in corpus_units + seed_units for t in (u.source, u.target)]
    assert sum(_NOT_PLAIN.search(t) is None and not t.isascii() for t in texts) > 1000
    assert [group_key(t) for t in texts] == [reference_group_key(t) for t in texts]


def test_group_key_same_for_every_plain_character() -> None:
    plain = [chr(c) for c in range(0x10000) if _NOT_PLAIN.search(chr(c)) is None]
    assert {"，", "。", "\u3000", "“"} <= set(plain)
    for c in plain:
        text = f"中{c}文 {c}"
        assert group_key(text) == reference_group_key(text), hex(ord(c))


def test_no_plain_character_composes_with_the_one_before() -> None:
    """NFC composes only pairs that are a canonical decomposition; none ends plain."""
    for cp in range(sys.maxunicode + 1):
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<") and len(d.split()) == 2:
            second = chr(int(d.split()[1], 16))
            assert _NOT_PLAIN.search(second) is not None, hex(cp)


# -- grouping ---------------------------------------------------------------------


def reference_one_to_many(segs: list[Seg], side: str, min_len: int) -> list[Any]:
    other = "tkey" if side == "skey" else "skey"
    by_pair: dict[tuple[str, str], list[Seg]] = defaultdict(list)
    for s in segs:
        by_pair[(s.unit.source_lang, s.unit.target_lang)].append(s)
    out = []
    for pair_segs in by_pair.values():
        groups: dict[str, list[Seg]] = defaultdict(list)
        for s in pair_segs:
            if len(getattr(s, side)) >= min_len:
                groups[getattr(s, side)].append(s)
        for key, group in groups.items():
            if len(group) < 2 or len({getattr(s, other) for s in group}) < 2:
                continue
            variants = cons._variants(group, other)
            out.append((key, variants, variants[-1][1][0]))
    return out


@pytest.mark.parametrize("side", ["skey", "tkey"])
def test_grouping_same(corpus_units: list[TranslationUnit], side: str) -> None:
    segs = segments(corpus_units)
    fast = list(cons._one_to_many(segs, side, 4))
    assert len(fast) > 20
    assert fast == reference_one_to_many(segs, side, 4)


# -- the sweep --------------------------------------------------------------------


def reference_clauses(seg: Seg) -> list[Seg]:
    def spans(rx: re.Pattern[str], text: str, lo: int, hi: int) -> list[Any]:
        return [
            (lo + m.start(), lo + m.end())
            for m in rx.finditer(text[lo:hi])
            if m.group().strip()
        ]

    zs = spans(cons._ZH_CLAUSE, seg.unit.source, *seg.src)
    es = spans(cons._EN_CLAUSE, seg.unit.target, *seg.tgt)
    if len(zs) < 2 or len(es) < 2:
        return []
    pairs = (
        list(zip(zs, es, strict=True))
        if len(zs) == len(es)
        else [(zs[0], es[0]), (zs[-1], es[-1])]
    )
    out = []
    for a, b in pairs:
        zh = seg.unit.source[a[0] : a[1]]
        if len(cons.HAN_RUN.findall(zh)) < cons.MIN_CLAUSE_HAN:
            continue
        en = target_key(cons._EN_LEAD.sub("", seg.unit.target[b[0] : b[1]].strip()))
        out.append(Seg("clause", seg.unit, a, b, source_key(zh), en))
    return out


@pytest.mark.parametrize("tm", ["corpus_units", "paragraphs"])
def test_sweep_same_as_step_by_step(
    tm: str, request: pytest.FixtureRequest, termbase: Any
) -> None:
    units: list[TranslationUnit] = request.getfixturevalue(tm)
    ctx = QAContext(termbase=termbase)
    unit_checks = [c for c in CHECKS.values() if c.scope == "unit"]
    plan = make_plan(
        units,
        unit_checks,
        ctx,
        want_segments=True,
        want_clauses=True,
        want_terms=True,
    )
    swept = sweep(plan, units)
    derive = not any(u.segtype == "sentence" for u in units)
    segs = [s for u in units for s in unit_segments(u, derive)]
    assert swept.found == [
        f for u in primary_units(units) for c in unit_checks for f in c.func(u, ctx)
    ]
    assert swept.segs == segs
    pieces = [c for s in segs if s.level != "paragraph" for c in reference_clauses(s)]
    assert len(pieces) > 100
    assert swept.clauses == pieces
    assert swept.term_candidates == term_candidates(term_units(units), termbase)


# -- per-check pre-tests -----------------------------------------------------------


def test_bracket_pretest_same(corpus_units: list[TranslationUnit]) -> None:
    texts = [t for u in corpus_units for t in (u.source, u.target)]
    texts += ["a (b", "“引号", "a ) (b", '"x', "（一）", "【】〔"]

    def reference(text: str) -> bool:
        return text.count('"') % 2 == 0 and all(
            text.count(o) == text.count(c) for o, c in _PAIRS.items()
        )

    assert [_balanced_counts(t) for t in texts] == [reference(t) for t in texts]


def reference_reordered(entry: Any, target: str) -> Any:
    from tm.terms.english import phrase_key, tokens

    toks = tokens(target)
    words = [t for t, _, _ in toks]
    for rendering, kind in entry.renderings():
        key = phrase_key(rendering)
        ref = [w for w in key if w.isalnum() and w not in _STOP]
        if not ref:
            continue
        for i in range(len(words)):
            window = words[i : i + len(key) + 3]
            hits = [
                next((j for j, w in enumerate(window) if _same_word(w, r)), -1)
                for r in ref
            ]
            if 0 in hits and min(hits) >= 0 and _only(window[: max(hits) + 1], ref):
                a, b = toks[i][1], toks[i + max(hits)][2]
                return rendering, str(getattr(kind, "value", kind)), a, b
    return None


def test_reordered_rendering_same(
    seed_units: list[TranslationUnit], termbase: Any
) -> None:
    seen = 0
    for u in seed_units:
        for hit in termbase.find(u.source, lang="zh"):
            fast = reordered_rendering(hit.entry, u.target)
            assert fast == reference_reordered(hit.entry, u.target)
            seen += fast is not None
    assert seen > 5


# -- whole runs ---------------------------------------------------------------------


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="needs fork")
def test_forked_run_same_as_serial(
    corpus_units: list[TranslationUnit],
    termbase: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Forked sweep and forked corpus checks: the same report, finding for finding."""
    serial = run_checks(corpus_units, termbase=termbase)
    assert len(serial.findings) > 500
    monkeypatch.setattr(tm.qa, "PARALLEL_MIN", 0)
    forked = run_checks(corpus_units, termbase=termbase, workers=2)
    assert forked.findings == serial.findings
    assert forked.term_usage == serial.term_usage


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
