"""Fuzzy-match repair: placeables carried from the query into a TM unit's English.

The pairs are real: seed sentences (examples/factor-reform-2025.zh-en.txt) and Taiwan
statute paragraphs (../shared/corpora/tw_moj_laws.paragraphs.zh-en.tsv.gz).
"""

from __future__ import annotations

import gzip
import re
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tm.placeables import zh_label
from tm.repair import _MARKS, _align, _end_mark, _sequence, repair, tokens
from tm.service import TermService
from tm.text.normalize import match_key
from tm.text.numbers import english_quantities, find_zh_dates, render_like


def fixed(query: str, source: str, target: str, **kw: object) -> str | None:
    return repair(query, source, target, **kw).target  # type: ignore[arg-type]


def test_numbers_are_mapped_by_value_whatever_the_english_order() -> None:
    result = repair("第三十条第一项", "第二十九条第二项", "Paragraph 2 of Article 29")
    assert result.target == "Paragraph 1 of Article 30"
    assert result.complete
    assert [(r.kind, r.tm, r.query) for r in result.repairs] == [
        ("number", "二", "一"),
        ("number", "二十九", "三十"),
    ]
    for r in result.repairs:  # spans point at the new English
        assert r.target_span is not None
        a, b = r.target_span
        assert result.target[a:b] in ("1", "30")


@pytest.mark.parametrize(
    ("query", "source", "target", "want"),
    [
        (
            "處新臺幣三千元以上一萬五千元以下罰鍰",
            "處新臺幣五萬元以上二十五萬元以下罰鍰",
            "shall be fined between NT$ 50,000 and NT$ 250,000",
            "shall be fined between NT$ 3,000 and NT$ 15,000",
        ),
        (
            "新臺幣三十萬元",
            "新臺幣二萬元",
            "NT$20,000",
            "NT$300,000",
        ),
        (
            "（四）國際網路業務：新臺幣八千萬元。",
            "（四）國際網路業務：新臺幣一億五百萬元。",
            "(4) International network business: 105 Million New Taiwan Dollars.",
            "(4) International network business: 80 Million New Taiwan Dollars.",
        ),
        (
            "應於三十日內繳還",
            "應於十五日內繳還",
            "shall be returned within fifteen (15) days",
            "shall be returned within thirty (30) days",
        ),
        (
            "（一）14.00GHz 至 14.50GHz。",
            "（四）14.8 GHz 至15.35 GHz。",
            "(4) 14.8 GHz to 15.35 GHz.",
            "(1) 14.00 GHz to 14.50 GHz.",
        ),
    ],
)
def test_numbers_are_written_in_the_englishs_own_style(
    query: str, source: str, target: str, want: str
) -> None:
    assert fixed(query, source, target) == want


def test_dates_and_roc_years() -> None:
    assert (
        fixed(
            "本標準自中華民國一百十一年一月一日施行。",
            "本標準自中華民國一百十年一月一日施行。",
            "These standards shall be implemented from January 1st, 2021.",
        )
        == "These standards shall be implemented from January 1st, 2022."
    )
    # A year with no era named is a 民國 year when the English has it so.
    assert (
        fixed(
            "於六十二會計年度內發行",
            "於六十一會計年度內發行",
            "will be issued during the fiscal year 1972",
        )
        == "will be issued during the fiscal year 1973"
    )
    (d,) = find_zh_dates("2025年9月15日")
    assert (d.year, d.month, d.day) == (2025, 9, 15)


def test_document_numbers_and_latin_tokens_from_the_seed() -> None:
    assert (
        fixed("国函〔2024〕12号", "国函〔2025〕86号", "State Letter (2025) No. 86")
        == "State Letter (2024) No. 12"
    )
    # The words differ too: the code is carried over, the rest is the translator's.
    partial = repair(
        "推动公共交通导向的开发(TOD)模式",
        "探索生态环境导向的开发(EOD)模式",
        "explore ecological environment-oriented development (EOD) model",
    )
    assert partial.target is not None
    assert "(TOD)" in partial.target
    assert not partial.complete
    assert (
        fixed(
            "探索生态环境导向的开发(TOD)模式",
            "探索生态环境导向的开发(EOD)模式",
            "explore ecological environment-oriented development (EOD) model",
        )
        == "explore ecological environment-oriented development (TOD) model"
    )


def test_labels_are_rewritten_in_the_englishs_style() -> None:
    assert fixed("八、其他交辦事項。", "五、其他交辦事項。", "(5) other matters.") == (
        "(8) other matters."
    )
    assert fixed(
        "（三）長鰭鮪組漁船", "（二）長鰭鮪組漁船", "ii. For a fishing vessel"
    ) == ("iii. For a fishing vessel")
    # The query has no label and no full stop: both go from the English.
    result = repair(
        "推动科技成果高效转化应用",
        "(二)推动科技成果高效转化应用。",
        "(2) Promote the efficient transformation of achievements.",
    )
    assert result.target == "Promote the efficient transformation of achievements"
    assert result.complete


def test_glossary_terms_are_swapped_for_the_other_terms_approved_rendering(
    glossary_dir: Path,
) -> None:
    termbase = TermService(glossary_dir).load()
    assert (
        fixed(
            "完善公共数据监管体制和发展政策。",
            "完善创业投资监管体制和发展政策。",
            "Improve the venture capital supervision system and development policies.",
            termbase=termbase,
        )
        == "Improve the public data supervision system and development policies."
    )


def test_never_a_guess() -> None:
    # 二 twice in the source, only one changed: which "2" of the English is meant?
    result = repair("第二條第三項", "第二條第二項", "Paragraph 2 of Article 2")
    assert result.target is None
    assert not result.complete
    (why,) = [r.reason for r in result.repairs if not r.done]
    assert "not all changed alike" in why
    # The English does not have the number at all.
    result = repair("第七條", "第六條", "The preceding Article")
    assert result.target is None
    assert [r.reason for r in result.repairs] == ["the TM's English has no 6"]
    # A number only the query has is a difference no repair can carry.
    result = repair("設立三個基金", "設立基金", "Establish funds")
    assert result.target is None
    assert [r.reason for r in result.repairs] == ["only the query has it"]


def test_english_quantities_keep_their_style() -> None:
    (q,) = english_quantities("within thirty (30) days")
    assert (q.value, q.word, q.digits) == (30.0, "thirty", "30")
    assert render_like(60, q) == "sixty (60)"
    (q,) = english_quantities("the 1st day")
    assert render_like(2, q) == "2nd"
    (q,) = english_quantities("3.5 billion")
    assert render_like(5e9, q) == "5 billion"
    assert render_like(5e8, q) == "500,000,000"


_NUMERALS = re.compile(r"[0-9零〇一二三四五六七八九十百千万亿萬億两兩]+")


@pytest.mark.slow
def test_statute_pairs_differing_only_in_numbers_are_repaired(shared_dir: Path) -> None:
    """Pairs of statute paragraphs whose Chinese differs only in numerals and whose
    English differs only in digits: repair one into the other; nearly all exact, and
    hardly ever wrong (the references have a few errors of their own)."""
    groups: dict[tuple[str, str], dict[str, tuple[str, str]]] = defaultdict(dict)
    path = shared_dir / "corpora" / "tw_moj_laws.paragraphs.zh-en.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i % 3:  # a third of the file keeps the test quick
                continue
            zh, _, en = line.rstrip("\n").partition("\t")
            key = (_NUMERALS.sub("#", match_key(zh)), re.sub(r"\d+", "#", en))
            groups[key].setdefault(match_key(zh), (zh, en))
    pairs = [
        (a, b)
        for members in groups.values()
        for a, b in zip(
            list(members.values()), list(members.values())[1:], strict=False
        )
    ]
    assert len(pairs) > 200
    exact = wrong = 0
    for (zh_a, en_a), (zh_b, en_b) in pairs:
        got = repair(zh_b, zh_a, en_a)
        if got.target is not None:
            exact += got.target == en_b
            wrong += got.target != en_b
        elif got.complete:
            exact += en_a == en_b
    assert exact / len(pairs) > 0.85
    assert wrong / len(pairs) < 0.02


_ZH = "一二三四五六七八九十百千万亿两兩第条條项款（）()、,，.。;；:：1234567890Ａａ%％年月日号〔〕民國 …EOD"
_EN = "abc 123.,()%-Article Paragraph January 2025 one (1) "


@settings(max_examples=300, deadline=None)
@given(
    query=st.text(alphabet=_ZH, max_size=20),
    source=st.text(alphabet=_ZH, max_size=20),
    target=st.text(alphabet=_EN, max_size=30),
)
def test_repair_never_fails_and_its_spans_point_into_the_english(
    query: str, source: str, target: str
) -> None:
    result = repair(query, source, target)
    if result.target is None:
        assert all(r.target_span is None for r in result.repairs)
        return
    assert result.target != target
    for r in result.repairs:
        assert r.done
        a, b = r.target_span  # type: ignore[misc]
        assert 0 <= a <= b <= len(result.target)
    assert repair(source, source, target).target is None  # nothing to repair


def _law_paragraphs(shared_dir: Path, every: int) -> list[str]:
    path = shared_dir / "corpora" / "tw_moj_laws.paragraphs.zh-en.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [line.partition("\t")[0] for i, line in enumerate(fh) if not i % every]


def _as_tokens_say(text: str, termbase: object) -> tuple[list[str], list[object]]:
    """The symbols and placeables of text, read off the token list."""
    label, end = zh_label(text), _end_mark(text)
    found = tokens(text, label, end, termbase)  # type: ignore[arg-type]
    syms = [t.sym if t.kind == "char" else _MARKS[t.kind] for t in found]
    return syms, [t for t in found if t.kind != "char"]


def test_the_alignment_string_holds_what_the_token_list_does(
    shared_dir: Path, glossary_dir: Path
) -> None:
    """The string repair aligns has one symbol per token, in token order: each
    character token's own and a marker per placeable, which sits at its place (on
    statute paragraphs with numbers, dates and document numbers, glossary terms on,
    and the seed)."""
    termbase = TermService(glossary_dir).load()
    seed = Path(__file__).parent.parent / "examples" / "factor-reform-2025.zh-en.txt"
    texts = _law_paragraphs(shared_dir, 40) + [
        line.split("\t")[0] for line in seed.read_text(encoding="utf-8").splitlines()
    ]
    assert len(texts) > 1000
    placed = 0
    for text in texts:
        seq = _sequence(text, zh_label(text), _end_mark(text), termbase)
        syms, placeables = _as_tokens_say(text, termbase)
        assert list(seq.syms) == syms, text
        assert seq.placeables == placeables, text
        assert [seq.syms[i] for i in seq.places] == [_MARKS[t.kind] for t in placeables]
        placed += len(placeables)
    assert placed > 1000


def test_a_text_holding_a_marker_character_is_aligned_token_by_token() -> None:
    """A character that stands for a placeable in the string comparison, in the text
    itself: it must not pair with a placeable of the other text."""
    marker = _MARKS["number"]
    query = f"新增3个{marker}项目"
    source = "新增5个项目"
    q = _sequence(query, None, None, None)
    s = _sequence(source, None, None, None)
    assert isinstance(q.syms, list)
    assert isinstance(s.syms, str)
    pairs, unpaired, differs = _align(q, s)
    # The numbers pair (3 → 5); the marker character is only text the query has.
    assert [(a.text, b.text) for a, b in pairs] == [("3", "5")]
    assert differs
    assert not unpaired
    fixed = repair(query, source, "5 new projects")
    assert fixed.target == "3 new projects"
    assert not fixed.complete


# Characters that read as placeables, or not, beside numerals; and the marker of a
# number (a text holding it is aligned token by token).
_ALIGNED = _ZH + "统标准项目ABC" + _MARKS["number"]


@settings(max_examples=400, deadline=None)
@given(
    query=st.text(alphabet=_ALIGNED, max_size=16),
    source=st.text(alphabet=_ALIGNED, max_size=16),
)
def test_aligning_the_strings_pairs_what_aligning_the_token_lists_does(
    query: str, source: str
) -> None:
    """The string comparison gives the pairs, unpaired placeables and numerals in
    differing text that the token lists themselves give."""
    q, s = _sequence(query), _sequence(source)
    assert _align(q, s) == _align(q.in_list(), s.in_list())
