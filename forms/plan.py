"""Turn a :class:`SupplementBInput` into the values printed in each item of a form.

Both rendering paths (reportlab and official fillable PDF) use the same plan, so
the same overflow decisions (Part 7 continuations) and the same "N/A" rules apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel

from forms.activities import OTHER_RELATED, OTHER_RELATED_LABEL, allowed_activities
from forms.fonts import REGULAR, wrap
from forms.model import SupplementBInput
from forms.spec import FormSpec, Item

DRAFT_MARK = "DRAFT - not signed"
SEE_PART7 = "See Part 7, Additional Information."
FONT_SIZE = 9.0
MIN_FONT_SIZE = 7.0
LINE_HEIGHT = 11.0
PAD = 3.0
FORM_ROWS = 4  # date boxes (3.2a-d)
FAMILY_ROWS = 3  # family member rows (5.2 - 5.4)


@dataclass
class Continuation:
    page: int
    part: int
    item: str
    text: str


@dataclass
class Plan:
    spec: FormSpec
    data: SupplementBInput
    draft: bool
    values: dict[str, str] = field(default_factory=dict)
    continuations: list[Continuation] = field(default_factory=list)


def fmt_date(d: date | None) -> str:
    return "" if d is None else d.strftime("%m/%d/%Y")


def split_name(full: str) -> tuple[str, str, str]:
    """("Family", "Given", "Middle") from "Family, Given Middle" or "Given Middle Family"."""
    full = " ".join(full.split())
    if "," in full:
        fam, rest = (s.strip() for s in full.split(",", 1))
        parts = rest.split(" ")
        return fam, parts[0] if parts else "", " ".join(parts[1:])
    parts = full.split(" ")
    if len(parts) == 1:
        return parts[0], "", ""
    return parts[-1], parts[0], " ".join(parts[1:-1])


def _unit(suite: str | None) -> tuple[str, str]:
    if not suite:
        return "", ""
    s = suite.strip()
    low = s.lower()
    for prefixes, kind in (
        (("apartment", "apt"), "apt"),
        (("suite", "ste"), "ste"),
        (("floor", "flr", "fl"), "flr"),
    ):
        for p in prefixes:
            if low.startswith(p):
                return kind, s[len(p) :].lstrip(" .#")
    return "ste", s


def yes_no(b: bool) -> str:
    return "yes" if b else "no"


def facts(data: SupplementBInput, draft: bool) -> dict[str, str]:
    """Flat source-name -> value map used by the ``source`` keys of the layout data."""
    f: dict[str, str] = {}

    def person(prefix: str, p: BaseModel | None) -> None:
        f[f"{prefix}.family"] = getattr(p, "family_name", "") or ""
        f[f"{prefix}.given"] = getattr(p, "given_name", "") or ""
        f[f"{prefix}.middle"] = getattr(p, "middle_name", "") or ""

    a = data.agency
    person("victim", data.victim)
    person("official", data.certifying_official)
    person("agency_head", data.agency_head)
    if data.other_names:
        fam, giv, mid = split_name(data.other_names[0])
        f.update({"other_name.family": fam, "other_name.given": giv, "other_name.middle": mid})
    else:
        f.update({"other_name.family": "", "other_name.given": "", "other_name.middle": ""})
    unit_type, unit_no = _unit(a.suite)
    f.update(
        {
            "a_number": data.a_number or "",
            "date_of_birth": fmt_date(data.date_of_birth),
            "gender": data.gender or "",
            "official_title": data.official_title,
            "agency.name": a.name,
            "agency.street": a.street,
            "agency.unit_type": unit_type,
            "agency.unit_number": unit_no,
            "agency.city": a.city,
            "agency.state": a.state,
            "agency.zip_code": a.zip_code,
            "agency.province": "",
            "agency.postal_code": "",
            "agency.country": "United States",
            "agency.agency_type": a.agency_type,
            "agency.category": a.category,
            "agency.category_other": a.category_other or "",
            "agency.phone": a.phone,
            "agency.fax": a.fax or "",
            "agency.email": a.email,
            "case_status": data.case_status,
            "case_status_other": "",
            "report_numbers": "; ".join(data.report_numbers),
            "fbi_or_sid_number": data.fbi_or_sid_number or "",
            "activities": ",".join(
                k
                for k in allowed_activities(data.visa_type)
                if k in data.qualifying_activities and k != OTHER_RELATED
            ),
            "citations": "; ".join(data.statutory_citations),
            "in_us": yes_no(data.occurred_in_us),
            "location_in_us": (data.location_explanation or "") if data.occurred_in_us else "",
            "extraterritorial": yes_no(not data.occurred_in_us),
            "location_abroad": "" if data.occurred_in_us else (data.location_explanation or ""),
            "description": data.description,
            "known_injuries": data.known_injuries or "",
        }
    )
    for i in range(FORM_ROWS):
        d = data.activity_dates[i] if i < len(data.activity_dates) else None
        f[f"dates.{i}"] = fmt_date(d)
    h = data.helpfulness
    detail = (
        f"Has been helpful: {'Yes' if h.has_been_helpful else 'No'}. "
        f"Is being helpful: {'Yes' if h.is_being_helpful else 'No'}. "
        f"Is likely to be helpful: {'Yes' if h.likely_to_be_helpful else 'No'}."
    )
    f.update(
        {
            "possesses_information": yes_no(h.possesses_information),
            "helpful": yes_no(h.helpful),
            "refused": yes_no(h.refused_or_failed_to_assist),
            "refusal_explanation": h.refusal_explanation or "",
            "helpfulness_other": detail
            + (f"\n{h.other_information}" if h.other_information else ""),
            "family_any": yes_no(bool(data.family_members)),
        }
    )
    for i in range(FAMILY_ROWS):
        m = data.family_members[i] if i < len(data.family_members) else None
        fam, giv, mid = split_name(m.full_name) if m else ("", "", "")
        f.update(
            {
                f"family.{i}.family": fam,
                f"family.{i}.given": giv,
                f"family.{i}.middle": mid,
                f"family.{i}.relationship": m.relationship if m else "",
                f"family.{i}.involvement": m.involvement if m else "",
            }
        )
    signed = data.signature.approved and not draft
    f["signature_text"] = DRAFT_MARK if not signed else ""
    f["supervisor_signature_text"] = DRAFT_MARK if not signed else ""
    f["signature_date"] = fmt_date(data.signature.signature_date) if signed else ""
    return f


def fits(text: str, item: Item) -> bool:
    """Whether ``text`` fits the item's box at the smallest allowed font size."""
    assert item.box is not None
    _, _, w, h = item.box
    if item.kind in ("text", "date", "dropdown"):
        if "\n" in text:
            return False
        return len(wrap(text, w - 2 * PAD, REGULAR, MIN_FONT_SIZE)) == 1
    max_lines = max(1, int((h - 2 * PAD + 2) // LINE_HEIGHT))
    return len(wrap(text, w - 2 * PAD, REGULAR, FONT_SIZE)) <= max_lines


def make_plan(data: SupplementBInput, spec: FormSpec, *, draft: bool, official: bool) -> Plan:
    """Values per item id plus Part 7 continuations.

    ``official`` marks the official-PDF path: items without an official field
    (e.g. an email address the edition has no field for) go to Part 7 there.
    """
    plan = Plan(spec=spec, data=data, draft=draft)
    f = facts(data, draft)
    conts = plan.continuations
    first_addl = int(spec.addl["first_row"])
    for it in spec.items:
        if it.source.startswith("addl."):
            continue
        raw = f.get(it.source, "")
        if it.kind == "checkbox":
            plan.values[it.id] = raw
            continue
        value = raw.strip() if raw else ""
        if not value and it.required:
            value = it.empty
        if it.kind not in ("signature",) and value and not fits(value, it):
            conts.append(Continuation(it.page, it.part, it.item, f"{it.label}: {value}"))
            value = SEE_PART7
        if official and not it.field and value and value != "N/A":
            conts.append(Continuation(it.page, it.part, it.item, f"{it.label}: {value}"))
        plan.values[it.id] = value
        # list overflow attached right after the item it continues
        if it.id == "1.3c" and len(data.other_names) > 1:
            conts.append(
                Continuation(
                    it.page,
                    it.part,
                    "3",
                    "Other names used (continued): " + "; ".join(data.other_names[1:]),
                )
            )
        if it.id == "3.2d" and len(data.activity_dates) > FORM_ROWS:
            extra = ", ".join(fmt_date(d) for d in data.activity_dates[FORM_ROWS:])
            conts.append(
                Continuation(
                    it.page, it.part, "2", f"Additional dates of criminal activity: {extra}"
                )
            )
        if it.id == "5.4e" and len(data.family_members) > FAMILY_ROWS:
            rows = [
                f"{m.full_name} ({m.relationship}): {m.involvement}"
                for m in data.family_members[FAMILY_ROWS:]
            ]
            conts.append(
                Continuation(
                    it.page,
                    it.part,
                    "2-4",
                    "Additional family members implicated: " + "; ".join(rows),
                )
            )
    if OTHER_RELATED in data.qualifying_activities:
        it = spec.by_id["3.1"]
        conts.insert(
            0,
            Continuation(
                it.page, 3, "1", f"{OTHER_RELATED_LABEL}: {data.other_activity_description}"
            ),
        )
    conts.sort(key=lambda c: (c.page, c.part))
    for n, c in enumerate(conts, start=first_addl):
        plan.values[f"7.{n}a"] = str(c.page)
        plan.values[f"7.{n}b"] = str(c.part)
        plan.values[f"7.{n}c"] = c.item
        plan.values[f"7.{n}d"] = c.text
    return plan
