"""reportlab rendering of a Supplement B plan: a facsimile, never the official form.

Every page says ``FACSIMILE – not the official USCIS form``. The PDF carries no
hidden copy of the item values: :mod:`forms.readback` reads a facsimile back from
the text printed in each item's box.
"""

from __future__ import annotations

import io

from reportlab.lib.colors import Color, black, white
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from forms.fonts import BOLD, REGULAR, register_fonts, wrap
from forms.plan import (
    DRAFT_MARK,
    FONT_SIZE,
    LINE_HEIGHT,
    MIN_FONT_SIZE,
    PAD,
    Plan,
)
from forms.spec import FormSpec, Item

FACSIMILE_MARK = "FACSIMILE \u2013 not the official USCIS form"
CHECK_MARK = "X"
RED = Color(0.75, 0.05, 0.05)
LIGHT = Color(0.85, 0.85, 0.85)
SHADE = Color(0.94, 0.94, 0.97)
PART7_TOP = 640.0
PART7_BOTTOM = 70.0
CONTINUED_TOP = 700.0


def row_header(n: int, page: str, part: str, item: str) -> str:
    """The printed head of an additional-information row (parsed back by forms.readback)."""
    return (
        f"{n}.a. Page Number: {page}    {n}.b. Part Number: {part}    "
        f"{n}.c. Item Number: {item}    {n}.d. Additional Information:"
    )


def new_canvas(buf: io.BytesIO, title: str, subject: str, keywords: str) -> Canvas:
    register_fonts()
    c = Canvas(buf, pagesize=(612, 792), invariant=1, pageCompression=0)
    c.setTitle(title)
    c.setSubject(subject)
    c.setKeywords(keywords)
    c.setAuthor("Police Department U/T visa casework")
    c.setCreator("casework forms")
    return c


def _part7_top(spec: FormSpec) -> float:
    first = spec.by_id.get(f"{spec.addl_part}.{spec.addl['first_row']}a")
    if first is None or first.box is None:
        return PART7_TOP
    return first.box[1] + first.box[3] + 12


def _part7_pages(plan: Plan) -> list[list[tuple[int, list[str], float]]]:
    """Continuation rows laid out on additional-information pages: (row, lines, height)."""
    first = int(plan.spec.addl["first_row"])
    p = plan.spec.addl_part
    pages: list[list[tuple[int, list[str], float]]] = [[]]
    y = _part7_top(plan.spec)
    for n in range(first, first + len(plan.continuations)):
        lines = wrap(plan.values[f"{p}.{n}d"], 532 - 2 * PAD, REGULAR, FONT_SIZE)
        h = 30 + len(lines) * LINE_HEIGHT + 2 * PAD
        while lines:
            room = int((y - PART7_BOTTOM - 30 - 2 * PAD) // LINE_HEIGHT)
            if room < 2:
                pages.append([])
                y = CONTINUED_TOP
                continue
            take, lines = lines[:room], lines[room:]
            h = 30 + len(take) * LINE_HEIGHT + 2 * PAD
            pages[-1].append((n, take, h))
            y -= h + 8
    return pages


def render_plan(plan: Plan) -> bytes:
    spec = plan.spec
    data = plan.data
    buf = io.BytesIO()
    c = new_canvas(
        buf,
        title=f"Facsimile of Form {spec.form} ({spec.edition}) - {data.case_number}",
        subject=data.case_number,
        keywords=f"{spec.form}; edition {spec.edition}; facsimile; "
        f"{'DRAFT' if plan.draft else 'final'}",
    )
    p7 = _part7_pages(plan)
    total = spec.pages + len(p7) - 1
    for page in range(1, spec.pages + 1):
        _frame(c, plan, page, total)
        for t in spec.texts:
            if t.page == page:
                _text_block(c, t.kind, t.box, t.text)
        for it in spec.items:
            if it.page != page:
                continue
            if spec.addl["part"] == it.part and it.source.startswith("addl."):
                continue
            if it.kind == "checkbox":
                _checkbox_item(c, it, plan.values.get(it.id, ""))
            else:
                _text_item(c, it, plan.values.get(it.id, ""), plan)
        if page == spec.pages:
            _part7_rows(c, plan, p7[0], top=_part7_top(spec))
        c.showPage()
    for extra_page, rows in enumerate(p7[1:], start=spec.pages + 1):
        _frame(c, plan, extra_page, total)
        _text_block(
            c,
            "part",
            (40, 720, 532, 16),
            f"Part {spec.addl_part}. Additional Information (continued)",
        )
        _part7_rows(c, plan, rows, top=CONTINUED_TOP)
        c.showPage()
    c.save()
    return buf.getvalue()


def _frame(c: Canvas, plan: Plan, page: int, total: int) -> None:
    spec = plan.spec
    c.setFillColor(RED)
    c.setFont(BOLD, 9)
    c.drawCentredString(306, 781, FACSIMILE_MARK)
    c.drawCentredString(306, 18, FACSIMILE_MARK)
    if spec.facsimile_note:
        c.setFont(REGULAR, 6.5)
        c.drawCentredString(306, 773, spec.facsimile_note)
    c.setFillColor(black)
    c.setFont(BOLD, 13)
    c.drawString(40, 760, spec.title)
    c.setFont(BOLD, 10)
    c.drawString(40, 746, f"Form {spec.form}")
    c.setFont(REGULAR, 7.5)
    c.drawString(
        40, 736, "Department of Homeland Security - U.S. Citizenship and Immigration Services"
    )
    c.drawRightString(572, 762, spec.omb)
    c.setLineWidth(0.8)
    c.line(40, 716, 572, 716)
    c.line(40, 44, 572, 44)
    c.setFont(REGULAR, 8)
    c.drawString(40, 32, spec.edition_line)
    c.drawRightString(572, 32, f"Page {page} of {total}")
    if plan.draft:
        c.saveState()
        c.setFillColor(RED)
        c.setFont(BOLD, 12)
        c.drawCentredString(306, 720.5, DRAFT_MARK)
        c.drawCentredString(306, 48, DRAFT_MARK)
        c.setFillColor(Color(0.85, 0.1, 0.1, alpha=0.12))
        c.translate(306, 396)
        c.rotate(45)
        c.setFont(BOLD, 60)
        c.drawCentredString(0, 0, DRAFT_MARK)
        c.restoreState()


def _text_block(c: Canvas, kind: str, box: tuple[float, float, float, float], text: str) -> None:
    x, y, w, h = box
    if kind == "part":
        c.setFillColor(black)
        c.rect(x, y, w, h, stroke=0, fill=1)
        c.setFillColor(white)
        c.setFont(BOLD, 10)
        c.drawString(x + 4, y + 4.5, text)
        c.setFillColor(black)
        return
    c.setFillColor(black)
    c.setFont(REGULAR, 7.5)
    ty = y + h - 8
    for line in wrap(text, w, REGULAR, 7.5):
        c.drawString(x, ty, line)
        ty -= 9


def _label(c: Canvas, it: Item, x: float, y: float, w: float) -> None:
    c.setFillColor(black)
    c.setFont(REGULAR, 6.8)
    label = it.printed_label
    lines = wrap(label, w, REGULAR, 6.8)
    if len(lines) > 1:
        label = lines[0][:-1] + "\u2026"
    c.drawString(x, y, label)


def _text_item(c: Canvas, it: Item, value: str, plan: Plan) -> None:
    assert it.box is not None
    x, y, w, h = it.box
    if it.prefix:
        c.setFillColor(black)
        c.setFont(BOLD, 9)
        c.drawString(x - 14, y + 4, it.prefix)
        _label(c, it, x - 16, y + h + 2.5, w + 16)
    else:
        _label(c, it, x, y + h + 2.5, w)
    c.setStrokeColor(black)
    c.setLineWidth(0.6)
    c.setFillColor(SHADE)
    c.rect(x, y, w, h, stroke=1, fill=1)
    c.setFillColor(black)
    if it.kind == "signature":
        _signature(c, it, plan)
        return
    if not value:
        return
    if it.kind == "multiline":
        c.setFont(REGULAR, FONT_SIZE)
        ty = y + h - PAD - 8
        for line in wrap(value, w - 2 * PAD, REGULAR, FONT_SIZE):
            c.drawString(x + PAD, ty, line)
            ty -= LINE_HEIGHT
        return
    size = FONT_SIZE
    while size > MIN_FONT_SIZE and stringWidth(value, REGULAR, size) > w - 2 * PAD:
        size -= 0.5
    c.setFont(REGULAR, size)
    c.drawString(x + PAD, y + (h - size) / 2 + 1.5, value)


def _signature(c: Canvas, it: Item, plan: Plan) -> None:
    """A line for the ink signature; "DRAFT - not signed" before the Chief's approval."""
    assert it.box is not None
    x, y, w, h = it.box
    sig = plan.data.signature
    signed = sig.approved and not plan.draft
    if not signed:
        c.setFillColor(RED)
        c.setFont(BOLD, 11)
        c.drawString(x + PAD, y + h / 2 - 3, DRAFT_MARK)
        c.setFillColor(black)
        return
    c.setLineWidth(0.6)
    c.line(x + PAD, y + 10, x + w - PAD, y + 10)
    if sig.signature_image and it.source == "signature_text":
        img = ImageReader(io.BytesIO(sig.signature_image))
        c.drawImage(
            img,
            x + PAD,
            y + 11,
            width=w / 2,
            height=h - 13,
            preserveAspectRatio=True,
            anchor="sw",
            mask="auto",
        )


def _checkbox_item(c: Canvas, it: Item, value: str) -> None:
    chosen = set(value.split(",")) if value else set()
    c.setFillColor(black)
    if it.label_box is not None:
        lx, ly, lw, lh = it.label_box
        size = 7.5
        c.setFont(REGULAR, size)
        lines = wrap(it.printed_label, lw, REGULAR, size)[: max(1, int(lh // 9))]
        ty = ly + lh - 7.5 if lh > 12 else ly + 2.5
        for line in lines:
            c.drawString(lx, ty, line)
            ty -= 9
    c.setLineWidth(0.7)
    for o in it.options:
        x, y, w, h = o.box
        right = min([p.box[0] for p in it.options if p.box[1] == y and p.box[0] > x] + [572.0])
        room = right - (x + w + 3) - 4
        c.setFillColor(white)
        c.rect(x, y, w, h, stroke=1, fill=1)
        c.setFillColor(black)
        if o.value in chosen:
            c.setFont(BOLD, 8.5)
            c.drawCentredString(x + w / 2, y + 1.5, CHECK_MARK)
        size = 7.5
        while size > 5.5 and stringWidth(o.label, REGULAR, size) > room:
            size -= 0.25
        c.setFont(REGULAR, size)
        c.drawString(x + w + 3, y + 1.5, o.label)


def _part7_rows(
    c: Canvas, plan: Plan, rows: list[tuple[int, list[str], float]], top: float
) -> None:
    y = top
    for n, lines, h in rows:
        y -= h
        c.setStrokeColor(black)
        c.setLineWidth(0.6)
        c.setFillColor(SHADE)
        c.rect(40, y, 532, h - 16, stroke=1, fill=1)
        c.setFillColor(black)
        c.setFont(BOLD, 7.5)
        v = plan.values
        p = plan.spec.addl_part
        c.drawString(40, y + h - 10, row_header(n, v[f"{p}.{n}a"], v[f"{p}.{n}b"], v[f"{p}.{n}c"]))
        c.setFont(REGULAR, FONT_SIZE)
        ty = y + h - 16 - PAD - 8
        for line in lines:
            c.drawString(40 + PAD, ty, line)
            ty -= LINE_HEIGHT
        y -= 8
