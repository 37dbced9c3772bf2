"""Checks of the shipped glossary data against the seeds it was made from (000 and 003)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tm.formats.bilingual import read_bilingual
from tm.text.normalize import has_han

GLOSSARY_NAME = "factor-markets.zh-en.yaml"
HEADER = {"name", "source_lang", "target_lang", "domain", "owner"}
KEYS = ["zh", "en", "variants", "forbidden", "note", "status", "category", "seen"]
REQUIRED = {"zh", "en", "status", "category", "seen"}
STATUSES = {"approved", "proposed", "deprecated"}
CATEGORIES = {
    "place_name",
    "institution",
    "policy_term",
    "set_phrase",
    "document",
    "other",
}


@pytest.fixture(scope="module")
def glossary(glossary_dir: Path) -> dict:
    return yaml.safe_load((glossary_dir / GLOSSARY_NAME).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def entries(glossary: dict) -> list[dict]:
    return glossary["entries"]


@pytest.fixture(scope="module")
def seed_pairs(seed_path: Path) -> list:
    # The 333 bullet pairs; the unbulleted title pair (index None) repeats pair 0 and is not counted.
    return [p for p in read_bilingual(seed_path).pairs if p.index is not None]


@pytest.fixture(scope="module")
def next_text(next_doc_path: Path) -> str:
    return next_doc_path.read_text(encoding="utf-8")


def test_header(glossary: dict) -> None:
    header = glossary["glossary"]
    assert set(header) == HEADER
    assert (header["source_lang"], header["target_lang"]) == ("zh-CN", "en-US")


def test_entry_schema(entries: list[dict]) -> None:
    assert len(entries) >= 150
    for entry in entries:
        assert REQUIRED <= set(entry) <= set(KEYS), entry["zh"]
        assert [k for k in KEYS if k in entry] == list(entry), (
            f"{entry['zh']}: keys out of schema order"
        )
        assert entry["status"] in STATUSES, entry["zh"]
        assert entry["category"] in CATEGORIES, entry["zh"]
        assert has_han(entry["zh"]), entry["zh"]
        assert entry["en"].strip(), entry["zh"]
        assert not has_han(entry["en"]), entry["zh"]
        for key in ("variants", "forbidden"):
            values = entry.get(key, [])
            assert isinstance(values, list), entry["zh"]
            assert all(isinstance(v, str) and v.strip() for v in values), entry["zh"]


def test_terms_are_unique(entries: list[dict]) -> None:
    terms = [e["zh"] for e in entries]
    assert len(terms) == len(set(terms))


def test_approved_is_neither_variant_nor_forbidden(entries: list[dict]) -> None:
    for entry in entries:
        listed = [entry["en"], *entry.get("variants", []), *entry.get("forbidden", [])]
        assert len({r.casefold() for r in listed}) == len(listed), entry["zh"]
        en = entry["en"].casefold()
        assert en not in {v.casefold() for v in entry.get("variants", [])}, entry["zh"]
        assert en not in {v.casefold() for v in entry.get("forbidden", [])}, entry["zh"]
        # A forbidden string inside an acceptable rendering would flag the good rendering too.
        for bad in entry.get("forbidden", []):
            for good in [entry["en"], *entry.get("variants", [])]:
                assert bad.casefold() not in good.casefold(), (entry["zh"], bad, good)


def test_seen_counts_match_the_seeds(
    entries: list[dict], seed_pairs: list, next_text: str
) -> None:
    for entry in entries:
        zh = entry["zh"]
        expected = {
            "000": sum(p.zh.count(zh) for p in seed_pairs),
            "003": next_text.count(zh),
        }
        assert entry["seen"] == expected, zh
        assert any(expected.values()), f"{zh} occurs in neither seed"


def test_terms_in_003_come_first(entries: list[dict]) -> None:
    counts = [e["seen"]["003"] for e in entries]
    assert counts == sorted(counts, reverse=True)


def _renders(text: str, rendering: str) -> bool:
    # Word-boundary match tolerant of case, a plural -s and a leading article.
    words = [re.escape(w) for w in rendering.strip('"').split()]
    if words and words[-1].endswith("s"):
        words[-1] = words[-1][:-1]
    pattern = r"\s+".join(words)
    return re.search(rf"(?<!\w){pattern}s?(?!\w)", text, re.I) is not None


def test_000_uses_one_of_the_listed_renderings(
    entries: list[dict], seed_pairs: list
) -> None:
    """Each term of 000 has at least one of its listed renderings in the English of a pair that holds it.

    Entries whose note says "000 paraphrases" or "000 omits" are exempt: they document that no rendering is reusable.
    """
    missing = []
    for entry in entries:
        renderings = [
            entry["en"],
            *entry.get("variants", []),
            *entry.get("forbidden", []),
        ]
        english = [p.en for p in seed_pairs if entry["zh"] in p.zh]
        if any(
            mark in entry.get("note", "") for mark in ("000 paraphrases", "000 omits")
        ):
            continue  # documented: 000 has no term-like rendering to list
        if english and not any(_renders(en, r) for en in english for r in renderings):
            missing.append(entry["zh"])
    assert missing == []


def test_chinese_left_in_000_english_is_real(
    entries: list[dict], seed_pairs: list
) -> None:
    """A forbidden rendering in Chinese script documents Chinese left in 000's English, so it must be there."""
    english = "\n".join(p.en for p in seed_pairs)
    for entry in entries:
        for bad in entry.get("forbidden", []):
            if has_han(bad):
                assert bad in english, (entry["zh"], bad)
