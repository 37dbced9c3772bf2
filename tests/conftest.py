"""Shared fixtures: paths to the project's data, and a seed TM built once per session."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
SEED = EXAMPLES / "factor-reform-2025.zh-en.txt"
NEXT_DOC = EXAMPLES / "changzhutan-action-plan.zh.txt"

# No per-example deadline: under xdist on a loaded 2-core machine an example can take
# longer than hypothesis's default 200 ms with nothing wrong, and speed is measured by
# benchmarks/, not by tests. A test that sets its own deadline keeps it.
settings.register_profile("tm", deadline=None)
settings.load_profile("tm")


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
    """The test server's URL; under pytest-xdist, this worker's own database on it."""
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


# -- running in parallel (pytest-xdist, issue 20) -----------------------------------
#
# `make test` runs the suite on several workers. Each builds its own session fixtures
# (seed_db_master) under its own basetemp, and each gets a PostgreSQL database of its
# own on the test server, so no two workers ever share a database: tests that create
# extensions, roles' grants or whole databases cannot trip over one another.

_WORKER_DB = pytest.StashKey[tuple[str, str]]()


def _create_worker_database(dsn: str, worker: str) -> tuple[str, str] | None:
    """A new database on ``dsn``'s server for one xdist worker: (its URL, its name)."""
    try:
        import psycopg
        from psycopg import sql
    except ImportError:  # the postgres tests name the missing extra themselves
        return None
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8]
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT current_database(), pg_encoding_to_char(encoding), datcollate,"
            " datctype FROM pg_database WHERE datname = current_database()"
        ).fetchone()
        assert row is not None
        base, encoding, collate, ctype = row
        name = f"{base}_{worker}_{run}"[:63]
        conn.execute(f"DROP DATABASE IF EXISTS {sql.Identifier(name).as_string(conn)}")
        # Same encoding and locale as the server's test database (pg_trgm needs a
        # UTF-8 LC_CTYPE to see Chinese trigrams), and pg_trgm in it.
        conn.execute(
            sql.SQL(
                "CREATE DATABASE {} TEMPLATE template0 ENCODING {}"
                " LC_COLLATE {} LC_CTYPE {}"
            ).format(
                sql.Identifier(name),
                sql.Literal(encoding),
                sql.Literal(collate),
                sql.Literal(ctype),
            )
        )
    url = postgres_url_with(dsn, dbname=name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    return url, name


def pytest_configure(config: pytest.Config) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    dsn = postgres_dsn()
    if worker and dsn:
        made = _create_worker_database(dsn, worker)
        if made:
            config.stash[_WORKER_DB] = (dsn, made[1])
            os.environ["TM_TEST_POSTGRES_DSN"] = made[0]


def pytest_unconfigure(config: pytest.Config) -> None:
    if _WORKER_DB not in config.stash:
        return
    import psycopg
    from psycopg import sql

    dsn, name = config.stash[_WORKER_DB]
    os.environ["TM_TEST_POSTGRES_DSN"] = dsn
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Under xdist, the slow tests first: the longest work starts at once.

    make test hands tests out one at a time (--dist load --maxschedchunk 1), so each
    worker takes the next test as it frees up; with the slow tests (a minute or more
    each) at the head, they spread over the workers from the start instead of one of
    them ending the run alone. All workers sort alike, as xdist requires; a plain run
    keeps the collection order.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


# -- the closing line: which groups did not run, and how to run them ----------------

# (group, words in a skip reason, how to enable it); the first match names the group.
SKIP_GROUPS = (
    (
        "postgres",
        ("TM_TEST_POSTGRES_DSN",),
        "set TM_TEST_POSTGRES_DSN=postgresql://…, or install the PostgreSQL server"
        " (apt-get install postgresql postgresql-contrib) and make test starts one",
    ),
    ("omegat", ("OmegaT",), "apt-get install omegat"),
    ("tmux", ("tmux",), "apt-get install tmux"),
    ("shared", ("../shared",), "put the shared/ folder beside the repository"),
)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def skipped_groups(reports: list[pytest.TestReport]) -> dict[str, list[str]]:
    """The skip reasons of each group: ``{"postgres": [65 reasons], "other": [...]}``."""
    groups: dict[str, list[str]] = {}
    for report in reports:
        reason = _skip_reason(report)
        group = next(
            (name for name, words, _ in SKIP_GROUPS if any(w in reason for w in words)),
            "other",
        )
        groups.setdefault(group, []).append(reason)
    return groups


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """One line after the run naming the groups that skipped and how to enable them.

    Under xdist only the controller prints it, from the reports of every worker.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    reports = [
        r
        for r in terminalreporter.stats.get("skipped", [])
        if isinstance(r, pytest.TestReport)
    ]
    hints = {name: hint for name, _, hint in SKIP_GROUPS}
    parts = []
    for group, reasons in sorted(skipped_groups(reports).items()):
        # A group without a known remedy shows its distinct reasons instead.
        how = hints.get(group) or "; ".join(sorted({r[:70] for r in reasons}))
        parts.append(f"{len(reasons)} {group} ({how})")
    markexpr = config.getoption("markexpr", "") or ""
    if re.search(r"\bnot\s+slow\b", markexpr):
        parts.append(f"slow tests, deselected by -m {markexpr!r} (make test runs them)")
    if parts:
        terminalreporter.write_line("not run: " + "; ".join(parts))
