"""Every report figure against counts computed independently from a generated scenario
(tests/report_scenario.py), and the published versions checked against the exact ones."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from casework.reports.annual import compute_annual
from casework.reports.records import compute_records
from casework.reports.suppress import publish
from tests.disclosure import (
    FEWER,
    HIDDEN,
    SUPPRESSED,
    annual_equations,
    check_labels,
    determined,
    records_equations,
)
from tests.report_scenario import (
    TODAY,
    YEARS,
    Scenario,
    expected_annual,
    expected_records,
    first_answer,
    scenario_store,
)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    yield from scenario_store(tmp_path_factory.mktemp("reports"), None, 420)


def test_scenario_covers_every_path(scenario: Scenario) -> None:
    actions = Counter(e.action for c in scenario.cases for e in c.events)
    for needed in (
        "approve_signature",
        "deny",
        "deny_at_signature",
        "withdraw",
        "revoke",
        "reopen",
        "mark_delayed",
        "return_to_certifier",
        "request_information",
    ):
        assert actions[needed] > 0, needed
    assert len(scenario.cases) >= 400
    assert {c.received.year for c in scenario.cases} == set(YEARS)
    # Some people asked more than once, in the same year and across U and T.
    by_person = defaultdict(set)
    for c in scenario.cases:
        by_person[c.person].add((c.received.year, c.visa))
    assert any(len(v) > 1 for v in by_person.values())
    reopened_then_certified = [
        c
        for c in scenario.cases
        if [e.action for e in c.events if e.action in ("deny", "approve_signature")][:2]
        == ["deny", "approve_signature"]
    ]
    assert reopened_then_certified
    # ...in the same year and across years, so both counting rules are exercised.
    years = {
        (min(e.at.year for e in c.events if e.action == "deny"), first.year)
        for c in reopened_then_certified
        if (first := next(e.at for e in c.events if e.action == "approve_signature"))
    }
    assert any(a == b for a, b in years) and any(a < b for a, b in years)
    late = [e for c in scenario.cases for e in c.events if (e.at.month, e.at.day) == (12, 31)]
    assert any(e.at.astimezone(dt.UTC).year == e.at.year + 1 for e in late)
    # Delay letters old (time frame in words) and new (a projected date), kept and broken.
    letters = [e for c in scenario.cases for e in c.events if e.action == "mark_delayed"]
    assert any("projected_date" in e.payload for e in letters)
    assert any("projected_date" not in e.payload for e in letters)
    answered = [c for c in scenario.cases if (f := first_answer(c)) is not None and f > c.due]
    assert len(answered) > 10


@pytest.mark.parametrize("year", [*YEARS, 2026])
def test_annual_figures_match_the_scenario(scenario: Scenario, year: int) -> None:
    with scenario.store.reading() as s:
        report = compute_annual(s, year, produced_on=dt.date(2026, 1, 15))
    want = expected_annual(scenario, year)
    got = report.figures()
    assert set(got) == set(want)
    for key in want:
        assert got[key] == want[key], key
    assert report.agency == "Northampton Police Department"
    assert (report.period.start, report.period.end) == (dt.date(year, 1, 1), dt.date(year, 12, 31))
    # The reconciliation adds up, and links to the statutory figures.
    rr, early, stat = got["received_requests"], got["earlier_requests"], got["statutory"]
    for col in ("U", "T", "total"):
        parts = ("signed", "denied", "withdrawn", "pending")
        assert rr["received"][col] == sum(rr[k][col] for k in parts)  # type: ignore[misc]
        assert stat["forms_signed"][col] == rr["signed"][col] + early["signed"][col]  # type: ignore[operator]
        assert stat["denied"][col] == rr["denied"][col] + early["denied"][col]  # type: ignore[operator]


@pytest.mark.parametrize("year", YEARS)
def test_individuals_are_counted_alike_from_missing_and_older_person_keys(
    scenario: Scenario, year: int
) -> None:
    """Cases from before person keys were kept (NULL) and keys made under an older key of the
    ring (another prefix; all alike here, so comparing them would merge their people) are
    recomputed from the decrypted records: the count does not change."""
    from sqlalchemy import select, update

    from casework.models import Case

    want = expected_annual(scenario, year)["statutory"]["individuals_requested"]
    with scenario.store.reading() as s:
        saved = s.execute(select(Case.id, Case.person_key)).all()
    assert all(key is not None for _, key in saved)  # intake keeps one
    try:
        with scenario.store.unit_of_work() as s:
            s.execute(update(Case).where(Case.id % 3 == 0).values(person_key=None))
            older = "000000000000." + "f" * 64
            s.execute(update(Case).where(Case.id % 3 == 1).values(person_key=older))
        with scenario.store.reading() as s:
            got = compute_annual(s, year, produced_on=dt.date(2026, 1, 15)).figures()
        assert got["statutory"]["individuals_requested"] == want
    finally:
        with scenario.store.unit_of_work() as s:
            for cid, key in saved:
                s.execute(update(Case).where(Case.id == cid).values(person_key=key))


def test_annual_counting_bases_differ_where_they_should(scenario: Scenario) -> None:
    """The years hold requests signed after a denial in an earlier year, and forms signed in
    a year for requests received before it: the report's lines say which is which."""
    figures = [expected_annual(scenario, y) for y in YEARS]
    assert any(f["earlier_requests"]["signed"]["total"] > 0 for f in figures)
    assert any(f["earlier_requests"]["denied"]["total"] > 0 for f in figures)
    assert any(f["received_requests"]["pending"]["total"] > 0 for f in figures)
    assert any(f["compliance"]["late_with_delay_letter"]["total"] > 0 for f in figures)
    assert any(f["compliance"]["late_without_delay_letter"]["total"] > 0 for f in figures)
    assert any(f["compliance"]["promised_date_passed"]["total"] > 0 for f in figures)


PERIODS = [
    (dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
    (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    (dt.date(2024, 3, 15), dt.date(2024, 8, 10)),
    (dt.date(2023, 1, 1), dt.date(2026, 2, 28)),
]


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_records_figures_match_the_scenario(
    scenario: Scenario, start: dt.date, end: dt.date
) -> None:
    with scenario.store.reading() as s:
        report = compute_records(s, start, end, today=TODAY)
    got = report.figures()
    want = expected_records(scenario, start, end, TODAY)
    assert set(got) == set(want)
    assert [p for p in report.parts()] == [
        "detainers", "unlicensed_operators", "language_access", "certifications"
    ]  # fmt: skip
    for key in want:
        if key in ("denial_reasons", "da_positions", "languages", "certifier_workload"):
            # Rows with nothing in them may be listed (policy reasons, positions) or not.
            got_rows = {k: v for k, v in got[key].items() if any(x for x in v.values())}
            want_rows = {k: v for k, v in want[key].items() if any(x for x in v.values())}
            assert got_rows == want_rows, key
        else:
            assert got[key] == want[key], key


def _count_refs(report: object) -> set[tuple[str, str, str]]:
    out = set()
    for s in report.sections:  # type: ignore[attr-defined]
        if s.suppress:
            for row in s.rows:
                if s.is_count_row(row):
                    out |= {(s.key, row, c) for c in s.columns}
    return out


FIXED = [(dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in YEARS] + [
    (dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
    (dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
    (dt.date(2023, 8, 1), dt.date(2023, 8, 31)),
    (dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
]


@pytest.mark.parametrize(("start", "end"), FIXED)
def test_published_records_tell_the_truth_and_hide_what_they_hide(
    scenario: Scenario, start: dt.date, end: dt.date
) -> None:
    with scenario.store.reading() as s:
        exact = compute_records(s, start, end, today=TODAY)
    pub = publish(exact)
    got, truth = pub.figures(), exact.figures()
    check_labels(truth, got, set(), _count_refs(exact))
    assert determined(got, records_equations(got)) == []
    hidden = [v for rows in got.values() for cols in rows.values() for v in cols.values()]
    assert FEWER in hidden  # the scenario has small cells in every one of these periods
    # Staff workload is exact; statistics over withheld or small counts are withheld.
    assert got["certifier_workload"] == truth["certifier_workload"]
    t = got["time_to_response"]
    for col in ("U", "T", "total"):
        n = truth["time_to_response"]["answered"][col]
        base_hidden = t["answered"][col] in HIDDEN
        for stat in ("median_days", "p90_days"):
            if truth["time_to_response"][stat][col] is not None:
                assert (t[stat][col] == SUPPRESSED) == (base_hidden or n < 5), (stat, col)
        share = t["share_within_90_days"][col]
        if share is not None and share not in HIDDEN:
            assert t["within_90_days"][col] not in HIDDEN and t["answered"][col] not in HIDDEN
    # The exact version (--no-suppression) carries the exact figures.
    assert publish(exact, suppress=False).figures() == truth


@pytest.mark.parametrize("year", YEARS)
def test_published_annual_report_is_exact_where_the_law_says(scenario: Scenario, year: int) -> None:
    with scenario.store.reading() as s:
        exact = compute_annual(s, year)
    pub = publish(exact)
    got, truth = pub.figures(), exact.figures()
    pinned = {(s.key, r, "total") for s in exact.sections for r in s.rows}
    check_labels(truth, got, pinned, _count_refs(exact))
    for section, rows in truth.items():
        for row, cols in rows.items():
            assert got[section][row]["total"] == cols["total"], (section, row)
    assert determined(got, annual_equations(got)) == []
    assert pub.internal_lists == {}


def test_the_checker_finds_what_the_issue_found() -> None:
    """The independent check catches each leak of the old suppression (it can fail)."""
    zero_partner = {"r": {"denied": {"U": FEWER, "T": 0, "total": 3}}}
    assert determined(zero_partner, [{("r", "denied", "U"): 1, ("r", "denied", "T"): 1,
                                      ("r", "denied", "total"): -1}]) == [("r", "denied", "U")]  # fmt: skip
    both = {"r": {"denied": {"U": FEWER, "T": SUPPRESSED, "total": 3}}}
    assert determined(both, [{("r", "denied", "U"): 1, ("r", "denied", "T"): 1,
                              ("r", "denied", "total"): -1}]) == []  # fmt: skip
    months = {
        "requests_by_month": {
            "2025-01": {"U": 10, "T": 0, "total": 10},
            "2025-02": {"U": FEWER, "T": 0, "total": FEWER},
        },
        "requests": {"received": {"U": 13, "T": 0, "total": 13}, "expedited": {"U": 0, "T": 0, "total": 0}},
        "languages": {"es": {"U": 13, "T": 0, "total": 13}},
        "outcomes": {}, "denial_reasons": {}, "deadlines": {}, "da_positions": {},
        "time_to_response": {k: {"U": 0, "T": 0, "total": 0} for k in
                             ("answered", "within_90_days", "late_with_delay_letter",
                              "late_without_delay_letter")},
    }  # fmt: skip
    leaked = determined(months, records_equations(months))
    assert ("requests_by_month", "2025-02", "U") in leaked  # 13 - 10 = 3


@pytest.mark.postgres
def test_figures_match_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    """The same SQL on PostgreSQL (JSON paths, timestamptz, aggregates), smaller scenario."""
    for sc in scenario_store(tmp_path, pg_url, 90):
        assert sc.store.engine.dialect.name == "postgresql"
        with sc.store.reading() as s:
            for year in YEARS:
                assert compute_annual(s, year).figures() == expected_annual(sc, year)
            for start, end in (PERIODS[1], PERIODS[4]):
                got = compute_records(s, start, end, today=TODAY).figures()
                want = expected_records(sc, start, end, TODAY)
                for key in want:
                    nonzero = {k: v for k, v in got[key].items() if any(x for x in v.values())}
                    expected = {k: v for k, v in want[key].items() if any(x for x in v.values())}
                    assert nonzero == expected, key
