"""Fill the official fillable (XFA/AcroForm hybrid) PDF with pypdf and verify it.

Steps: fill every mapped AcroForm field from the plan; tick checkboxes with the
export value found in each widget's ``/AP /N`` dictionary; remove ``/XFA``; set
``NeedAppearances``; then read every field back and raise
:class:`ReadBackMismatch` when any differs from the plan.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, NumberObject, TextStringObject

from forms.plan import DRAFT_MARK, Plan
from forms.spec import FormSpec


class ReadBackMismatch(Exception):  # noqa: N818 - contract name
    """A filled field reads back differently from what the model says."""

    def __init__(self, mismatches: dict[str, tuple[str, str]]) -> None:
        self.mismatches = mismatches
        detail = "; ".join(
            f"{name}: expected {exp!r}, read {got!r}" for name, (exp, got) in mismatches.items()
        )
        super().__init__(f"{len(mismatches)} field(s) differ after filling: {detail}")


@dataclass
class Widget:
    name: str
    field: DictionaryObject  # the terminal field dictionary (holds /V)
    widget: DictionaryObject
    ft: str
    on_value: str | None  # checkboxes: export value, e.g. "/Y"
    max_len: int | None


def _inherited(d: DictionaryObject, key: str) -> Any:
    node: DictionaryObject | None = d
    while node is not None:
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        node = cast(DictionaryObject, parent.get_object()) if parent is not None else None
    return None


def _qualified_name(field: DictionaryObject) -> str:
    parts: list[str] = []
    node: DictionaryObject | None = field
    while node is not None:
        if "/T" in node:
            parts.append(str(node["/T"]))
        parent = node.get("/Parent")
        node = cast(DictionaryObject, parent.get_object()) if parent is not None else None
    return ".".join(reversed(parts))


def widgets(pages: Any) -> dict[str, list[Widget]]:
    """Fully qualified field name -> widgets, over all pages."""
    out: dict[str, list[Widget]] = {}
    for page in pages:
        for ref in page.get("/Annots", []) or []:
            w = cast(DictionaryObject, ref.get_object())
            if w.get("/Subtype") != "/Widget":
                continue
            field = w if "/T" in w else cast(DictionaryObject, w["/Parent"].get_object())
            name = _qualified_name(field)
            ft = str(_inherited(w, "/FT") or "")
            on = None
            if ft == "/Btn":
                ap = w.get("/AP")
                normal = ap.get_object().get("/N") if ap is not None else None
                if normal is not None:
                    keys = [str(k) for k in normal.get_object() if str(k) != "/Off"]
                    on = keys[0] if keys else None
            ml = _inherited(w, "/MaxLen")
            out.setdefault(name, []).append(
                Widget(name, field, w, ft, on, int(ml) if ml is not None else None)
            )
    return out


def official_values(plan: Plan) -> dict[str, str]:
    """Plan values adapted to the official form: Part 7 has a fixed number of rows;
    entries beyond the last row are appended to the last row's text with their
    page/part/item references."""
    values = dict(plan.values)
    first = int(plan.spec.addl["first_row"])
    rows = int(plan.spec.addl["rows_on_form"])
    last = first + rows - 1
    n = last + 1
    extra: list[str] = []
    while f"7.{n}d" in values:
        extra.append(
            f"[Page {values.pop(f'7.{n}a')}, Part {values.pop(f'7.{n}b')}, "
            f"Item {values.pop(f'7.{n}c')}] {values.pop(f'7.{n}d')}"
        )
        n += 1
    if extra:
        values[f"7.{last}d"] = "\n".join([values[f"7.{last}d"], *extra])
    return values


def field_targets(spec: FormSpec, values: dict[str, str]) -> dict[str, str]:
    """Official field name -> value to write ("/On" / "/Off" style for checkboxes is
    resolved later; here a checkbox is "1" for checked and "" for unchecked)."""
    out: dict[str, str] = {}
    for it in spec.items:
        v = values.get(it.id, "")
        if it.kind == "checkbox":
            chosen = set(v.split(",")) if v else set()
            for o in it.options:
                if o.field:
                    out[o.field] = "1" if o.value in chosen else ""
        elif it.field:
            out[it.field] = v
    return out


_TEMPLATES: dict[tuple[str, int, int] | str, PdfReader] = {}


def _template(official_pdf: Path | bytes) -> PdfReader:
    """The parsed blank form, cached (parsing dominates the fill time)."""
    if isinstance(official_pdf, bytes):
        key: tuple[str, int, int] | str = hashlib.sha256(official_pdf).hexdigest()
        src: Any = io.BytesIO(official_pdf)
    else:
        st = Path(official_pdf).stat()
        key = (str(Path(official_pdf).resolve()), st.st_mtime_ns, st.st_size)
        src = io.BytesIO(Path(official_pdf).read_bytes())
    reader = _TEMPLATES.get(key)
    if reader is None:
        reader = PdfReader(src)
        if len(_TEMPLATES) > 8:
            _TEMPLATES.clear()
        _TEMPLATES[key] = reader
    return reader


def fill(plan: Plan, official_pdf: Path | bytes, *, appearances: bool = False) -> bytes:
    """Fill the official PDF: incremental update where possible, else a pypdf rewrite
    (``appearances=True`` forces the rewrite and generates text appearance streams)."""
    if not appearances:
        fast = fill_incremental(plan, official_pdf)
        if fast is not None:
            return fast
    spec = plan.spec
    writer = PdfWriter(clone_from=_template(official_pdf))
    acro = cast(DictionaryObject, writer._root_object["/AcroForm"].get_object())
    if "/XFA" in acro:
        del acro["/XFA"]
    values = official_values(plan)
    targets = field_targets(spec, values)
    found = widgets(writer.pages)
    text_updates: dict[str, str] = {}
    for name, value in targets.items():
        for wd in found.get(name, []):
            if wd.ft == "/Btn":
                state = NameObject(wd.on_value if (value and wd.on_value) else "/Off")
                wd.field[NameObject("/V")] = state
                wd.widget[NameObject("/AS")] = state
            else:
                written = value[: wd.max_len] if wd.max_len else value
                text_updates[name] = written
                wd.field[NameObject("/V")] = TextStringObject(written)
    # generate appearance streams for text fields; NeedAppearances asks viewers to redo them
    if appearances and text_updates:
        for page in writer.pages:
            on_page = {n: text_updates[n] for n in _page_field_names(page) if n in text_updates}
            if on_page:
                writer.update_page_form_field_values(page, on_page, auto_regenerate=False)
    writer.set_need_appearances_writer(True)
    if plan.draft:
        _stamp_draft(writer)
    elif plan.data.signature.approved and plan.data.signature.signature_image:
        _stamp_signature(writer, spec, plan.data.signature.signature_image)
    out = io.BytesIO()
    writer.write(out)
    result = out.getvalue()
    verify(result, spec, targets)
    return result


def _page_field_names(page: Any) -> list[str]:
    names = []
    for ref in page.get("/Annots", []) or []:
        w = ref.get_object()
        f = w if "/T" in w else w.get("/Parent", w).get_object()
        names.append(_qualified_name(f))
    return names


def read_fields(pdf: bytes) -> dict[str, str]:
    """Field name -> value as filled ("1"/"" for checkboxes, by their export value)."""
    reader = PdfReader(io.BytesIO(pdf))
    out: dict[str, str] = {}
    for name, wds in widgets(reader.pages).items():
        wd = wds[0]
        v = wd.field.get("/V")
        if wd.ft == "/Btn":
            out[name] = "1" if (v is not None and wd.on_value and str(v) == wd.on_value) else ""
        else:
            out[name] = "" if v is None else str(v)
    return out


def verify(pdf: bytes, spec: FormSpec, targets: dict[str, str]) -> None:
    got = read_fields(pdf)
    bad: dict[str, tuple[str, str]] = {}
    for name, exp in targets.items():
        have = got.get(name)
        if have is None:
            bad[name] = (exp, "<field missing>")
        elif have != exp:
            bad[name] = (exp, have)
    if bad:
        raise ReadBackMismatch(bad)


def items_from_fields(spec: FormSpec, fields: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for it in spec.items:
        if it.kind == "checkbox":
            out[it.id] = ",".join(o.value for o in it.options if o.field and fields.get(o.field))
        elif it.field and it.field in fields:
            out[it.id] = fields[it.field]
    return out


def _overlay(writer: PdfWriter, draw: Any) -> None:
    from reportlab.pdfgen.canvas import Canvas

    from forms.fonts import register_fonts

    register_fonts()
    for page in writer.pages:
        w = float(page.mediabox.width)
        h = float(page.mediabox.height)
        buf = io.BytesIO()
        c = Canvas(buf, pagesize=(w, h), invariant=1)
        draw(c, w, h, page)
        c.save()
        page.merge_page(PdfReader(io.BytesIO(buf.getvalue())).pages[0])


def _stamp_draft(writer: PdfWriter) -> None:
    from reportlab.lib.colors import Color

    from forms.fonts import BOLD

    def draw(c: Any, w: float, h: float, page: Any) -> None:
        c.setFillColor(Color(0.75, 0.05, 0.05))
        c.setFont(BOLD, 12)
        c.drawCentredString(w / 2, h - 18, DRAFT_MARK)
        c.drawCentredString(w / 2, 10, DRAFT_MARK)

    _overlay(writer, draw)


def _stamp_signature(writer: PdfWriter, spec: FormSpec, image: bytes) -> None:
    from reportlab.lib.utils import ImageReader

    sig = spec.by_id.get("6.1")
    if sig is None or not sig.field:
        return
    rects: dict[int, Any] = {}
    for i, page in enumerate(writer.pages):
        for ref in page.get("/Annots", []) or []:
            w = ref.get_object()
            f = w if "/T" in w else w.get("/Parent", w).get_object()
            if _qualified_name(f) == sig.field:
                rects[i] = [float(v) for v in w["/Rect"]]
    target = {i: r for i, r in rects.items()}

    def draw(c: Any, w: float, h: float, page: Any) -> None:
        idx = list(writer.pages).index(page)
        if idx in target:
            x0, y0, x1, y1 = target[idx]
            c.drawImage(
                ImageReader(io.BytesIO(image)),
                x0,
                y0,
                width=x1 - x0,
                height=y1 - y0,
                preserveAspectRatio=True,
                anchor="sw",
                mask="auto",
            )

    _overlay(writer, draw)


# --- fast path: incremental update -------------------------------------------------
#
# Parsing and re-serialising the whole form with pypdf dominates the fill time, so
# where the blank form uses a classic cross-reference table and is not encrypted,
# the filled values are written as a PDF incremental update: only the changed
# field/widget dictionaries, the AcroForm dictionary (without /XFA, with
# NeedAppearances) and, for drafts, the page dictionaries with a "DRAFT - not
# signed" stamp are appended after the original bytes. The result is read back
# with pypdf exactly like the slow path.


@dataclass
class _Template:
    raw: bytes
    reader: PdfReader
    startxref: int
    widgets: dict[str, list[Widget]]
    incremental_ok: bool
    base: dict[tuple[int, bool], bytes] = field(default_factory=dict)

    def base_bytes(self, d: DictionaryObject, drop_ap: bool) -> bytes:
        """Serialized dict without /V, /AS (and /AP), ending before the closing '>>'."""
        ref = d.indirect_reference
        assert ref is not None
        key = (ref.idnum, drop_ap)
        b = self.base.get(key)
        if b is None:
            c = DictionaryObject(d)
            for k in ("/V", "/AS", *(("/AP",) if drop_ap else ())):
                if k in c:
                    del c[NameObject(k)]
            b = _serialize(c).rstrip()
            assert b.endswith(b">>")
            b = b[:-2]
            self.base[key] = b
        return b


_FAST: dict[tuple[str, int, int] | str, _Template] = {}


def _fast_template(official_pdf: Path | bytes) -> _Template:
    if isinstance(official_pdf, bytes):
        key: tuple[str, int, int] | str = hashlib.sha256(official_pdf).hexdigest()
        raw = official_pdf
    else:
        st = Path(official_pdf).stat()
        key = (str(Path(official_pdf).resolve()), st.st_mtime_ns, st.st_size)
        raw = b""
    tpl = _FAST.get(key)
    if tpl is None:
        raw = raw or Path(official_pdf).read_bytes()  # type: ignore[arg-type]
        reader = PdfReader(io.BytesIO(raw))
        pos = raw.rfind(b"startxref")
        startxref = int(raw[pos + 9 :].split()[0]) if pos >= 0 else -1
        ok = (
            startxref >= 0
            and raw[startxref : startxref + 4] == b"xref"
            and "/Encrypt" not in reader.trailer
        )
        tpl = _Template(raw, reader, startxref, widgets(reader.pages), ok)
        if len(_FAST) > 8:
            _FAST.clear()
        _FAST[key] = tpl
    return tpl


def _serialize(obj: Any) -> bytes:
    buf = io.BytesIO()
    obj.write_to_stream(buf)
    return buf.getvalue()


def fill_incremental(plan: Plan, official_pdf: Path | bytes) -> bytes | None:
    """Fill via an incremental update; None when the template needs the slow path."""
    from pypdf.generic import (
        ArrayObject,
        BooleanObject,
        IndirectObject,
        StreamObject,
    )

    tpl = _fast_template(official_pdf)
    if not tpl.incremental_ok:
        return None
    if plan.data.signature.approved and plan.data.signature.signature_image and not plan.draft:
        return None
    spec = plan.spec
    reader = tpl.reader
    targets = field_targets(spec, official_values(plan))
    changed: dict[int, tuple[int, DictionaryObject]] = {}

    def copy_of(d: DictionaryObject) -> DictionaryObject:
        ref = d.indirect_reference
        assert ref is not None
        if ref.idnum not in changed:
            changed[ref.idnum] = (ref.generation, DictionaryObject(d))
        return changed[ref.idnum][1]

    raw_objects: dict[int, tuple[int, bytes]] = {}
    for name, value in targets.items():
        for wd in tpl.widgets.get(name, []):
            ref = wd.field.indirect_reference
            wref = wd.widget.indirect_reference
            assert ref is not None and wref is not None
            if wd.ft == "/Btn":
                state = wd.on_value if (value and wd.on_value) else "/Off"
                cur_v = str(wd.field.get("/V", "/Off"))
                cur_as = str(wd.widget.get("/AS", "/Off"))
                if cur_v == state and cur_as == state:
                    continue
                sv = b" /V " + state.encode() + b" /AS " + state.encode()
                if ref.idnum == wref.idnum:
                    raw_objects[ref.idnum] = (
                        ref.generation,
                        tpl.base_bytes(wd.field, False) + sv + b" >>",
                    )
                else:
                    f = copy_of(wd.field)
                    f[NameObject("/V")] = NameObject(state)
                    copy_of(wd.widget)[NameObject("/AS")] = NameObject(state)
            else:
                written = value[: wd.max_len] if wd.max_len else value
                if written == str(wd.field.get("/V", "")):
                    continue
                sv = b" /V " + _serialize(TextStringObject(written))
                if ref.idnum == wref.idnum:
                    raw_objects[ref.idnum] = (
                        ref.generation,
                        tpl.base_bytes(wd.field, True) + sv + b" >>",
                    )
                else:
                    copy_of(wd.field)[NameObject("/V")] = TextStringObject(written)
                    w = copy_of(wd.widget)
                    if "/AP" in w:  # stale (blank) appearance: let the viewer regenerate it
                        del w[NameObject("/AP")]
    next_id = int(cast(Any, reader.trailer["/Size"]))
    new_objects: dict[int, tuple[int, bytes]] = {}

    def add(obj: Any) -> IndirectObject:
        nonlocal next_id
        idnum = next_id
        next_id += 1
        new_objects[idnum] = (0, _serialize(obj))
        return IndirectObject(idnum, 0, cast(Any, None))

    root_ref = cast(IndirectObject, reader.trailer.raw_get("/Root"))
    root = cast(DictionaryObject, root_ref.get_object())
    acro_raw = root.raw_get("/AcroForm")
    if isinstance(acro_raw, IndirectObject):
        acro = copy_of(cast(DictionaryObject, acro_raw.get_object()))
    else:
        acro = DictionaryObject(cast(DictionaryObject, acro_raw))
        copy_of(root)[NameObject("/AcroForm")] = acro
    if "/XFA" in acro:
        del acro[NameObject("/XFA")]
    acro[NameObject("/NeedAppearances")] = BooleanObject(True)

    if plan.draft:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica-Bold"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
        font_ref = add(font)
        pre = StreamObject()
        pre.set_data(b"q\n")
        pre_ref = add(pre)
        half = stringWidth(DRAFT_MARK, "Helvetica-Bold", 12) / 2
        for page in reader.pages:
            pw = float(page.mediabox.width)
            ph = float(page.mediabox.height)
            x = pw / 2 - half
            stamp = StreamObject()
            stamp.set_data(
                (
                    f"Q\nq BT /FCwDraft 12 Tf 0.75 0.05 0.05 rg {x:.2f} {ph - 18:.2f} Td "
                    f"({DRAFT_MARK}) Tj ET BT /FCwDraft 12 Tf 0.75 0.05 0.05 rg "
                    f"{x:.2f} 10 Td ({DRAFT_MARK}) Tj ET Q\n"
                ).encode("latin-1")
            )
            stamp_ref = add(stamp)
            pcopy = copy_of(page)
            contents = page.raw_get("/Contents") if "/Contents" in page else None
            arr = ArrayObject([pre_ref])
            if isinstance(contents, ArrayObject):
                arr.extend(contents)
            elif contents is not None:
                arr.append(contents)
            arr.append(stamp_ref)
            pcopy[NameObject("/Contents")] = arr
            res = _inherited(page, "/Resources")
            res_d = DictionaryObject(res.get_object()) if res is not None else DictionaryObject()
            fonts = res_d.get("/Font")
            fonts_d = (
                DictionaryObject(fonts.get_object()) if fonts is not None else DictionaryObject()
            )
            fonts_d[NameObject("/FCwDraft")] = font_ref
            res_d[NameObject("/Font")] = fonts_d
            pcopy[NameObject("/Resources")] = res_d

    out = io.BytesIO()
    out.write(tpl.raw)
    if not tpl.raw.endswith(b"\n"):
        out.write(b"\n")
    offsets: dict[int, tuple[int, int]] = {}
    for idnum, (gen, d) in sorted(changed.items()):
        raw_objects[idnum] = (gen, _serialize(d))
    for idnum, (gen, data) in sorted(raw_objects.items()):
        offsets[idnum] = (out.tell(), gen)
        out.write(b"%d %d obj\n" % (idnum, gen) + data + b"\nendobj\n")
    for idnum, (gen, data) in sorted(new_objects.items()):
        offsets[idnum] = (out.tell(), gen)
        out.write(b"%d %d obj\n" % (idnum, gen) + data + b"\nendobj\n")
    xref_at = out.tell()
    out.write(b"xref\n")
    ids = sorted(offsets)
    i = 0
    while i < len(ids):
        j = i
        while j + 1 < len(ids) and ids[j + 1] == ids[j] + 1:
            j += 1
        out.write(b"%d %d\n" % (ids[i], j - i + 1))
        for k in ids[i : j + 1]:
            off, gen = offsets[k]
            out.write(b"%010d %05d n\r\n" % (off, gen))
        i = j + 1
    trailer = DictionaryObject(
        {
            NameObject("/Size"): NumberObject(next_id),
            NameObject("/Root"): root_ref,
            NameObject("/Prev"): NumberObject(tpl.startxref),
        }
    )
    for key in ("/Info", "/ID"):
        if key in reader.trailer:
            trailer[NameObject(key)] = reader.trailer.raw_get(key)
    out.write(b"trailer\n" + _serialize(trailer) + b"\nstartxref\n%d\n%%%%EOF\n" % xref_at)
    result = out.getvalue()
    verify_by_objects(result, tpl, targets, set(offsets))
    return result


def verify_by_objects(
    pdf: bytes, tpl: _Template, targets: dict[str, str], written: set[int]
) -> None:
    """Check every target field. Rewritten field objects are read back from the output
    bytes with pypdf (through the updated cross-reference table, by the object number
    the template gives each name); fields left untouched keep the template's bytes and
    are checked against the template's parsed value."""
    out_reader = PdfReader(io.BytesIO(pdf))
    bad: dict[str, tuple[str, str]] = {}
    for name, exp in targets.items():
        wds = tpl.widgets.get(name)
        if not wds:
            bad[name] = (exp, "<field missing>")
            continue
        wd = wds[0]
        ref = wd.field.indirect_reference
        assert ref is not None
        wref = wd.widget.indirect_reference
        assert wref is not None
        reader = out_reader if (ref.idnum in written or wref.idnum in written) else tpl.reader
        fobj = cast(DictionaryObject, reader.get_object(ref.idnum))
        v = fobj.get("/V")
        if wd.ft == "/Btn":
            wobj = cast(DictionaryObject, reader.get_object(wref.idnum))
            on = v is not None and wd.on_value is not None and str(v) == wd.on_value
            if on and str(wobj.get("/AS")) != wd.on_value:
                on = False
            have = "1" if on else ""
        else:
            have = "" if v is None else str(v)
        if have != exp:
            bad[name] = (exp, have)
    if bad:
        raise ReadBackMismatch(bad)
