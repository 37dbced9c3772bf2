"""Store backends behind one protocol: a path or ``sqlite://`` opens SQLite,
``postgresql://`` opens PostgreSQL (extra ``tm[postgres]``)."""

from __future__ import annotations

from pathlib import Path

from tm.locations import DEFAULT_DB
from tm.store.base import Store


def open_store(
    url: str | Path | None = None, *, create: bool = True, readonly: bool = False
) -> Store:
    """Open the store at ``url`` (a file path, ``sqlite:///path``, or ``postgresql://…``).

    Raises:
        StoreError: the database cannot be opened or is from a newer tm.
        ConfigError: PostgreSQL was asked for but psycopg is not installed.
    """
    url = str(url or DEFAULT_DB)
    if url.startswith(("postgresql://", "postgres://")):
        from tm.store.postgres import PostgresStore

        return PostgresStore(url, create=create, readonly=readonly)
    if url.startswith("sqlite:///"):
        url = url[len("sqlite:///") :]
    elif url.startswith("sqlite://"):
        url = url[len("sqlite://") :] or ":memory:"
    from tm.store.sqlite import SQLiteStore

    return SQLiteStore(url, create=create, readonly=readonly)


__all__ = ["DEFAULT_DB", "Store", "open_store"]
