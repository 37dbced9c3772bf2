"""The packed one-sort build of the q-gram postings gives the arrays the two-sort
build gives, on real keys and on strings made of few characters (long runs of
repeated grams, many ranks)."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import numpy as np
import pytest

from tm import match_index
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
