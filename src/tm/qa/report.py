"""Write a QA report as JSON (streamed), CSV, or one self-contained HTML file.

Core code: no click, no rich. The terminal table is drawn by the CLI from
:func:`summary_rows` and the findings. JSON is written finding by finding, so a
million-unit report never exists as one string; JSON carries every finding, while the
views a person reads (table, HTML, CSV) leave info findings out unless asked.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from tm.formats._atomic import atomic_output
from tm.formats._cells import defuse_row
from tm.models import QAIssue, Severity, Span
from tm.qa import CHECKS, QAReport, finding_dict


def shown(report: QAReport, *, info: bool = False) -> list[QAIssue]:
    """The findings a person sees: errors and warnings, plus info when asked."""
    return [f for f in report.findings if info or f.severity is not Severity.INFO]


def summary_rows(report: QAReport) -> list[tuple[str, str, int, int, int]]:
    """(check, title, errors, warnings, infos) for every check that found something."""
    counts: dict[str, list[int]] = {}
    col = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    for f in report.findings:
        counts.setdefault(f.check, [0, 0, 0])[col[f.severity]] += 1
    return [
        (name, CHECKS[name].title if name in CHECKS else name, e, w, i)
        for name in report.checks
        if name in counts
        for e, w, i in [counts[name]]
    ]


def write_json(report: QAReport, fh: IO[str]) -> int:
    """Stream ``report.to_dict()``'s shape to ``fh``, one finding at a time.

    Returns the number of findings written.
    """
    fh.write('{"findings": [')
    n = 0
    for f in report.findings:
        fh.write(",\n  " if n else "\n  ")
        fh.write(json.dumps(finding_dict(f), ensure_ascii=False))
        n += 1
    summary = report.summary()
    summary["fingerprints"] = [f.fingerprint for f in report.findings]
    fh.write('\n],\n"summary": ')
    fh.write(json.dumps(summary, ensure_ascii=False))
    fh.write("}\n")
    return n


CSV_FIELDS = (
    "check",
    "severity",
    "units",
    "source",
    "target",
    "span",
    "message",
    "fix",
    "fingerprint",
)


def write_csv(
    report: QAReport, dest: str | Path | IO[str], *, info: bool = False
) -> int:
    """One row per finding shown; returns the number of rows. A path is replaced atomically."""
    findings = shown(report, info=info)
    if isinstance(dest, (str, Path)):
        with atomic_output(dest, mode="w") as fh:
            return _csv(findings, fh)
    return _csv(findings, dest)


def _csv(findings: Iterable[QAIssue], fh: IO[str]) -> int:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    n = 0
    for f in findings:
        span = f.span
        w.writerow(
            defuse_row(
                [
                    f.check,
                    f.severity.value,
                    " ".join(map(str, f.units)),
                    f.source,
                    f.target,
                    f"{span.side}:{span.start}-{span.end}:{span.text}" if span else "",
                    f.message,
                    f.fix,
                    f.fingerprint,
                ]
            )
        )
        n += 1
    return n


def render_html(
    report: QAReport, *, title: str = "tm QA report", info: bool = False
) -> str:
    """The report as one HTML page with inline CSS: a summary table by check and
    severity, then the findings grouped by severity and check (info only when asked)."""
    out = io.StringIO()
    out.write(_HEAD.format(title=html.escape(title)))
    s = report.summary()
    out.write(
        f"<h1>{html.escape(title)}</h1><p class=summary>{s['units']} units checked · "
        f"{s['findings']} findings ("
        + ", ".join(f"{n} {sev}" for sev, n in s["by_severity"].items())
        + f") · {s['suppressed']} marked false positive"
        + ("" if info else " · info findings not shown")
        + "</p>\n<table class=summary><tr><th>check</th><th>what it finds</th>"
        "<th>error</th><th>warning</th><th>info</th></tr>\n"
    )
    for name, what, e, w, i in summary_rows(report):
        out.write(
            f"<tr><td>{html.escape(name)}</td><td>{html.escape(what)}</td>"
            f"<td>{e}</td><td>{w}</td><td>{i}</td></tr>\n"
        )
    out.write("</table>\n")
    groups: dict[tuple[Severity, str], list[QAIssue]] = defaultdict(list)
    for f in shown(report, info=info):
        groups[(f.severity, f.check)].append(f)
    out.write("<nav><ul>")
    for (sev, check), items in groups.items():
        out.write(
            f'<li><a href="#{check}-{sev.value}"><span class="sev {sev.value}">{sev.value}</span> '
            f"{html.escape(check)} ({len(items)})</a></li>"
        )
    out.write("</ul></nav>\n")
    for (sev, check), items in groups.items():
        title_ = CHECKS[check].title if check in CHECKS else check
        out.write(
            f'<section id="{check}-{sev.value}"><h2><span class="sev {sev.value}">{sev.value}</span> '
            f"{html.escape(check)} — {html.escape(title_)} ({len(items)})</h2>\n<table>"
            "<tr><th>units</th><th>source</th><th>target</th><th>message</th><th>fix</th></tr>\n"
        )
        for f in items:
            out.write(
                "<tr>"
                f"<td class=ids>{' '.join(map(str, f.units[:12]))}{' …' if len(f.units) > 12 else ''}</td>"
                f"<td lang=zh>{_marked(f.source, f.spans, 'source')}</td>"
                f"<td lang=en>{_marked(f.target, f.spans, 'target')}</td>"
                f"<td>{html.escape(f.message)}</td><td>{html.escape(f.fix)}"
                f"<div class=fp title='tm qa mark {f.fingerprint}'>{f.fingerprint}</div></td></tr>\n"
            )
        out.write("</table></section>\n")
    out.write("</body></html>\n")
    return out.getvalue()


def write_html(
    report: QAReport,
    dest: str | Path,
    *,
    title: str = "tm QA report",
    info: bool = False,
) -> None:
    """Write :func:`render_html` to ``dest`` atomically."""
    with atomic_output(dest, mode="w") as fh:
        fh.write(render_html(report, title=title, info=info))


def _marked(text: str, spans: Iterable[Span], side: str) -> str:
    """``text`` escaped, with this side's spans wrapped in <mark>."""
    cuts = sorted(
        (s.start, s.end)
        for s in spans
        if s.side == side and 0 <= s.start < s.end <= len(text)
    )
    out, pos = [], 0
    for a, b in cuts:
        if a < pos:
            continue
        out.append(html.escape(text[pos:a]))
        out.append(f"<mark>{html.escape(text[a:b])}</mark>")
        pos = b
    out.append(html.escape(text[pos:]))
    return "".join(out)


_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body{{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#222}}
h1{{font-size:1.4em}} h2{{font-size:1.1em;margin-top:2em}}
table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}}
th{{background:#f4f4f4}} td.ids{{white-space:nowrap;color:#666;font-size:12px}}
mark{{background:#ffd54f;padding:0 1px}}
.sev{{display:inline-block;border-radius:3px;padding:0 5px;color:#fff;font-size:12px}}
.sev.error{{background:#c62828}} .sev.warning{{background:#ef6c00}} .sev.info{{background:#1565c0}}
.fp{{color:#999;font:11px monospace;margin-top:3px}}
nav ul{{columns:3;list-style:none;padding:0}} .summary{{color:#555}}
</style></head><body>
"""
