"""Public releases through the CLI and the release log, on a real case store: fixed periods
only, periods that have ended, reissued unchanged, overlapping releases that cannot be
subtracted, late entries withheld, and the internal and draft versions beside them."""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import delete

from casework import accesslog
from casework.blobs import BlobStore
from casework.cli import main
from casework.config import Settings
from casework.db import Store
from casework.intake.service import store_request
from casework.intake.validate import validate_request
from casework.models import SignatureApproval
from casework.reports import annual_report, release_annual, release_records, render
from casework.reports.annual import compute_annual
from casework.reports.model import Period
from casework.reports.records import compute_records
from casework.reports.releases import releases_dir
from casework.reports.suppress import publish
from casework.roster import chief, people_with_role
from casework.states import Role
from casework.steps import approve_signature
from casework.transitions import Actor
from casework.views import get_case
from tests.conftest import example_request
from tests.disclosure import HIDDEN, small_counts_given_away
from tests.report_scenario import (
    NY,
    TODAY,
    Driver,
    Scenario,
    Sim,
    build_scenario,
    expected_annual,
    scenario_store,
)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    yield from scenario_store(tmp_path_factory.mktemp("releases"), None, 160)


@pytest.fixture
def sc(shared: Scenario, tmp_path: Path) -> Iterator[Scenario]:
    """The shared scenario's database with a release log of this test's own."""
    store = Store(shared.store.url, settings=Settings(home=tmp_path, database_url=shared.store.url))
    yield replace(shared, store=store)
    store.dispose()


@pytest.fixture
def own(tmp_path: Path) -> Iterator[Scenario]:
    """A scenario of this test's own (the test changes the data)."""
    yield from scenario_store(tmp_path, None, 160)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_releases_public_reports_once_and_refuses_what_it_must(
    shared: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sc = shared  # the CLI finds the store (and its release log) through CASEWORK_HOME
    code, out, err = run(["report", "annual", "--year", "2024", "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    want = expected_annual(sc, 2024)
    for row, cells in want["statutory"].items():
        assert data["certifications"]["figures"]["statutory"][row]["total"] == cells["total"]
    folder = releases_dir(sc.store.settings.home) / "annual-2024"
    assert sorted(p.suffix for p in folder.iterdir()) == [".csv", ".html", ".json", ".json", ".pdf"]
    # Asked again: the same release, said so.
    code, again, err = run(["report", "annual", "--year", "2024", "--format", "json"], capsys)
    assert (code, again) == (0, out) and "released before" in err
    target = tmp_path / "out" / "rec.csv"
    code, out, err = run(["report", "records", "--period", "2024-Q2", "--out", str(target)], capsys)
    assert code == 0, err
    assert target.read_text().startswith("release,part,section,item,measure,value\npublic,")
    pdf = tmp_path / "out" / "rec.pdf"
    assert run(["report", "records", "--period", "2024-Q2", "--out", str(pdf)], capsys)[0] == 0
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.with_suffix(".html").exists()
    # Refused, each with what to do instead.
    code, _, err = run(["report", "records", "--from", "2024-03-15", "--to", "2024-08-10"], capsys)
    assert code == 1 and "--period 2024" in err and "--no-suppression" in err
    code, _, err = run(["report", "records", "--period", "2026-Q4"], capsys)
    assert code == 1 and "has not ended" in err
    code, _, err = run(["report", "annual", "--year", "2026"], capsys)
    assert code == 1 and "2026 has not ended" in err and "--draft" in err
    code, _, err = run(["report", "annual", "--year", "2027"], capsys)
    assert code == 1 and "2027 has not begun" in err
    code, _, err = run(["report", "annual", "--year", "2024", "--draft"], capsys)
    assert code == 1 and "has ended" in err
    with pytest.raises(SystemExit):
        main(["report", "annual", "--year", "24"])
    capsys.readouterr()
    # Internal use: any days, exact, marked, not logged.
    args = ["report", "records", "--from", "2024-03-15", "--to", "2024-08-10"]
    code, out, err = run([*args, "--format", "json", "--no-suppression"], capsys)
    assert code == 0 and "NOT suppressed" in err
    assert json.loads(out)["release"] == "internal"
    code, out, err = run(["report", "annual", "--year", "2026", "--draft"], capsys)
    written = Path(out.strip())
    assert code == 0 and written.name == "c258f-annual-report-2026-draft.pdf"
    assert written.with_suffix(".html").exists()
    logged = sorted(p.name for p in releases_dir(sc.store.settings.home).iterdir() if p.is_dir())
    assert logged == ["annual-2024", "records-2024-Q2"]


def _exacts(sc: Scenario, year: int) -> dict[Period, object]:
    periods = [Period.year(year)] + [Period.quarter(year, q) for q in range(1, 5)]
    periods += [Period.month(year, m) for m in range(1, 13)]
    with sc.store.reading() as s:
        return {p: compute_records(s, p.start, p.end, today=TODAY) for p in periods}


def test_overlapping_releases_cannot_be_subtracted(sc: Scenario) -> None:
    order = [Period.year(2024), Period.quarter(2024, 1), Period.quarter(2024, 2),
             Period.quarter(2024, 3), Period.month(2024, 11)]  # fmt: skip
    released = [release_records(sc.store, p, today=TODAY).report for p in order]
    assert small_counts_given_away(_exacts(sc, 2024), released) == []
    # The annual report of the same year joins them, with its exact totals.
    annual = release_annual(sc.store, 2024, today=TODAY)
    assert (
        annual.report.figures()["statutory"]["forms_signed"]["total"]
        == (expected_annual(sc, 2024)["statutory"]["forms_signed"]["total"])
    )
    assert small_counts_given_away(_exacts(sc, 2024), released) == []


def test_late_entries_are_withheld_not_released_as_a_difference(own: Scenario) -> None:
    sc = own
    year = release_records(sc.store, Period.year(2024), today=TODAY)
    before = year.files["json"].read_bytes()
    months = year.report.figures()["requests_by_month"]
    busiest = max(
        months, key=lambda m: months[m]["total"] if isinstance(months[m]["total"], int) else -1
    )
    shown_then = months[busiest]["total"]
    assert isinstance(shown_then, int) and shown_then >= 5
    # A paper request received that month is keyed in afterwards.
    raw = example_request()
    raw["incident"]["police_report_numbers"] = ["24-77777-OF"]
    raw["attachments"] = []
    received = dt.date(2024, int(busiest[5:]), 20)
    assert store_request(sc.store, validate_request(raw, today=received), received=received).created
    quarter = Period.quarter(2024, (int(busiest[5:]) + 2) // 3)
    with sc.store.reading() as s:
        exact = compute_records(s, quarter.start, quarter.end, today=TODAY)
    assert exact.figures()["requests_by_month"][busiest]["total"] == shown_then + 1
    released = release_records(sc.store, quarter, today=TODAY)
    # The quarter does not print the new figure beside the year's old one.
    assert released.report.figures()["requests_by_month"][busiest]["total"] in HIDDEN
    # The year is reissued unchanged.
    again = release_records(sc.store, Period.year(2024), today=TODAY)
    assert again.reissued and again.files["json"].read_bytes() == before


def test_two_releases_of_one_period_at_once_give_one_release(sc: Scenario) -> None:
    results: list[object] = []

    def go() -> None:
        results.append(release_records(sc.store, Period.quarter(2023, 3), today=TODAY))

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.reissued for r in results) == [False, True]  # type: ignore[attr-defined]
    first, second = (r.files["csv"].read_bytes() for r in results)  # type: ignore[attr-defined]
    assert first == second


def test_signed_counts_by_the_forms_date_and_internal_lists_name_the_exceptions(
    sqlite_store: Store,
) -> None:
    """A form signed on 30 December 2025 whose approval was keyed in on 2 January 2026
    counts in 2025; the internal versions of both years name it, the public ones do not.
    An approval whose signature row is missing (older data) counts by its payload's date."""
    build_scenario(sqlite_store, 30, seed=5)
    raw = example_request()
    raw["incident"]["police_report_numbers"] = ["25-88888-OF"]
    raw["attachments"] = []
    received = dt.date(2025, 11, 3)
    number = store_request(
        sqlite_store, validate_request(raw, today=received), received=received
    ).case_number
    sim = Sim(number, "U", 0, received, "es", False)
    blobs = BlobStore(sqlite_store.settings.attachments_dir)
    driver = Driver(sqlite_store, sim, random.Random(1), blobs)
    before = {}
    with sqlite_store.reading() as s:
        for year in (2025, 2026):
            before[year] = compute_annual(s, year).figures()["statutory"]["forms_signed"]["total"]
    with sqlite_store.unit_of_work() as s:
        certifier = people_with_role(s, Role.CERTIFIER)[0]
        for i, (action, payload) in enumerate(
            [
                ("assign", {"person": certifier}),
                ("start_da_consultation", {}),
                ("record_da_consultation", {"position": "supports"}),
                ("recommend_certification", {}),
            ]  # fmt: skip
        ):
            driver.clock = dt.datetime(2025, 12, 1 + i, 10, tzinfo=NY)
            driver.do(s, action, **payload)
        case = get_case(s, number)
        approve_signature(
            s, case, Actor.person(chief(s), Role.CHIEF), case.version,
            signature_date=dt.date(2025, 12, 30), signer=chief(s), signer_title="Chief of Police",
            at=dt.datetime(2026, 1, 2, 15, tzinfo=dt.UTC),
        )  # fmt: skip
    with sqlite_store.reading() as s:
        after = {y: compute_annual(s, y) for y in (2025, 2026)}
    assert after[2025].figures()["statutory"]["forms_signed"]["total"] == before[2025] + 1
    assert after[2026].figures()["statutory"]["forms_signed"]["total"] == before[2026]
    lists = {y: after[y].internal_lists.get("signature_and_approval_in_different_years", [])
             for y in after}  # fmt: skip
    assert lists[2025] == [
        f"{number}: form signed 2025-12-30, approval recorded 2026-01-02 (counted in 2025)"
    ]
    assert lists[2026] == [
        f"{number}: approval recorded 2026-01-02, form signed 2025-12-30 (counted in 2025)"
    ]
    for year, report in after.items():
        internal, public = publish(report, suppress=False), publish(report)
        for fmt in ("json", "csv", "html"):
            assert number in render(internal, fmt).decode(), (year, fmt)
            assert number not in render(public, fmt).decode(), (year, fmt)
    # Producing an internal version that names a case is an access to case data: logged, with
    # who and why; the public version names none and logs nothing.
    with sqlite_store.reading() as s:
        logged = len(accesslog.entries(s))
    annual_report(sqlite_store, 2025, suppress=False, who="records tester", today=TODAY)
    annual_report(sqlite_store, 2025, today=TODAY)
    with sqlite_store.reading() as s:
        entries = accesslog.entries(s)[logged:]
    assert [(e.who, e.what, e.why, e.case_number) for e in entries] == [
        ("records tester", "1 case number(s) listed in the internal annual report for 2025",
         "casework report annual", None)
    ]  # fmt: skip
    # Older data: the approval's signature row is gone; its payload still dates the form.
    with sqlite_store.unit_of_work() as s:
        s.execute(delete(SignatureApproval).where(SignatureApproval.case_id == case.id))
    with sqlite_store.reading() as s:
        again = compute_annual(s, 2025).figures()
    assert again["statutory"]["forms_signed"] == after[2025].figures()["statutory"]["forms_signed"]
    # ... and its first answer (the §3 table) too: every figure is the same.
    assert again == after[2025].figures()
