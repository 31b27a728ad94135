"""The accessible HTML twin of every report PDF.

reportlab cannot tag a PDF, so each PDF has this twin beside it: document
language, one ``h1`` and headings in order, tables with captions and ``th``
headers scoped to their rows and columns, charts as inline SVG with their
alternative text as the accessible name and as a visible caption, the same
colours as the PDF (contrast at least 4.5:1), and, for the internal version, a
banner that stays on screen and on every printed page. Everything from the
report is escaped (Jinja2 autoescape).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from reportlab.graphics import renderSVG

from casework.reports.charts import BLUE, INK, LIGHT, MUTED, RED, part_charts
from casework.reports.model import PART_TITLES, Report
from casework.reports.render import (
    ADDRESSEE,
    CHECKPOINT_INTRO,
    CHECKPOINT_TITLE,
    DRAFT,
    INTERNAL_LIST_TITLES,
    INTERNAL_SHORT,
    fmt_value,
    long_date,
    notices,
)

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
)
CHART_WIDTH = 504.0  # points, as in the PDF (letter width less margins)


def _hex(colour: Any) -> str:
    return "#" + colour.hexval()[2:].upper()


def _svg(drawing: Any) -> str:
    text = renderSVG.drawToString(drawing)
    start = text.find("<svg")
    svg = text[start:] if start >= 0 else text
    return svg.replace("<svg", '<svg aria-hidden="true" focusable="false"', 1)


def context(report: Report) -> dict[str, Any]:
    main, _, sub = report.title.partition(" (")
    marks = []
    if report.internal:
        marks.append(INTERNAL_SHORT)
    if report.draft:
        marks.append(DRAFT)
    parts = []
    for part in report.parts():
        sections = []
        for s in (x for x in report.sections if x.part == part):
            rows = [
                {
                    "label": s.label(item),
                    "basis": s.row_notes.get(item, ""),
                    "values": [
                        {"text": fmt_value(cells.get(c)), "exact": c in s.exact_columns}
                        for c in s.columns
                    ],
                }
                for item, cells in s.rows.items()
            ]
            sections.append(
                {
                    "title": s.title,
                    "columns": [s.column_label(c) for c in s.columns],
                    "rows": rows,
                    "note": s.note,
                }
            )
        parts.append(
            {
                "key": part,
                "title": PART_TITLES.get(part, part),
                "charts": [
                    {"alt": c.alt, "svg": _svg(c.drawing)}
                    for c in part_charts(report, part, CHART_WIDTH)
                ],
                "sections": sections,
                "definitions": [
                    (k.replace("_", " ").capitalize(), v)
                    for k, v in report.definitions.get(part, {}).items()
                ],
            }
        )
    return {
        "report": report,
        "title": main,
        "subtitle": sub.removesuffix(")"),
        "period": report.period.label,
        "start": long_date(report.period.start),
        "end": long_date(report.period.end),
        "produced": long_date(report.produced_on),
        "as_of": long_date(report.as_of) if report.as_of and report.kind == "records" else "",
        "addressee": (
            f"To the {ADDRESSEE}; due by 1 February {report.period.end.year + 1}."
            if report.kind == "annual"
            else ""
        ),
        "notices": notices(report),
        "marks": "  |  ".join(marks),
        "parts": parts,
        "contact": report.contact,
        "checkpoint": report.checkpoint,
        "checkpoint_title": CHECKPOINT_TITLE,
        "checkpoint_intro": CHECKPOINT_INTRO,
        "internal_lists": [
            (INTERNAL_LIST_TITLES.get(k, k), v) for k, v in report.internal_lists.items()
        ]
        if report.internal
        else [],
        "colours": {
            "ink": _hex(INK),
            "blue": _hex(BLUE),
            "light": _hex(LIGHT),
            "muted": _hex(MUTED),
            "red": _hex(RED),
        },
    }


def to_html(report: Report) -> str:
    return _ENV.get_template("report.html").render(**context(report))
