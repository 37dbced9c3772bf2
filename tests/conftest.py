"""Shared fixtures: paths to the project's data, and a seed TM built once per session."""

from __future__ import annotations

import contextlib
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


# -- PostgreSQL (issue 9) ---------------------------------------------------------


def postgres_url_with(
    dsn: str, *, dbname: str | None = None, schema: str | None = None
) -> str:
    """``dsn`` pointed at another database, or with ``schema`` first on search_path."""
    from urllib.parse import quote, urlsplit, urlunsplit

    parts = urlsplit(dsn)
    path = f"/{dbname}" if dbname else parts.path
    query = parts.query
    if schema:
        opt = "options=" + quote(f"-csearch_path={schema},public", safe="")
        query = f"{query}&{opt}" if query else opt
    return urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))


@contextlib.contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """A URL whose tables land in a fresh schema, dropped on leaving.

    Skips unless TM_TEST_POSTGRES_DSN names a server (CI's .ci/run starts one).
    """
    dsn = postgres_dsn()
    if not dsn:
        pytest.skip("TM_TEST_POSTGRES_DSN is not set (no PostgreSQL server configured)")
    import uuid

    import psycopg

    schema = f"tm_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield postgres_url_with(dsn, schema=schema)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose tables land in a fresh schema, dropped after the test."""
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty TM location for each backend: a SQLite file or a PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "tm.db")
    return request.getfixturevalue("postgres_url")
