"""Turn a :class:`SupplementBInput` into the values printed in each item of a form.

Both rendering paths (reportlab facsimile and official fillable PDF) use the same
plan, so the same "N/A" rules apply and the same facts go to the additional-
information part (Part 7 of the I-918 Supplement B, Part 9 of the I-914
Supplement B). What fits is judged per path: by the printed box on the facsimile,
by the field's maximum length (``/MaxLen``) on the official form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from forms.activities import OTHER_RELATED, OTHER_RELATED_LABEL, allowed_activities
from forms.fonts import REGULAR, wrap
from forms.model import Name, Person, SupplementBInput
from forms.spec import FormSpec, Item

DRAFT_MARK = "DRAFT - not signed"
FONT_SIZE = 9.0
MIN_FONT_SIZE = 7.0
LINE_HEIGHT = 11.0
PAD = 3.0


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


@dataclass
class Facts:
    """Source name -> value, plus the sources whose value must go whole to the
    additional-information part (names recorded before they were structured)."""

    values: dict[str, str] = field(default_factory=dict)
    moved: dict[str, str] = field(default_factory=dict)  # source -> continuation text ("" = none)


def _person(f: Facts, prefix: str, p: Person | None) -> None:
    f.values[f"{prefix}.family"] = p.family_name if p else ""
    f.values[f"{prefix}.given"] = p.given_name if p else ""
    f.values[f"{prefix}.middle"] = (p.middle_name or "") if p else ""


def _name(f: Facts, prefix: str, n: Name | None, label: str) -> None:
    """A listed name: absent -> blank boxes; present -> each empty box reads N/A."""
    keys = [f"{prefix}.family", f"{prefix}.given", f"{prefix}.middle"]
    if n is None:
        f.values.update(dict.fromkeys(keys, ""))
        return
    if n.as_written:
        f.values.update(dict.fromkeys(keys, ""))
        f.moved[keys[0]] = f"{label}: {n.describe()}"
        f.moved.update(dict.fromkeys(keys[1:], ""))
        return
    f.values[keys[0]] = n.family_name or "N/A"
    f.values[keys[1]] = n.given_name or "N/A"
    f.values[keys[2]] = n.middle_name or "N/A"


def facts(data: SupplementBInput, spec: FormSpec, draft: bool) -> Facts:
    """Flat source-name -> value map used by the ``source`` keys of the layout data."""
    f = Facts()
    v = f.values
    a = data.agency
    _person(f, "victim", data.victim)
    _person(f, "official", data.certifying_official)
    _person(f, "agency_head", data.agency_head)
    _person(f, "supervisor", data.supervising_official)
    for i in range(spec.lists["other_names"]):
        n = data.other_names[i] if i < len(data.other_names) else None
        _name(f, f"other_name.{i}", n, "Other Names Used")
    unit_type, unit_no = _unit(a.suite)
    h = data.helpfulness
    narrative = "\n".join(p for p in (h.narrative.strip(), h.other_information or "") if p)
    v.update(
        {
            "a_number": data.a_number_digits,
            "ssn": "",
            "date_of_birth": fmt_date(data.date_of_birth),
            "gender": data.gender or "",
            "official_title": data.official_title,
            "official.phone": data.official_phone,
            "supervisor_title": data.supervising_official_title or "",
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
            "agency.fax": a.fax or "",
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
            "location": data.location or "",
            "extraterritorial": yes_no(data.extraterritorial),
            "extraterritorial_explanation": data.extraterritorial_authority or "",
            "description": data.description,
            "known_injuries": data.known_injuries or "",
            "possesses_information": yes_no(h.possesses_information),
            "helpful": yes_no(h.helpful),
            "refused": yes_no(h.refused_or_failed_to_assist),
            "refusal_explanation": h.refusal_explanation or "",
            "helpfulness_narrative": narrative,
            "cooperation": h.cooperation or "",
            "family_any": yes_no(bool(data.family_members)),
        }
    )
    for i in range(spec.lists["dates"]):
        d = data.activity_dates[i] if i < len(data.activity_dates) else None
        v[f"dates.{i}"] = fmt_date(d)
    for i in range(spec.lists["family"]):
        m = data.family_members[i] if i < len(data.family_members) else None
        _name(f, f"family.{i}", m, "Family member")
        if m is not None and m.as_written:
            f.moved[f"family.{i}.family"] += (
                f", Relationship: {m.relationship}, Involvement: {m.involvement}"
            )
            f.moved.update({f"family.{i}.relationship": "", f"family.{i}.involvement": ""})
        v[f"family.{i}.relationship"] = (m.relationship or "N/A") if m else ""
        v[f"family.{i}.involvement"] = (m.involvement or "N/A") if m else ""
    signed = data.signature.approved and not draft
    v["signature_text"] = DRAFT_MARK if not signed else ""
    v["supervisor_signature_text"] = DRAFT_MARK if not signed else ""
    v["signature_date"] = fmt_date(data.signature.signature_date) if signed else ""
    return f


def fits_box(text: str, item: Item) -> bool:
    """Whether ``text`` fits the item's printed box at the smallest allowed font size."""
    assert item.box is not None
    _, _, w, h = item.box
    if item.kind in ("text", "date", "dropdown"):
        if "\n" in text:
            return False
        return len(wrap(text, w - 2 * PAD, REGULAR, MIN_FONT_SIZE)) == 1
    max_lines = max(1, int((h - 2 * PAD + 2) // LINE_HEIGHT))
    return len(wrap(text, w - 2 * PAD, REGULAR, FONT_SIZE)) <= max_lines


def _ref(it: Item) -> str:
    """The item number for a continuation row: "6", "2.a"."""
    return it.number.rstrip(".")


class _Fit:
    def __init__(self, limits: dict[str, int] | None) -> None:
        self.limits = limits  # None: the facsimile (fit by box); else field name -> MaxLen

    def __call__(self, text: str, it: Item) -> bool:
        if self.limits is None:
            return fits_box(text, it)
        limit = self.limits.get(it.field or "")
        return limit is None or len(text) <= limit

    def marker(self, spec: FormSpec, it: Item) -> str:
        """The pointer to the additional-information part that fits this item."""
        for text in (spec.see_addl, f"See Part {spec.addl_part}", f"Pt. {spec.addl_part}"):
            if self(text, it):
                return text
        return ""


def make_plan(
    data: SupplementBInput,
    spec: FormSpec,
    *,
    draft: bool,
    limits: dict[str, int] | None = None,
) -> Plan:
    """Values per item id plus the additional-information continuations.

    ``limits`` (field name -> ``/MaxLen``) marks the official-PDF path: fit is judged by
    each field's maximum length there, by the printed box on the facsimile.
    """
    plan = Plan(spec=spec, data=data, draft=draft)
    f = facts(data, spec, draft)
    fit = _Fit(limits)
    conts = plan.continuations
    last_of: dict[str, Item] = {}
    for it in spec.items:
        if it.source.startswith("addl."):
            continue
        for key in ("other_name", "dates", "family"):
            if it.source.startswith(key + "."):
                last_of[key] = it
        raw = f.values.get(it.source, "")
        if it.kind == "checkbox":
            plan.values[it.id] = raw
            continue
        if it.source in f.moved:
            if f.moved[it.source]:
                conts.append(Continuation(it.page, it.part, _ref(it), f.moved[it.source]))
            plan.values[it.id] = fit.marker(spec, it)
            continue
        value = raw.strip() if raw else ""
        if not value and it.required:
            value = it.empty
        if it.kind != "signature" and value and not fit(value, it):
            conts.append(Continuation(it.page, it.part, _ref(it), f"{it.label}: {value}"))
            value = fit.marker(spec, it)
        if limits is not None and not it.field and value and value != "N/A":
            conts.append(Continuation(it.page, it.part, _ref(it), f"{it.label}: {value}"))
        plan.values[it.id] = value
    _list_overflow(data, spec, last_of, conts)
    if OTHER_RELATED in data.qualifying_activities:
        it = next(i for i in spec.items if i.source == "activities")
        conts.insert(
            0,
            Continuation(
                it.page,
                it.part,
                _ref(it),
                f"{OTHER_RELATED_LABEL}: {data.other_activity_description}",
            ),
        )
    conts.sort(key=lambda c: (c.page, c.part))
    p = spec.addl_part
    for n, c in enumerate(conts, start=int(spec.addl["first_row"])):
        plan.values[f"{p}.{n}a"] = str(c.page)
        plan.values[f"{p}.{n}b"] = str(c.part)
        plan.values[f"{p}.{n}c"] = c.item
        plan.values[f"{p}.{n}d"] = c.text
    return plan


def _list_overflow(
    data: SupplementBInput, spec: FormSpec, last_of: dict[str, Item], conts: list[Continuation]
) -> None:
    """Names, dates and family members beyond the rows the form has."""
    rows = spec.lists
    extra_names = data.other_names[rows["other_names"] :]
    if extra_names and "other_name" in last_of:
        it = last_of["other_name"]
        text = "; ".join(n.describe() for n in extra_names)
        conts.append(
            Continuation(it.page, it.part, it.number.split(".")[0], f"Other Names Used: {text}")
        )
    extra_dates = data.activity_dates[rows["dates"] :]
    if extra_dates and "dates" in last_of:
        it = last_of["dates"]
        text = ", ".join(fmt_date(d) for d in extra_dates)
        conts.append(
            Continuation(it.page, it.part, it.number.split(".")[0], f"Additional dates: {text}")
        )
    extra_family = data.family_members[rows["family"] :]
    if extra_family and "family" in last_of:
        it = last_of["family"]
        first = next(i for i in spec.items if i.source == "family.0.family")
        span = f"{first.number.split('.')[0]}-{it.number.split('.')[0]}"
        text = "; ".join(
            f"{m.describe()}, Relationship: {m.relationship or 'N/A'}, "
            f"Involvement: {m.involvement or 'N/A'}"
            for m in extra_family
        )
        conts.append(
            Continuation(it.page, it.part, span, f"Additional family members implicated: {text}")
        )
