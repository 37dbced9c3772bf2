"""The term base: glossary files, term recognition in segments, edits and extraction.

Public API::

    from tm.terms import load_termbase
    tb = load_termbase("glossary/")          # every *.yaml in the directory
    for hit in tb.find("推动标定地价体系建设"):  # longest match first, non-overlapping
        print(hit.start, hit.end, hit.entry.en)
    tb.renderings_in(entry, "marked land prices")  # → forbidden hit
"""

from __future__ import annotations

from tm.models import (
    GlossaryHeader,
    HitKind,
    SourceRef,
    TermEntry,
    TermHit,
    TermStatus,
)
from tm.terms.base import (
    TermBase,
    default_glossary_path,
    load_termbase,
)
from tm.terms.glossary import dump_glossary, read_glossary, write_glossary

__all__ = [
    "GlossaryHeader",
    "HitKind",
    "SourceRef",
    "TermBase",
    "TermEntry",
    "TermHit",
    "TermStatus",
    "default_glossary_path",
    "dump_glossary",
    "load_termbase",
    "read_glossary",
    "write_glossary",
]
