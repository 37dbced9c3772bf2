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
    format_option,
    glossary_option,
    open_service,
    open_terms,
    progress_bar,
)
from tm.errors import ExitCode
from tm.models import Severity
from tm.service import (
    TMService,
    qa_checks,
    qa_report_html,
    qa_shown,
    qa_summary_rows,
    write_qa_report,
)

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
      tm qa --db tm.db --html qa.html --fail-on error
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
@click.option(
    "--info",
    "show_info",
    is_flag=True,
    help="Show info findings too (table, HTML, CSV; JSON always has them).",
)
@click.option(
    "--html",
    "html_out",
    type=click.Path(dir_okay=False),
    help="Also write the report as one HTML page to this file.",
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
    show_info: bool,
    html_out: str | None,
    list_checks: bool,
) -> None:
    """Check the TM for inconsistencies, term errors, numbers, form; FILE checks a file
    (TMX, TSV, seed .txt) without importing it.

    \b
    Example:
      tm qa --db tm.db --html qa.html --fail-on error
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
            service = open_service(ctx, db, glossary=glossary, create=False)
            report = service.qa(checks=wanted, progress=bar, workers=workers)
    _render(report, "json" if as_json else fmt, output, show_info)
    if html_out:
        write_qa_report(report, html_out, fmt="html", info=show_info)
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


def _render(report: QAReport, fmt: str, output: str | None, info: bool) -> None:
    if fmt == "json":
        write_qa_report(report, output or binary_stdout(), fmt="json")
    elif fmt == "csv":
        write_qa_report(report, output or binary_stdout(), fmt="csv", info=info)
    elif fmt == "html":
        if output:
            write_qa_report(report, output, fmt="html", info=info)
        else:
            click.echo(qa_report_html(report, info=info))
    else:
        _table(report, info)
        if output:
            write_qa_report(report, output, fmt="csv", info=info)


def _table(report: QAReport, info: bool) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    colors = {"error": "red", "warning": "yellow", "info": "blue"}
    console = Console(file=sys.stdout)
    s = report.summary()
    summary = Table(
        title=f"{s['findings']} findings in {s['units']} units; "
        f"{s['suppressed']} marked false positive",
        title_justify="left",
    )
    for name in ("check", "error", "warning", "info"):
        summary.add_column(name, justify="right" if name in colors else "left")
    for name, _what, e, w, i in qa_summary_rows(report):
        summary.add_row(name, str(e or ""), str(w or ""), str(i or ""))
    summary.add_row("total", *(str(n) for n in s["by_severity"].values()), style="bold")
    console.print(summary)
    findings = qa_shown(report, info=info)
    if not findings:
        return
    table = Table(show_lines=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("check / units", max_width=26)
    table.add_column("finding", ratio=1)
    for f in findings:
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
    console.print(table)
    hidden = len(report.findings) - len(findings)
    console.print(
        f"{len(findings)} findings shown"
        + (f"; {hidden} info findings hidden (--info shows them)" if hidden else ""),
        highlight=False,
    )
