"""Check that a PDF is an official fillable form of an edition the project knows.

The edition line printed on the form and its AcroForm fields (names and types) must
match an edition whose field inventory is recorded in ``forms/data/``. Used by
``casework forms install`` before the department's copy is kept.
"""

from __future__ import annotations

from forms.official import OfficialFormRefused, check_edition, template
from forms.spec import Edition, editions, inventory, load_spec


def check_official_pdf(raw: bytes) -> tuple[Edition, list[str]]:
    """(the edition, notes) for an acceptable official PDF; else OfficialFormRefused."""
    tpl = template(raw)
    known = {(load_spec(e.visa_type, e.edition).form, e.edition): e for e in editions().values()}
    found = [known[e] for e in tpl.editions if e in known]
    if not found:
        printed = ", ".join(f"Form {f} Edition {e}" for f, e in tpl.editions) or "none"
        wanted = ", ".join(sorted(e.edition_line for e in known.values()))
        raise OfficialFormRefused(
            f"no edition line of an edition the project knows (printed: {printed}; known: {wanted})"
        )
    ed = found[0]
    spec = load_spec(ed.visa_type, ed.edition)
    check_edition(tpl, spec)
    fields = inventory(ed)
    if fields is None:
        raise OfficialFormRefused(
            f"no field inventory is recorded for {ed.edition_line} (its field map in forms/data/ "
            "is unverified): record the official field names there before installing the form"
        )
    missing = sorted(n for n in fields if n not in tpl.fields)
    wrong = sorted(
        f"{n} is {tpl.fields[n].type}, not {t}"
        for n, t in fields.items()
        if n in tpl.fields and tpl.fields[n].type != t
    )
    if missing or wrong:
        detail = "; ".join(
            ([f"{len(missing)} field(s) missing: {', '.join(missing[:8])}"] if missing else [])
            + ([f"wrong field types: {', '.join(wrong[:8])}"] if wrong else [])
        )
        raise OfficialFormRefused(f"the PDF's fields do not match {ed.edition_line}: {detail}")
    extra = sorted(set(tpl.fields) - set(fields))
    notes = [f"{len(extra)} field(s) beyond the inventory are left blank"] if extra else []
    return ed, notes
