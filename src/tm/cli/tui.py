"""``tm tui``: open the terminal UI (lookup screen, or document mode on a file)."""

from __future__ import annotations

from pathlib import Path

import click

from tm.cli import cli
from tm.cli.options import db_option, glossary_option


@cli.command("tui")
@db_option
@glossary_option
@click.argument(
    "file",
    required=False,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
def tui_command(db: str | None, glossary: str | None, file: Path | None) -> None:
    """Open the terminal UI: the lookup screen, or document mode on FILE.

    Keys: F1 help, F2 lookup, F3 document, F4 QA review, F5 glossary, Ctrl+Q quit.

    \b
    Example:
      tm tui --db tm.db examples/changzhutan-action-plan.zh.txt
    """
    from tm.tui.app import make_app

    app = make_app(db, glossary=glossary, document=file)
    app.run()
