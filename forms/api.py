"""Public API of the forms package.

Item ids follow ``"<part>.<item>"`` as printed (``"1.2a"`` = Part 1, Item 2.a); see
:mod:`forms.spec` for the full scheme. Checkbox items read back as comma-joined
option keys (``"domestic_violence,stalking"``, ``"yes"``/``"no"``, ``"female"``).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from pypdf import PdfReader

from forms import official
from forms.model import SupplementBInput
from forms.official import ReadBackMismatch
from forms.plan import make_plan
from forms.render import ITEM_LAYER_KEY, render_plan
from forms.spec import FormSpec, all_specs, load_spec

__all__ = ["ReadBackMismatch", "describe", "read_back", "render_supplement_b", "spec_for"]


def spec_for(data: SupplementBInput) -> FormSpec:
    return load_spec(data.visa_type, data.edition)


def render_supplement_b(
    data: SupplementBInput, *, official_pdf: Path | None = None, draft: bool | None = None
) -> bytes:
    """Form I-918 Supplement B (U) or I-914 Supplement B (T) as PDF bytes.

    With ``official_pdf`` the official fillable PDF is filled (and verified, raising
    :class:`ReadBackMismatch`); otherwise the form is drawn with reportlab.
    ``draft`` defaults to ``not data.signature.approved``; an unapproved form is
    always a draft: "DRAFT - not signed" on every page, no signature date or image.
    """
    is_draft = (not data.signature.approved) if draft is None else draft
    if not data.signature.approved:
        is_draft = True
    spec = spec_for(data)
    plan = make_plan(data, spec, draft=is_draft, official=official_pdf is not None)
    if official_pdf is not None:
        return official.fill(plan, official_pdf)
    return render_plan(plan)


def _detect(pdf: bytes) -> tuple[str, FormSpec, dict[str, str]]:
    reader = PdfReader(io.BytesIO(pdf))
    meta: dict[str, object] = dict(reader.metadata or {})
    layer = meta.get(f"/{ITEM_LAYER_KEY}")
    if layer:
        doc = json.loads(str(layer))
        for spec in all_specs():
            if spec.form == doc["form"] and spec.edition == doc["edition"]:
                return "reportlab", spec, dict(doc["items"])
        raise ValueError(f"unknown form edition {doc['form']} {doc['edition']}")
    fields = official.read_fields(pdf)
    if not fields:
        raise ValueError("not a Supplement B PDF: no item layer and no form fields")
    best = max(all_specs(), key=lambda s: len(set(s.field_names()) & set(fields)))
    return "official", best, official.items_from_fields(best, fields)


def read_back(pdf: bytes) -> dict[str, str]:
    """Item id -> value as printed (reportlab path) or as filled (official path)."""
    return _detect(pdf)[2]


def describe(pdf: bytes) -> list[tuple[str, str, str]]:
    """(item id, label, value) in form order, then the Part 7 continuation rows."""
    _, spec, values = _detect(pdf)
    rows: list[tuple[str, str, str]] = []
    for it in spec.items:
        if it.id in values:
            rows.append((it.id, f"Part {it.part}, Item {it.printed_label}", values[it.id]))
    known = {it.id for it in spec.items}
    extra = sorted(
        (k for k in values if k not in known),
        key=lambda k: (int(k.split(".")[0]), int(k.split(".")[1][:-1]), k[-1]),
    )
    names = {
        "a": "Page Number",
        "b": "Part Number",
        "c": "Item Number",
        "d": "Additional information",
    }
    for k in extra:
        rows.append((k, f"Part 7, Item {k.split('.')[1]} {names.get(k[-1], '')}", values[k]))
    return rows
