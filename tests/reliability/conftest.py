"""Fixtures for the reliability tests: a TM that must not change, and its digest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ._support import units_checksum


@pytest.fixture
def guarded_db(seed_db_master: Path, tmp_path: Path) -> Path:
    """A copy of the seed TM; tests compare ``units_checksum`` before and after."""
    dest = tmp_path / "guarded.db"
    shutil.copy(seed_db_master, dest)
    return dest


@pytest.fixture
def guarded_sum(guarded_db: Path) -> str:
    return units_checksum(guarded_db)
