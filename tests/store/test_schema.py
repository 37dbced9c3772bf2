"""The one column list: a column added there reaches existing databases through the
migration its ``since`` names, on both backends, and the runner applies each step once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tm.models import TranslationUnit
from tm.store import Store, open_store
from tm.store.schema import (
    OCCURRENCE_COLUMNS,
    UNIT_COLUMNS,
    Column,
    Migration,
    ordered,
)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as s:
        yield s


def test_a_new_column_is_one_line(store: Store) -> None:
    """A column with ``since`` becomes an ALTER TABLE in that step; data stays."""
    store.add_units([TranslationUnit("已有的句子", "An existing sentence")])
    usage = Column("x_usage_count", "INTEGER NOT NULL DEFAULT 0", since="9001_usage")
    tables = (("units", (*UNIT_COLUMNS, usage)), ("occurrences", OCCURRENCE_COLUMNS))
    ran: list[str] = []
    steps = ordered(
        [*store.migrations, Migration("9001_usage", run=lambda s: ran.append("py"))],  # type: ignore[attr-defined]
        tables,
    )
    (step,) = [m for m in steps if m.name == "9001_usage"]
    assert step.sql == (
        "ALTER TABLE units ADD COLUMN x_usage_count INTEGER NOT NULL DEFAULT 0;\n"
    )
    store.migrations = steps  # type: ignore[attr-defined]
    assert store.migrate() == ["9001_usage"]
    assert ran == ["py"]
    assert store.migrate() == []
    rows = store._query("SELECT source, x_usage_count FROM units")  # type: ignore[attr-defined]
    assert [tuple(r) for r in rows] == [("已有的句子", 0)]
    assert store.info().migrations[-1] == "9001_usage"
