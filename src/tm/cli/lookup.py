"""Look-up verbs: ``tm lookup`` (fuzzy matches, clause fragments, batches) and ``tm concordance``."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

import click

from tm.cli import cli
from tm.cli.options import (
    UTF8_TEXT,
    db_option,
    echo_json,
    echo_jsonl,
    json_option,
    limit_option,
    open_service,
    side_option,
)
from tm.errors import FormatError
from tm.models import ConcordanceHit, FragmentHit, Match
from tm.service import concordance_dict, fragment_dict, match_dict


def _mark(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The text with the given (start, end) spans in bold yellow."""
    out = []
    at = 0
    for start, end in sorted(spans):
        out.append(text[at:start])
        out.append(click.style(text[start:end], fg="yellow", bold=True))
        at = end
    out.append(text[at:])
    return "".join(out)


def _print_matches(matches: list[Match]) -> None:
    if not matches:
        click.echo("no whole match")
    for m in matches:
        spans = [(d.start, d.end) for d in m.diff if d.end > d.start]
        notes = "; ".join(p.detail for p in m.penalties)
        click.echo(f"{m.score:6.2f} {m.kind:<7} #{m.id}  {_mark(m.source, spans)}")
        if m.repaired_target is not None:
            done = [r.target_span for r in m.repairs if r.target_span]
            click.echo(f"{'':16}{_mark(m.repaired_target, done)}  (repaired)")
            click.echo(f"{'':16}TM: {m.target}")
        else:
            click.echo(f"{'':16}{m.target}")
        if notes:
            click.echo(f"{'':16}({notes})")
        for f in m.flags:
            click.echo(click.style(f"{'':16}! {f.check}: {f.message}", fg="red"))


def _print_hits(hits: list[ConcordanceHit], indent: str = "") -> None:
    for h in hits:
        src = _mark(h.unit.source, h.spans) if h.side == "source" else h.unit.source
        tgt = _mark(h.unit.target, h.spans) if h.side == "target" else h.unit.target
        score = f" {h.score:g}%" if h.english_scope else ""
        click.echo(f"{indent}×{h.frequency}{score} #{h.unit.id}  {src}")
        if h.english_scope == "clause":
            click.echo(f"{indent}{'':8}{h.english}  (the clause's English)")
        else:
            click.echo(f"{indent}{'':8}{tgt}")


def _print_fragments(found: list[FragmentHit]) -> None:
    for f in found:
        click.echo(f"「{f.clause}」")
        _print_hits(list(f.hits), indent="  ")
    if not found:
        click.echo("no clause found")


def _print_query(n: int, query: str) -> None:
    """A batch query's heading: its line number and text, a blank line before all
    but the first."""
    click.echo(("" if n == 1 else "\n") + click.style(f"{n}: {query}", bold=True))


def _remembered(queries: Iterable[str], asked: deque[str]) -> Iterator[str]:
    for q in queries:
        asked.append(q)
        yield q


def _lines(path: str) -> Iterator[str]:
    """The queries of a batch file, streamed; a line that is not UTF-8 stops it with
    its line number (the lines before it are already answered)."""
    with click.open_file(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise FormatError(
                    "<stdin>" if path == "-" else path,
                    n,
                    f"not valid UTF-8 (byte {raw[exc.start]:#04x})",
                    hint="a batch file is UTF-8, one query per line",
                ) from exc
            yield line.rstrip("\r\n")


@cli.command("lookup")
@click.argument("text", required=False, type=UTF8_TEXT)
@db_option
@click.option(
    "--min",
    "min_score",
    type=click.FloatRange(0, 100),
    default=70.0,
    show_default=True,
    help="Lowest score offered.",
)
@limit_option(5, "matches (per clause with --fragments)")
@click.option("--prev", help="The previous segment, for context (101) matches.")
@side_option(help="Search Chinese sources or English targets.")
@click.option(
    "--fragments",
    is_flag=True,
    help="Sub-segment recall: the clauses of TEXT found in TM units.",
)
@click.option(
    "--batch",
    "batch",
    metavar="FILE",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="One query per line (- for stdin): each query, then its matches; with "
    "--json, one JSON list per line.",
)
@json_option
@click.pass_context
def lookup(
    ctx: click.Context,
    text: str | None,
    db: str | None,
    min_score: float,
    limit: int,
    prev: str | None,
    side: str,
    fragments: bool,
    batch: str | None,
    as_json: bool,
) -> None:
    """Fuzzy matches for TEXT from the TM, best first.

    Scores: 101 context, 100 exact, 99 only formatting or punctuation differs, else
    the character edit similarity of the texts without their list labels and final
    full stops (numbers that differ cap it at 90 unless repair carried them over).

    \b
    Example:
      tm lookup "国务院:开展10个要素市场化配置综合改革试点" --db tm.db --json
      tm lookup --batch sentences.txt --db tm.db --json > matches.jsonl
    """
    if (text is None) == (batch is None):
        raise click.UsageError("give TEXT or --batch FILE (one of them)")
    service = open_service(ctx, db, create=False)
    if batch is not None:
        if fragments:
            for n, q in enumerate(_lines(batch), 1):
                found = service.fragments(q, limit=limit)
                if as_json:
                    echo_jsonl([fragment_dict(f) for f in found])
                else:
                    _print_query(n, q)
                    _print_fragments(found)
            return
        asked: deque[str] = deque()  # lookup_batch may read ahead of its results
        queries = _lines(batch) if as_json else _remembered(_lines(batch), asked)
        results = service.lookup_batch(
            queries, min_score=min_score, limit=limit, side=side
        )
        for n, result in enumerate(results, 1):
            if as_json:
                echo_jsonl([match_dict(m) for m in result])
            else:
                _print_query(n, asked.popleft())
                _print_matches(result)
        return
    assert text is not None
    if fragments:
        found = service.fragments(text, limit=limit)
        if as_json:
            echo_json([fragment_dict(f) for f in found])
            return
        _print_fragments(found)
        return
    matches = service.lookup(
        text, min_score=min_score, limit=limit, prev=prev, side=side
    )
    if as_json:
        echo_json([match_dict(m) for m in matches])
        return
    _print_matches(matches)
    if not matches:  # sub-segment recall: what the TM still has to offer
        for f in service.fragments(text, limit=limit):
            click.echo(f"「{f.clause}」")
            _print_hits(list(f.hits), indent="  ")


@cli.command("concordance")
@click.argument("text", type=UTF8_TEXT)
@db_option
@side_option(("source", "target", "both"), help="Which side to search.")
@limit_option(20, "units")
@json_option
@click.pass_context
def concordance(
    ctx: click.Context, text: str, db: str | None, side: str, limit: int, as_json: bool
) -> None:
    """Units whose source (or target) contains TEXT, any length, with the other side.

    Ranked by how often the same rendering recurs, then most recent first.

    \b
    Example:
      tm concordance 要素 --db tm.db --side source --json
    """
    service = open_service(ctx, db, create=False)
    hits = service.concordance(text, side=side, limit=limit)
    if as_json:
        echo_json([concordance_dict(h) for h in hits])
    elif hits:
        _print_hits(hits)
    else:
        click.echo("no hit")
