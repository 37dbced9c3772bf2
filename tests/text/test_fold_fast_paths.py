"""fold()'s fast paths (ASCII text; text without whitespace) give what the full
folding gives: property tests against the plain pipeline, and real corpus lines."""

from __future__ import annotations

import gzip
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tm import fastpath
from tm.text.normalize import (
    _CJK_SPACE,
    _NOT_PLAIN,
    _SPACE_RUN,
    _TRANSLATE,
    PLAIN_NFKC,
    fold,
    fold_with_map,
    match_key,
)


def plain_fold(text: str) -> str:
    """fold() without its shortcuts: NFKC, the table, CJK spacing, whitespace runs."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = _CJK_SPACE.sub("", text)
    return _SPACE_RUN.sub(" ", text).strip()


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_path(text: str) -> None:
    assert fold(text) == plain_fold(text)
    assert match_key(text) == plain_fold(text).casefold()


SPACES = "\u3000\u00a0\u2003\t\n\x1c \u200b\ufeff"


@settings(max_examples=300)
@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from("中文，。（）「」〔〕１２ＡＢ、；：？！ａ" + SPACES),
            st.characters(),
        )
    )
)
def test_unicode_path(text: str) -> None:
    assert fold(text) == plain_fold(text)


def test_corpus_lines(shared_dir: Path) -> None:
    path = shared_dir / "corpora" / "wmt_news_test_2017-2022.zh-en.tsv.gz"
    if not path.exists():
        pytest.skip("corpus not available")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(3000)]
    for line in lines:
        for side in line.rstrip("\n").split("\t"):
            assert fold(side) == plain_fold(side)
            assert fold_with_map(side) == slow_fold_with_map(side)


def test_plain_text_path_for_every_plain_character() -> None:
    """The plain-character path (character replacements instead of NFKC) on each
    character it takes, beside CJK text, spaces and full-width forms."""
    plain = [chr(c) for c in range(0x10000) if _NOT_PLAIN.search(chr(c)) is None]
    assert {"，", "。", "\u3000", "“", "Ａ", "～"} <= set(plain)
    for c in plain:
        for text in (f"中{c}文 {c}", f"{c}{c}Ａ，", f" {c}\u3000x"):
            assert _NOT_PLAIN.search(text) is None
            assert fold(text) == plain_fold(text), hex(ord(c))
            assert match_key(text) == plain_fold(text).casefold(), hex(ord(c))


def slow_fold_with_map(text: str) -> tuple[str, list[int]]:
    """fold_with_map() character by character, without its plain-text path."""
    with fastpath.plain(PLAIN_NFKC):
        return fold_with_map(text)


@settings(max_examples=300)
@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from("中文，。（）「」〔〕１２ＡＢ、；：？！ａZb" + SPACES),
            st.characters(),
        )
    )
)
def test_fold_with_map_paths_agree(text: str) -> None:
    key, where = fold_with_map(text)
    assert (key, where) == slow_fold_with_map(text)
    assert key == match_key(text)


def test_fold_with_map_plain_path_for_every_plain_character() -> None:
    plain = [chr(c) for c in range(0x10000) if _NOT_PLAIN.search(chr(c)) is None]
    for c in plain:
        # the fast path rests on this: key character i is text character i
        assert len(slow_fold_with_map(c)[0]) == (0 if c.isspace() else 1), hex(ord(c))
        for text in (f"中{c}文{c}", f"{c}{c}Ａ，Ｑ", f" {c} a  {c}\u3000中 {c}b "):
            key, where = fold_with_map(text)
            assert (key, where) == slow_fold_with_map(text), hex(ord(c))
            assert key == match_key(text), hex(ord(c))
