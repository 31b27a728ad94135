"""The submission form as data: its fields, how a posted form becomes the request shape of
``shared/examples/``, and where each intake problem is shown on the page."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from casework.intake.validate import Problem
from casework.portal.i18n import VICTIM_LANGUAGES, Translate, localize_message
from forms.activities import OTHER_RELATED, T_TYPES, U_ACTIVITIES

FAMILY_SLOTS = 3
NAME_PARTS = ("family_name", "given_name", "middle_name")  # the form's boxes: never one string
FAMILY_PARTS = (*NAME_PARTS, "relationship", "involvement")


@dataclass(frozen=True)
class Field:
    name: str  # dotted path in the request shape; also the form control's name
    kind: (
        str  # text | email | tel | date | textarea | select | checkbox | slots | names | checkboxes
    )
    required: bool = False
    hint: str | None = None
    options: tuple[str, ...] = ()
    option_prefix: str = ""
    slots: int = 0
    slot_type: str = "text"
    autocomplete: str | None = None
    maxlength: int | None = None
    label: str | None = None

    @property
    def label_key(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class Section:
    key: str
    fields: tuple[Field, ...] = ()
    hint: str | None = None
    kind: str = "fields"  # fields | family | attachments


SECTIONS: tuple[Section, ...] = (
    Section(
        "sec_visa",
        (Field("visa_type", "radio", True, options=("U", "T"), option_prefix="visa_"),),
    ),
    Section(
        "sec_requester",
        (
            Field("requester.name", "text", True, autocomplete="name", maxlength=200),
            Field("requester.organization", "text", autocomplete="organization", maxlength=200),
            Field(
                "requester.role",
                "select",
                True,
                options=("victim_advocate", "attorney", "accredited_representative", "self"),
                option_prefix="role_",
            ),
            Field("requester.email", "email", True, "hint_email", autocomplete="email"),
            Field("requester.phone", "tel", autocomplete="tel", maxlength=40),
            Field("requester.mailing_address", "textarea", maxlength=500),
        ),
    ),
    Section(
        "sec_victim",
        (
            Field("victim.family_name", "text", True, maxlength=200),
            Field("victim.given_name", "text", True, maxlength=200),
            Field("victim.middle_name", "text", maxlength=200),
            Field("victim.other_names", "names", hint="hint_names", slots=3, maxlength=200),
            Field("victim.date_of_birth", "date", True, "hint_date"),
            Field(
                "victim.gender", "select", options=("", "female", "male"), option_prefix="gender_"
            ),
            Field("victim.a_number", "text", hint="hint_a_number", maxlength=20),
            Field(
                "victim.preferred_language",
                "select",
                options=("", *VICTIM_LANGUAGES),
                option_prefix="lang_",
            ),
        ),
    ),
    Section(
        "sec_incident",
        (
            Field(
                "incident.police_report_numbers",
                "slots",
                True,
                "hint_slots",
                slots=4,
                maxlength=40,
            ),
            Field("incident.dates", "slots", True, "hint_slots", slots=6, slot_type="date"),
            Field("incident.location", "text", maxlength=200),
            Field(
                "incident.qualifying_activities",
                "checkboxes",
                True,
                options=(*U_ACTIVITIES, OTHER_RELATED, *T_TYPES),
                option_prefix="act_",
            ),
            Field("incident.other_activity_description", "textarea", hint="hint_other"),
            Field(
                "incident.statutory_citations",
                "slots",
                hint="hint_citations",
                slots=4,
                maxlength=200,
            ),
            Field("incident.description", "textarea", True),
            Field("incident.known_injuries", "textarea"),
        ),
    ),
    Section(
        "sec_helpfulness",
        (
            Field("helpfulness.summary", "textarea", True),
            Field("helpfulness.possesses_information", "checkbox"),
            Field("helpfulness.has_been_helpful", "checkbox"),
            Field("helpfulness.is_being_helpful", "checkbox"),
            Field("helpfulness.likely_to_be_helpful", "checkbox"),
        ),
    ),
    Section("sec_family", hint="hint_family", kind="family"),
    Section(
        "sec_urgency",
        (
            Field("urgency.in_removal_proceedings", "checkbox"),
            Field("urgency.in_detention", "checkbox"),
            Field("urgency.family_member_turning_21_on", "date", hint="hint_date"),
        ),
        hint="hint_urgency",
    ),
    Section("sec_attachments", kind="attachments"),
)

FIELDS: dict[str, Field] = {f.name: f for s in SECTIONS for f in s.fields}


def fid(name: str, slot: int | None = None) -> str:
    """The HTML id of a control (or of a group's fieldset when ``slot`` is None)."""
    base = "f-" + re.sub(r"[^A-Za-z0-9_]+", "-", name).strip("-")
    return base if slot is None else f"{base}-{slot}"


class FormLike(Protocol):
    def getlist(self, key: Any) -> list[Any]: ...


def _text(form: FormLike, name: str) -> str:
    values = [v for v in form.getlist(name) if isinstance(v, str)]
    return values[0].strip() if values else ""


def _set(raw: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    node = raw
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


@dataclass
class Converted:
    raw: dict[str, Any]
    #: list field -> the form slot of each request index (blanks are skipped)
    slots: dict[str, list[int]] = field(default_factory=dict)
    family_slots: list[int] = field(default_factory=list)


def form_to_request(form: FormLike, filenames: Sequence[str]) -> Converted:
    """The request shape from a posted form; blank fields are left out (so "is required")."""
    raw: dict[str, Any] = {}
    out = Converted(raw)
    for f in FIELDS.values():
        if f.kind == "checkbox":
            _set(raw, f.name, bool(_text(form, f.name)))
        elif f.kind == "slots":
            values = [v.strip() if isinstance(v, str) else "" for v in form.getlist(f.name)]
            kept = [(i, v) for i, v in enumerate(values[: f.slots]) if v]
            if kept:
                _set(raw, f.name, [v for _, v in kept])
                out.slots[f.name] = [i for i, _ in kept]
        elif f.kind == "names":
            names = []
            for i in range(f.slots):
                parts = {k: _text(form, f"{f.name}[{i}].{k}") for k in NAME_PARTS}
                if any(parts.values()):
                    names.append(parts)
                    out.slots.setdefault(f.name, []).append(i)
            if names:
                _set(raw, f.name, names)
        elif f.kind == "checkboxes":
            chosen = [v for v in form.getlist(f.name) if isinstance(v, str) and v]
            if chosen:
                _set(raw, f.name, chosen)
        else:
            value = _text(form, f.name)
            if value:
                _set(raw, f.name, value)
    members = []
    for i in range(FAMILY_SLOTS):
        parts = {k: _text(form, f"family_members_implicated[{i}].{k}") for k in FAMILY_PARTS}
        if any(parts.values()):
            members.append({k: v for k, v in parts.items() if v})
            out.family_slots.append(i)
    raw["family_members_implicated"] = members
    raw["attachments"] = list(filenames)
    return out


def form_values(form: FormLike | None) -> dict[str, list[str]]:
    """What the person typed, to fill the form again (files cannot be refilled)."""
    if form is None:
        return {}
    names: set[str] = set(FIELDS)
    names |= {
        f"family_members_implicated[{i}].{k}" for i in range(FAMILY_SLOTS) for k in FAMILY_PARTS
    }
    names |= {
        f"{f.name}[{i}].{k}"
        for f in FIELDS.values()
        if f.kind == "names"
        for i in range(f.slots)
        for k in NAME_PARTS
    }
    return {n: [v for v in form.getlist(n) if isinstance(v, str)] for n in names}


@dataclass(frozen=True)
class ShownProblem:
    anchor: str  # HTML id the error summary links to
    label: str
    message: str


_INDEXED = re.compile(r"^(?P<base>[a-z_.]+?)\[(?P<index>\d+)\](?P<rest>.*)$")


def _locate(path: str, conv: Converted, t: Translate) -> tuple[str, str]:
    """(anchor, label) of the control where the problem at ``path`` belongs."""
    m = _INDEXED.match(path)
    if m:
        base, index, rest = m["base"], int(m["index"]), m["rest"].lstrip(".")
        if base == "family_members_implicated":
            slot = conv.family_slots[index] if index < len(conv.family_slots) else 0
            member = t("family_member", n=slot + 1)
            part = rest.split(".")[0].split("[")[0]
            if part in FAMILY_PARTS:
                return fid(f"family_members_implicated[{slot}].{part}"), (
                    f"{member}: {t('family.' + part)}"
                )
            return fid(f"family_members_implicated[{slot}]"), member
        if base == "attachments":
            return fid("attachments"), t("attachments")
        f = FIELDS.get(base)
        if f is not None and f.kind == "names":
            slots = conv.slots.get(base, [])
            slot = slots[index] if index < len(slots) else 0
            part = rest.split(".")[0]
            part = part if part in NAME_PARTS else "family_name"
            return fid(f"{base}[{slot}].{part}"), (
                f"{t(f.label_key)} ({t('entry')} {slot + 1}): {t('name.' + part)}"
            )
        if f is not None and f.kind == "slots":
            slots = conv.slots.get(base, [])
            slot = slots[index] if index < len(slots) else 0
            return fid(base, slot), f"{t(f.label_key)} ({t('entry')} {slot + 1})"
        if f is not None:
            return fid(base), t(f.label_key)
        path = base
    name = path
    while name:
        f = FIELDS.get(name)
        if f is not None:
            # a list's own problem (e.g. "is required") sits by its first box
            if f.kind == "names":
                anchor = fid(f"{name}[0].family_name")
            else:
                anchor = fid(name, 0) if f.kind == "slots" else fid(name)
            return anchor, t(f.label_key)
        if name == "family_members_implicated":
            return fid("family_members_implicated[0]"), t("sec_family")
        if name == "attachments":
            return fid("attachments"), t("attachments")
        name = name.rpartition(".")[0]
    return "main", path


def show_problems(
    problems: Sequence[Problem], conv: Converted, t: Translate, lang: str
) -> tuple[list[ShownProblem], dict[str, list[str]]]:
    """The error summary entries and the messages per control."""
    summary: list[ShownProblem] = []
    by_field: dict[str, list[str]] = {}
    for p in problems:
        anchor, label = _locate(p.path, conv, t)
        message = localize_message(p.message, lang)
        summary.append(ShownProblem(anchor, label, message))
        by_field.setdefault(anchor, []).append(message)
    return summary, by_field


def group_errors(by_field: Mapping[str, list[str]], name: str) -> list[str]:
    return list(by_field.get(fid(name), []))
