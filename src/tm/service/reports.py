"""Reports the shells write or show: QA reports, analysis reports, the check list.

The shells decide where a report goes (``-`` means their stdout) and in which format;
these functions build the text or write it to a path (atomically) or a byte stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tm.service.output import Destination, text_output

if TYPE_CHECKING:
    from tm.analysis import Analysis
    from tm.models import QAIssue
    from tm.qa import QAReport
    from tm.qa.base import Check

QA_REPORT_FORMATS = ("json", "csv", "html")


def qa_checks() -> list[Check]:
    """Every registered QA check (name, severity, title), in registry order."""
    from tm.qa import CHECKS

    return list(CHECKS.values())


def write_qa_report(
    report: QAReport, dest: Destination, *, fmt: str, info: bool = False
) -> int:
    """Write a QA report as JSON (streamed, every finding), CSV or a self-contained
    HTML page (info findings only with ``info``); returns the findings written.

    Raises:
        ConfigError: an unknown format.
    """
    from tm.errors import ConfigError
    from tm.qa.report import render_html, shown, write_csv, write_json

    if fmt not in QA_REPORT_FORMATS:
        raise ConfigError(
            f"unknown QA report format {fmt!r}",
            hint=f"choose one of {', '.join(QA_REPORT_FORMATS)}",
        )
    with text_output(dest) as fh:
        if fmt == "json":
            return write_json(report, fh)
        if fmt == "csv":
            return write_csv(report, fh, info=info)
        fh.write(render_html(report, info=info))
    return len(shown(report, info=info))


def qa_report_html(report: QAReport, *, info: bool = False) -> str:
    """The QA report as one HTML page (inline CSS; no scripts, no network)."""
    from tm.qa.report import render_html

    return render_html(report, info=info)


def qa_shown(report: QAReport, *, info: bool = False) -> list[QAIssue]:
    """The findings a person sees: errors and warnings, plus info when asked."""
    from tm.qa.report import shown

    return shown(report, info=info)


def qa_summary_rows(report: QAReport) -> list[tuple[str, str, int, int, int]]:
    """(check, title, errors, warnings, infos) for every check that found something."""
    from tm.qa.report import summary_rows

    return summary_rows(report)


def analysis_dict(result: Analysis) -> dict[str, object]:
    """The JSON shape of ``tm analyze --json``."""
    from tm.analysis import analysis_json

    return analysis_json(result)


def write_analysis_html(result: Analysis, dest: Destination) -> None:
    """Write the analysis as one HTML page with a bar chart."""
    from tm.analysis_report import analysis_html

    with text_output(dest) as fh:
        fh.write(analysis_html(result))
