"""The evaluation report as one self-contained HTML file (figures inlined)."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from skindesk import DISCLAIMER
from skindesk.core.evaluation.figures import all_figures
from skindesk.core.evaluation.tables import failed_rows, key_metric_rows, meta_rows, per_class_rows

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
td, th { border-bottom: 1px solid #ddd; padding: 0.2rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #e8eef6; }
.summary { background: #f4f7fb; padding: 0.8rem 1rem; line-height: 1.5; }
.disclaimer { color: #555; font-size: 0.85rem; border-top: 1px solid #ccc; padding-top: 0.4rem; }
figure { display: inline-block; margin: 0.5rem; text-align: center; font-size: 0.8rem; }
figure img { max-width: 26rem; }
"""


def _table(rows: list[list[str]], header: bool = True) -> str:
    lines = []
    for i, row in enumerate(rows):
        tag = "th" if header and i == 0 else "td"
        lines.append("<tr>" + "".join(f"<{tag}>{html.escape(str(c))}</{tag}>" for c in row) + "</tr>")
    return "<table>" + "".join(lines) + "</table>"


def _figures(report: dict[str, Any]) -> str:
    parts = []
    for caption, png in all_figures(report):
        data = base64.b64encode(png).decode("ascii")
        parts.append(f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
                     f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    return "".join(parts)


def render_html_report(report: dict[str, Any]) -> str:
    """The report as an HTML document (a string)."""
    disclaimer = f'<p class="disclaimer">{html.escape(DISCLAIMER)}</p>'
    body = [
        "<h1>SkinDesk model evaluation</h1>", disclaimer, _table(meta_rows(report), header=False),
        "<h2>Summary</h2>", f'<p class="summary">{html.escape(report["summary"])}</p>',
        "<h2>Key figures</h2>", _table(key_metric_rows(report)),
    ]
    if report.get("notes"):
        body += ["<h2>Notes</h2><ul>", *(f"<li>{html.escape(n)}</li>" for n in report["notes"]), "</ul>"]
    body += ["<h2>Figures</h2>", _figures(report)]
    if report.get("per_class"):
        body += ["<h2>Per class</h2>", _table(per_class_rows(report))]
    if report["dataset"]["failed_files"]:
        body += ["<h2>Files that could not be analysed</h2>", _table(failed_rows(report, 1000))]
    body.append(disclaimer)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>SkinDesk evaluation: {html.escape(report['model']['id'])}</title>"
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def write_html_report(report: dict[str, Any], path: str | Path) -> Path:
    """Write the HTML report at ``path``; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html_report(report), encoding="utf-8")
    return path
