"""Read a facsimile back from what is printed on its pages (pypdf text with positions).

A facsimile carries no machine-readable copy of its values. Each item's value is
the text printed inside its box (wrapped lines joined by one space); a checkbox
option is chosen when its box holds the check mark; the additional-information
rows are read from their printed heads and lines, across continuation pages.
The form and edition are recognised from the edition line printed at the foot of
every page.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader

from forms.render import CHECK_MARK
from forms.spec import FormSpec, Item, all_specs

_ROW_HEAD = re.compile(
    r"^(?P<n>\d+)\.a\. Page Number: (?P<a>.*?)    (?P=n)\.b\. Part Number: (?P<b>.*?)    "
    r"(?P=n)\.c\. Item Number: (?P<c>.*?)    (?P=n)\.d\. Additional Information:$"
)
_EDITION = re.compile(r"Form (I-9\d\d Supplement B) Edition (\d\d/\d\d/\d\d)")
_EPS = 0.6


@dataclass(frozen=True)
class Fragment:
    x: float
    y: float
    text: str


def page_fragments(page: Any) -> list[Fragment]:
    """Upright text runs in drawing order, at their page positions (rotated text is left out).

    reportlab switches font subsets inside one string (e.g. for Vietnamese letters); pypdf
    reports each run at the string's start, so runs at the same position are joined.
    """
    out: list[Fragment] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, _size: Any) -> None:
        text = text.replace("\n", "")
        if not text:
            return
        if abs(cm[1]) > 1e-6 or abs(cm[2]) > 1e-6 or abs(tm[1]) > 1e-6 or abs(tm[2]) > 1e-6:
            return  # the diagonal DRAFT watermark
        x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
        y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
        if out and (out[-1].x, out[-1].y) == (x, y):
            out[-1] = Fragment(x, y, out[-1].text + text)
        elif text.strip():
            out.append(Fragment(x, y, text))

    page.extract_text(visitor_text=visit)
    return out


def _inside(f: Fragment, box: tuple[float, float, float, float]) -> bool:
    x, y, w, h = box
    return x - _EPS <= f.x <= x + w + _EPS and y - _EPS <= f.y <= y + h + _EPS


def _text_in(frags: list[Fragment], box: tuple[float, float, float, float]) -> str:
    inside = sorted((f for f in frags if _inside(f, box)), key=lambda f: (-round(f.y, 1), f.x))
    return " ".join(f.text.strip() for f in inside)


def edition_lines(pdf_text: str) -> list[tuple[str, str]]:
    """(form, edition) of every edition line found, e.g. ("I-918 Supplement B", "01/20/25")."""
    return [(m[1], m[2]) for m in _EDITION.finditer(" ".join(pdf_text.split()))]


def spec_for_pdf(reader: PdfReader) -> FormSpec:
    text = reader.pages[0].extract_text() if reader.pages else ""
    found = edition_lines(text)
    for spec in all_specs():
        if (spec.form, spec.edition) in found:
            return spec
    raise ValueError(
        "no known form edition line on page 1"
        + (f" (found {', '.join(f'{f} {e}' for f, e in found)})" if found else "")
    )


def read_facsimile(pdf: bytes) -> tuple[FormSpec, dict[str, str]]:
    reader = PdfReader(io.BytesIO(pdf))
    spec = spec_for_pdf(reader)
    pages = [page_fragments(p) for p in reader.pages]
    values: dict[str, str] = {}
    for it in spec.items:
        if it.source.startswith("addl."):
            continue
        frags = pages[it.page - 1] if it.page <= len(pages) else []
        values[it.id] = _checked(frags, it) if it.kind == "checkbox" else _box_text(frags, it)
    values.update(_addl_rows(spec, pages[spec.addl["page"] - 1 :]))
    return spec, values


def _box_text(frags: list[Fragment], it: Item) -> str:
    assert it.box is not None
    return _text_in(frags, it.box)


def _checked(frags: list[Fragment], it: Item) -> str:
    return ",".join(
        o.value for o in it.options if _text_in(frags, o.box).replace(" ", "") == CHECK_MARK
    )


def _addl_rows(spec: FormSpec, pages: list[list[Fragment]]) -> dict[str, str]:
    """The continuation rows, in the order printed; a row split over pages is joined."""
    p = spec.addl_part
    rows: dict[int, list[str]] = {}
    heads: dict[int, tuple[str, str, str]] = {}
    for frags in pages:
        current: int | None = None
        for f in frags:
            m = _ROW_HEAD.match(f.text.strip())
            if m:
                current = int(m["n"])
                heads[current] = (m["a"], m["b"], m["c"])
                rows.setdefault(current, [])
            elif current is not None:
                rows[current].append(f.text.strip())
    first, count = int(spec.addl["first_row"]), int(spec.addl["rows_on_form"])
    out = {f"{p}.{n}{k}": "" for n in range(first, first + count) for k in "abcd"}
    for n, (a, b, c) in heads.items():
        out.update({f"{p}.{n}a": a, f"{p}.{n}b": b, f"{p}.{n}c": c})
        out[f"{p}.{n}d"] = " ".join(rows[n])
    return out
