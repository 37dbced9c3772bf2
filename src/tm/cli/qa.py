"""``tm qa``: check the TM (or a bilingual file) and report findings; ``tm qa mark`` and
``tm qa unmark`` record and forget false positives.

``tm qa`` is a group whose default command is ``run``: ``tm qa``, ``tm qa FILE`` and
``tm qa --db tm.db --json`` all run the checks, as they always did.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from tm.cli import DefaultCommandGroup, cli
from tm.cli.options import (
    binary_stdout,
    db_option,
    echo_json,
    format_option,
    glossary_option,
    open_service,
    open_terms,
    progress_bar,
)
from tm.errors import ExitCode
from tm.models import Severity
from tm.service import TMService, qa_checks, qa_report_html, write_qa_report

if TYPE_CHECKING:
    from tm.service import QAReport

FORMATS = ("table", "json", "csv", "html")
SEVERITIES = tuple(s.value for s in Severity)


@cli.group(
    "qa",
    cls=DefaultCommandGroup,
    options_metavar="[OPTIONS] [FILE]",
    subcommand_metavar="| mark FINGERPRINT | unmark FINGERPRINT",
)
def qa() -> None:
    """Check the TM for inconsistencies, term errors, numbers, form; FILE checks a file
    (TMX, TSV, seed .txt) without importing it. `mark`/`unmark` a finding's
    fingerprint to record it as a false positive; later runs skip it.

    Without a command, `tm qa …` runs `tm qa run …`.

    \b
    Example:
      tm qa --db tm.db --format html -o qa.html --fail-on error
      tm qa examples/factor-reform-2025.zh-en.txt --checks untranslated-han,numbers
      tm qa mark 3f2a9c0d1e4b5a67 --note "name kept in Chinese on purpose"
    """


@qa.command("run")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@db_option
@glossary_option
@click.option("--checks", help="Comma-separated check names to run (default: all).")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@format_option(FORMATS, default="table")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write the report here."
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    help="Exit 1 when a finding at or above this severity exists.",
)
@click.option(
    "--workers",
    type=int,
    default=1,
    show_default=True,
    help="Processes for a large TM (0 = one per CPU).",
)
@click.option("--list-checks", is_flag=True, help="List the checks and exit.")
@click.pass_context
def run(
    ctx: click.Context,
    file: str | None,
    db: str | None,
    glossary: str | None,
    checks: str | None,
    as_json: bool,
    fmt: str,
    output: str | None,
    fail_on: str | None,
    workers: int,
    list_checks: bool,
) -> None:
    """Check the TM for inconsistencies, term errors, numbers, form; FILE checks a file
    (TMX, TSV, seed .txt) without importing it.

    \b
    Example:
      tm qa --db tm.db --format html -o qa.html --fail-on error
      tm qa examples/factor-reform-2025.zh-en.txt --checks untranslated-han,numbers
    """
    if list_checks:
        for c in qa_checks():
            click.echo(f"{c.name:26} {c.severity.value:8} {c.title}")
        return
    wanted = checks.split(",") if checks else None
    with progress_bar(ctx, "checking") as bar:
        if file is not None:
            report = TMService.qa_file(
                file,
                terms=open_terms(glossary),
                checks=wanted,
                progress=bar,
                workers=workers,
            )
        else:
            service = open_service(ctx, db, glossary=glossary)
            report = service.qa(checks=wanted, progress=bar, workers=workers)
    _render(report, "json" if as_json else fmt, output)
    if fail_on and report.fails(fail_on):
        ctx.exit(ExitCode.ISSUES)


@qa.command("mark")
@click.argument("fingerprint")
@db_option
@click.option("--note", default="", help="Why the finding is a false positive.")
@click.option(
    "--check", "check_name", default="", help="The check the finding came from."
)
@click.pass_context
def mark(
    ctx: click.Context, fingerprint: str, db: str | None, note: str, check_name: str
) -> None:
    """Mark a finding (by the fingerprint a report shows) as a false positive; later
    runs leave it out and count it as marked.

    \b
    Example:
      tm qa mark 3f2a9c0d1e4b5a67 --note "name kept in Chinese on purpose"
    """
    open_service(ctx, db).mark_false_positive(fingerprint, check=check_name, note=note)
    click.echo(f"marked {fingerprint} as a false positive", err=True)


@qa.command("unmark")
@click.argument("fingerprint")
@db_option
@click.pass_context
def unmark(ctx: click.Context, fingerprint: str, db: str | None) -> None:
    """Forget a false-positive mark: later runs report the finding again.

    \b
    Example:
      tm qa unmark 3f2a9c0d1e4b5a67
    """
    open_service(ctx, db).unmark_false_positive(fingerprint)
    click.echo(f"unmarked {fingerprint}", err=True)


def _render(report: QAReport, fmt: str, output: str | None) -> None:
    if fmt == "json":
        if output:
            write_qa_report(report, output, fmt="json")
        else:
            echo_json(report.to_dict())
    elif fmt == "csv":
        write_qa_report(report, output or binary_stdout(), fmt="csv")
    elif fmt == "html":
        if output:
            write_qa_report(report, output, fmt="html")
        else:
            click.echo(qa_report_html(report))
    else:
        _table(report)
        if output:
            write_qa_report(report, output, fmt="csv")


def _table(report: QAReport) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    colors = {"error": "red", "warning": "yellow", "info": "blue"}
    table = Table(show_lines=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("check / units", max_width=26)
    table.add_column("finding", ratio=1)
    for f in report.findings:
        ids = " ".join(map(str, f.units[:6])) + (" …" if len(f.units) > 6 else "")
        body = Text(f.message)
        if f.span:
            body.append(f"\n{f.span.side}: ", style="dim").append(
                f.span.text[:80], style="bold"
            )
        if f.fix:
            body.append("\nfix: ", style="dim").append(f.fix)
        body.append(f"\n{f.fingerprint}", style="dim")
        table.add_row(
            Text(f.severity.value, style=colors[f.severity.value]),
            f"{f.check}\n{ids}",
            body,
        )
    console = Console(file=sys.stdout)
    console.print(table)
    s = report.summary()
    console.print(
        f"{s['findings']} findings in {s['units']} units ("
        + ", ".join(f"{n} {k}" for k, n in s["by_severity"].items())
        + f"); {s['suppressed']} marked false positive",
        highlight=False,
    )
