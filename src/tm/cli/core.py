"""Core verbs: import, export, stats, and the db group (migrate, info)."""

from __future__ import annotations

import sys

import click

from tm.cli import cli
from tm.cli.options import (
    db_option,
    dest_of,
    echo_json,
    encoding_option,
    format_option,
    glossary_option,
    input_format_option,
    json_option,
    open_service,
    progress_bar,
)
from tm.service import EXPORT_FORMATS, export_format, import_report_dict


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
@input_format_option
@encoding_option
@click.option(
    "--include-unconfirmed",
    is_flag=True,
    help="Also take unconfirmed targets (XLIFF fuzzy or review states, no state) "
    "as lower-status units that look-ups mark and penalise.",
)
@click.option(
    "--user", help="Creator id for new units (default: $TM_USER or the login name)."
)
@click.option(
    "--no-sentences",
    is_flag=True,
    help="Paragraph units only: do not add sentence units aligned from them.",
)
@glossary_option
@json_option
@click.pass_context
def import_(
    ctx: click.Context,
    paths: tuple[str, ...],
    db: str | None,
    fmt: str | None,
    encoding: str | None,
    user: str | None,
    no_sentences: bool,
    glossary: str | None,
    include_unconfirmed: bool,
    as_json: bool,
) -> None:
    """Import bilingual files into the TM, one transaction per file.

    Reads the seed .txt, TMX, XLIFF 1.2/2.0, CSV and TSV (Excel's too), and an
    OmegaT project folder (its omegat/project_save.tmx, with OmegaT's authors and
    dates). Only confirmed translations enter: targets that are empty or copy the
    source are skipped, and so are unconfirmed ones (XLIFF fuzzy and review states,
    a target without state) unless --include-unconfirmed; the summary counts both.
    A malformed file changes nothing and exits with code 3; re-importing adds
    nothing. Paragraph pairs are also split and aligned into sentence units; the
    glossary's terms (when there is one) serve the aligner as anchors.

    \b
    Example:
      tm import examples/factor-reform-2025.zh-en.txt --db tm.db
      tm import reviewed.xlf omegat-project/
    """
    service = open_service(ctx, db, glossary=glossary)
    reports = []
    for path in paths:
        with progress_bar(ctx, f"importing {path}") as bar:
            report = service.import_file(
                path,
                fmt=fmt,
                encoding=encoding,
                progress=bar,
                user=user,
                sentences=not no_sentences,
                include_unconfirmed=include_unconfirmed,
            )
        reports.append(report)
        if not as_json:
            sentences = (
                f", {report.sentences_added} sentence units"
                if report.sentences_added
                else ""
            )
            if report.anchor_terms:
                sentences += (
                    f" (aligned with {report.anchor_terms} glossary terms as anchors)"
                )
            status = report.status_summary()
            click.echo(
                f"{path}: {report.read} read, {report.added} units added, "
                f"{report.duplicates} skipped as duplicates, {report.occurrences_added} new occurrences{sentences}"
                + (f"; {status}" if status else "")
            )
    if as_json:
        echo_json([import_report_dict(r) for r in reports])


@cli.command("export")
@db_option
@format_option(
    EXPORT_FORMATS,
    help="Default: from the output name (.tmx, .tsv, .csv); TMX for - or no extension.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    help="Output file (.tmx, .tsv or .csv), or - for stdout.",
)
@click.option(
    "--segtype",
    type=click.Choice(["paragraph", "sentence"]),
    help="Only units of this segtype.",
)
@click.option(
    "--source-lang", help="Language code to write for the source (default zh-CN)."
)
@click.option(
    "--target-lang", help="Language code to write for the target (default en-US)."
)
@click.pass_context
def export(
    ctx: click.Context,
    db: str | None,
    fmt: str | None,
    output: str,
    segtype: str | None,
    source_lang: str | None,
    target_lang: str | None,
) -> None:
    """Export the TM as TMX 1.4b, TSV or CSV (written atomically; -o - for stdout).

    The output name picks the format: x.tmx, x.tsv, x.csv; a name that contradicts
    --format, or any other extension, is refused (exit 2) and nothing is written.

    \b
    TMX carries everything. TSV and CSV put the source and target first and, after
    them, columns for segtype, status, authors and dates, tuid, and as JSON every
    occurrence with its context, props, notes and inline codes (shown in the text
    as {1}, {2} …), so they import back whole. They cannot carry a TMX header's
    props and notes, nor the database ids. TSV is tm's own: one unit per line, tab,
    line break and backslash in text written \\t \\n \\\\. CSV is for Excel:
    RFC 4180, UTF-8 with BOM, CRLF. tm import reads both, and Excel's own CSV/TSV.

    \b
    Example:
      tm export -o tm.tmx --segtype sentence
      tm export -o for-review.csv
    """
    fmt = export_format(output, fmt)
    service = open_service(ctx, db, create=False)
    n = service.export(
        dest_of(output),
        fmt=fmt,
        segtype=segtype,
        source_lang=source_lang,
        target_lang=target_lang,
    )
    if output != "-":
        click.echo(f"{output}: {n} units written", err=True)


@cli.command("stats")
@db_option
@json_option
@click.pass_context
def stats(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """Counts of units, occurrences, languages and documents in the TM.

    \b
    Example:
      tm stats --json
    """
    service = open_service(ctx, db, create=False)
    data = service.stats()
    if as_json:
        echo_json(data)
        return
    from rich.console import Console
    from rich.table import Table

    # the store's location, not --db: a PostgreSQL URL may carry a password
    table = Table(title=f"TM {service.location}", show_header=False)
    table.add_row("units", str(data["units"]))
    for segtype, n in data["by_segtype"].items():
        table.add_row(f"  {segtype}", str(n))
    table.add_row("occurrences", str(data["occurrences"]))
    table.add_row("languages", ", ".join(data["languages"]))
    table.add_row("documents", "\n".join(data["documents"]))
    Console(file=sys.stdout).print(table)


@cli.group("db")
def db_group() -> None:
    """Database maintenance: migrate, info."""


@db_group.command("migrate")
@db_option
@click.pass_context
def db_migrate(ctx: click.Context, db: str | None) -> None:
    """Apply pending schema migrations.

    \b
    Example:
      tm db migrate --db tm.db
    """
    service = open_service(ctx, db)
    done = service.migrate()
    click.echo(
        f"{len(done)} migrations applied" + (f": {', '.join(done)}" if done else "")
    )


@db_group.command("info")
@db_option
@json_option
@click.pass_context
def db_info(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """Backend, location, schema version and applied migrations.

    \b
    Example:
      tm db info --json
    """
    service = open_service(ctx, db, create=False)
    info = service.info()
    data = {
        "backend": info.backend,
        "location": info.location,
        "schema_version": info.schema_version,
        "migrations": list(info.migrations),
        **info.extra,
    }
    if as_json:
        echo_json(data)
    else:
        for k, v in data.items():
            click.echo(f"{k}: {v}")
