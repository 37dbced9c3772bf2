"""A self-contained HTML report of an analysis: band table, a bar chart, the segments."""

from __future__ import annotations

import html

from tm.analysis import BANDS, Analysis

BAND_COLOURS = {
    "101": "#1b7f3b",
    "100": "#2e9e4f",
    "95-99": "#6cbf4a",
    "85-94": "#b5d334",
    "75-84": "#f2c12e",
    "50-74": "#f08a24",
    "new": "#d9534f",
    "repetitions": "#5b8bd9",
}


def analysis_html(a: Analysis) -> str:
    """The report as one HTML page (inline CSS and SVG; no scripts, no network)."""
    total = max(a.totals.chars, 1)
    rows = "".join(
        f"<tr><td><span class=sw style='background:{BAND_COLOURS[b]}'></span>{b}</td>"
        f"<td>{a.bands[b].segments}</td><td>{a.bands[b].chars}</td>"
        f"<td>{100 * a.bands[b].chars / total:.1f}%</td><td>{a.weights.get(b, 1.0):.2f}</td></tr>"
        for b in BANDS
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>tm analysis: {html.escape(a.document)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em}}
table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:right}}
td:first-child,th:first-child{{text-align:left}} .sw{{display:inline-block;width:.9em;height:.9em;margin-right:.4em}}
.seg td{{text-align:left;vertical-align:top}} .band{{color:#fff;padding:0 .3em;border-radius:3px}}
</style></head><body>
<h1>Analysis of {html.escape(a.document)}</h1>
<p>{a.totals.segments} segments, {a.totals.chars} characters. Chinese has no words: sizes are
characters (every non-space character counts). Weighted total: {a.weighted_chars:,.0f} characters.</p>
{_chart(a)}
<table><tr><th>band</th><th>segments</th><th>characters</th><th>share</th><th>weight</th></tr>{rows}</table>
{_residue(a)}
<h2>Segments</h2>
<table class=seg><tr><th>#</th><th>band</th><th>source</th><th>best match (target)</th></tr>
{"".join(_segment_row(r) for r in a.segments)}
</table></body></html>
"""


def _chart(a: Analysis) -> str:
    total = max(a.totals.chars, 1)
    width, x, parts = 800, 0.0, []
    for b in BANDS:
        w = width * a.bands[b].chars / total
        if w > 0:
            parts.append(
                f"<rect x='{x:.1f}' y='0' width='{w:.1f}' height='28' fill='{BAND_COLOURS[b]}'>"
                f"<title>{b}: {a.bands[b].chars} chars</title></rect>"
            )
        x += w
    return f"<svg width='{width}' height='28' role='img' aria-label='bands by characters'>{''.join(parts)}</svg>"


def _residue(a: Analysis) -> str:
    if not a.residue:
        return ""
    items = "".join(
        f"<li>line {r.line}: {html.escape(r.text)} <em>({r.reason})</em></li>"
        for r in a.residue
    )
    return f"<h2>Page residue set aside (not counted)</h2><ul>{items}</ul>"


def _segment_row(r: object) -> str:
    seg = r.segment  # type: ignore[attr-defined]
    best = r.best  # type: ignore[attr-defined]
    band = r.band  # type: ignore[attr-defined]
    target = html.escape(best.unit.target) if best else ""
    score = f" ({best.score:g})" if best else ""
    return (
        f"<tr><td>{seg.index + 1}</td><td><span class=band style='background:{BAND_COLOURS[band]}'>"
        f"{band}</span>{score}</td><td>{html.escape(seg.source)}</td><td>{target}</td></tr>"
    )
