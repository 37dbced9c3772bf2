"""English word tokens: what they cover, that their codes are stable, and that target
look-up scores count words and do not depend on the TM."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tm.formats.bilingual import read_bilingual
from tm.match import similarity
from tm.models import TranslationUnit
from tm.service import TMService
from tm.text.normalize import match_key
from tm.text.tokenize import CODE_BASE, Tokenizer


@pytest.fixture(scope="session")
def seed_english(seed_path: Path) -> list[str]:
    return [match_key(p.en) for p in read_bilingual(seed_path).pairs]


def test_tokens_cover_the_text(seed_english: list[str]) -> None:
    tok = Tokenizer()
    assert len(seed_english) > 100
    for text in seed_english:
        tokens = tok.tokens(text)
        # Nothing but whitespace is dropped, and each token is one code.
        assert "".join(tokens) == "".join(text.split())
        codes = tok.codes(text)
        assert len(codes) == len(tokens)
        assert all(ord(c) >= CODE_BASE for c in codes)
    assert tok.codes_many(seed_english[:5]) == [tok.codes(t) for t in seed_english[:5]]


def test_words_numbers_han_and_punctuation_are_tokens() -> None:
    tok = Tokenizer()
    assert tok.tokens("article 12-1: the 鄱阳湖 basin's 3.5% share") == (
        "article", "12", "-", "1", ":", "the", "鄱", "阳", "湖", "basin", "'", "s",
        "3", ".", "5", "%", "share",
    )  # fmt: skip
    # Chinese left in an English target is compared character by character.
    assert tok.codes("see 鄱阳湖 basin") != tok.codes("see 洞庭湖 basin")
    assert (
        len(set(tok.codes("see 鄱阳湖 basin")) ^ set(tok.codes("see 洞庭湖 basin")))
        == 4
    )


def test_codes_are_the_same_in_another_process() -> None:
    # The match index caches codes on disk: a per-process hash (Python's hash()
    # of a str) would make a cached index wrong in the next process.
    text = "promote the market-oriented allocation of land and data factors"
    script = (
        "from tm.text.tokenize import Tokenizer; "
        f"print([ord(c) for c in Tokenizer().codes({text!r})])"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == str([ord(c) for c in Tokenizer().codes(text)])


def test_a_changed_word_costs_one_edit_whatever_its_length() -> None:
    tok = Tokenizer()
    base = "improve the market system for land and data factors"
    short = base.replace("land", "tax")
    long = base.replace("land", "infrastructure")
    assert similarity(tok.codes(base), tok.codes(short)) == similarity(
        tok.codes(base), tok.codes(long)
    )
    # Over characters the long word would cost more than twice as much.
    assert similarity(base, long) < similarity(base, short) - 10


def test_target_lookup_scores_do_not_depend_on_tm_size(
    tmp_path: Path, seed_path: Path
) -> None:
    pairs = read_bilingual(seed_path).pairs
    # A seed target, edited as a reviser would: one word replaced.
    target = next(p.en for p in pairs[:20] if len(p.en.split()) >= 8)
    words = target.split()
    words[len(words) // 2] = "substantially"
    query = " ".join(words)
    found = []
    for n in (20, len(pairs)):  # below the 50 units where tm used to switch, and all
        db = tmp_path / f"tm{n}.db"
        with TMService.open(db) as service:
            service.store.add_units(TranslationUnit(p.zh, p.en) for p in pairs[:n])
            hits = service.lookup(query, side="target", min_score=50, limit=50)
            found.append({m.target: m.score for m in hits})
        # No model is trained or written beside the TM.
        assert sorted(p.name for p in tmp_path.glob(f"tm{n}.db*")) == [f"tm{n}.db"]
    small, large = found
    assert target in small
    assert max(small, key=lambda t: small[t]) == target
    assert small[target] == large[target]
    assert all(large[t] == score for t, score in small.items())
