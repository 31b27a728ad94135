"""Render a published report as PDF (reportlab, with charts), CSV or JSON.

The three formats are made from the same :class:`~casework.reports.model.Report`
and carry the same figures: JSON nests them as ``figures[section][item][column]``;
CSV has one line per figure (``section,item,measure,value``) after the
``report`` lines that name the agency, the period and the date produced.
Nothing here reads the case store: what is not in the report cannot leak.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from casework.reports.model import Report, Section, Value
from casework.reports.suppress import SUPPRESSED
from forms.fonts import BOLD, REGULAR, register_fonts

FORMATS = ("pdf", "csv", "json")
NO_PII = "This report contains no personal identifying information."
INTERNAL = "INTERNAL USE ONLY: small numbers are not suppressed. Do not release."
SUPPRESSION_NOTE = (
    'Counts from 1 to 4 are shown as "fewer than 5" (and statistics over fewer than 5 cases '
    "are withheld) so that no one can be identified."
)
ANNUAL_SUPPRESSION_NOTE = (
    "The totals (Together) are exact, as G.L. c. 258F s. 4 requires. A U or T figure from 1 "
    'to 4 is shown as "fewer than 5", together with its partner so that it cannot be worked '
    "out from the total."
)
ADDRESSEE = "Executive Office of Public Safety and Security"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
BLUE = colors.HexColor("#2F5D8A")
LIGHT = colors.HexColor("#E8EEF4")


def render(report: Report, fmt: str) -> bytes:
    if fmt == "json":
        return to_json(report).encode()
    if fmt == "csv":
        return to_csv(report).encode()
    if fmt == "pdf":
        return to_pdf(report)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}")


def _suppression_note(report: Report) -> str:
    if not report.suppressed:
        return INTERNAL
    return ANNUAL_SUPPRESSION_NOTE if report.kind == "annual" else SUPPRESSION_NOTE


def as_dict(report: Report) -> dict[str, Any]:
    return {
        **report.metadata(),
        "notice": f"{NO_PII} {_suppression_note(report)}",
        "definitions": report.definitions,
        "figures": report.figures(),
    }


def to_json(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"


def to_csv(report: Report) -> str:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["section", "item", "measure", "value"])
    for key, value in report.metadata().items():
        out.writerow(["report", key, "", value])
    for section in report.sections:
        for item, cells in section.rows.items():
            for column in section.columns:
                value = cells.get(column)
                out.writerow([section.key, item, column, "" if value is None else value])
    return buf.getvalue()


def fmt_value(value: Value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)


# --- PDF -------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=9, leading=12)
    return {
        "base": base,
        "agency": ParagraphStyle("agency", base, fontName=BOLD, fontSize=10, textColor=BLUE),
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=15, leading=19),
        "subtitle": ParagraphStyle("subtitle", base, fontName=BOLD, fontSize=11, leading=15),
        "h2": ParagraphStyle(
            "h2", base, fontName=BOLD, fontSize=11, leading=14, spaceBefore=10, spaceAfter=4
        ),
        "small": ParagraphStyle("small", base, fontSize=7.5, leading=10, textColor=colors.grey),
        "warn": ParagraphStyle("warn", base, fontName=BOLD, textColor=colors.HexColor("#B00020")),
        "head": ParagraphStyle("head", base, fontName=BOLD, alignment=TA_RIGHT),
    }


def _chart_value(value: Value) -> tuple[float, str]:
    if value == SUPPRESSED:
        return 0.0, "<5"
    if isinstance(value, int | float):
        return float(value), fmt_value(value)
    return 0.0, ""


def _month_label(key: str, many_years: bool) -> str:
    year, month = key.split("-")
    name = MONTHS[int(month) - 1]
    return f"{name} {year[2:]}" if many_years or month == "01" else name


def monthly_chart(section: Section, width: float) -> Drawing:
    keys = list(section.rows)
    values = [_chart_value(section.rows[k].get("total")) for k in keys]
    years = {k[:4] for k in keys}
    height = 2.3 * inch
    d = Drawing(width, height)
    d.add(String(0, height - 12, "Requests received by month", fontName=BOLD, fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 38
    chart.width, chart.height = width - 40, height - 70
    chart.data = [[v for v, _ in values]]
    chart.bars[0].fillColor = BLUE
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[label for _, label in values]]
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 6.5 if len(keys) > 18 else 7.5
    chart.barLabels.nudge = 6
    chart.valueAxis.valueMin = 0
    top = max([v for v, _ in values] + [4.0])
    chart.valueAxis.valueMax = top * 1.18
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: f"{v:.0f}"
    chart.categoryAxis.categoryNames = [_month_label(k, len(years) > 1) for k in keys]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 6.5 if len(keys) > 18 else 7.5
    if len(keys) > 12:
        chart.categoryAxis.labels.angle = 90
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.categoryAxis.labels.dy = -2
    else:
        chart.categoryAxis.labels.dy = -4
    d.add(chart)
    _caption(d, width, values)
    return d


def _caption(d: Drawing, width: float, values: list[tuple[float, str]]) -> None:
    if any(label == "<5" for _, label in values):
        d.add(
            String(width, d.height - 12, "<5: fewer than 5, not drawn", fontName=REGULAR,
                   fontSize=7, fillColor=colors.grey, textAnchor="end")
        )  # fmt: skip


def outcomes_chart(section: Section, width: float) -> Drawing:
    keys = list(section.rows)
    values = [_chart_value(section.rows[k].get("total")) for k in keys]
    height = 1.9 * inch
    d = Drawing(width, height)
    d.add(String(0, height - 12, "Outcomes in the period", fontName=BOLD, fontSize=10))
    chart = HorizontalBarChart()
    label_width = 8 + max(stringWidth(section.label(k), REGULAR, 8) for k in keys)
    chart.x, chart.y = label_width, 18
    chart.width, chart.height = width - label_width - 30, height - 42
    # Horizontal charts draw the first category at the bottom: reverse to read top-down.
    chart.data = [[v for v, _ in reversed(values)]]
    chart.bars[0].fillColor = BLUE
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[label for _, label in reversed(values)]]
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 8
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([v for v, _ in values] + [4.0]) * 1.15
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: f"{v:.0f}"
    chart.categoryAxis.categoryNames = [section.label(k) for k in reversed(keys)]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    d.add(chart)
    _caption(d, width, values)
    return d


def section_table(section: Section, styles: dict[str, ParagraphStyle], width: float) -> Table:
    first = width * (0.52 if len(section.columns) <= 3 else 0.45)
    rest = (width - first) / max(1, len(section.columns))
    head = [Paragraph("", styles["base"])] + [
        Paragraph(_escape(section.column_label(c)), styles["head"]) for c in section.columns
    ]
    body = [
        [Paragraph(_escape(section.label(item)), styles["base"])]
        + [fmt_value(cells.get(c)) for c in section.columns]
        for item, cells in section.rows.items()
    ]
    if not body:
        body = [[Paragraph("(none)", styles["base"])] + ["" for _ in section.columns]]
    table = Table([head, *body], colWidths=[first] + [rest] * len(section.columns), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, 9),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, BLUE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _title(title: str, styles: dict[str, ParagraphStyle]) -> list[Any]:
    """The title, with a trailing parenthesis ("(G.L. c. 258F, section 4)") as a subtitle."""
    main, sep, rest = title.partition(" (")
    out: list[Any] = [Paragraph(_escape(main), styles["title"])]
    if sep:
        out.append(Paragraph(_escape(rest.removesuffix(")")), styles["subtitle"]))
    return out


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _long_date(day: Any) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def to_pdf(report: Report) -> bytes:
    styles = _styles()
    buf = io.BytesIO()
    margin = 0.75 * inch
    doc = SimpleDocTemplate(
        buf,
        pagesize=LETTER,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=0.7 * inch,
        bottomMargin=0.7 * inch,
        title=report.title,
        author=report.agency,
        subject=f"{report.period.start.isoformat()} to {report.period.end.isoformat()}",
    )
    width = LETTER[0] - 2 * margin
    story: list[Any] = [
        Paragraph(_escape(report.agency), styles["agency"]),
        Spacer(1, 4),
        *_title(report.title, styles),
        Spacer(1, 6),
        Paragraph(
            f"Period: {_long_date(report.period.start)} to {_long_date(report.period.end)}"
            f"&nbsp;&nbsp;&nbsp;Produced on: {_long_date(report.produced_on)}",
            styles["base"],
        ),
    ]
    if report.as_of is not None and report.kind == "records":
        story.append(
            Paragraph(
                f"Figures about open cases are as of {_long_date(report.as_of)}.", styles["base"]
            )
        )
    if report.kind == "annual":
        due = f"1 February {report.period.end.year + 1}"
        story.append(Paragraph(f"To the {ADDRESSEE}; due by {due}.", styles["base"]))
    story.append(Spacer(1, 4))
    story.append(Paragraph(NO_PII, styles["base"]))
    story.append(
        Paragraph(
            _escape(_suppression_note(report)), styles["warn" if not report.suppressed else "base"]
        )
    )
    story.append(Spacer(1, 8))
    if report.kind == "records":
        story.append(monthly_chart(report.section("requests_by_month"), width))
        story.append(Spacer(1, 6))
        story.append(outcomes_chart(report.section("outcomes"), width))
    for section in report.sections:
        block: list[Any] = [
            Paragraph(_escape(section.title), styles["h2"]),
            section_table(section, styles, width),
        ]
        if section.note:
            block += [Spacer(1, 3), Paragraph(_escape(section.note), styles["small"])]
        story.append(KeepTogether(block))
    if report.definitions:
        story.append(Paragraph("Definitions", styles["h2"]))
        for key, text in report.definitions.items():
            label = key.replace("_", " ").capitalize()
            story.append(Paragraph(f"<b>{_escape(label)}.</b> {_escape(text)}", styles["small"]))

    def footer(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(colors.grey)
        span = f"{report.period.start.isoformat()} to {report.period.end.isoformat()}"
        text = f"{report.agency} · {span}"
        canvas.drawString(margin, 0.45 * inch, text)
        canvas.drawRightString(LETTER[0] - margin, 0.45 * inch, f"page {canvas.getPageNumber()}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
