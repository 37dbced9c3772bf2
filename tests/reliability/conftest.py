"""Fixtures for the reliability tests: a TM that must not change, and its digest."""

from __future__ import annotations

from pathlib import Path

import pytest

from ._support import units_checksum


@pytest.fixture
def guarded_db(seed_db: Path) -> Path:
    """A private copy of the seed TM; tests compare ``units_checksum`` before and after."""
    return seed_db


@pytest.fixture
def guarded_sum(guarded_db: Path) -> str:
    return units_checksum(guarded_db)
