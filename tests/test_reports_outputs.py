"""What leaves the department: no victim data in any output, suppression visible in each
format, the PDF looked at (first page to PNG, reference under docs/), the CLI, and past
reports that stay the same after cases move on."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from casework.cli import main
from casework.reports import annual_report, records_report, render
from casework.reports.model import Report
from casework.reports.suppress import SUPPRESSED
from casework.roster import chief
from casework.states import OPEN_STATES, Role
from casework.steps import simple
from casework.transitions import Actor
from casework.views import get_case
from tests.test_reports_figures import TODAY, Scenario, _scenario_store

DOCS = Path(__file__).resolve().parents[1] / "docs"
PRODUCED = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    yield from _scenario_store(tmp_path_factory.mktemp("outputs"), None, 160)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def all_outputs(sc: Scenario) -> dict[str, str]:
    outputs: dict[str, str] = {}
    reports: list[tuple[str, Report]] = []
    for suppress in (True, False):
        tag = "pub" if suppress else "internal"
        for year in (2023, 2024, 2025):
            reports.append(
                (f"annual-{year}-{tag}", annual_report(sc.store, year, suppress=suppress))
            )
        reports.append(
            (
                f"records-{tag}",
                records_report(
                    sc.store, dt.date(2023, 1, 1), dt.date(2026, 2, 28), today=TODAY,
                    suppress=suppress,
                ),
            )
        )  # fmt: skip
    for name, report in reports:
        outputs[f"{name}.csv"] = render(report, "csv").decode()
        outputs[f"{name}.json"] = render(report, "json").decode()
        outputs[f"{name}.pdf"] = pdf_text(render(report, "pdf"))
    return outputs


def identifying_strings(sc: Scenario) -> set[str]:
    found: set[str] = set()
    for v in sc.victims:
        found |= {v.family_name, v.given_name, v.middle_name}
        found |= {v.date_of_birth.isoformat(), v.date_of_birth.strftime("%m/%d/%Y")}
    for c in sc.cases:
        found.add(c.number)
        found.add(c.number.split("-", 1)[1])  # the number without the agency prefix
    found |= set(sc.report_numbers)
    found.add("rdelgado@pvvac.example.org")
    return found


def test_no_output_contains_victim_data_or_case_numbers(small: Scenario) -> None:
    outputs = all_outputs(small)
    needles = identifying_strings(small)
    assert len(needles) > 400
    for name, text in outputs.items():
        folded = text.casefold()
        assert len(text) > 200, name
        leaks = sorted(n for n in needles if n.casefold() in folded)
        assert not leaks, f"{name} contains {leaks[:5]}"
    # The check can fail: a victim name placed in the text is caught.
    planted = outputs["records-pub.csv"] + small.victims[3].family_name
    assert any(n.casefold() in planted.casefold() for n in needles)


def test_suppression_is_visible_in_every_format(small: Scenario) -> None:
    start, end = dt.date(2023, 1, 1), dt.date(2025, 12, 31)
    pub = records_report(small.store, start, end, today=TODAY)
    internal = records_report(small.store, start, end, today=TODAY, suppress=False)
    exact_month = internal.figures()["requests_by_month"]["2023-08"]["total"]
    assert exact_month == 1  # the scenario's quiet month
    data = json.loads(render(pub, "json"))
    assert data["figures"]["requests_by_month"]["2023-08"]["total"] == SUPPRESSED
    assert data["small_numbers_suppressed"] is True
    rows = list(csv.DictReader(io.StringIO(render(pub, "csv").decode())))
    cell = [r for r in rows if (r["section"], r["item"], r["measure"]) ==
            ("requests_by_month", "2023-08", "total")]  # fmt: skip
    assert cell[0]["value"] == SUPPRESSED
    # Every figure in the JSON is in the CSV, with the same value.
    flat = {(r["section"], r["item"], r["measure"]): r["value"] for r in rows}
    for section, items in data["figures"].items():
        for item, cells in items.items():
            for measure, value in cells.items():
                want = "" if value is None else str(value)
                assert flat[(section, item, measure)] == want
    text = pdf_text(render(pub, "pdf"))
    assert "fewer than 5" in text and "INTERNAL" not in text
    # Internal use: exact numbers and a warning on every format.
    idata = json.loads(render(internal, "json"))
    assert idata["figures"]["requests_by_month"]["2023-08"]["total"] == 1
    assert idata["small_numbers_suppressed"] is False and "INTERNAL" in idata["notice"]
    itext = pdf_text(render(internal, "pdf"))
    assert "INTERNAL USE ONLY" in itext and "fewer than 5" not in itext


def test_annual_pdf_reads_back(small: Scenario) -> None:
    report = annual_report(small.store, 2024, produced_on=PRODUCED)
    text = pdf_text(render(report, "pdf"))
    squashed = " ".join(text.split())
    assert "Northampton Police Department" in squashed
    assert "G.L. c. 258F, section 4" in squashed
    assert "1 January 2024 to 31 December 2024" in squashed
    assert "15 January 2026" in squashed
    figures = report.figures()["figures"]
    row = " ".join(str(figures["individuals_requested"][c]) for c in ("U", "T", "total"))
    assert f"Individuals who requested certification {row}" in squashed


def _png(data: bytes, path: Path) -> Image.Image:
    pdf = pdfium.PdfDocument(data)
    image = pdf[0].render(scale=1.5).to_pil().convert("RGB")
    pdf.close()
    image.save(path)
    return image


@pytest.mark.parametrize("kind", ["records", "annual"])
def test_first_page_renders_like_the_reference(small: Scenario, tmp_path: Path, kind: str) -> None:
    if kind == "records":
        report = records_report(
            small.store, dt.date(2025, 1, 1), dt.date(2025, 12, 31), today=TODAY,
            produced_on=PRODUCED,
        )  # fmt: skip
    else:
        report = annual_report(small.store, 2025, produced_on=PRODUCED)
    image = _png(render(report, "pdf"), tmp_path / f"report-{kind}.png")
    assert image.size == (918, 1188)  # US Letter at 108 dpi
    # Not blank: a real share of the page is ink.
    gray = image.convert("L")
    dark = sum(gray.histogram()[:128])
    assert dark > 0.01 * image.size[0] * image.size[1]
    reference = DOCS / f"report-{kind}.png"
    if os.environ.get("CASEWORK_UPDATE_DOCS") == "1" or not reference.exists():
        DOCS.mkdir(exist_ok=True)
        image.save(reference)
    ref = Image.open(reference).convert("RGB")
    assert ref.size == image.size
    diff = ImageChops.difference(ref, image).convert("L")
    changed = sum(diff.histogram()[65:])
    assert changed < 0.01 * image.size[0] * image.size[1], f"{changed} pixels differ"


def test_cli_writes_each_format(
    small: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "annual", "--year", "2024", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["figures"] == annual_report(small.store, 2024).figures()
    target = tmp_path / "rec.csv"
    args = ["report", "records", "--from", "2024-01-01", "--to", "2024-06-30",
            "--today", TODAY.isoformat(), "--out", str(target)]  # fmt: skip
    assert main(args) == 0
    assert target.read_text().startswith("section,item,measure,value")
    assert main(["report", "annual", "--year", "2025"]) == 0
    written = Path(capsys.readouterr().out.strip().splitlines()[-1])
    assert written.parent == small.store.settings.home / "reports"
    assert written.read_bytes().startswith(b"%PDF")
    assert main([*args[:-2], "--format", "json", "--no-suppression"]) == 0
    captured = capsys.readouterr()
    assert "NOT suppressed" in captured.err
    assert json.loads(captured.out)["small_numbers_suppressed"] is False
    assert main(["report", "records", "--from", "2024-06-30", "--to", "2024-01-01"]) == 1
    with pytest.raises(SystemExit):
        main(["report", "annual", "--year", "24"])


def test_past_reports_do_not_change_when_cases_move_on(tmp_path: Path) -> None:
    for sc in _scenario_store(tmp_path, None, 70):
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
        after_2026 = annual_report(sc.store, 2026, suppress=False).figures()
        assert after_2026 != {}  # the moves are visible where they happened...
        assert (
            render(annual_report(sc.store, 2024, produced_on=PRODUCED), "json") == before["annual"]
        )  # ...and not in the past
        again = records_report(
            sc.store, dt.date(2024, 1, 1), dt.date(2024, 12, 31), today=dt.date(2025, 1, 10),
            produced_on=PRODUCED, suppress=False,
        )  # fmt: skip
        assert render(again, "json") == before["records"]
        revoked = records_report(
            sc.store, dt.date(2026, 3, 1), dt.date(2026, 3, 31), suppress=False
        ).figures()["outcomes"]["revoked"]["total"]
        assert isinstance(revoked, int) and revoked > 0
