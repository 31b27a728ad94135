"""The PDF rendering (reportlab): readable, archival, marked on every page.

reportlab does not tag PDFs, so the accessible version of each report is its
HTML twin (:mod:`.html`), written beside every PDF. The PDF itself: document
language (``/Lang``) and title set and shown, every font embedded (DejaVu Sans
from ``forms/fonts``; no standard-14 Helvetica), no text under 7.5 pt, text
colours of at least 4.5:1 contrast, the alternative text of each chart printed
under it, and a header on every page saying INTERNAL (exact figures) or DRAFT
where that applies.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from casework.reports.charts import BLUE, INK, LIGHT, MUTED, RED, part_charts
from casework.reports.model import PART_TITLES, Contact, Report, Section
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
from forms.fonts import BOLD, REGULAR, register_fonts

LANG = "en-US"
MARGIN = 0.75 * inch


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=9, leading=12, textColor=INK)
    return {
        "base": base,
        "agency": ParagraphStyle("agency", base, fontName=BOLD, fontSize=10, textColor=BLUE),
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=15, leading=19),
        "subtitle": ParagraphStyle("subtitle", base, fontName=BOLD, fontSize=11, leading=15),
        "h1": ParagraphStyle(
            "h1",
            base,
            fontName=BOLD,
            fontSize=13,
            leading=16,
            spaceBefore=12,
            spaceAfter=4,
            textColor=BLUE,
            keepWithNext=1,
        ),  # fmt: skip
        "h2": ParagraphStyle(
            "h2", base, fontName=BOLD, fontSize=11, leading=14, spaceBefore=10, spaceAfter=4
        ),
        "note": ParagraphStyle("note", base, fontSize=8.5, leading=11, textColor=MUTED),
        "basis": ParagraphStyle("basis", base, fontSize=8.5, leading=10.5, textColor=MUTED),
        "warn": ParagraphStyle("warn", base, fontName=BOLD, textColor=RED),
        "head": ParagraphStyle("head", base, fontName=BOLD, alignment=TA_RIGHT),
        "figure": ParagraphStyle("figure", base, fontName=BOLD, fontSize=10, alignment=TA_RIGHT),
    }


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def section_table(section: Section, styles: dict[str, ParagraphStyle], width: float) -> Table:
    n = len(section.columns)
    first = width * (0.52 if n <= 3 else 0.42 if n == 4 else 0.28)  # "fewer than 5" must fit
    rest = (width - first) / max(1, len(section.columns))
    head = [Paragraph("", styles["base"])] + [
        Paragraph(escape(section.column_label(c)), styles["head"]) for c in section.columns
    ]
    body: list[list[Any]] = []
    for item, cells in section.rows.items():
        label: list[Any] = [Paragraph(escape(section.label(item)), styles["base"])]
        if item in section.row_notes:
            label.append(Paragraph(escape(section.row_notes[item]), styles["basis"]))
        values: list[Any] = [
            Paragraph(escape(fmt_value(cells.get(c))), styles["figure"])
            if c in section.exact_columns
            else fmt_value(cells.get(c))
            for c in section.columns
        ]
        body.append([label, *values])
    if not body:
        body = [[Paragraph("(none)", styles["base"])] + ["" for _ in section.columns]]
    table = Table([head, *body], colWidths=[first] + [rest] * len(section.columns), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, 9),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, BLUE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, MUTED),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _title(title: str, styles: dict[str, ParagraphStyle]) -> list[Any]:
    """The title, with a trailing parenthesis ("(G.L. c. 258F, section 4)") as a subtitle."""
    main, sep, rest = title.partition(" (")
    out: list[Any] = [Paragraph(escape(main), styles["title"])]
    if sep:
        out.append(Paragraph(escape(rest.removesuffix(")")), styles["subtitle"]))
    return out


def _head(report: Report, styles: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = [
        Paragraph(escape(report.agency), styles["agency"]),
        Spacer(1, 4),
        *_title(report.title, styles),
        Spacer(1, 6),
        Paragraph(
            f"Period: {long_date(report.period.start)} to {long_date(report.period.end)}"
            f"&nbsp;&nbsp;&nbsp;Produced on: {long_date(report.produced_on)}",
            styles["base"],
        ),
    ]
    if report.as_of is not None and report.kind == "records":
        story.append(
            Paragraph(
                f"Figures about open cases are as of {long_date(report.as_of)}.", styles["base"]
            )
        )
    if report.kind == "annual":
        due = f"1 February {report.period.end.year + 1}"
        story.append(Paragraph(f"To the {ADDRESSEE}; due by {due}.", styles["base"]))
    story.append(Spacer(1, 4))
    for text in notices(report):
        warn = text.startswith(("INTERNAL", "DRAFT"))
        story.append(Paragraph(escape(text), styles["warn" if warn else "base"]))
    story.append(Spacer(1, 6))
    return story


def _contact(contact: Contact, styles: dict[str, ParagraphStyle]) -> list[Any]:
    lines = [
        f"<b>{escape(contact.agency)}</b>, {escape(contact.address)}",
        f"Telephone {escape(contact.phone)}; email {escape(contact.email)}",
    ]
    if contact.records:
        r = contact.records
        reach = "; ".join(x for x in (r.email, r.phone) if x)
        lines.append(
            f"Contact for this report: {escape(r.name)}, {escape(r.title)} ({escape(reach)})"
        )
    block: list[Any] = [Paragraph("Contact and signature", styles["h2"])]
    block += [Paragraph(line, styles["base"]) for line in lines]
    if contact.signer:
        s = contact.signer
        block += [
            Spacer(1, 26),
            Table(
                [["", "", ""], [f"{s.name}, {s.title}", "", "Date"]],
                colWidths=[3.6 * inch, 0.4 * inch, 1.8 * inch],
                style=TableStyle(
                    [
                        ("FONT", (0, 0), (-1, -1), REGULAR, 9),
                        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                        ("LINEABOVE", (0, 1), (0, 1), 0.6, INK),
                        ("LINEABOVE", (2, 1), (2, 1), 0.6, INK),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ]
                ),
                hAlign="LEFT",
            ),
        ]
    return [KeepTogether(block)]


def to_pdf(report: Report) -> bytes:
    styles = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=0.8 * inch,
        bottomMargin=0.7 * inch,
        title=report.title,
        author=report.agency,
        subject=f"{report.period.start.isoformat()} to {report.period.end.isoformat()}",
        creator="casework",
        lang=LANG,
        displayDocTitle=True,
        initialFontName=REGULAR,  # no standard-14 Helvetica, even unused, in any page
        initialFontSize=9,
        invariant=True,  # the same report gives the same bytes (no timestamps, fixed ids)
    )
    width = LETTER[0] - 2 * MARGIN
    story = _head(report, styles)
    many_parts = report.kind == "records"
    for part in report.parts():
        if many_parts:
            story.append(Paragraph(escape(PART_TITLES.get(part, part)), styles["h1"]))
        for chart in part_charts(report, part, width):
            story += [chart.drawing, Paragraph(escape(chart.alt), styles["note"]), Spacer(1, 8)]
        for section in (s for s in report.sections if s.part == part):
            block: list[Any] = [
                Paragraph(escape(section.title), styles["h2"]),
                section_table(section, styles, width),
            ]
            if section.note:
                block += [Spacer(1, 3), Paragraph(escape(section.note), styles["note"])]
            story.append(KeepTogether(block))
        definitions = report.definitions.get(part, {})
        if definitions:
            story.append(Paragraph("How the figures are counted", styles["h2"]))
            for key, text in definitions.items():
                label = key.replace("_", " ").capitalize()
                story.append(Paragraph(f"<b>{escape(label)}.</b> {escape(text)}", styles["base"]))
                story.append(Spacer(1, 2))
    if report.contact is not None:
        story += _contact(report.contact, styles)
    if report.checkpoint is not None:
        story += [
            Paragraph(CHECKPOINT_TITLE, styles["h2"]),
            Paragraph(escape(f"{CHECKPOINT_INTRO} {report.checkpoint}."), styles["base"]),
        ]
    if report.internal:
        for name, entries in report.internal_lists.items():
            story.append(Paragraph(escape(INTERNAL_LIST_TITLES.get(name, name)), styles["h2"]))
            story += [Paragraph(escape(e), styles["base"]) for e in entries]

    def page(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        top = LETTER[1] - 0.45 * inch
        if report.internal or report.draft:
            canvas.setFont(BOLD, 9)
            canvas.setFillColor(RED)
            marks = [INTERNAL_SHORT] if report.internal else []
            if report.draft:
                marks.append(DRAFT.split(":")[0])
            canvas.drawCentredString(LETTER[0] / 2, top, "  |  ".join(marks))
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(INK)
        span = f"{report.period.start.isoformat()} to {report.period.end.isoformat()}"
        kind = "internal" if report.internal else "public"
        canvas.drawString(MARGIN, 0.45 * inch, f"{report.agency} · {span} · {kind} version")
        canvas.drawRightString(LETTER[0] - MARGIN, 0.45 * inch, f"page {canvas.getPageNumber()}")
        canvas.restoreState()

    doc.build(story, onFirstPage=page, onLaterPages=page)
    return buf.getvalue()
