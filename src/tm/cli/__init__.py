"""The ``tm`` command line: a click group; each verb group lives in its own module.

A command parses flags, calls one TMService method and renders. Errors become one line
on stderr (plus a hint) and an exit code from ``ExitCode``; a traceback only with
``--debug``. stdout carries data only.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from tm.cli.terminal import escape_controls, guard_terminal
from tm.errors import ExitCode, TMError

VERB_MODULES = ("core", "lookup", "terms", "qa", "analyze", "align", "tui", "serve")
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class TMGroup(click.Group):
    """Lists commands in the order they were added (import before export …)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


class DefaultCommandGroup(TMGroup):
    """A group that runs its ``default`` command when the first argument names none of
    its commands, so ``tm qa``, ``tm qa FILE`` and ``tm qa --json`` stay ``tm qa run …``
    while ``tm qa mark FINGERPRINT`` is a command of its own."""

    default = "run"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = args[0] if args else None
        if first not in self.commands and first not in ctx.help_option_names:
            args = [self.default, *args]
        return super().parse_args(ctx, args)

    def format_options(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        """The default command's options first (they are what ``tm qa -h`` is for)."""
        self.commands[self.default].format_options(ctx, formatter)
        self.format_commands(ctx, formatter)


@click.group(cls=TMGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="tm", prog_name="tm")
@click.option(
    "-v", "--verbose", count=True, help="More log output on stderr (-vv for debug)."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or log output.")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool, debug: bool) -> None:
    """tm: a Chinese→English translation memory and term base.

    \b
    Example:
      tm import examples/factor-reform-2025.zh-en.txt
      tm lookup "按照国家统一部署" --json
    """
    ctx.ensure_object(dict)
    if ctx.invoked_subcommand != "tui":  # Textual drives the terminal itself
        guard_terminal()
    ctx.obj["debug"] = debug
    ctx.obj["quiet"] = quiet
    level = logging.WARNING - 10 * verbose if not quiet else logging.ERROR
    logging.basicConfig(
        level=max(level, logging.DEBUG),
        format="%(message)s",
        handlers=[_RichOnFirstRecord()],
        force=True,
    )


class _RichOnFirstRecord(logging.Handler):
    """rich's ``RichHandler`` on stderr, made when the first record comes: most
    commands log nothing, and importing rich costs 20 ms of CPU (a twentieth of a
    first look-up)."""

    def __init__(self) -> None:
        super().__init__()
        self._rich: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._rich is None:
            from rich.console import Console
            from rich.logging import RichHandler

            self._rich = RichHandler(console=Console(stderr=True), show_path=False)
            self._rich.setFormatter(self.formatter)
        self._rich.emit(record)


def _register() -> None:
    """Import the verb modules: each adds its commands to ``cli``; ``tm --help`` lists
    them in this order. A module that fails to import is a bug: let it raise."""
    from importlib import import_module

    for name in VERB_MODULES:
        import_module(f"tm.cli.{name}")


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the CLI and map errors to exit codes."""
    _register()
    debug = "--debug" in (argv if argv is not None else sys.argv)
    try:
        rv = cli.main(args=argv, prog_name="tm", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Interrupted.", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except TMError as exc:
        if debug:
            raise
        report_error(exc)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(ExitCode.OK)
    except Exception as exc:  # the outermost entry point is the one place for this
        if debug:
            raise
        click.echo(
            escape_controls(
                f"tm: internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)"
            ),
            err=True,
        )
        sys.exit(ExitCode.INTERNAL)
    sys.exit(rv if isinstance(rv, int) else ExitCode.OK)


def report_error(exc: TMError) -> None:
    # Escaped even when piped: the message quotes file names and stored text.
    click.echo(escape_controls(f"tm: error: {exc}"), err=True)
    if exc.hint:
        click.echo(escape_controls(f"  hint: {exc.hint}"), err=True)
