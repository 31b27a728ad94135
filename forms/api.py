"""Public API of the forms package.

Item ids follow ``"<part>.<item>"`` as printed (``"1.2a"`` = Part 1, Item 2.a); see
:mod:`forms.spec` for the full scheme. Checkbox items read back as comma-joined
option keys (``"domestic_violence,stalking"``, ``"yes"``/``"no"``, ``"female"``).

Two outputs: the **official form** filled (when the department's copy of the official
fillable PDF is given) or a reportlab **facsimile** marked as such on every page.
"""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from forms import official
from forms.model import SupplementBInput
from forms.official import OfficialFormRefused, ReadBackMismatch, Template
from forms.plan import make_plan
from forms.readback import read_facsimile
from forms.render import FACSIMILE_MARK, render_plan
from forms.spec import FormSpec, all_specs, load_spec

__all__ = [
    "FACSIMILE_MARK",
    "OfficialFormRefused",
    "ReadBackMismatch",
    "describe",
    "read_back",
    "render_supplement_b",
    "spec_for",
]


def spec_for(data: SupplementBInput) -> FormSpec:
    return load_spec(data.visa_type, data.edition)


def render_supplement_b(
    data: SupplementBInput,
    *,
    official_pdf: Path | bytes | Template | None = None,
    draft: bool | None = None,
) -> bytes:
    """Form I-918 Supplement B (U) or I-914 Supplement B (T) as PDF bytes.

    With ``official_pdf`` the official fillable PDF is filled (its edition line is
    checked first, raising :class:`OfficialFormRefused`; every field is read back,
    raising :class:`ReadBackMismatch`); otherwise a facsimile is drawn with reportlab.
    ``draft`` defaults to ``not data.signature.approved``; an unapproved form is
    always a draft: "DRAFT - not signed" on every page, no signature date or image.
    """
    is_draft = (not data.signature.approved) if draft is None else draft
    if not data.signature.approved:
        is_draft = True
    spec = spec_for(data)
    if official_pdf is not None:
        tpl = official.template(official_pdf)
        official.check_edition(tpl, spec)
        plan = make_plan(data, spec, draft=is_draft, limits=tpl.max_lens)
        return official.fill(plan, tpl)
    return render_plan(make_plan(data, spec, draft=is_draft))


def _detect(pdf: bytes) -> tuple[str, FormSpec, dict[str, str]]:
    fields = official.read_fields(pdf)
    if fields:
        best = max(all_specs(), key=lambda s: len(set(s.field_names()) & set(fields)))
        return "official", best, official.items_from_fields(best, fields)
    spec, values = read_facsimile(pdf)
    return "facsimile", spec, values


def is_facsimile(pdf: bytes) -> bool:
    reader = PdfReader(io.BytesIO(pdf))
    return bool(reader.pages) and FACSIMILE_MARK in (reader.pages[0].extract_text() or "")


def read_back(pdf: bytes) -> dict[str, str]:
    """Item id -> value as printed (facsimile) or as filled (official form)."""
    return _detect(pdf)[2]


def describe(pdf: bytes) -> list[tuple[str, str, str]]:
    """(item id, label, value) in form order, then the additional-information rows."""
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
        "d": "Additional Information",
    }
    p = spec.addl_part
    for k in extra:
        n = k.split(".")[1][:-1]
        rows.append((k, f"Part {p}, Item {n}.{k[-1]}. {names.get(k[-1], '')}", values[k]))
    return rows
