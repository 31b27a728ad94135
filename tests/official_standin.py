"""Build a fillable stand-in for the official Supplement B PDF (tests, benchmarks).

The official USCIS PDF cannot be fetched here, so this generator makes an
AcroForm PDF with reportlab that carries every official field name of the
edition (for the I-918 Supplement B 01/20/25 edition: the 133 names of the
field inventory ``forms/data/i-918-supb-01-20-25.fields.json``), arranged in
the ``form1[0].#subform[N].Field[0]`` hierarchy of the real form, with
checkboxes whose on-state export values are not "Yes" (``/1``, ``/Y``, ``/M``...),
an ``/XFA`` entry that the filler must remove, and the edition line printed at
the foot of every page as on the official form.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import cast

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    StreamObject,
    TextStringObject,
)
from reportlab.pdfgen.canvas import Canvas

from forms.spec import FormSpec

US_STATES = (
    "AL",
    "AK",
    "AS",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FM",
    "FL",
    "GA",
    "GU",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MH",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "MP",
    "OH",
    "OK",
    "OR",
    "PW",
    "PA",
    "PR",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VI",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
)
EXPORTS = ("/1", "/Y", "/M", "/F", "/2", "/N", "/3")


def export_value(field_name: str, index: int) -> str:
    """Deterministic non-trivial export value for a checkbox."""
    if "chbxyesno" in field_name:
        return "/Y" if field_name.endswith("[0]") else "/N"
    if "Part1_5_checkboxes" in field_name:
        return "/M" if field_name.endswith("[0]") else "/F"
    return EXPORTS[index % len(EXPORTS)] if index % 2 else f"/{index % 7 + 1}"


def build_fillable_pdf(
    spec: FormSpec,
    *,
    field_names: Iterable[str] | None = None,
    max_len: dict[str, int] | None = None,
    omit: Iterable[str] = (),
    hierarchical: bool = True,
    edition_line: str | None = None,
) -> bytes:
    """A fillable PDF with the official field names of ``spec`` (or ``field_names``).

    ``max_len`` sets /MaxLen on chosen text fields; ``omit`` leaves fields out (to
    test the read-back refusal); ``edition_line`` replaces the printed edition line.
    """
    max_len = max_len or {}
    skip = set(omit)
    wanted = list(field_names) if field_names is not None else spec.field_names()
    where: dict[str, tuple[int, tuple[float, float, float, float], str]] = {}
    for it in spec.items:
        if it.field and it.box:
            where[it.field] = (it.page, it.box, it.kind)
        for o in it.options:
            if o.field:
                where[o.field] = (it.page, o.box, "checkbox")
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=spec.page_size, invariant=1)
    c.setTitle(f"{spec.form} (fillable test stand-in)")
    fallback_y = 700.0
    for page in range(1, spec.pages + 1):
        c.setFont("Helvetica-Bold", 10)
        c.drawString(40, 760, f"{spec.form} - test stand-in, page {page}")
        c.setFont("Helvetica", 8)
        c.drawString(40, 24, f"{edition_line or spec.edition_line}    Page {page} of {spec.pages}")
        form = c.acroForm
        for name in wanted:
            if name in skip:
                continue
            pg, box, kind = where.get(name, (spec.pages, (40, fallback_y, 200, 14), "text"))
            if pg != page:
                continue
            x, y, w, h = box
            if name not in where:
                fallback_y -= 16
            if kind == "checkbox" or ("checkbox" in name or "chbx" in name or "Unit[" in name):
                form.checkbox(
                    name=name,
                    x=x,
                    y=y,
                    size=min(w, h),
                    buttonStyle="cross",
                    borderWidth=0.5,
                    fieldFlags="",
                    checked=False,
                )
            elif kind == "dropdown" or name.endswith("_State[0]"):
                form.choice(
                    name=name,
                    value=US_STATES[0],
                    options=list(US_STATES),
                    x=x,
                    y=y,
                    width=w,
                    height=h,
                    fieldFlags="combo",
                    fontSize=8,
                )
            else:
                ml = max_len.get(name, 0)
                flags = "multiline" if h > 20 else ""
                form.textfield(
                    name=name,
                    value="",
                    x=x,
                    y=y,
                    width=w,
                    height=h,
                    fieldFlags=flags,
                    maxlen=ml or None,
                    borderWidth=0.5,
                    fontSize=0 if h > 20 else 8,
                )
        c.showPage()
    c.save()
    return _postprocess(buf.getvalue(), hierarchical=hierarchical)


def _postprocess(pdf: bytes, *, hierarchical: bool) -> bytes:
    """Rename checkbox on-states, add /XFA, and nest fields under form1[0]/#subform[N]."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    acro = cast(DictionaryObject, writer._root_object["/AcroForm"].get_object())
    idx = 0
    for page in writer.pages:
        for ref in page.get("/Annots", []) or []:
            w = ref.get_object()
            if w.get("/FT") == "/Btn":
                name = str(w["/T"])
                on = export_value(name, idx)
                idx += 1
                ap = w["/AP"].get_object()
                for key in ("/N", "/D"):
                    if key in ap:
                        states = ap[key].get_object()
                        if "/Yes" in states:
                            states[NameObject(on)] = states["/Yes"]
                            del states["/Yes"]
                w[NameObject("/AS")] = NameObject("/Off")
                w[NameObject("/V")] = NameObject("/Off")
            if w.get("/FT") == "/Ch":  # start blank (reportlab needs an initial value)
                for key in ("/V", "/I"):
                    if key in w:
                        del w[key]
            if "/MaxLen" in w and int(w["/MaxLen"]) == 0:
                del w["/MaxLen"]
    xfa = StreamObject()
    xfa.set_data(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
    acro[NameObject("/XFA")] = writer._add_object(xfa)
    if hierarchical:
        _nest(writer, acro)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _nest(writer: PdfWriter, acro: DictionaryObject) -> None:
    """Turn flat /T "a.b.c" names into a parent hierarchy like the real XFA form."""
    nodes: dict[str, DictionaryObject] = {}
    roots = ArrayObject()

    def node(path: str) -> DictionaryObject:
        if path in nodes:
            return nodes[path]
        head, _, tail = path.rpartition(".")
        d = DictionaryObject(
            {NameObject("/T"): TextStringObject(tail), NameObject("/Kids"): ArrayObject()}
        )
        ref = writer._add_object(d)
        nodes[path] = d
        if head:
            parent = node(head)
            d[NameObject("/Parent")] = parent.indirect_reference
            cast(ArrayObject, parent["/Kids"]).append(ref)
        else:
            roots.append(ref)
        return d

    for fref in list(cast(ArrayObject, acro["/Fields"])):
        f = fref.get_object()
        full = str(f["/T"])
        head, _, tail = full.rpartition(".")
        if not head:
            roots.append(fref)
            continue
        parent = node(head)
        f[NameObject("/T")] = TextStringObject(tail)
        f[NameObject("/Parent")] = parent.indirect_reference
        cast(ArrayObject, parent["/Kids"]).append(fref)
    acro[NameObject("/Fields")] = roots
