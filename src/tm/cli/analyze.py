"""Verbs for project managers: analyze a new document, pre-translate it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from tm.cli import cli
from tm.cli.options import (
    db_option,
    dest_of,
    echo_json,
    encoding_option,
    format_option,
    glossary_option,
    json_option,
    open_service,
)
from tm.service import analysis_dict, pretranslate_format, write_analysis_html

if TYPE_CHECKING:
    from tm.service import Analysis


@cli.command("analyze")
@click.argument("path", type=click.Path(dir_okay=False))
@db_option
@glossary_option
@click.option(
    "--min",
    "min_score",
    type=click.FloatRange(0, 100),
    default=50,
    show_default=True,
    help="Lowest score that counts as a match.",
)
@click.option(
    "--weights",
    type=click.Path(dir_okay=False),
    help="YAML weight table {band: share}.",
)
@click.option(
    "--html",
    "html_out",
    type=click.Path(dir_okay=False),
    help="Also write an HTML report here.",
)
@encoding_option
@json_option
@click.pass_context
def analyze(
    ctx: click.Context,
    path: str,
    db: str | None,
    glossary: str | None,
    min_score: float,
    weights: str | None,
    html_out: str | None,
    encoding: str | None,
    as_json: bool,
) -> None:
    """How much of a new document the TM already has: bands, repetitions, terms.

    Reads plain text (web-page residue is listed, not counted), the bulleted bilingual
    format's Chinese side, XLIFF or TMX sources; segments them with the TM's rules.

    \b
    Example:
      tm analyze examples/changzhutan-action-plan.zh.txt --db tm.db
    """
    service = open_service(ctx, db, glossary=glossary, create=False)
    result = service.analyze(
        path, min_score=min_score, weights=weights, encoding=encoding
    )
    if html_out:
        write_analysis_html(result, html_out)
    if as_json:
        echo_json(analysis_dict(result))
        return
    _print_table(result)


def _print_table(result: Analysis) -> None:
    from rich.console import Console
    from rich.table import Table

    from tm.service import BAND_COLOURS, BANDS

    total = max(result.totals.chars, 1)
    table = Table(
        title=f"Analysis of {result.document} (characters: Chinese has no words)"
    )
    for col in ("band", "segments", "chars", "share", "weight"):
        table.add_column(col, justify="left" if col == "band" else "right")
    for b in BANDS:
        c = result.bands[b]
        table.add_row(
            f"[{BAND_COLOURS[b]}]■[/] {b}",
            str(c.segments),
            str(c.chars),
            f"{100 * c.chars / total:.1f}%",
            f"{result.weights.get(b, 1.0):.2f}",
        )
    table.add_row(
        "total", str(result.totals.segments), str(result.totals.chars), "100%", ""
    )
    console = Console(file=sys.stdout)
    console.print(table)
    with_terms = sum(1 for r in result.segments if r.terms)
    console.print(
        f"weighted total: {result.weighted_chars:,.0f} characters; "
        f"{with_terms} of {result.totals.segments} segments contain glossary terms"
    )
    if result.residue:
        console.print(
            f"page residue set aside (not counted): {len(result.residue)} lines, "
            + ", ".join(f"line {r.line}" for r in result.residue)
        )


@cli.command("pretranslate")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    required=True,
    help="Output: a .xlf, a .tmx, a folder (an OmegaT project), or - for stdout.",
)
@db_option
@glossary_option
@format_option(
    ("xliff12", "xliff20", "tmx", "omegat"),
    help="Default: from the output name (.xlf → xliff12, .tmx, a folder → omegat). "
    "tmx writes the TM units the document used (a project TM).",
)
@click.option(
    "--min",
    "min_score",
    type=click.FloatRange(0, 101),
    default=75,
    show_default=True,
    help="Matches at or above this become the target (for review).",
)
@click.option(
    "--alternatives",
    type=click.IntRange(0, 20),
    default=3,
    show_default=True,
    help="Other candidates per segment (alt-trans / mtc:match).",
)
@click.option(
    "--project-tm",
    type=click.Path(dir_okay=False),
    help="Also write the used matches as TMX here.",
)
@encoding_option
@json_option
@click.pass_context
def pretranslate(
    ctx: click.Context,
    path: str,
    output: str,
    db: str | None,
    glossary: str | None,
    fmt: str | None,
    min_score: float,
    alternatives: int,
    project_tm: str | None,
    encoding: str | None,
    as_json: bool,
) -> None:
    """Pre-translate a document: XLIFF 1.2/2.0, a project TMX, or an OmegaT project.

    Matches offered as targets stay for review (XLIFF needs-review / initial);
    other candidates go in as alternatives, glossary terms as notes.
    --format omegat -o DIR writes a project OmegaT opens as is: the document in
    source/, segmented by tm's rules; exact and context matches in tm/auto/
    (inserted on opening), fuzzy ones in tm/; the term base in glossary/, forbidden
    renderings marked FORBIDDEN. tm import DIR brings the translator's work back.
    A name that contradicts --format, or an extension tm cannot write, is refused
    (exit 2) and nothing is written.

    \b
    Example:
      tm pretranslate examples/changzhutan-action-plan.zh.txt -o cztan.xlf --project-tm cztan.tmx
      tm pretranslate examples/changzhutan-action-plan.zh.txt --format omegat -o cztan-omegat
    """
    fmt = pretranslate_format(output, fmt)
    service = open_service(ctx, db, glossary=glossary, create=False)
    report = service.pretranslate(
        path,
        dest_of(output),
        fmt=fmt,
        min_score=min_score,
        alternatives=alternatives,
        project_tm=project_tm,
        encoding=encoding,
    )
    data: dict[str, object] = {
        "output": output,
        "format": fmt,
        "segments": report.segments,
        "translated": report.translated,
        "exact": report.exact,
        "with_alternatives": report.with_alternatives,
        "with_terms": report.with_terms,
        "project_tm_units": report.used_units,
    }
    project = report.project
    if project is not None:
        data["omegat"] = {
            "document": project.document,
            "auto": project.auto,
            "reference": project.reference,
            "glossary_entries": project.glossary,
        }
    if as_json:
        echo_json(data)
    elif output != "-":
        click.echo(
            f"{output}: {report.segments} segments, {report.translated} pre-translated "
            f"({report.exact} exact), {report.with_alternatives} with alternatives, "
            f"{report.with_terms} with terms",
            err=True,
        )
        if project is not None:
            click.echo(
                f"{output}: OmegaT project: source/{project.document}, "
                f"{project.auto} matches in tm/auto/, {project.reference} in tm/, "
                f"{project.glossary} glossary entries",
                err=True,
            )
