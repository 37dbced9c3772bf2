"""Reports the shells write or show: QA reports, analysis reports, the check list.

The shells decide where a report goes (``-`` means their stdout) and in which format;
these functions build the text or write it to a path (atomically) or a byte stream.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tm.service.output import Destination, text_output

if TYPE_CHECKING:
    from tm.analysis import Analysis
    from tm.qa import QAReport
    from tm.qa.base import Check

QA_REPORT_FORMATS = ("json", "csv", "html")


def qa_checks() -> list[Check]:
    """Every registered QA check (name, severity, title), in registry order."""
    from tm.qa import CHECKS

    return list(CHECKS.values())


def write_qa_report(report: QAReport, dest: Destination, *, fmt: str) -> int:
    """Write a QA report as JSON, CSV or a self-contained HTML page; returns the findings.

    Raises:
        ConfigError: an unknown format.
    """
    from tm.errors import ConfigError

    if fmt not in QA_REPORT_FORMATS:
        raise ConfigError(
            f"unknown QA report format {fmt!r}",
            hint=f"choose one of {', '.join(QA_REPORT_FORMATS)}",
        )
    with text_output(dest) as fh:
        if fmt == "json":
            json.dump(report.to_dict(), fh, ensure_ascii=False, indent=2)
        elif fmt == "csv":
            from tm.qa.report import write_csv

            write_csv(report, fh)
        else:
            fh.write(qa_report_html(report))
    return len(report.findings)


def qa_report_html(report: QAReport) -> str:
    """The QA report as one HTML page (inline CSS; no scripts, no network)."""
    from tm.qa.report import render_html

    return render_html(report)


def analysis_dict(result: Analysis) -> dict[str, object]:
    """The JSON shape of ``tm analyze --json``."""
    from tm.analysis import analysis_json

    return analysis_json(result)


def write_analysis_html(result: Analysis, dest: Destination) -> None:
    """Write the analysis as one HTML page with a bar chart."""
    from tm.analysis_report import analysis_html

    with text_output(dest) as fh:
        fh.write(analysis_html(result))
