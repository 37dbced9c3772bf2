"""CSV cells that a spreadsheet will not run as formulas.

Excel, LibreOffice and Google Sheets read a cell that starts with ``=``, ``+``, ``-``
or ``@`` (or a tab or carriage return before one) as a formula: a QA finding quoting
``=HYPERLINK(…)`` from a TM would become a live link, ``=cmd|…`` worse. Such a cell
is written with a leading apostrophe, the spreadsheets' own "this is text" mark (the
OWASP advice for CSV injection). Reading removes exactly one apostrophe from a cell
that starts with one or more of them and then a trigger, so every text round-trips:
``=x`` → ``'=x`` → ``=x``, and ``'=x`` → ``''=x`` → ``'=x``.
"""

from __future__ import annotations

import re

_TRIGGER = re.compile(r"'*[=+\-@\t\r]")
_MARKED = re.compile(r"'+[=+\-@\t\r]")


def defuse_cell(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet reads as a formula."""
    return "'" + text if _TRIGGER.match(text) else text


def restore_cell(cell: str) -> str:
    """The text :func:`defuse_cell` wrote as ``cell``."""
    return cell[1:] if _MARKED.match(cell) else cell


def defuse_row(row: list[str] | tuple[str, ...]) -> list[str]:
    return [defuse_cell(c) for c in row]
