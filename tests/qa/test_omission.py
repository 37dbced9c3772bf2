"""The missing-clause check on the seed TM's own sentence pairs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tm.models import TranslationUnit
from tm.qa import omission, run_checks
from tm.qa.base import QAContext
from tm.qa.lexicon import learn_lexicon
from tm.service import TMService


@pytest.fixture(scope="module")
def sentences(seed_path: Path) -> list[TranslationUnit]:
    with TMService.open(":memory:") as service:
        service.import_file(seed_path)
        return [u for u in service.store.iter_units() if u.segtype == "sentence"]


def test_lexicon_is_learned_from_the_tm(sentences: list[TranslationUnit]) -> None:
    lexicon = learn_lexicon(sentences)
    # Words the seed renders consistently come out of its pairs, not from a list.
    assert lexicon.best["数据"] == "data"
    assert lexicon.best["土地"] == "land"
    # A function word co-occurs with everything and never becomes an anchor.
    assert "the" not in set(lexicon.best.values())
    assert {"#10", "data"} <= lexicon.anchors("开展10个数据试点")


def test_a_clause_cut_from_the_english_is_found(
    sentences: list[TranslationUnit],
) -> None:
    [u] = [s for s in sentences if s.source.startswith("统筹发展和安全,推动数据流通")]
    assert u.target.startswith("Coordinate development and security, and promote")
    cut = replace(u, target="Coordinate development and security.")
    pool = [cut if s.id == u.id else s for s in sentences]
    [f] = run_checks(pool, checks=["missing-clause"]).findings
    assert f.units == (u.id,)
    assert f.span is not None
    assert f.span.text == "推动数据流通和融合应用"
    # The whole seed, as translated, has no clause without a counterpart.
    assert run_checks(sentences, checks=["missing-clause"]).findings == ()


def test_without_length_evidence_no_finding(
    sentences: list[TranslationUnit], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The clause's words replaced by others of the same length: the anchors are gone
    # but the English is not short, so the check stays silent; it needs both kinds of
    # evidence (with the length test switched off, the same unit is reported).
    [u] = [s for s in sentences if s.source.startswith("统筹发展和安全,推动数据流通")]
    padded = replace(
        u,
        target="Coordinate development and security, and push forward the joint use"
        " of everything gathered so far.",
    )
    pool = [padded if s.id == u.id else s for s in sentences]

    def mine() -> list[object]:
        found = omission.missing_clause(pool, QAContext())
        return [f for f in found if f.units == (u.id,)]

    assert mine() == []
    monkeypatch.setattr(omission, "short_by", lambda *_: 200)
    assert len(mine()) == 1
