"""What leaves the department: no victim data in any output, withheld figures and the
internal marking visible in each format, accessible and archival PDFs with their HTML
twins, the pages looked at (against committed references in docs/), and past reports
that stay the same after cases move on."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from casework.reports import annual_report, records_report, render
from casework.reports.model import Report
from casework.roster import chief
from casework.states import OPEN_STATES, Role
from casework.steps import simple
from casework.transitions import Actor
from casework.views import get_case
from tests.disclosure import FEWER, HIDDEN
from tests.report_scenario import TODAY, Scenario, scenario_store

DOCS = Path(__file__).resolve().parents[1] / "docs"
PRODUCED = dt.date(2026, 1, 15)
NOW = dt.date(2026, 12, 1)  # "today" for the refusals: 2026 has not ended
WHITE = (1.0, 1.0, 1.0)
LIGHT = (0xE8 / 255, 0xEE / 255, 0xF4 / 255)  # the table headers' background


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    yield from scenario_store(tmp_path_factory.mktemp("outputs"), None, 160)


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_pages(data))


def squash(text: str) -> str:
    return " ".join(text.split())


def public_and_internal(sc: Scenario) -> list[tuple[str, Report]]:
    out: list[tuple[str, Report]] = []
    for suppress in (True, False):
        tag = "pub" if suppress else "internal"
        for year in (2023, 2024, 2025):
            out.append((f"annual-{year}-{tag}", annual_report(sc.store, year, suppress=suppress)))
            out.append(
                (
                    f"records-{year}-{tag}",
                    records_report(
                        sc.store, dt.date(year, 1, 1), dt.date(year, 12, 31), today=TODAY,
                        suppress=suppress,
                    ),
                )
            )  # fmt: skip
    return out


def identifying_strings(sc: Scenario, *, case_numbers: bool = True) -> set[str]:
    found: set[str] = set()
    for v in sc.victims:
        found |= {v.family_name, v.given_name, v.middle_name}
        found |= {v.date_of_birth.isoformat(), v.date_of_birth.strftime("%m/%d/%Y")}
    if case_numbers:
        for c in sc.cases:
            found.add(c.number)
            found.add(c.number.split("-", 1)[1])  # the number without the agency prefix
    found |= set(sc.report_numbers)
    found.add("rdelgado@pvvac.example.org")
    return found


def test_no_output_contains_victim_data_or_case_numbers(small: Scenario) -> None:
    needles = identifying_strings(small)
    assert len(needles) > 400
    checked = 0
    for name, report in public_and_internal(small):
        for fmt in ("csv", "json", "html", "pdf"):
            data = render(report, fmt)
            text = pdf_text(data) if fmt == "pdf" else data.decode()
            assert len(text) > 200, name
            # Internal versions may list case numbers (signature and approval in different
            # years); victims' data never appear anywhere.
            look_for = (
                needles if report.suppressed else identifying_strings(small, case_numbers=False)
            )
            folded = text.casefold()
            leaks = sorted(n for n in look_for if n.casefold() in folded)
            assert not leaks, f"{name}.{fmt} contains {leaks[:5]}"
            checked += 1
    assert checked == 48
    # The check can fail: a victim name placed in the text is caught.
    planted = "report text " + small.victims[3].family_name
    assert any(n.casefold() in planted.casefold() for n in needles)


def test_withheld_figures_and_the_internal_marking_in_every_format(small: Scenario) -> None:
    start, end = dt.date(2023, 1, 1), dt.date(2023, 12, 31)
    pub = records_report(small.store, start, end, today=TODAY)
    internal = records_report(small.store, start, end, today=TODAY, suppress=False)
    assert internal.figures()["requests_by_month"]["2023-08"]["total"] == 1  # the quiet month
    data = json.loads(render(pub, "json"))
    assert list(data)[-1] == "certifications"  # one top-level key per part of the record
    figures = data["certifications"]["figures"]
    assert figures["requests_by_month"]["2023-08"]["total"] == FEWER
    assert data["small_numbers_suppressed"] is True and data["release"] == "public"
    assert data["labels"][FEWER].startswith("a count from 1 to 4")
    rows = list(csv.DictReader(io.StringIO(render(pub, "csv").decode())))
    assert {r["release"] for r in rows} == {"public"}
    flat = {(r["part"], r["section"], r["item"], r["measure"]): r["value"] for r in rows}
    assert flat[("certifications", "requests_by_month", "2023-08", "total")] == FEWER
    # Every figure in the JSON is in the CSV, with the same value.
    for section, items in figures.items():
        for item, cells in items.items():
            for measure, value in cells.items():
                want = "" if value is None else str(value)
                assert flat[("certifications", section, item, measure)] == want
    pages = pdf_pages(render(pub, "pdf"))
    assert "fewer than 5" in "".join(pages) and not any("INTERNAL" in p for p in pages)
    # Internal: exact numbers, and said on every page, every CSV line and in the JSON.
    idata = json.loads(render(internal, "json"))
    assert idata["certifications"]["figures"]["requests_by_month"]["2023-08"]["total"] == 1
    assert idata["release"] == "internal" and "INTERNAL USE ONLY" in idata["notice"]
    irows = list(csv.DictReader(io.StringIO(render(internal, "csv").decode())))
    assert all(r["release"].startswith("INTERNAL") for r in irows)
    ipages = pdf_pages(render(internal, "pdf"))
    assert len(ipages) >= 3
    assert all("INTERNAL USE ONLY" in p for p in ipages)
    assert FEWER not in "".join(ipages)
    assert not any(v in HIDDEN for rows in idata["certifications"]["figures"].values()
                   for cells in rows.values() for v in cells.values())  # fmt: skip
    html = render(internal, "html").decode()
    assert 'class="banner warn"' in html and "INTERNAL USE ONLY" in html


def test_annual_pdf_reads_back(small: Scenario) -> None:
    report = annual_report(small.store, 2024, produced_on=PRODUCED)
    text = squash(pdf_text(render(report, "pdf")))
    assert "Northampton Police Department" in text
    assert "G.L. c. 258F, section 4" in text
    assert "1 January 2024 to 31 December 2024" in text and "15 January 2026" in text
    assert "The figures to report for 2024" in text
    figures = report.figures()
    for row, label in (
        ("individuals_requested", "1. Individuals who requested certification"),
        ("forms_signed", "2. Certification forms completed and signed"),
        ("denied", "3. Requests denied"),
    ):
        cells = figures["statutory"][row]
        after = text.split(label, 1)[1]
        # the counting basis is printed under the label, then U, T and the figure to report
        assert re.search(rf"{cells['U']} {cells['T']} {cells['total']}\b", after), row
    assert "signature date" in text and "still denied on 31 December" in text
    rr = figures["received_requests"]
    assert f"Requests received (each request once) {rr['received']['U']}" in text
    assert "Response within 90 days (G.L. c. 258F, s. 3)" in text
    # Contact and signature block, from the roster.
    assert "Contact for this report: Paula Simmons, Records Supervisor" in text
    assert "Maria Okafor, Chief of Police" in text and "certifications@npd.example.org" in text


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colours(data: bytes) -> dict[tuple[float, float, float], int]:
    """The fill colour in force at every text-showing operator of every page."""
    reader = PdfReader(io.BytesIO(data))
    seen: dict[tuple[float, float, float], int] = {}
    for page in reader.pages:
        fill: tuple[float, float, float] = (0.0, 0.0, 0.0)
        stack: list[tuple[float, float, float]] = []
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"q":
                stack.append(fill)
            elif op == b"Q":
                fill = stack.pop() if stack else fill
            elif op == b"rg":
                fill = tuple(float(x) for x in operands)  # type: ignore[assignment]
            elif op == b"g":
                fill = (float(operands[0]),) * 3  # type: ignore[assignment]
            elif op == b"k":
                c, m, y, k = (float(x) for x in operands)
                fill = ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
            elif op in (b"Tj", b"TJ", b"'", b'"'):
                seen[fill] = seen.get(fill, 0) + 1
    return seen


class Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("kind", ["records", "annual"])
def test_pdf_and_html_twin_are_accessible_and_archival(small: Scenario, kind: str) -> None:
    if kind == "records":
        report = records_report(
            small.store, dt.date(2024, 1, 1), dt.date(2024, 12, 31), today=TODAY
        )
    else:
        report = annual_report(small.store, 2024)
    data = render(report, "pdf")
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-US"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) is True
    assert reader.metadata is not None and reader.metadata.title == report.title
    fonts = {
        str(f.get_object()["/BaseFont"]): f.get_object()
        for page in reader.pages
        for f in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("DejaVu" in name for name in fonts), sorted(fonts)
    for name, font in fonts.items():
        descriptor = font.get("/FontDescriptor")
        if descriptor is None:  # a composite font: its descendant carries the file
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object(), f"{name} is not embedded"
    colours = text_colours(data)
    assert len(colours) >= 2
    for colour in colours:
        for background in (WHITE, LIGHT):
            assert contrast(colour, background) >= 4.5, (colour, background)
    text = squash(pdf_text(data))
    html = render(report, "html").decode()
    outline = Outline()
    outline.feed(html)
    tags = [t for t, _ in outline.tags]
    assert outline.tags[0] == ("html", {"lang": "en"})
    assert tags.count("h1") == 1 and "h2" in tags and "h3" in tags
    assert tags.count("table") == len(report.sections) == tags.count("caption")
    scopes = {a.get("scope") for t, a in outline.tags if t == "th"}
    assert scopes == {"col", "row"}
    for colour in re.findall(r"color: (#[0-9A-F]{6})", html):
        rgb = tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        assert contrast(rgb, WHITE) >= 4.5, colour  # type: ignore[arg-type]
    if kind == "records":
        # One monthly chart for each register's part, then the certifications' two.
        images = [a for t, a in outline.tags if a.get("role") == "img"]
        assert len(images) == 5
        sections = ["detainer_requests_by_month", "stops_by_month",
                    "language_services_by_month", "requests_by_month"]  # fmt: skip
        for image, key in zip(images, sections, strict=False):
            alt = str(image["aria-label"])
            for month_key, cells in report.section(key).rows.items():
                month = dt.date(int(month_key[:4]), int(month_key[5:]), 1).strftime("%B %Y")
                assert f"{month}: {cells['total']}" in alt, key
            assert alt in text  # printed under the chart in the PDF
        assert "ICE detainer requests received in each month" in str(images[0]["aria-label"])
        assert "<svg" in html and html.count("<figcaption>") == 5


def test_withheld_bars_are_drawn_as_markers(small: Scenario) -> None:
    """A month reading "fewer than 5" gets a dashed, hatched marker, not a bar of height 0."""
    pub = records_report(small.store, dt.date(2023, 1, 1), dt.date(2023, 12, 31), today=TODAY)
    internal = records_report(
        small.store, dt.date(2023, 1, 1), dt.date(2023, 12, 31), today=TODAY, suppress=False
    )
    assert FEWER in [c["total"] for c in pub.section("requests_by_month").rows.values()]

    def dashes(report: Report) -> int:
        reader = PdfReader(io.BytesIO(render(report, "pdf")))
        ops = ContentStream(reader.pages[0].get_contents(), reader).operations
        return sum(1 for operands, op in ops if op == b"d" and list(operands[0]))

    assert dashes(pub) >= 2 and dashes(internal) == 0
    assert "Hatched box: figure withheld" in pdf_pages(render(pub, "pdf"))[0]


def _png(data: bytes, path: Path) -> Image.Image:
    pdf = pdfium.PdfDocument(data)
    image = pdf[0].render(scale=1.5).to_pil().convert("RGB")
    pdf.close()
    image.save(path)
    return image


@pytest.mark.parametrize("kind", ["records", "annual"])
def test_first_page_renders_like_the_reference(small: Scenario, tmp_path: Path, kind: str) -> None:
    """Compared with the committed docs/report-<kind>.png (also the README's pictures).

    After an intended change of the layout: CASEWORK_UPDATE_DOCS=1 rewrites the
    references, to be looked at and committed. A missing reference is a failure.
    """
    if kind == "records":
        report = records_report(
            small.store, dt.date(2025, 1, 1), dt.date(2025, 12, 31), today=TODAY,
            produced_on=PRODUCED,
        )  # fmt: skip
    else:
        report = annual_report(small.store, 2025, produced_on=PRODUCED)
    image = _png(render(report, "pdf"), tmp_path / f"report-{kind}.png")
    assert image.size == (918, 1188)  # US Letter at 108 dpi
    reference = DOCS / f"report-{kind}.png"
    if os.environ.get("CASEWORK_UPDATE_DOCS") == "1":
        image.save(reference)
    assert reference.exists(), (
        f"{reference} is missing: run CASEWORK_UPDATE_DOCS=1 .venv/bin/python -m pytest "
        f"tests/test_reports_outputs.py -k reference, look at it, and commit it"
    )
    ref = Image.open(reference).convert("RGB")
    assert ref.size == image.size
    changed, limit = pixels_changed(ref, image)
    assert changed <= limit, (
        f"{changed} pixels differ from {reference.name} by more than {CHANNEL_TOLERANCE}/255 "
        f"in a colour channel (tolerance {limit}); the new rendering is {tmp_path}/report-{kind}.png"
    )


#: A pixel counts as changed when a colour channel moves by more than this (of 255): a
#: different colour, shape or position, not the faint shading of a different rasteriser build.
CHANNEL_TOLERANCE = 32
#: ...and the page may have this share of changed pixels (about 545 on the 918 x 1188 page:
#: a few glyphs' edges). A changed colour of the headings or bars (about 3,900 pixels) or
#: withheld-figure markers a quarter shorter (about 5,000) fail; the text itself is checked
#: by reading the PDF back, above.
PIXEL_SHARE = 0.0005


def pixels_changed(ref: Image.Image, image: Image.Image) -> tuple[int, int]:
    """(changed pixels, the most allowed) between two RGB images of one size."""
    gap = np.abs(np.asarray(ref, dtype=np.int16) - np.asarray(image, dtype=np.int16)).max(axis=2)
    return int((gap > CHANNEL_TOLERANCE).sum()), int(PIXEL_SHARE * image.size[0] * image.size[1])


def test_the_image_comparison_sees_a_changed_colour() -> None:
    """The comparison itself: the headings' blue turned plum is seen; a faint tint is not."""
    box = (100, 100, 160, 120)  # 1,200 pixels
    page = Image.new("RGB", (918, 1188), "white")
    page.paste((0x2F, 0x5D, 0x8A), box)
    plum, tint = page.copy(), page.copy()
    plum.paste((0x8A, 0x2F, 0x5D), box)
    tint.paste((0x3F, 0x6D, 0x9A), box)
    found, limit = pixels_changed(page, plum)
    assert found == 1200 > limit
    assert pixels_changed(page, tint)[0] == 0


def test_past_reports_do_not_change_when_cases_move_on(tmp_path: Path) -> None:
    for sc in scenario_store(tmp_path, None, 70):
        before = {
            "annual": render(annual_report(sc.store, 2024, produced_on=PRODUCED), "json"),
            "records": render(
                records_report(
                    sc.store, dt.date(2024, 1, 1), dt.date(2024, 12, 31),
                    today=dt.date(2025, 1, 10), produced_on=PRODUCED, suppress=False,
                ),
                "json",
            ),
        }  # fmt: skip
        moved = 0
        at = dt.datetime(2026, 3, 20, 15, 0, tzinfo=dt.UTC)
        with sc.store.unit_of_work() as s:
            boss = Actor.person(chief(s), Role.CHIEF)
            for c in sc.cases:
                case = get_case(s, c.number)
                if case.state in ("certified", "delivered"):
                    simple(s, case, "revoke", boss, case.version, reason="disavowed", at=at)
                elif case.state == "denied":
                    simple(s, case, "reopen", boss, case.version, reason="new facts", at=at)
                elif case.state in OPEN_STATES:
                    simple(s, case, "withdraw", Actor.system(), case.version, at=at)
                else:
                    continue
                moved += 1
        assert moved > 20
        now = annual_report(sc.store, 2026, suppress=False, today=NOW, draft=True)
        assert now.draft and all("DRAFT" in page for page in pdf_pages(render(now, "pdf")))
        assert (
            render(annual_report(sc.store, 2024, produced_on=PRODUCED), "json") == before["annual"]
        )  # ...and not in the past
        again = records_report(
            sc.store, dt.date(2024, 1, 1), dt.date(2024, 12, 31), today=dt.date(2025, 1, 10),
            produced_on=PRODUCED, suppress=False,
        )  # fmt: skip
        assert render(again, "json") == before["records"]
        march: Any = records_report(
            sc.store, dt.date(2026, 3, 1), dt.date(2026, 3, 31), suppress=False
        ).figures()["outcomes"]
        assert march["revoked"]["total"] > 0 and march["withdrawn"]["total"] > 0
