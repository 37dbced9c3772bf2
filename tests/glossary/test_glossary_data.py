"""Checks of the shipped glossary data against the two documents it was made from.

The State Council's 2025 approval of factor-market reform pilots
(examples/factor-reform-2025.zh-en.txt, bilingual) and the Changsha–Zhuzhou–Xiangtan
action plan (examples/changzhutan-action-plan.zh.txt, Chinese only). ``seen`` counts
are keyed by those file names, as ``tm terms extract`` keys them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tm.formats.bilingual import read_bilingual
from tm.text.normalize import has_han

GLOSSARY_NAME = "factor-markets.zh-en.yaml"
APPROVAL = "factor-reform-2025.zh-en.txt"
ACTION_PLAN = "changzhutan-action-plan.zh.txt"
# Private labels that once stood for the two documents and their paragraph numbers.
PRIVATE_LABELS = re.compile(r"\b(?:000|003)\b|\bseed \d|\bpairs? \d", re.I)
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
    # The 333 bullet paragraphs; the unbulleted title (index None) repeats the first one and is not counted.
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
        if entry["status"] != "proposed":
            assert (entry.get("en") or "").strip(), f"{entry['zh']}: no English"
        assert not has_han(entry.get("en") or ""), entry["zh"]
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


def test_no_variant_is_another_entrys_approved_rendering(entries: list[dict]) -> None:
    """A variant that is another term's approved rendering belongs to that term."""
    approved = {e["en"].casefold(): e["zh"] for e in entries if e.get("en")}
    for entry in entries:
        for variant in entry.get("variants", []):
            owner = approved.get(variant.casefold())
            assert owner in (None, entry["zh"]), (entry["zh"], variant, owner)


def test_no_rendering_is_both_acceptable_and_forbidden(entries: list[dict]) -> None:
    """What one entry forbids, no other entry approves or accepts."""
    acceptable = {
        r.casefold(): e["zh"]
        for e in entries
        for r in [e.get("en") or "", *e.get("variants", [])]
        if r
    }
    for entry in entries:
        for bad in entry.get("forbidden", []):
            assert bad.casefold() not in acceptable, (entry["zh"], bad)


def test_notes_name_documents_not_private_labels(entries: list[dict]) -> None:
    for entry in entries:
        note = entry.get("note", "")
        assert not PRIVATE_LABELS.search(note), (entry["zh"], note)


def test_seen_counts_match_the_documents(
    entries: list[dict], seed_pairs: list, next_text: str
) -> None:
    for entry in entries:
        zh = entry["zh"]
        expected = {
            APPROVAL: sum(p.zh.count(zh) for p in seed_pairs),
            ACTION_PLAN: next_text.count(zh),
        }
        assert entry["seen"] == expected, zh
        assert any(expected.values()), f"{zh} occurs in neither document"


def test_terms_of_the_action_plan_come_first(entries: list[dict]) -> None:
    counts = [e["seen"][ACTION_PLAN] for e in entries]
    assert counts == sorted(counts, reverse=True)


def _renders(text: str, rendering: str) -> bool:
    # Word-boundary match tolerant of case, a plural -s and a leading article.
    words = [re.escape(w) for w in rendering.strip('"').split()]
    if words and words[-1].endswith("s"):
        words[-1] = words[-1][:-1]
    pattern = r"\s+".join(words)
    return re.search(rf"(?<!\w){pattern}s?(?!\w)", text, re.I) is not None


def test_the_approval_uses_one_of_the_listed_renderings(
    entries: list[dict], seed_pairs: list
) -> None:
    """Each term of the approval has one of its listed renderings in a paragraph that holds it.

    Entries whose note says the approval paraphrases or omits the term, or names the
    wording it uses instead ("writes"), are exempt: no listed rendering is reusable there.
    """
    missing = []
    for entry in entries:
        renderings = [
            entry["en"],
            *entry.get("variants", []),
            *entry.get("forbidden", []),
        ]
        english = [p.en for p in seed_pairs if entry["zh"] in p.zh]
        if re.search(
            r"approval (?:paraphrases|omits|writes)|approval: \"", entry.get("note", "")
        ):
            continue  # documented: the approval has no listed rendering to reuse
        if english and not any(_renders(en, r) for en in english for r in renderings):
            missing.append(entry["zh"])
    assert missing == []


def test_chinese_left_in_the_approvals_english_is_real(
    entries: list[dict], seed_pairs: list
) -> None:
    """A forbidden rendering in Chinese script documents Chinese left in the approval's English."""
    english = "\n".join(p.en for p in seed_pairs)
    for entry in entries:
        for bad in entry.get("forbidden", []):
            if has_han(bad):
                assert bad in english, (entry["zh"], bad)


def test_judged_terms_of_the_approval_have_entries(
    entries: list[dict], seed_pairs: list
) -> None:
    """Every extractor candidate judged a term and recurring in the approval has an entry.

    benchmarks/glossary_candidates.judged.tsv holds the hand judgments of the candidates
    `tm terms extract` proposes on the approval; nothing judged a non-term is an entry.
    """
    path = Path(__file__).resolve().parents[2] / "benchmarks"
    lines = (path / "glossary_candidates.judged.tsv").read_text("utf-8").splitlines()
    rows = [ln.split("\t") for ln in lines if ln and not ln.startswith("#")][1:]
    have = {e["zh"] for e in entries}
    terms = [zh for zh, judgment, _ in rows if judgment == "term"]
    recurring = [t for t in terms if sum(p.zh.count(t) for p in seed_pairs) >= 2]
    assert len(recurring) >= 200
    assert [t for t in recurring if t not in have] == []
    non_terms = {zh for zh, judgment, _ in rows if judgment == "non-term"}
    assert sorted(have & non_terms) == []
