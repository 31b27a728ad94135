"""reportlab rendering of a Supplement B plan (no official PDF needed).

The printed item values are also embedded as a machine-readable item layer:
the document information dictionary key ``/CaseworkItems`` holds ASCII JSON
``{"form": ..., "edition": ..., "items": {item id: value}}`` (read by
:func:`forms.api.read_back`).
"""

from __future__ import annotations

import io
import json
from typing import Any

from reportlab.lib.colors import Color, black, white
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFInfo, PDFString
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

ITEM_LAYER_KEY = "CaseworkItems"
RED = Color(0.75, 0.05, 0.05)
LIGHT = Color(0.85, 0.85, 0.85)
SHADE = Color(0.94, 0.94, 0.97)
PART7_TOP = 640.0
PART7_BOTTOM = 70.0


class _Info(PDFInfo):
    """Document info with extra (custom) keys."""

    extra: dict[str, str]

    def format(self, document: Any) -> bytes:  # noqa: D401 - reportlab API
        from reportlab.pdfbase.pdfdoc import PDFDate, PDFName

        d: dict[str, Any] = {
            "Title": PDFString(self.title),
            "Author": PDFString(self.author),
            "Subject": PDFString(self.subject),
            "Keywords": PDFString(self.keywords),
            "Creator": PDFString(self.creator),
            "Producer": PDFString(self.producer),
            "Trapped": PDFName(self.trapped),
        }
        d["ModDate"] = d["CreationDate"] = PDFDate(
            ts=document._timeStamp, dateFormatter=self._dateFormatter
        )
        for k, v in self.extra.items():
            d[k] = PDFString(v)
        return PDFDictionary(d).format(document)


def new_canvas(
    buf: io.BytesIO, title: str, subject: str, keywords: str, extra: dict[str, str] | None = None
) -> Canvas:
    register_fonts()
    c = Canvas(buf, pagesize=(612, 792), invariant=1, pageCompression=0)
    info = _Info()
    info.extra = extra or {}
    c._doc.info = info
    c.setTitle(title)
    c.setSubject(subject)
    c.setKeywords(keywords)
    c.setAuthor("Police Department U/T visa casework")
    c.setCreator("casework forms")
    return c


def _part7_top(spec: FormSpec) -> float:
    first = spec.by_id.get(f"7.{spec.addl['first_row']}a")
    if first is None or first.box is None:
        return PART7_TOP
    return first.box[1] + first.box[3] + 12


def _part7_pages(plan: Plan) -> list[list[tuple[int, list[str], float]]]:
    """Continuation rows laid out on Part 7 pages: (row number, wrapped lines, height)."""
    first = int(plan.spec.addl["first_row"])
    pages: list[list[tuple[int, list[str], float]]] = [[]]
    y = _part7_top(plan.spec)
    for n in range(first, first + len(plan.continuations)):
        lines = wrap(plan.values[f"7.{n}d"], 532 - 2 * PAD, REGULAR, FONT_SIZE)
        h = 30 + len(lines) * LINE_HEIGHT + 2 * PAD
        while lines:
            room = int((y - PART7_BOTTOM - 30 - 2 * PAD) // LINE_HEIGHT)
            if room < 2:
                pages.append([])
                y = 700.0
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
    layer = json.dumps(
        {"form": spec.form, "edition": spec.edition, "items": plan.values},
        ensure_ascii=True,
        separators=(",", ":"),
        sort_keys=True,
    )
    c = new_canvas(
        buf,
        title=f"Form {spec.form} ({spec.edition}) - {data.case_number}",
        subject=data.case_number,
        keywords=f"{spec.form}; edition {spec.edition}; {'DRAFT' if plan.draft else 'final'}",
        extra={ITEM_LAYER_KEY: layer, "FormEdition": spec.edition},
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
        _text_block(c, "part", (40, 720, 532, 16), "Part 7. Additional Information (continued)")
        _part7_rows(c, plan, rows, top=700.0)
        c.showPage()
    c.save()
    return buf.getvalue()


def _frame(c: Canvas, plan: Plan, page: int, total: int) -> None:
    spec = plan.spec
    c.setFillColor(black)
    c.setFont(BOLD, 13)
    c.drawString(40, 760, spec.title)
    c.setFont(BOLD, 10)
    c.drawString(40, 746, f"Form {spec.form}")
    c.setFont(REGULAR, 7.5)
    c.drawString(
        40, 736, "Department of Homeland Security - U.S. Citizenship and Immigration Services"
    )
    c.drawRightString(572, 774, spec.omb)
    if page == 1:
        # agency tracking box
        c.setLineWidth(1)
        c.rect(392, 722, 180, 40)
        c.setFont(REGULAR, 7)
        c.drawString(396, 753, "Certifying agency tracking / case number")
        c.setFont(BOLD, 11)
        c.drawString(396, 731, plan.data.case_number)
    else:
        c.setFont(REGULAR, 8)
        c.drawRightString(572, 746, f"Case {plan.data.case_number}")
    c.setLineWidth(0.8)
    c.line(40, 716, 572, 716)
    c.line(40, 44, 572, 44)
    c.setFont(REGULAR, 8)
    c.drawString(40, 32, f"Form {spec.form} Edition {spec.edition}")
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
        label = lines[0][:-1] + "…"
    c.drawString(x, y, label)


def _text_item(c: Canvas, it: Item, value: str, plan: Plan) -> None:
    assert it.box is not None
    x, y, w, h = it.box
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
    c.line(x + PAD, y + 12, x + w - PAD, y + 12)
    c.setFont(REGULAR, 6.5)
    signer = sig.signer or plan.data.certifying_official
    title = sig.signer_title or plan.data.official_title
    caption = f"{signer.full_name()}, {title}"
    if it.id == "6.7" and plan.data.agency_head is not None:
        caption = f"{plan.data.agency_head.full_name()}, supervising official"
    c.drawString(x + PAD, y + 4, caption)
    if sig.signature_image and it.id == "6.1":
        img = ImageReader(io.BytesIO(sig.signature_image))
        c.drawImage(
            img,
            x + PAD,
            y + 13,
            width=w / 2,
            height=h - 15,
            preserveAspectRatio=True,
            anchor="sw",
            mask="auto",
        )


def _checkbox_item(c: Canvas, it: Item, value: str) -> None:
    chosen = set(value.split(",")) if value else set()
    if it.label_box is not None:
        lx, ly, lw, _ = it.label_box
        c.setFont(REGULAR, 7.5 if len(it.options) > 3 or lw > 400 else 8)
        label = it.printed_label
        c.drawString(lx, ly + 2.5, label if lw > 400 else wrap(label, lw)[0])
    c.setLineWidth(0.7)
    for o in it.options:
        x, y, w, h = o.box
        right = min([p.box[0] for p in it.options if p.box[1] == y and p.box[0] > x] + [572.0])
        room = right - (x + w + 3) - 4
        c.setFillColor(white)
        c.rect(x, y, w, h, stroke=1, fill=1)
        c.setFillColor(black)
        if o.value in chosen:
            c.setLineWidth(1.3)
            c.line(x + 1.5, y + 1.5, x + w - 1.5, y + h - 1.5)
            c.line(x + 1.5, y + h - 1.5, x + w - 1.5, y + 1.5)
            c.setLineWidth(0.7)
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
        c.drawString(
            40,
            y + h - 10,
            f"{n}a. Page Number: {v[f'7.{n}a']}    {n}b. Part Number: {v[f'7.{n}b']}    "
            f"{n}c. Item Number: {v[f'7.{n}c']}    {n}d. Additional information:",
        )
        c.setFont(REGULAR, FONT_SIZE)
        ty = y + h - 16 - PAD - 8
        for line in lines:
            c.drawString(40 + PAD, ty, line)
            ty -= LINE_HEIGHT
        y -= 8


def describe_spec_items(spec: FormSpec) -> dict[str, str]:
    return {it.id: it.printed_label for it in spec.items}
