"""What only the PostgreSQL backend does: refusing a C-locale database, naming the
extra when psycopg is missing, and ``tm db`` over a ``postgresql://`` URL.

The ``tm db`` tests run on both backends (``store_url``); the others need a server
(TM_TEST_POSTGRES_DSN) except the missing-psycopg one.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import postgres_dsn, postgres_url_with
from tm.cli import main
from tm.errors import ConfigError, ExitCode, StoreError
from tm.models import TranslationUnit
from tm.store import open_store


def test_missing_psycopg_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(ConfigError) as err:
        open_store("postgresql://tm@127.0.0.1:1/tm")
    assert "psycopg" in str(err.value)
    assert err.value.hint is not None
    assert "tm[postgres]" in err.value.hint


@pytest.fixture
def c_locale_url() -> Iterator[str]:
    """A new database created with LC_CTYPE 'C' on the test server, dropped afterwards."""
    dsn = postgres_dsn()
    if not dsn:
        pytest.skip("TM_TEST_POSTGRES_DSN is not set (no PostgreSQL server configured)")
    import psycopg

    name = f"tm_c_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
            " LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    try:
        yield postgres_url_with(dsn, dbname=name)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.mark.postgres
def test_c_locale_database_works(c_locale_url: str) -> None:
    """Concordance scans the keys (no pg_trgm index, which saw no Chinese trigrams
    under LC_CTYPE 'C'), so a C-locale database is a TM like any other."""
    import psycopg

    with open_store(c_locale_url) as store:
        store.add_units(
            [
                TranslationUnit("翻译记忆库的用法", "Using a translation memory"),
                TranslationUnit("术语库", "Term base"),
            ]
        )
        assert [u.source for u in store.concordance("记忆")] == ["翻译记忆库的用法"]
        assert [u.target for u in store.concordance("base", side="target")] == [
            "Term base"
        ]
    with psycopg.connect(c_locale_url, autocommit=True) as conn:
        installed = "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"
        assert conn.execute(installed).fetchone() == (0,)


@pytest.mark.postgres
def test_unreachable_server_is_a_store_error() -> None:
    if not postgres_dsn():
        pytest.skip("TM_TEST_POSTGRES_DSN is not set (no PostgreSQL server configured)")
    with pytest.raises(StoreError, match="cannot connect"):
        open_store("postgresql://tm@127.0.0.1:9/tm?connect_timeout=2")


@pytest.mark.postgres
def test_create_false_needs_a_tm(postgres_url: str) -> None:
    with pytest.raises(StoreError, match="no TM in"):
        open_store(postgres_url, create=False)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    code = exc.value.code
    return int(code) if code is not None else 0, capsys.readouterr().out


def test_db_migrate_and_info(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(["db", "migrate", "--db", store_url], capsys)
    assert code == ExitCode.OK
    assert "migrations applied" in out
    code, out = _run(["db", "migrate", "--db", store_url], capsys)
    assert out.strip() == "0 migrations applied"
    code, out = _run(["db", "info", "--db", store_url, "--json"], capsys)
    info = json.loads(out)
    assert info["backend"] == ("sqlite" if store_url.endswith(".db") else "postgresql")
    assert info["schema_version"] == len(info["migrations"]) >= 5
    if info["backend"] == "postgresql":
        assert info["encoding"] == "UTF8"
        assert "@" in info["location"]
        assert ":" not in info["location"].split("@")[0].removeprefix("postgresql://")


def test_import_and_stats_over_tm_db(
    store_url: str,
    seed_path: object,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TM_DB", store_url)
    code, _ = _run(["import", str(seed_path), "--json"], capsys)
    assert code == ExitCode.OK
    code, out = _run(["stats", "--json"], capsys)
    stats = json.loads(out)
    assert stats["by_segtype"]["paragraph"] == 305
    assert stats["occurrences"] >= 334
