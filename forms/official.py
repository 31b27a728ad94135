"""Fill the official fillable (XFA/AcroForm hybrid) PDF with pypdf and verify it.

The blank form must carry the edition line the field map is for (checked before
filling). Steps: fill every mapped AcroForm field from the plan; tick checkboxes
with the export value found in each widget's ``/AP /N`` dictionary; remove
``/XFA``; set ``NeedAppearances``; write the changes as an incremental update
(pypdf's ``PdfWriter(reader, incremental=True)``: the official bytes stay as they
are, the filled objects are appended); then read every field back and raise
:class:`ReadBackMismatch` when any differs from the plan.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any, cast

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from forms.plan import DRAFT_MARK, Plan
from forms.readback import edition_lines
from forms.spec import FormSpec

FIELD_TYPES = {"/Tx": "text", "/Btn": "checkbox", "/Ch": "dropdown"}


class OfficialFormRefused(ValueError):
    """The PDF is not the official form of the edition the field map is for."""


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
    """Plan values adapted to the official form: the additional-information part has a
    fixed number of rows; entries beyond the last row are appended to the last row's
    text with their page/part/item references."""
    values = dict(plan.values)
    p = plan.spec.addl_part
    first = int(plan.spec.addl["first_row"])
    rows = int(plan.spec.addl["rows_on_form"])
    last = first + rows - 1
    n = last + 1
    extra: list[str] = []
    while f"{p}.{n}d" in values:
        extra.append(
            f"[Page {values.pop(f'{p}.{n}a')}, Part {values.pop(f'{p}.{n}b')}, "
            f"Item {values.pop(f'{p}.{n}c')}] {values.pop(f'{p}.{n}d')}"
        )
        n += 1
    if extra:
        values[f"{p}.{last}d"] = "\n".join([values[f"{p}.{last}d"], *extra])
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


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str  # text | checkbox | dropdown
    max_len: int | None
    field_id: int  # object numbers of the field and its first widget (kept by the update)
    widget_id: int
    on_value: str | None


@dataclass(frozen=True)
class Template:
    """A blank official form: its bytes, the edition lines it prints, its fields."""

    raw: bytes
    sha256: str
    editions: tuple[tuple[str, str], ...]  # (form, edition) of each edition line printed
    fields: dict[str, FieldInfo]
    # Parsed once: the incremental writer clones what it changes and never writes back.
    reader: PdfReader = dc_field(compare=False, repr=False)

    @property
    def max_lens(self) -> dict[str, int]:
        return {n: f.max_len for n, f in self.fields.items() if f.max_len}


_TEMPLATES: dict[str, Template] = {}


def template(official_pdf: Path | bytes | Template) -> Template:
    """The parsed blank form, cached by content (parsing dominates the fill time)."""
    if isinstance(official_pdf, Template):
        return official_pdf
    raw = official_pdf if isinstance(official_pdf, bytes) else Path(official_pdf).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    found = _TEMPLATES.get(digest)
    if found is None:
        try:
            reader = PdfReader(io.BytesIO(raw))
            text = " ".join(page.extract_text() or "" for page in reader.pages)
            fields = {name: _info(name, ws[0]) for name, ws in widgets(reader.pages).items()}
        except Exception as exc:  # noqa: BLE001 - any parse failure is a refusal with its reason
            raise OfficialFormRefused(f"not a readable PDF: {type(exc).__name__}: {exc}") from None
        found = Template(raw, digest, tuple(edition_lines(text)), fields, reader)
        if len(_TEMPLATES) > 8:
            _TEMPLATES.clear()
        _TEMPLATES[digest] = found
    return found


def _info(name: str, wd: Widget) -> FieldInfo:
    ref, wref = wd.field.indirect_reference, wd.widget.indirect_reference
    assert ref is not None and wref is not None
    ft = FIELD_TYPES.get(wd.ft, wd.ft)
    return FieldInfo(name, ft, wd.max_len, ref.idnum, wref.idnum, wd.on_value)


def check_edition(tpl: Template, spec: FormSpec) -> None:
    """Refuse a blank form whose printed edition line is not the one the field map is for."""
    wanted = (spec.form, spec.edition)
    if wanted in tpl.editions and all(e == wanted for e in tpl.editions if e[0] == spec.form):
        return
    found = ", ".join(sorted({f"Form {f} Edition {e}" for f, e in tpl.editions})) or "none"
    raise OfficialFormRefused(
        f"the PDF's edition line is not {spec.edition_line!r} (found: {found}); "
        f"the field map is for that edition only"
    )


def fill(plan: Plan, official_pdf: Path | bytes | Template, *, appearances: bool = False) -> bytes:
    """Fill the official PDF as an incremental update and verify every field.

    ``appearances=True`` also generates text appearance streams (pypdf); otherwise the
    stale blank appearances are dropped and ``NeedAppearances`` asks viewers to draw them.
    """
    spec = plan.spec
    tpl = template(official_pdf)
    check_edition(tpl, spec)
    writer = PdfWriter(tpl.reader, incremental=True)
    acro = cast(DictionaryObject, writer._root_object["/AcroForm"].get_object())
    if "/XFA" in acro:
        del acro[NameObject("/XFA")]
    targets = field_targets(spec, official_values(plan))
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
                if not appearances and "/AP" in wd.widget:
                    del wd.widget[NameObject("/AP")]  # the blank appearance is stale
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
    verify_filled(result, tpl, targets)
    return result


def verify_filled(pdf: bytes, tpl: Template, targets: dict[str, str]) -> None:
    """Read every target field back from the filled bytes (through the update's new
    cross-reference table, by the object numbers the blank form gives each field)."""
    reader = PdfReader(io.BytesIO(pdf))
    bad: dict[str, tuple[str, str]] = {}
    for name, exp in targets.items():
        info = tpl.fields.get(name)
        if info is None:
            bad[name] = (exp, "<field missing>")
            continue
        v = cast(DictionaryObject, reader.get_object(info.field_id)).get("/V")
        if info.type == "checkbox":
            widget = cast(DictionaryObject, reader.get_object(info.widget_id))
            on = info.on_value is not None and str(v) == info.on_value
            have = "1" if on and str(widget.get("/AS")) == info.on_value else ""
        else:
            have = "" if v is None else str(v)
        if have != exp:
            bad[name] = (exp, have)
    if bad:
        raise ReadBackMismatch(bad)


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
