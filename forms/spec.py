"""Load per-edition form layouts / field maps from ``forms/data``.

Item id scheme (used by :func:`forms.api.read_back` and :func:`forms.api.describe`):
``"<part>.<item>"`` exactly as printed on the form, e.g. ``"1.2a"`` (Part 1, Item 2.a),
``"3.1"`` (Part 3, Item 1). Checkbox items read back as the selected option keys joined
by ``","`` (e.g. ``"domestic_violence,stalking"``; yes/no items read ``"yes"``/``"no"``).
Part 7 continuation rows are ``"7.<n>a"`` (page), ``"7.<n>b"`` (part), ``"7.<n>c"`` (item),
``"7.<n>d"`` (text), numbered from 4 as on the form.
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

    @property
    def printed_label(self) -> str:
        return self.label if self.label[:1].isdigit() else f"{self.item}. {self.label}"


@dataclass(frozen=True)
class TextBlock:
    page: int
    kind: str  # part | note
    box: tuple[float, float, float, float]
    text: str


@dataclass(frozen=True)
class FormSpec:
    form: str
    title: str
    edition: str
    visa_type: str
    omb: str
    field_names_verified: bool
    page_size: tuple[float, float]
    pages: int
    addl: dict[str, Any]
    items: tuple[Item, ...]
    texts: tuple[TextBlock, ...]
    by_id: dict[str, Item] = field(default_factory=dict, compare=False, hash=False)

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
            )
        )
    texts = tuple(
        TextBlock(t["page"], t["kind"], _box(t["box"]), t["text"])  # type: ignore[arg-type]
        for t in raw.get("texts", [])
    )
    spec = FormSpec(
        form=raw["form"],
        title=raw["title"],
        edition=raw["edition"],
        visa_type=raw["visa_type"],
        omb=raw.get("omb", ""),
        field_names_verified=raw.get("field_names_verified", False),
        page_size=(float(raw["page_size"][0]), float(raw["page_size"][1])),
        pages=int(raw["pages"]),
        addl=dict(raw["addl"]),
        items=tuple(items),
        texts=texts,
    )
    spec.by_id.update({it.id: it for it in spec.items})
    return spec


@cache
def load_spec(visa_type: str, edition: str | None = None) -> FormSpec:
    """The layout of ``visa_type`` ("U"/"T") in ``edition`` (default: current edition)."""
    index = json.loads((DATA_DIR / "editions.json").read_text())
    ed = edition or index["current"][visa_type]
    key = f"{visa_type}:{ed}"
    if key not in index["editions"]:
        known = ", ".join(sorted(index["editions"]))
        raise KeyError(f"no layout for {key}; known editions: {known}")
    return parse_spec(json.loads((DATA_DIR / index["editions"][key]).read_text()))


def all_specs() -> list[FormSpec]:
    index = json.loads((DATA_DIR / "editions.json").read_text())
    return [load_spec(*k.split(":", 1)) for k in sorted(index["editions"])]
