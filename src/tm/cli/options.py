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
from typing import IO, Any, Protocol, TypeVar

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
        help="Glossary file or directory (env TM_GLOSSARY; default ./glossary, else "
        "the glossary shipped with tm).",
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


@contextlib.contextmanager
def discard_on_failure(service: TMService) -> Iterator[None]:
    """Delete the database a failed command created (a first import that failed),
    so no empty ``tm.db`` is left for later commands to take for a TM."""
    try:
        yield
    except BaseException:
        service.discard_if_created()
        raise


def open_terms(glossary: str | Path | None, *, edit: bool = False) -> TermService:
    """The term base named by ``--glossary`` (or the default one); with ``edit``, the
    one edits go to (never the shipped glossary outside the checkout)."""
    return TermService.for_editing(glossary) if edit else TermService(glossary)


def one_output(
    positional: str | None, option: str | None, *, default: str | None
) -> str:
    """The output named either way, ``DEST`` or ``-o DEST`` (commands take both), or
    ``default``; naming two different outputs is a usage error."""
    if positional is not None and option is not None and positional != option:
        raise click.UsageError(f"two outputs named: {positional} and -o {option}")
    out = option if option is not None else positional
    if out is None:
        if default is None:
            raise click.UsageError("name the output: -o FILE (or - for stdout)")
        return default
    return out


def tm_elsewhere() -> str | None:
    """Where the running tm is when typing ``tm`` would not find it (the virtual
    environment not activated), relative to the current folder when inside it."""
    import shutil

    argv0 = sys.argv[0] if sys.argv else ""
    if Path(argv0).name != "tm":  # python -m tm, a test runner
        return None
    here = Path(argv0).resolve()
    on_path = shutil.which("tm")
    if on_path and Path(on_path).resolve() == here:
        return None
    try:
        return str(here.relative_to(Path.cwd()))
    except ValueError:
        return str(here)


def suggest_next(ctx: click.Context, db: str | None, *commands: str) -> None:
    """The next useful commands, one line on stderr (not with -q), and how to reach
    tm when ``tm`` is not on PATH."""
    if (ctx.find_root().obj or {}).get("quiet"):
        return
    where = f" (each with --db {db})" if db else ""
    click.echo("next: " + " · ".join(f"tm {c}" for c in commands) + where, err=True)
    path = tm_elsewhere()
    if path:
        bin_dir = Path(path).parent
        click.echo(
            f"  tm is {path}: . {bin_dir / 'activate'} puts it on PATH", err=True
        )


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


class Progress(Protocol):
    """What :func:`progress_bar` yields: a core progress callback, ``(done)`` or
    ``(done, total)`` when the core knows the total."""

    def __call__(self, done: int, total: int | None = None) -> None: ...


@contextlib.contextmanager
def progress_bar(
    ctx: click.Context,
    description: str,
    total: int | None = None,
    *,
    off: bool = False,
) -> Iterator[Progress]:
    """A rich progress bar on stderr fed by a core progress callback (the core never
    prints). Shown only when stderr is a terminal: not when piped, not with -q, and
    not with ``off`` (commands pass their --json flag)."""
    quiet = (ctx.find_root().obj or {}).get("quiet") or not sys.stderr.isatty()
    if quiet or off:
        yield lambda done, total=None: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import (
        Progress as Bar,
    )

    with Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(file=raw_stderr()),
        transient=True,
    ) as prog:
        task = prog.add_task(description, total=total)

        def update(done: int, total: int | None = None) -> None:
            if total is not None:
                prog.update(task, completed=done, total=total)
            else:
                prog.update(task, completed=done)

        yield update


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
