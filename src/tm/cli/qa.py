"""``tm qa``: check the TM (or a bilingual file) and report findings; mark false positives."""

from __future__ import annotations

import sys

import click

from tm.cli import cli
from tm.cli.options import db_option, open_service, progress_bar
from tm.errors import ExitCode
from tm.models import Severity

FORMATS = ("table", "json", "csv", "html")
SEVERITIES = tuple(s.value for s in Severity)


@cli.command("qa")
@click.argument(
    "args", nargs=-1, metavar="[FILE | mark FINGERPRINT | unmark FINGERPRINT]"
)
@db_option
@click.option(
    "--glossary",
    envvar="TM_GLOSSARY",
    type=click.Path(exists=True),
    help="Glossary file or directory for term checks (default ./glossary).",
)
@click.option("--checks", help="Comma-separated check names to run (default: all).")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write the report here."
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    help="Exit 1 when a finding at or above this severity exists.",
)
@click.option(
    "--note", default="", help="Why a finding is a false positive (with mark)."
)
@click.option(
    "--check", "check_name", default="", help="The check a marked finding came from."
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
def qa(
    ctx: click.Context,
    args: tuple[str, ...],
    db: str,
    glossary: str | None,
    checks: str | None,
    as_json: bool,
    fmt: str,
    output: str | None,
    fail_on: str | None,
    note: str,
    check_name: str,
    workers: int,
    show_info: bool,
    html_out: str | None,
    list_checks: bool,
) -> None:
    """Check the TM for inconsistencies, term errors, numbers, form; FILE checks a file
    (TMX, TSV, seed .txt) without importing it. `mark`/`unmark` a finding's fingerprint
    to record it as a false positive; later runs skip it.

    \b
    Example:
      tm qa --db tm.db --html qa.html --fail-on error
      tm qa examples/factor-reform-2025.zh-en.txt --checks untranslated-han,numbers
      tm qa mark 3f2a9c0d1e4b5a67 --note "name kept in Chinese on purpose"
    """
    if list_checks:
        from tm.qa import CHECKS

        for c in CHECKS.values():
            click.echo(f"{c.name:26} {c.severity.value:8} {c.title}")
        return
    if args and args[0] in ("mark", "unmark"):
        _mark(ctx, args, db, note, check_name)
        return
    if len(args) > 1:
        raise click.UsageError("give at most one FILE")
    wanted = checks.split(",") if checks else None
    with progress_bar(ctx, "checking") as bar:
        if args:
            from tm.service import TMService

            report = TMService.qa_file(
                args[0], checks=wanted, glossary=glossary, progress=bar, workers=workers
            )
        else:
            report = open_service(ctx, db).qa(
                checks=wanted, glossary=glossary, progress=bar, workers=workers
            )
    _render(report, "json" if as_json else fmt, output, show_info)
    if html_out:
        from tm.qa.report import write_html

        write_html(report, html_out, info=show_info)
    if fail_on and report.fails(fail_on):
        ctx.exit(ExitCode.ISSUES)


def _mark(
    ctx: click.Context, args: tuple[str, ...], db: str, note: str, check: str
) -> None:
    if len(args) != 2:
        raise click.UsageError(f"usage: tm qa {args[0]} FINGERPRINT")
    service = open_service(ctx, db)
    if args[0] == "mark":
        service.mark_false_positive(args[1], check=check, note=note)
        click.echo(f"marked {args[1]} as a false positive", err=True)
    else:
        service.unmark_false_positive(args[1])
        click.echo(f"unmarked {args[1]}", err=True)


def _render(report: object, fmt: str, output: str | None, info: bool) -> None:
    from tm.qa import QAReport
    from tm.qa.report import render_html, write_csv, write_html, write_json

    assert isinstance(report, QAReport)
    if fmt == "json":
        if output:
            from tm.formats._atomic import atomic_output

            with atomic_output(output, mode="w") as fh:
                write_json(report, fh)
        else:
            write_json(report, sys.stdout)
    elif fmt == "csv":
        write_csv(report, output or sys.stdout, info=info)
    elif fmt == "html":
        if output:
            write_html(report, output, info=info)
        else:
            click.echo(render_html(report, info=info))
    else:
        _table(report, info)
        if output:
            write_csv(report, output, info=info)


def _table(report: object, info: bool) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from tm.qa import QAReport
    from tm.qa.report import shown, summary_rows

    assert isinstance(report, QAReport)
    colors = {"error": "red", "warning": "yellow", "info": "blue"}
    console = Console()
    s = report.summary()
    summary = Table(
        title=f"{s['findings']} findings in {s['units']} units; "
        f"{s['suppressed']} marked false positive",
        title_justify="left",
    )
    for name in ("check", "error", "warning", "info"):
        summary.add_column(name, justify="right" if name in colors else "left")
    for name, _what, e, w, i in summary_rows(report):
        summary.add_row(name, str(e or ""), str(w or ""), str(i or ""))
    summary.add_row("total", *(str(n) for n in s["by_severity"].values()), style="bold")
    console.print(summary)
    findings = shown(report, info=info)
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
