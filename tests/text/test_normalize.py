"""The key family of tm.text.normalize: each key folds one more thing than the one before."""

from __future__ import annotations

from pathlib import Path

from tm.formats.bilingual import read_bilingual
from tm.text.normalize import (
    clause_key,
    match_key,
    spaceless_key,
    unlabeled_key,
    unpunctuated_key,
)


def test_match_key_folds_width_punctuation_space_and_case() -> None:
    assert match_key("（一）全面 推进，Ａ Ｂ  c。") == match_key("(一)全面推进,a b c.")
    assert match_key("a  b") == "a b"
    assert match_key("a b") != match_key("ab")


def test_unpunctuated_key_drops_punctuation_of_a_match_key() -> None:
    assert unpunctuated_key(match_key("数据、技术，资本。")) == "数据技术资本"
    assert unpunctuated_key(match_key("No. 86 (2025)")) == "no862025"


def test_spaceless_key_drops_every_space() -> None:
    assert spaceless_key("a b\tc") == spaceless_key("abc") == "abc"
    assert spaceless_key("数据 要素，") == "数据要素,"
    assert spaceless_key("Ｅｃｏ") == "eco"


def test_unlabeled_key_drops_the_list_label_and_final_punctuation() -> None:
    assert unlabeled_key("(三)畅通劳动力和人才社会性流动渠道。", "zh") == unlabeled_key(
        "（一）畅通劳动力和人才社会性流动渠道", "zh-CN"
    )
    assert unlabeled_key("(10) Smooth the channels.", "en") == unlabeled_key(
        "Smooth the channels", "en-US"
    )
    assert unlabeled_key("Second, do it.", "en") == unlabeled_key("2. Do it", "en")
    # A number that is content, not a label, stays.
    assert unlabeled_key("2025年完成。", "zh") == "2025年完成"


def test_clause_key_drops_a_leading_conjunction_in_english_only() -> None:
    assert clause_key("and explore the model,", "en") == clause_key(
        "Explore the model", "en"
    )
    assert clause_key("as well as land", "en") == "land"
    assert clause_key("和数据要素", "zh") == "和数据要素"


def test_keys_are_coarser_one_after_the_other_on_the_seed(seed_path: Path) -> None:
    """Texts equal under one key are equal under every coarser one."""
    pairs = [p for p in read_bilingual(seed_path).pairs if p.index is not None]
    texts = [(p.zh, "zh") for p in pairs] + [(p.en, "en") for p in pairs]
    for text, lang in texts:
        mk, sk = match_key(text), spaceless_key(text)
        assert sk == spaceless_key(mk)
        assert unlabeled_key(text, lang) in sk
        assert clause_key(text, lang) in sk
