"""Shared CLI options as decorators, and small rendering helpers."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from tm.service import TMService
from tm.store import DEFAULT_DB

F = TypeVar("F", bound=Callable[..., Any])


def db_option(f: F) -> F:
    return click.option(
        "--db",
        envvar="TM_DB",
        default=DEFAULT_DB,
        show_default=True,
        metavar="PATH|URL",
        help="TM database: a SQLite file, or postgresql://… (env TM_DB).",
    )(f)


def glossary_option(f: F) -> F:
    return click.option(
        "--glossary",
        "-g",
        envvar="TM_GLOSSARY",
        default=None,
        metavar="PATH",
        help="Glossary file or directory (env TM_GLOSSARY; default ./glossary).",
    )(f)


def json_option(f: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON on stdout."
    )(f)


def open_service(ctx: click.Context, db: str, **kw: Any) -> TMService:
    """Open the service and close it when the command ends (sqlite-utils' call_on_close)."""
    service = TMService.open(db, **kw)
    ctx.call_on_close(service.close)
    return service


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def echo_jsonl(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


@contextlib.contextmanager
def progress_bar(
    ctx: click.Context, description: str, total: int | None = None
) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr fed by a core progress callback; silent when piped or -q."""
    quiet = (ctx.find_root().obj or {}).get("quiet") or not sys.stderr.isatty()
    if quiet:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as prog:
        task = prog.add_task(description, total=total)
        yield lambda n: prog.update(task, completed=n)
