"""The records report's charts (reportlab drawings, for the PDF and, as SVG, the HTML twin).

Every chart comes with its alternative text, which lists every bar's figure in
words: printed under the chart in the PDF (an untagged PDF cannot carry it
otherwise) and given as the SVG's accessible name in the HTML twin. A withheld
bar is never drawn at zero height: a dashed, hatched marker stands in its place
(for "fewer than 5", as tall as 4 on the scale; for "suppressed", a short stub),
labelled, with a legend.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth

from casework.reports.model import (
    CERTIFICATIONS,
    DETAINERS,
    FEWER,
    LANGUAGE_ACCESS,
    SUPPRESSED,
    UNLICENSED_OPERATORS,
    Report,
    Section,
    Value,
)
from casework.reports.render import fmt_value
from forms.fonts import BOLD, REGULAR, register_fonts

#: Colours used for text and marks; tests check each text colour's contrast (>= 4.5:1).
INK = colors.HexColor("#1A1A1A")
BLUE = colors.HexColor("#2F5D8A")
LIGHT = colors.HexColor("#E8EEF4")
MUTED = colors.HexColor("#404040")
RED = colors.HexColor("#B00020")
TEXT_COLOURS = {"ink": INK, "blue": BLUE, "muted": MUTED, "red": RED}
BACKGROUNDS = {"white": colors.white, "light": LIGHT}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
SHORT = {FEWER: "<5", SUPPRESSED: "supp."}


@dataclass(frozen=True)
class Chart:
    title: str
    drawing: Drawing
    alt: str


def _bar(value: Value) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _label(value: Value) -> str:
    return SHORT.get(value, fmt_value(value)) if isinstance(value, str) else fmt_value(value)


def _month_label(key: str, many_years: bool) -> str:
    year, month = key.split("-")
    name = MONTHS[int(month) - 1]
    return f"{name} {year[2:]}" if many_years or month == "01" else name


def _month_words(key: str) -> str:
    year, month = key.split("-")
    return f"{MONTH_NAMES[int(month) - 1]} {year}"


def _marker(d: Drawing, x: float, y: float, w: float, h: float) -> None:
    """A dashed, hatched box: the place of a withheld figure."""
    d.add(Rect(x, y, w, h, fillColor=colors.white, strokeColor=INK, strokeWidth=0.8,
               strokeDashArray=[2, 1.5]))  # fmt: skip
    step = 3.0
    i = step
    while i < w + h:
        x0, y0 = x + max(0.0, i - h), y + min(i, h)
        x1, y1 = x + min(i, w), y + max(0.0, i - w)
        d.add(Line(x0, y0, x1, y1, strokeColor=MUTED, strokeWidth=0.4))
        i += step


def _legend(d: Drawing, width: float, values: list[Value]) -> None:
    parts = []
    if FEWER in values:
        parts.append("<5: fewer than 5")
    if SUPPRESSED in values:
        parts.append("supp.: suppressed")
    if parts:
        text = "Hatched box: figure withheld (" + "; ".join(parts) + ")"
        d.add(String(width, d.height - 12, text, fontName=REGULAR, fontSize=7.5, fillColor=INK,
                     textAnchor="end"))  # fmt: skip


def monthly_chart(
    section: Section,
    width: float,
    title: str = "Requests received by month",
    what: str = "the requests received in each month, U and T together",
) -> Chart:
    register_fonts()
    keys = list(section.rows)
    values = [section.rows[k].get("total") for k in keys]
    many_years = len({k[:4] for k in keys}) > 1
    height = 2.3 * inch
    d = Drawing(width, height, initialFontName=REGULAR, initialFontSize=8)
    d.add(String(0, height - 12, title, fontName=BOLD, fontSize=10, fillColor=INK))
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 38
    chart.width, chart.height = width - 40, height - 70
    chart.data = [[_bar(v) for v in values]]
    chart.bars[0].fillColor = BLUE
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[_label(v) for v in values]]
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 6.5 if len(keys) > 18 else 7.5
    chart.barLabels.fillColor = INK
    chart.barLabels.nudge = 6
    top = max([_bar(v) for v in values] + [8.0]) * 1.18
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fillColor = INK
    chart.valueAxis.labelTextFormat = lambda v: f"{v:.0f}"
    chart.categoryAxis.categoryNames = [_month_label(k, many_years) for k in keys]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fillColor = INK
    chart.categoryAxis.labels.fontSize = 6.5 if len(keys) > 18 else 7.5
    if len(keys) > 12:
        chart.categoryAxis.labels.angle = 90
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.categoryAxis.labels.dy = -2
    else:
        chart.categoryAxis.labels.dy = -4
    d.add(chart)
    slot = chart.width / max(1, len(keys))
    for i, v in enumerate(values):
        if v in (FEWER, SUPPRESSED):
            h = max(8.0, chart.height * 4 / top) if v == FEWER else 6.0
            _marker(d, chart.x + (i + 0.2) * slot, chart.y, 0.6 * slot, h)
            d.add(String(chart.x + (i + 0.5) * slot, chart.y + h + 2, _label(v), fontName=REGULAR,
                         fontSize=chart.barLabels.fontSize, fillColor=INK, textAnchor="middle"))  # fmt: skip
    _legend(d, width, values)
    words = "; ".join(
        f"{_month_words(k)}: {fmt_value(v)}" for k, v in zip(keys, values, strict=True)
    )
    alt = f"Bar chart of {what}. {words}."
    return Chart(title, d, alt)


def outcomes_chart(section: Section, width: float) -> Chart:
    register_fonts()
    keys = list(section.rows)
    values = [section.rows[k].get("total") for k in keys]
    height = 1.9 * inch
    d = Drawing(width, height, initialFontName=REGULAR, initialFontSize=8)
    title = "Outcomes in the period"
    d.add(String(0, height - 12, title, fontName=BOLD, fontSize=10, fillColor=INK))
    chart = HorizontalBarChart()
    label_width = 8 + max(stringWidth(section.label(k), REGULAR, 8) for k in keys)
    chart.x, chart.y = label_width, 18
    chart.width, chart.height = width - label_width - 40, height - 42
    # Horizontal charts draw the first category at the bottom: reverse to read top-down.
    rev = list(reversed(values))
    chart.data = [[_bar(v) for v in rev]]
    chart.bars[0].fillColor = BLUE
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[_label(v) if v not in (FEWER, SUPPRESSED) else "" for v in rev]]
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 8
    chart.barLabels.fillColor = INK
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    top = max([_bar(v) for v in values] + [8.0]) * 1.15
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fillColor = INK
    chart.valueAxis.labelTextFormat = lambda v: f"{v:.0f}"
    chart.categoryAxis.categoryNames = [section.label(k) for k in reversed(keys)]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.fillColor = INK
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    d.add(chart)
    slot = chart.height / max(1, len(keys))
    for i, v in enumerate(rev):
        if v in (FEWER, SUPPRESSED):
            w = max(8.0, chart.width * 4 / top) if v == FEWER else 6.0
            _marker(d, chart.x, chart.y + (i + 0.2) * slot, w, 0.6 * slot)
            d.add(String(chart.x + w + 3, chart.y + (i + 0.5) * slot - 3, _label(v),
                         fontName=REGULAR, fontSize=8, fillColor=INK))  # fmt: skip
    _legend(d, width, values)
    words = "; ".join(
        f"{section.label(k)}: {fmt_value(v)}" for k, v in zip(keys, values, strict=True)
    )
    alt = f"Bar chart of the outcomes in the period, U and T together. {words}."
    return Chart(title, d, alt)


#: Per part of the record: its monthly section, the chart's title and what its bars count.
MONTHLY = {
    DETAINERS: (
        "detainer_requests_by_month",
        "ICE detainer requests received by month",
        "the ICE detainer requests received in each month, declined and honored together",
    ),
    UNLICENSED_OPERATORS: (
        "stops_by_month",
        "Unlicensed operators stopped, by month",
        "the stops of unlicensed operators in each month, whatever became of the vehicle",
    ),
    LANGUAGE_ACCESS: (
        "language_services_by_month",
        "Language services given, by month",
        "the interpreters and translations given in each month, all modes together",
    ),
}


def part_charts(report: Report, part: str, width: float) -> list[Chart]:
    """The charts shown at the head of a part of the record."""
    if report.kind != "records":
        return []
    if part == CERTIFICATIONS:
        return [
            monthly_chart(report.section("requests_by_month"), width),
            outcomes_chart(report.section("outcomes"), width),
        ]
    if part in MONTHLY:
        key, title, what = MONTHLY[part]
        return [monthly_chart(report.section(key), width, title, what)]
    return []
