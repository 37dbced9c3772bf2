"""Shared CLI options as decorators (sqlite-utils' ``output_options``), and small
rendering helpers.

An option that several commands take is defined here once, with one help text;
the ones whose default differs by command are factories.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from tm.cli.terminal import raw_stderr
from tm.service import DEFAULT_DB, TermService, TMService

F = TypeVar("F", bound=Callable[..., Any])

INPUT_FORMATS = ("bilingual", "tmx", "tsv", "csv", "xliff")


def _not_empty(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is not None and not value.strip():
        # An empty --db (an unset shell variable) must not fall back to ./tm.db.
        raise click.BadParameter("an empty name; give a file or a postgresql:// URL")
    return value


def db_option(f: F) -> F:
    # No click envvar: TM_DB is resolved by the service (tm.locations), as everywhere.
    return click.option(
        "--db",
        default=None,
        metavar="PATH|URL",
        callback=_not_empty,
        help=f"TM database: a SQLite file, or postgresql://… (env TM_DB).  "
        f"[default: {DEFAULT_DB}]",
    )(f)


def glossary_option(f: F) -> F:
    return click.option(
        "--glossary",
        "-g",
        default=None,
        metavar="PATH",
        help="Glossary file or directory (env TM_GLOSSARY; default ./glossary).",
    )(f)


def json_option(f: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON on stdout."
    )(f)


def encoding_option(f: F) -> F:
    return click.option(
        "--encoding",
        help="The input file's encoding when it is not UTF-8 (or UTF-16 with a BOM).",
    )(f)


def input_format_option(f: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(INPUT_FORMATS),
        help="The input file's format (default: detected).",
    )(f)


def format_option(
    choices: Sequence[str], *, default: str | None = None, help: str | None = None
) -> Callable[[F], F]:
    """``--format`` for an output: one of ``choices``."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=default is not None,
        help=help,
    )


def limit_option(default: int, what: str) -> Callable[[F], F]:
    """``--limit N``: how many ``what`` at most."""
    return click.option(
        "--limit",
        type=click.IntRange(1),
        default=default,
        show_default=True,
        help=f"How many {what}.",
    )


def side_option(
    choices: Sequence[str] = ("source", "target"), *, help: str
) -> Callable[[F], F]:
    """``--side``: which side of the TM to search (source by default)."""
    return click.option(
        "--side",
        type=click.Choice(list(choices)),
        default="source",
        show_default=True,
        help=help,
    )


def open_service(
    ctx: click.Context,
    db: str | None,
    *,
    glossary: str | Path | None = None,
    create: bool = True,
) -> TMService:
    """Open the service and close it when the command ends (sqlite-utils' call_on_close)."""
    service = TMService.open(db, glossary=glossary, create=create)
    ctx.call_on_close(service.close)
    return service


def open_terms(glossary: str | Path | None) -> TermService:
    """The term base named by ``--glossary`` (or the default one)."""
    return TermService(glossary)


def binary_stdout() -> IO[bytes]:
    """Where ``-`` writes: stdout as bytes (the service encodes text as UTF-8)."""
    return sys.stdout.buffer


def dest_of(output: str) -> str | IO[bytes]:
    """An output path, or stdout for ``-``."""
    return binary_stdout() if output == "-" else output


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
        console=Console(file=raw_stderr()),
        transient=True,
    ) as prog:
        task = prog.add_task(description, total=total)
        yield lambda n: prog.update(task, completed=n)


class Utf8Text(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2
    """A text argument (a query, a term): refused when the shell passed bytes that are
    not UTF-8 (Python keeps them as lone surrogates, which no output can write)."""

    name = "text"

    def convert(self, value: Any, param: Any, ctx: click.Context | None) -> str:
        text = str(value)
        bad = next((c for c in text if "\udc80" <= c <= "\udcff"), None)
        if bad is not None:
            self.fail(
                f"not valid UTF-8 (byte {ord(bad) - 0xDC00:#04x}); "
                "is the terminal's encoding UTF-8?",
                param,
                ctx,
            )
        return text


UTF8_TEXT = Utf8Text()
