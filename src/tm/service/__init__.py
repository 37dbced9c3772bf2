"""The service layer: the one API the shells (CLI, TUI, HTTP server) call.

Three services, split by what they serve:

- :class:`TMService` — the translation memory: import, export, stats, db info and
  migration, look-up, concordance, fragments, analysis, pre-translation, QA and its
  false-positive marks, a unit's details, a reviewer's edit, term extraction.
- :class:`TermService` — the term base: load (read again when a file changes), find,
  list, add, edit, import, export. It is the term base's only writer.
- :class:`ProjectService` — a translator's document: its segments, its project TM
  layer, confirming, look-up across both layers, committing to the master, export.

Nothing here prints or reads ``sys.stdout``: methods return data, or write to a path
(replaced atomically) or to a byte stream the shell chose. The shells resolve ``-`` and
render. Environment variables and side-car file names are resolved in
``tm.locations``; caches belong to the service objects (a TMService owns its matchers,
a TermService its loaded term base), not to modules.

Layers, top to bottom; a package may import only from layers below it:

1. Shells: ``tm.cli``, ``tm.tui`` and ``tm.server``. They import only
   ``tm.service``, ``tm.models`` and ``tm.errors`` (and themselves); what they need
   from further down, the service re-exports. Only shells import click, rich or
   textual.
2. The service: ``tm.service`` (this package).
3. The core: ``tm.align``, ``tm.analysis``, ``tm.analysis_report``, ``tm.anchors``,
   ``tm.concordance``, ``tm.lattice``, ``tm.match``, ``tm.match_index``,
   ``tm.pretranslate``, ``tm.qa``, ``tm.terms``; below them ``tm.store``,
   ``tm.formats`` and ``tm.text``. ``tm.formats`` and ``tm.store`` never import each
   other (the service joins them), and ``tm.formats`` never imports ``tm.terms``.
4. The foundation every layer may use: ``tm.models``, ``tm.errors``, ``tm.locations``.

``[tool.importlinter]`` in pyproject.toml states these rules and
``tests/test_import_hygiene.py`` runs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tm.locations import (
    DEFAULT_DB,
    hand_serve_settings,
    serve_settings,
    server_token,
)
from tm.service.align import NumberedAlignment, align_file, align_presegmented_file
from tm.service.memory import (
    EXPORT_FORMATS,
    IMPORT_BYTES_FORMATS,
    LayerMatch,
    ProgressFn,
    TMService,
    TMStats,
    merge_layers,
)
from tm.service.output import (
    Destination,
    atomic_output,
    export_format,
    pretranslate_format,
    term_export_format,
    text_output,
    write_text,
)
from tm.service.project import (
    CommitReport,
    Confirmation,
    Count,
    Progress,
    ProjectService,
    is_project_finding,
)
from tm.service.render import (
    concordance_dict,
    fragment_dict,
    import_report_dict,
    match_dict,
    term_hit_dict,
)
from tm.service.reports import (
    QA_REPORT_FORMATS,
    analysis_dict,
    qa_checks,
    qa_report_html,
    qa_shown,
    qa_summary_rows,
    write_analysis_html,
    write_qa_report,
)
from tm.service.terms import (
    TERM_EXPORT_FORMATS,
    AnchorTerms,
    MergeCounts,
    TermService,
    contains,
    entry_contains,
    write_proposed_terms,
)

if TYPE_CHECKING:  # loaded on first use (see __getattr__): they pull in numpy, QA …
    from tm.align import Alignment, Link
    from tm.analysis import BANDS, Analysis, SegmentResult, band_of
    from tm.analysis_report import BAND_COLOURS
    from tm.pretranslate import PretranslateReport
    from tm.qa import QAReport
    from tm.qa.base import Check
    from tm.qa.terminology import TermUsage
    from tm.store.base import StoreInfo
    from tm.terms.extract import Candidate
    from tm.text.normalize import has_han

# Value types and helpers defined further down that shells need: re-exported here, so
# a shell names one module. Each is defined once, where it is built.
_LAZY = {
    "Alignment": "tm.align",
    "Link": "tm.align",
    "Analysis": "tm.analysis",
    "SegmentResult": "tm.analysis",
    "BANDS": "tm.analysis",
    "band_of": "tm.analysis",
    "BAND_COLOURS": "tm.analysis_report",
    "PretranslateReport": "tm.pretranslate",
    "QAReport": "tm.qa",
    "Check": "tm.qa.base",
    "TermUsage": "tm.qa.terminology",
    "StoreInfo": "tm.store.base",
    "Candidate": "tm.terms.extract",
    "has_han": "tm.text.normalize",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tm.service' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)


__all__ = [
    "BANDS",
    "BAND_COLOURS",
    "DEFAULT_DB",
    "EXPORT_FORMATS",
    "IMPORT_BYTES_FORMATS",
    "QA_REPORT_FORMATS",
    "TERM_EXPORT_FORMATS",
    "Alignment",
    "Analysis",
    "AnchorTerms",
    "Candidate",
    "Check",
    "CommitReport",
    "Confirmation",
    "Count",
    "Destination",
    "LayerMatch",
    "Link",
    "MergeCounts",
    "NumberedAlignment",
    "PretranslateReport",
    "Progress",
    "ProgressFn",
    "ProjectService",
    "QAReport",
    "SegmentResult",
    "StoreInfo",
    "TMService",
    "TMStats",
    "TermService",
    "TermUsage",
    "align_file",
    "align_presegmented_file",
    "analysis_dict",
    "atomic_output",
    "band_of",
    "concordance_dict",
    "contains",
    "entry_contains",
    "export_format",
    "fragment_dict",
    "hand_serve_settings",
    "has_han",
    "import_report_dict",
    "is_project_finding",
    "match_dict",
    "merge_layers",
    "pretranslate_format",
    "qa_checks",
    "qa_report_html",
    "qa_shown",
    "qa_summary_rows",
    "serve_settings",
    "server_token",
    "term_export_format",
    "term_hit_dict",
    "text_output",
    "write_analysis_html",
    "write_proposed_terms",
    "write_qa_report",
    "write_text",
]
