"""Load per-edition form layouts / field maps from ``forms/data``.

Item id scheme (used by :func:`forms.api.read_back` and :func:`forms.api.describe`):
``"<part>.<item>"`` exactly as printed on the form, e.g. ``"1.2a"`` (Part 1, Item 2.a),
``"3.1"`` (Part 3, Item 1). Checkbox items read back as the selected option keys joined
by ``","`` (e.g. ``"domestic_violence,stalking"``; yes/no items read ``"yes"``/``"no"``).
The additional-information part (Part 7 of the I-918 Supplement B, Part 9 of the
I-914 Supplement B) has continuation rows ``"<p>.<n>a"`` (page), ``"<p>.<n>b"`` (part),
``"<p>.<n>c"`` (item) and ``"<p>.<n>d"`` (text), numbered as on the form.

``wording_verified`` marks the items and texts whose printed wording a source confirms
(see ``shared/forms/SUPPLEMENT-B-SOURCES.md``); ``field_names_verified`` whether the
official AcroForm field names are known.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    field: str | None
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class Item:
    id: str
    part: int
    item: str
    label: str
    kind: str  # text | multiline | date | dropdown | signature | checkbox
    source: str
    required: bool
    page: int
    empty: str = "N/A"
    box: tuple[float, float, float, float] | None = None
    label_box: tuple[float, float, float, float] | None = None
    field: str | None = None
    multi: bool = False
    options: tuple[Option, ...] = ()
    prefix: str | None = None  # printed before the box (the "A-" of the A-Number)
    wording_verified: bool = False

    @property
    def number(self) -> str:
        """The item number as printed: "2a" -> "2.a.", "10" -> "10."."""
        digits = self.item.rstrip("abcdefghijklmnopqrstuvwxyz")
        letter = self.item[len(digits) :]
        return f"{digits}.{letter}." if letter else f"{digits}."

    @property
    def printed_label(self) -> str:
        if self.item.endswith("o"):  # the "Other (explain)" box of a choice: no number of its own
            return self.label
        return f"{self.number} {self.label}"


@dataclass(frozen=True)
class TextBlock:
    page: int
    kind: str  # part | note
    box: tuple[float, float, float, float]
    text: str
    wording_verified: bool = False


@dataclass(frozen=True)
class FormSpec:
    form: str
    title: str
    edition: str
    edition_line: str  # as printed at the foot of every page of the official form
    visa_type: str
    omb: str
    field_names_verified: bool
    page_size: tuple[float, float]
    pages: int
    addl: dict[str, Any]
    lists: dict[str, int]  # rows the form has for other names, dates, family members
    items: tuple[Item, ...]
    texts: tuple[TextBlock, ...]
    layout_note: str = ""
    facsimile_note: str = ""  # printed on every facsimile page: what is unverified
    by_id: dict[str, Item] = field(default_factory=dict, compare=False, hash=False)

    @property
    def addl_part(self) -> int:
        """The number of the additional-information part (7 on the I-918B, 9 on the I-914B)."""
        return int(self.addl["part"])

    @property
    def see_addl(self) -> str:
        return f"See Part {self.addl_part}, Additional Information."

    def field_names(self) -> list[str]:
        out: list[str] = []
        for it in self.items:
            if it.field:
                out.append(it.field)
            out.extend(o.field for o in it.options if o.field)
        return out


def _box(v: Any) -> tuple[float, float, float, float] | None:
    return None if v is None else (float(v[0]), float(v[1]), float(v[2]), float(v[3]))


def parse_spec(raw: dict[str, Any]) -> FormSpec:
    items = []
    for r in raw["items"]:
        opts = tuple(
            Option(o["value"], o["label"], o.get("field"), _box(o["box"]))  # type: ignore[arg-type]
            for o in r.get("options", [])
        )
        items.append(
            Item(
                id=r["id"],
                part=r["part"],
                item=r["item"],
                label=r["label"],
                kind=r["kind"],
                source=r["source"],
                required=r.get("required", True),
                page=r["page"],
                empty=r.get("empty", "N/A"),
                box=_box(r.get("box")),
                label_box=_box(r.get("label_box")),
                field=r.get("field"),
                multi=r.get("multi", False),
                options=opts,
                prefix=r.get("prefix"),
                wording_verified=r.get("wording_verified", False),
            )
        )
    texts = tuple(
        TextBlock(t["page"], t["kind"], _box(t["box"]), t["text"], t.get("wording_verified", False))  # type: ignore[arg-type]
        for t in raw.get("texts", [])
    )
    spec = FormSpec(
        form=raw["form"],
        title=raw["title"],
        edition=raw["edition"],
        edition_line=raw["edition_line"],
        visa_type=raw["visa_type"],
        omb=raw.get("omb", ""),
        field_names_verified=raw.get("field_names_verified", False),
        page_size=(float(raw["page_size"][0]), float(raw["page_size"][1])),
        pages=int(raw["pages"]),
        addl=dict(raw["addl"]),
        lists={k: int(v) for k, v in raw["lists"].items()},
        items=tuple(items),
        texts=texts,
        layout_note=raw.get("layout_note", ""),
        facsimile_note=raw.get("facsimile_note", ""),
    )
    spec.by_id.update({it.id: it for it in spec.items})
    return spec


@dataclass(frozen=True)
class Edition:
    """An edition the project knows: its layout, file stem and field inventory (if recorded)."""

    visa_type: str
    edition: str
    layout: str
    stem: str  # e.g. "i-918-supb-01-20-25": the installed official PDF is <stem>.pdf
    edition_line: str
    inventory: str | None  # file of the official AcroForm field names and types, if known

    @property
    def key(self) -> str:
        return f"{self.visa_type}:{self.edition}"


@cache
def editions() -> dict[str, Edition]:
    index = json.loads((DATA_DIR / "editions.json").read_text())
    out = {}
    for key, e in index["editions"].items():
        visa, ed = key.split(":", 1)
        out[key] = Edition(visa, ed, e["layout"], e["stem"], e["edition_line"], e["inventory"])
    return out


def current_edition(visa_type: str) -> str:
    return str(json.loads((DATA_DIR / "editions.json").read_text())["current"][visa_type])


def edition_of(visa_type: str, edition: str | None = None) -> Edition:
    key = f"{visa_type}:{edition or current_edition(visa_type)}"
    found = editions().get(key)
    if found is None:
        raise KeyError(f"no layout for {key}; known editions: {', '.join(sorted(editions()))}")
    return found


@cache
def load_spec(visa_type: str, edition: str | None = None) -> FormSpec:
    """The layout of ``visa_type`` ("U"/"T") in ``edition`` (default: current edition)."""
    ed = edition_of(visa_type, edition)
    return parse_spec(json.loads((DATA_DIR / ed.layout).read_text()))


def inventory(ed: Edition) -> dict[str, str] | None:
    """Official field name -> type ("text", "checkbox", "dropdown"), when recorded."""
    if ed.inventory is None:
        return None
    raw = json.loads((DATA_DIR / ed.inventory).read_text())
    return {f["name"]: f["type"] for f in raw["fields"]}


def all_specs() -> list[FormSpec]:
    return [load_spec(e.visa_type, e.edition) for e in editions().values()]
