"""Sentence alignment of paragraph pairs for ``tm align``: no TM needed, only the term
base's anchors (the same ones ``TMService.import_file`` gives the aligner)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tm.align import Alignment
    from tm.service.terms import TermService

NumberedAlignment = tuple[int, "Alignment"]


def align_file(
    path: str | Path,
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    terms: TermService | None = None,
) -> list[NumberedAlignment]:
    """Align every paragraph pair of a bilingual file, numbered as the file numbers them.

    Pairs of the seed format are numbered as the development set numbers them (bullet
    pairs from 0; the title pair is left out); TMX/TSV units by position.

    Raises:
        FormatError: the file is unreadable or malformed.
    """
    from tm.align import align_pairs, file_pairs

    anchors = terms.anchor_terms() if terms is not None else None
    pairs = file_pairs(path, fmt=fmt, encoding=encoding)
    results = align_pairs([(zh, en) for _, zh, en in pairs], terms=anchors)
    return [(index, al) for (index, _, _), al in zip(pairs, results, strict=True)]


def align_presegmented_file(
    path: str | Path, *, terms: TermService | None = None
) -> list[NumberedAlignment]:
    """Align JSON lines ``{"zh": [sentences], "en": [sentences]}`` as they are split.

    Raises:
        FormatError: unreadable file, bad JSON, or a line without two string lists.
    """
    from tm.align import align_presegmented, read_presegmented

    anchors = terms.anchor_terms() if terms is not None else None
    items = read_presegmented(path)
    return list(enumerate(align_presegmented(items, terms=anchors)))
