"""Fixtures for QA tests: real seed pairs as units, the seed TM's units, the glossary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tm.models import TranslationUnit


@pytest.fixture(scope="session")
def seed_pairs(seed_path: Path) -> list[Any]:
    from tm.formats.bilingual import read_bilingual

    return [p for p in read_bilingual(seed_path).pairs if p.index is not None]


@pytest.fixture(scope="session")
def pair_unit(seed_pairs: list[Any]) -> Callable[..., TranslationUnit]:
    """``pair_unit(78)`` → the seed's pair 78 as a unit (id = pair index); kwargs replace fields."""

    def make(i: int, **changes: Any) -> TranslationUnit:
        p = seed_pairs[i]
        return replace(TranslationUnit(p.zh, p.en, id=i), **changes)

    return make


@pytest.fixture(scope="session")
def termbase(glossary_dir: Path) -> Any:
    from tm.terms import load_termbase

    return load_termbase(glossary_dir)


@pytest.fixture(scope="session")
def seed_units(seed_pairs: list[Any]) -> list[TranslationUnit]:
    """Every seed pair as a paragraph unit whose id is its pair index."""
    return [TranslationUnit(p.zh, p.en, id=p.index) for p in seed_pairs]


@pytest.fixture(scope="session")
def seed_report(seed_units: list[TranslationUnit], termbase: Any) -> Any:
    from tm.qa import run_checks

    return run_checks(seed_units, termbase=termbase)
