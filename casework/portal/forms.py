"""The submission form at work: how a posted form becomes the request shape of
``shared/examples/``, and where each intake problem is shown on the page (the fields
themselves: :mod:`casework.portal.form_spec`)."""

from __future__ import annotations

__all__ = [
    "FAMILY_LABELS",
    "FAMILY_MEMBER",
    "FAMILY_PARTS",
    "FAMILY_SLOTS",
    "FIELDS",
    "OTHER_LANGUAGE",
    "SECTIONS",
    "Converted",
    "Field",
    "Section",
    "ShownProblem",
    "fid",
    "form_to_request",
    "form_values",
    "show_problems",
]

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from casework.i18n.copies import UNDETERMINED
from casework.intake.validate import Problem
from casework.portal.form_spec import (
    ATTACHMENTS,
    ENTRY_OF,
    ENTRY_PART,
    FAMILY_LABELS,
    FAMILY_MEMBER,
    FAMILY_PARTS,
    FAMILY_SECTION,
    FAMILY_SLOTS,
    FIELDS,
    NAME_LABELS,
    NAME_PARTS,
    OTHER_LANGUAGE,
    SECTIONS,
    Field,
    Section,
)


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
        elif f.name == "victim.interpreter_needed":
            value = _text(form, f.name)
            if value in ("yes", "no"):
                _set(raw, f.name, value == "yes")
        else:
            value = _text(form, f.name)
            if f.name == "victim.preferred_language" and value == OTHER_LANGUAGE:
                value = UNDETERMINED  # "another language": the free-text box names it
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
Gettext = Callable[..., str]


def _locate(path: str, conv: Converted, _: Gettext) -> tuple[str, str]:
    """(anchor, label) of the control where the problem at ``path`` belongs."""
    m = _INDEXED.match(path)
    if m:
        base, index, rest = m["base"], int(m["index"]), m["rest"].lstrip(".")
        if base == "family_members_implicated":
            slot = conv.family_slots[index] if index < len(conv.family_slots) else 0
            member = _(FAMILY_MEMBER, n=slot + 1)
            part = rest.split(".")[0].split("[")[0]
            if part in FAMILY_PARTS:
                anchor = fid(f"family_members_implicated[{slot}].{part}")
                return anchor, f"{member}: {_(FAMILY_LABELS[part])}"
            return fid(f"family_members_implicated[{slot}]"), member
        if base == "attachments":
            return fid("attachments"), _(ATTACHMENTS)
        f = FIELDS.get(base)
        if f is not None and f.kind == "names":
            slots = conv.slots.get(base, [])
            slot = slots[index] if index < len(slots) else 0
            part = rest.split(".")[0]
            part = part if part in NAME_PARTS else "family_name"
            label = _(ENTRY_PART, label=_(f.label), n=slot + 1, part=_(NAME_LABELS[part]))
            return fid(f"{base}[{slot}].{part}"), label
        if f is not None and f.kind == "slots":
            slots = conv.slots.get(base, [])
            slot = slots[index] if index < len(slots) else 0
            return fid(base, slot), _(ENTRY_OF, label=_(f.label), n=slot + 1)
        if f is not None:
            return fid(base), _(f.label)
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
            return anchor, _(f.label)
        if name == "family_members_implicated":
            return fid("family_members_implicated[0]"), _(FAMILY_SECTION)
        if name == "attachments":
            return fid("attachments"), _(ATTACHMENTS)
        name = name.rpartition(".")[0]
    return "main", path


def show_problems(
    problems: Sequence[Problem], conv: Converted, _: Gettext
) -> tuple[list[ShownProblem], dict[str, list[str]]]:
    """The error summary entries and the messages per control, in the page's language."""
    summary: list[ShownProblem] = []
    by_field: dict[str, list[str]] = {}
    for p in problems:
        anchor, label = _locate(p.path, conv, _)
        message = p.text(_)
        summary.append(ShownProblem(anchor, label, message))
        by_field.setdefault(anchor, []).append(message)
    return summary, by_field
