"""Databases written by an older tm open, migrate and read back exactly as before.

The fixtures under ``tests/data/store/`` were written by tm at commit 4c556e2 (see
``make_old_db.py`` there): a SQLite file and a PostgreSQL dump, each with what that tm
read back from it (every unit with all its occurrences, documents, QA marks, stats,
concordance ids and look-up results). This tm must migrate them and give the same
answers, then keep importing into them without doubling what they hold.
"""

from __future__ import annotations

import gzip
import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from tm.models import Occurrence, TranslationUnit
from tm.service import TMService
from tm.store import open_store
from tm.text.normalize import match_key

DATA = Path(__file__).resolve().parent.parent / "data" / "store"
OLD_SCHEMA = "tm_old_schema"


def _expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(gzip.decompress((DATA / name).read_bytes()))
    return data


def _plain(value: object) -> Any:
    """A value as the fixture's JSON holds it (tuples as lists)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


@pytest.fixture
def sqlite_old(tmp_path: Path) -> str:
    db = tmp_path / "old.db"
    db.write_bytes(gzip.decompress((DATA / "main-schema.db.gz").read_bytes()))
    return str(db)


@pytest.fixture
def postgres_old(postgres_url: str) -> str:
    """The old PostgreSQL TM restored into the fresh schema ``postgres_url`` points at."""
    import psycopg

    schema = postgres_url.rsplit("search_path%3D", 1)[1].split("%2C")[0]
    dump = gzip.decompress((DATA / "main-schema.pg.sql.gz").read_bytes()).decode()
    sql = "\n".join(
        line
        for line in dump.splitlines()
        if not line.startswith("\\") and line != f"CREATE SCHEMA {OLD_SCHEMA};"
    ).replace(OLD_SCHEMA, schema)
    with psycopg.connect(postgres_url.split("?")[0], autocommit=True) as conn:
        conn.execute(sql.encode())
    return postgres_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_db(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_old"), _expected(
            "main-schema.expected.json.gz"
        )
    return request.getfixturevalue("postgres_old"), _expected(
        "main-schema.pg.expected.json.gz"
    )


def test_old_database_reads_back_the_same(old_db: tuple[str, dict[str, Any]]) -> None:
    url, expected = old_db
    with open_store(url) as store:
        assert store.migrate() == []  # opening migrated it
        units = list(store.iter_units(all_occurrences=True))
        assert [_plain(asdict(u)) for u in units] == expected["units"]
        assert _plain(store.documents()) == expected["documents"]
        assert sorted(store.marks()) == expected["marks"]
        assert _plain(store.stats()) == expected["stats"]
        assert store.edit_version() == expected["edit_version"]
        for prev, ids in expected["units_after"].items():
            assert sorted(store.units_after(match_key(prev))) == ids
        for u in units[:20]:
            assert u.id in {x.id for x in store.exact(match_key(u.source))}
            assert u.id is not None
            assert store.occurrences(u.id) == [
                *([u.occurrence] if u.occurrence else []),
                *u.other_occurrences,
            ]


def test_old_database_concordance_and_lookup(
    old_db: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    """Concordance finds what the old tm found. Look-ups rank as they rank in a TM this
    tm wrote with the same units: the scores themselves changed since 4c556e2 (list
    labels and full stops as placeables, flags), and the fixture's ids still match."""
    url, expected = old_db
    old = [_old_unit(u) for u in expected["units"]]
    with TMService.open(tmp_path / "fresh.db") as fresh:
        fresh.store.add_units(old)
        want = {q: _ranked(fresh, q) for q in expected["lookups"]}
    with TMService.open(url) as service:
        for spec, ids in expected["concordance"].items():
            query, side = spec.split("|")
            got = [h.unit.id for h in service.concordance(query, side=side)]
            assert got == ids, spec
        for query, matches in expected["lookups"].items():
            found = service.lookup(query)
            assert _ranked(service, query) == want[query], query
            assert {m.unit.id for m in found} <= {m[0] for m in matches}, query


def _ranked(service: TMService, query: str) -> list[tuple[str, str, str, float, str]]:
    return [
        (m.unit.source, m.unit.target, str(m.unit.segtype), m.score, str(m.kind))
        for m in service.lookup(query)
    ]


def _old_unit(u: dict[str, Any]) -> TranslationUnit:
    """A fixture unit with its occurrences (for context matches), without its id."""
    occs = [Occurrence(**o) for o in (u["occurrence"], *u["other_occurrences"]) if o]
    return TranslationUnit(
        **_unit_fields(u),
        occurrence=occs[0] if occs else None,
        other_occurrences=tuple(occs[1:]),
    )


def test_old_database_keeps_importing(old_db: tuple[str, dict[str, Any]]) -> None:
    """Units already in the old TM are recognised; new ones get new ids."""
    url, expected = old_db
    old = [TranslationUnit(**_unit_fields(u)) for u in expected["units"]]
    with open_store(url) as store:
        again = store.add_units(old)
        assert (again.added, again.duplicates) == (0, len(old))
        new = store.add_units([TranslationUnit("新增的句子。", "A new sentence.")])
        assert new.added == 1
        (unit,) = store.exact(match_key("新增的句子。"))
        assert unit.id is not None
        assert unit.id > max(u["id"] for u in expected["units"])
        assert unit.tuid == str(unit.id)
        assert store.count_units() == len(old) + 1


def _unit_fields(u: dict[str, Any]) -> dict[str, Any]:
    """A fixture unit as TranslationUnit arguments, without its id or occurrences."""
    fields = {
        k: tuple(v) if isinstance(v, list) else v
        for k, v in u.items()
        if k not in ("id", "occurrence", "other_occurrences")
    }
    fields["props"] = tuple(tuple(p) for p in u["props"])
    return fields


def test_old_sqlite_copy_is_untouched_until_opened(
    sqlite_old: str, tmp_path: Path
) -> None:
    """A read-only open of an old database does not migrate it (nothing written)."""
    copy = tmp_path / "copy.db"
    shutil.copy(sqlite_old, copy)
    before = copy.read_bytes()
    with open_store(copy, readonly=True) as store:
        assert store.count_units() == len(
            _expected("main-schema.expected.json.gz")["units"]
        )
    assert copy.read_bytes() == before
