"""SentencePiece pieces for English keys: training, storage beside the DB, fallback."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from tm.formats.bilingual import read_bilingual
from tm.text.normalize import match_key
from tm.text.tokenize import PIECE_BASE, Tokenizer, load_or_train, model_path, train


@pytest.fixture(scope="session")
def english(seed_path: Path) -> list[str]:
    return [match_key(p.en) for p in read_bilingual(seed_path).pairs]


@pytest.fixture(scope="session")
def model(english: list[str]) -> bytes:
    return train(english, vocab_size=1000)


def test_pieces_cover_the_text(model: bytes, english: list[str]) -> None:
    tok = Tokenizer(model)
    assert not tok.fallback
    for text in english[:50]:
        pieces = tok.pieces(text)
        assert "".join(pieces).replace("▁", " ").strip() == text
        codes = tok.codes(text)
        assert len(codes) == len(pieces)
        assert all(ord(c) >= PIECE_BASE for c in codes)
    assert tok.codes_many(english[:5]) == [tok.codes(t) for t in english[:5]]
    # A word is a few pieces, not a character each: edits count words, roughly.
    assert len(tok.pieces("market-oriented allocation of factors")) < 12


def test_fallback_is_per_character() -> None:
    tok = Tokenizer()
    assert tok.fallback
    assert tok.pieces("data") == ("d", "a", "t", "a")
    assert tok.codes("data") == "data"


def test_too_little_text_is_refused() -> None:
    with pytest.raises(ValueError, match="need"):
        train(["one line only"])


def test_model_is_kept_beside_the_db_and_retrained_on_growth(
    tmp_path: Path, english: list[str]
) -> None:
    db = tmp_path / "tm.db"
    calls: list[int] = []

    def texts() -> Iterable[str]:
        calls.append(1)
        return english

    first = load_or_train(db, len(english), texts)
    assert not first.fallback
    assert model_path(db).exists()
    assert len(calls) == 1
    load_or_train(db, int(len(english) * 1.2), texts)
    assert len(calls) == 1  # grew by less than the share: the stored model is used
    load_or_train(db, int(len(english) * 1.3), texts)
    assert len(calls) == 2


def test_small_tm_falls_back(tmp_path: Path) -> None:
    def texts() -> Iterator[str]:
        raise AssertionError("must not train")

    assert load_or_train(tmp_path / "tm.db", 3, texts).fallback
