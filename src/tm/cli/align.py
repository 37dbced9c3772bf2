"""The ``tm align`` verb: sentence alignment of paragraph pairs, printed as JSON lines.

Alignment needs no TM: only the term base's anchors (``TermService``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from tm.cli import cli
from tm.cli.options import (
    echo_jsonl,
    encoding_option,
    glossary_option,
    input_format_option,
    json_option,
    open_terms,
)
from tm.service import align_file, align_presegmented_file

if TYPE_CHECKING:
    from tm.service import Alignment


@cli.command("align")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--presegmented",
    type=click.Path(dir_okay=False),
    help='JSON lines {"zh": [sentences], "en": [sentences]}, aligned as they are.',
)
@input_format_option
@encoding_option
@glossary_option
@json_option
def align(
    path: str | None,
    presegmented: str | None,
    fmt: str | None,
    encoding: str | None,
    glossary: str | None,
    as_json: bool,
) -> None:
    """Split paragraph pairs into sentences and align them (1-1, 1-2, 2-1, 1-3, …).

    With --json, one line per pair: {"pair", "zh", "en", "links", "confidence"}, where
    a link is [[zh indices], [en indices]]. Pairs of a bulleted bilingual .txt are
    numbered from 0 in file order (the title pair above the bullets is left out).
    The glossary's terms, when there is one, are anchors, as in ``tm import``.

    \b
    Example:
      tm align examples/factor-reform-2025.zh-en.txt --json
      tm align --presegmented gold.jsonl --json
    """
    if (path is None) == (presegmented is None):
        raise click.UsageError("give either PATH or --presegmented FILE.jsonl")
    terms = open_terms(glossary)
    if presegmented is not None:
        numbered = align_presegmented_file(presegmented, terms=terms)
    else:
        numbered = align_file(path or "", fmt=fmt, encoding=encoding, terms=terms)
    for index, al in numbered:
        if as_json:
            echo_jsonl(alignment_record(index, al))
        else:
            _echo_text(index, al)


def alignment_record(index: int, al: Alignment) -> dict[str, Any]:
    """The JSON shape of one aligned pair."""
    return {
        "pair": index,
        "zh": list(al.zh),
        "en": list(al.en),
        "links": [[list(lk.zh), list(lk.en)] for lk in al.links],
        "confidence": [lk.confidence for lk in al.links],
    }


def _echo_text(index: int, al: Alignment) -> None:
    click.echo(f"pair {index}")
    for lk in al.links:
        flag = "  REVIEW" if lk.review else ""
        click.echo(f"  {list(lk.zh)} ↔ {list(lk.en)}  {lk.confidence:.2f}{flag}")
        for i in lk.zh:
            click.echo(f"    zh: {al.zh[i]}")
        for j in lk.en:
            click.echo(f"    en: {al.en[j]}")
