"""Shared fixtures: paths to the project's data, and a seed TM built once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
SEED = EXAMPLES / "factor-reform-2025.zh-en.txt"
NEXT_DOC = EXAMPLES / "changzhutan-action-plan.zh.txt"


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def tmx_dir() -> Path:
    return ROOT / "tmx"


@pytest.fixture(scope="session")
def glossary_dir() -> Path:
    return ROOT / "glossary"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared is not beside the repository")
    return SHARED


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def next_doc_path() -> Path:
    return NEXT_DOC


@pytest.fixture(scope="session")
def seed_db_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed imported once into a SQLite file; copy it (seed_db) before writing."""
    from tm.service import TMService

    path = tmp_path_factory.mktemp("seeddb") / "seed.db"
    with TMService.open(path) as service:
        service.import_file(SEED)
    return path


@pytest.fixture
def seed_db(seed_db_master: Path, tmp_path: Path) -> Path:
    """A private copy of the seed TM for one test."""
    dest = tmp_path / "seed.db"
    shutil.copy(seed_db_master, dest)
    return dest


@pytest.fixture
def seed_service(seed_db: Path) -> Iterator[object]:
    from tm.service import TMService

    with TMService.open(seed_db) as service:
        yield service


def postgres_dsn() -> str | None:
    return os.environ.get("TM_TEST_POSTGRES_DSN")
