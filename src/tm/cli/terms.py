"""``tm terms``: find, list, add, import, export and extract glossary terms.

Each command parses flags, calls one ``TermService`` method and renders the result.
The term base is the glossary directory (``--glossary``, env ``TM_GLOSSARY``, else
``./glossary``); only ``extract`` opens the TM database (``TMService``).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from tm.cli import cli
from tm.cli.options import (
    UTF8_TEXT,
    binary_stdout,
    db_option,
    dest_of,
    echo_json,
    echo_jsonl,
    format_option,
    glossary_option,
    json_option,
    one_output,
    open_service,
    open_terms,
    progress_bar,
)
from tm.models import STATUSES, TermEntry, TermHit
from tm.service import (
    TERM_EXPORT_FORMATS,
    term_export_format,
    term_hit_dict,
    write_proposed_terms,
)

if TYPE_CHECKING:
    from tm.service import Candidate

STATUSES_CHOICE = list(STATUSES)


@cli.group("terms")
def terms() -> None:
    """The term base: find terms in text, list, add, import, export, extract.

    \b
    Example:
      tm terms find "健全城乡基准地价、标定地价的制定与发布制度" --json
    """


@terms.command("find")
@click.argument("text", type=UTF8_TEXT)
@glossary_option
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="zh: find the Chinese terms; en: find English renderings (incl. forbidden).",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES_CHOICE),
    help="Only entries with this status (repeatable).",
)
@json_option
def find_cmd(
    text: str, glossary: str | None, lang: str, statuses: tuple[str, ...], as_json: bool
) -> None:
    """Find glossary terms in TEXT (or in each line of stdin with TEXT = -).

    Longest match first, non-overlapping; start/end are character offsets.

    \b
    Example:
      tm terms find "推动规上企业开展职称自主评审" --json
      tm terms find - --json < sentences.txt     # one JSON line per input line
    """
    terms = open_terms(glossary)
    terms.load()  # a missing or malformed glossary fails before stdin is read
    filt = statuses or None
    if text != "-":
        hits = terms.find(text, lang=lang, statuses=filt)
        if as_json:
            echo_json([term_hit_dict(h) for h in hits])
        else:
            _print_hits(hits)
        return
    for n, line in enumerate(sys.stdin, 1):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        hits = terms.find(line, lang=lang, statuses=filt)
        if as_json:
            echo_jsonl({"line": n, "terms": [term_hit_dict(h) for h in hits]})
        else:
            click.echo(f"{n}:")
            _print_hits(hits)


def _print_hits(hits: list[TermHit]) -> None:
    for h in hits:
        extra = f" [{h.kind}]" if h.lang == "en" else ""
        click.echo(f"{h.start}-{h.end}\t{h.text}\t{h.entry.zh} → {h.entry.en}{extra}")


@terms.command("list")
@glossary_option
@click.option("--status", type=click.Choice(STATUSES_CHOICE), help="Only this status.")
@click.option("--category", help="Only this category.")
@json_option
def list_cmd(
    glossary: str | None, status: str | None, category: str | None, as_json: bool
) -> None:
    """List the glossary's entries (TSV: zh, en, status, category; or JSON).

    \b
    Example:
      tm terms list --category place_name
    """
    rows = open_terms(glossary).entries(status=status, category=category)
    if as_json:
        echo_json([entry_dict(e) for e in rows])
        return
    for e in rows:
        click.echo(f"{e.zh}\t{e.en}\t{e.status}\t{e.category}")


def entry_dict(e: TermEntry) -> dict[str, Any]:
    return {
        "zh": e.zh,
        "en": e.en,
        "variants": list(e.variants),
        "forbidden": list(e.forbidden),
        "note": e.note,
        "status": str(e.status),
        "category": e.category,
        "seen": dict(e.seen),
        "source": str(e.source) if e.source else None,
    }


@terms.command("add")
@click.argument("zh", type=UTF8_TEXT)
@click.argument("en", required=False, default="", type=UTF8_TEXT)
@click.option("--variant", "variants", multiple=True, help="Acceptable rendering.")
@click.option("--forbidden", multiple=True, help="Rendering to flag.")
@click.option("--note", default="", help="Definition or usage.")
@click.option(
    "--status",
    type=click.Choice(STATUSES_CHOICE),
    default=None,
    help="Default: approved; proposed when EN is not given (a term still waiting "
    "for its rendering).",
)
@click.option("--category", default="", help="place_name, institution, policy_term …")
@click.option(
    "--replace", "replace_existing", is_flag=True, help="Replace an equal zh+en entry."
)
@glossary_option
def add_cmd(zh: str, en: str, glossary: str | None, **fields: Any) -> None:
    """Add an entry to the glossary (the first YAML file of a directory).

    Without -g or TM_GLOSSARY, the entry goes to ./glossary, and a folder without one
    gets a new glossary/terms.zh-en.yaml: the glossary shipped with tm is edited only
    when named.

    Without EN the entry is proposed: a glossary holds approved and deprecated
    entries only with their English rendering.

    \b
    Example:
      tm terms add 规上企业 "enterprises above designated size" \\
         --forbidden "large-scale enterprises" --category policy_term
    """
    replace_existing = fields.pop("replace_existing")
    if fields["status"] is None:
        fields["status"] = "approved" if en.strip() else "proposed"
    entry = TermEntry(
        zh=zh,
        en=en,
        variants=tuple(fields["variants"]),
        forbidden=tuple(fields["forbidden"]),
        note=fields["note"],
        status=fields["status"],
        category=fields["category"],
    )
    terms = open_terms(glossary, edit=True)
    new_file = not terms.path.exists()
    added = terms.add(entry, replace_existing=replace_existing)
    click.echo(
        f"added {added.zh} → {added.en or '(no English yet)'} ({added.status}) "
        f"to {added.source}" + (" (a new glossary)" if new_file else ""),
        err=True,
    )


@terms.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@glossary_option
@click.option(
    "--into",
    type=click.Path(dir_okay=False),
    help="YAML file that receives new entries (default: the glossary's first file).",
)
@click.option(
    "--replace", "replace_existing", is_flag=True, help="Replace equal zh+en entries."
)
def import_cmd(
    source: str, glossary: str | None, into: str | None, replace_existing: bool
) -> None:
    """Merge a TBX (v3 or 2008), CSV/TSV (OmegaT) or YAML glossary into the term base.

    \b
    Example:
      tm terms import client-terms.tbx --into glossary/client.zh-en.yaml
    """
    counts = open_terms(glossary, edit=True).import_file(
        source, into=into, replace_existing=replace_existing
    )
    proposed = (
        f" ({counts.no_english} without English, kept as proposed)"
        if counts.no_english
        else ""
    )
    click.echo(
        f"{counts.added} added{proposed}, {counts.replaced} replaced, "
        f"{counts.skipped} already present",
        err=True,
    )


@terms.command("export")
@click.argument("dest", required=False)
@click.option(
    "-o", "--output", help="Output file, the same as DEST (- or none: stdout)."
)
@format_option(
    TERM_EXPORT_FORMATS,
    help="Default: from DEST's name (.tbx → TBX-Basic v3, .txt/.utf8/.tsv, .csv, "
    ".yaml); TBX for - .",
)
@glossary_option
def export_cmd(
    dest: str | None, output: str | None, fmt: str | None, glossary: str | None
) -> None:
    """Export the term base: TBX-Basic v3, TBX 2008 (martif), OmegaT tab text, CSV, YAML.

    TBX-Basic v3 passes the TBX-Basic DCA schematron and round-trips every field
    (category and seen as notes, a proposed entry's Chinese term as admitted).
    OmegaT reads tab text named .txt or .utf8 (not .tsv), CSV and TBX 2008; a
    forbidden rendering shows there marked FORBIDDEN. A name that contradicts
    --format, or an extension tm cannot write, is refused (exit 2).

    \b
    Example:
      tm terms export glossary.tbx
      tm terms export --format tbx2008 old-tools.tbx
      tm terms export -o omegat/glossary/terms.txt
    """
    dest = one_output(dest, output, default="-")
    fmt = term_export_format(dest, fmt)
    n = open_terms(glossary).export(dest_of(dest), fmt=fmt)
    click.echo(f"{n} entries written", err=True)


@terms.command("extract")
@db_option
@glossary_option
@click.option(
    "--top",
    default=300,
    show_default=True,
    help="How many of the best candidates (those already in the glossary are listed "
    "in the header, not proposed again).",
)
@click.option("--min-count", default=2, show_default=True, help="Least occurrences.")
@click.option(
    "--output", "-o", default="-", help="Write the proposed YAML here (default stdout)."
)
@json_option
@click.pass_context
def extract_cmd(
    ctx: click.Context,
    db: str | None,
    glossary: str | None,
    top: int,
    min_count: int,
    output: str,
    as_json: bool,
) -> None:
    """Propose terms from the TM: Chinese candidates with their English renderings.

    Output is proposed-status glossary YAML; candidates already in the glossary are
    listed in its header comment instead of repeated. Uses sentence units when the TM
    has them, else paragraph units.

    \b
    Example:
      tm terms extract --top 100 -o glossary-proposed.yaml
    """
    service = open_service(ctx, db, glossary=glossary, create=False)
    with progress_bar(ctx, "extracting terms", off=as_json) as bar:
        cands = service.extract_terms(top=top, min_count=min_count, progress=bar)
    if as_json:
        echo_json([_cand_dict(c) for c in cands])
        return
    write_proposed_terms(cands, binary_stdout() if output == "-" else output)
    if output != "-":
        new = sum(not c.in_glossary for c in cands)
        known = len(cands) - new
        click.echo(
            f"{new} new candidate{'s' if new != 1 else ''} written to {output}"
            + (
                f"; {known} already in the glossary, listed in its header"
                if known
                else ""
            ),
            err=True,
        )


def _cand_dict(c: Candidate) -> dict[str, Any]:
    return {
        "zh": c.zh,
        "en": c.en,
        "count": c.count,
        "units": c.units,
        "cvalue": c.cvalue,
        "score": c.score,
        "confidence": c.confidence,
        "in_glossary": c.in_glossary,
        "renderings": [
            {
                "en": r.en,
                "count": r.count,
                "total": r.total,
                "dice": r.dice,
                "proper": r.proper,
            }
            for r in c.renderings
        ],
    }
