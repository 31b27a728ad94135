"""Suppression on generated data sets: honest labels, nothing withheld can be worked out.

Hypothesis generates the events of a year (requests by month, language and visa
type; decisions, reasons, timeliness, delay letters, DA positions) and the
reports are laid out from them by the same pure functions the database path
uses (``build_records``, ``build_annual``). Each published report is checked by
tests/disclosure.py (numpy ranks, equations written from what the reports print),
and a sequence of releases of overlapping fixed periods by an independent model
over monthly counts: no count from 1 to 4 of any month, quarter or the year can
be worked out from everything released.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.policy import DA_POSITIONS, DENIAL_REASONS
from casework.reports.annual import AnnualData, build_annual
from casework.reports.compliance import Answered, Compliance, PastDue
from casework.reports.crosscheck import protect_across
from casework.reports.model import Period, Report
from casework.reports.records import RecordsData, build_records
from casework.reports.register_figures import NO_WAIT, RegisterData
from casework.reports.suppress import publish
from tests.disclosure import (
    FEWER,
    HIDDEN,
    SUPPRESSED,
    TIMELY,
    annual_equations,
    cells,
    check_labels,
    determined,
    records_equations,
    small_counts_given_away,
)

YEAR = 2025
TODAY = dt.date(2026, 3, 2)
MONTHS = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
LANGS = ["es", "pt", "vi", "so", "not stated"]
VISA = st.sampled_from("UUUT")
MONTH = st.integers(0, 11)
CHECKS = settings(
    max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@dataclass
class Year:
    """What happened in a year, event by event (months as indices 0..11)."""

    requests: list[tuple[int, str, str, bool]]
    certified: list[tuple[int, str]]
    denied: list[tuple[int, str, str]]
    withdrawn: list[tuple[int, str]]
    revoked: list[tuple[int, str]]
    answered: list[tuple[int, str, int, str]]
    letters: list[tuple[int, str, bool, bool]]  # month, visa, has projected date, promise broken
    positions: list[tuple[int, str, str]]
    open_at: dict[int, tuple[int, int]]  # month index of a period's end -> open U, T
    overdue: tuple[int, int, int, int]  # past due today: with letter U, T; without U, T
    # The registers (entries as the door lets them in: honored only with a charge and a
    # warrant, the opportunity withheld only on a statutory tow) and the letters' languages.
    interpreter: list[str] = field(default_factory=list)  # per request, in order
    detainers: list[tuple[int, str, str, bool]] = field(default_factory=list)
    stops: list[tuple[int, str, bool]] = field(default_factory=list)
    services: list[tuple[int, str, str, str, int | None]] = field(default_factory=list)
    mail: list[tuple[int, str, str]] = field(default_factory=list)  # letters' languages

    def records(self, period: Period) -> RecordsData:
        months = {int(m[5:]) - 1 for m in period.months()}
        data = RecordsData(period, TODAY)
        for m, visa, lang, exp in self.requests:
            if m in months:
                data.received[(MONTHS[m], visa, lang, exp)] += 1

        def count(events: list[tuple[Any, ...]]) -> Counter[str]:
            return Counter(e[1] for e in events if e[0] in months)

        u, t = self.open_at[max(months)]
        data.outcomes = {
            "certified": count(self.certified),
            "denied": count(self.denied),
            "withdrawn": count(self.withdrawn),
            "revoked": count(self.revoked),
            "open_at_end": Counter({"U": u, "T": t}),
        }
        data.reasons = {}
        for m, visa, reason in self.denied:
            if m in months:
                data.reasons.setdefault(reason, Counter())[visa] += 1
        c = Compliance()
        c.answered = [Answered(v, d, k) for m, v, d, k in self.answered if m in months]  # type: ignore[arg-type]
        for m, visa, dated, broken in self.letters:
            if m in months:
                c.letters_issued[visa] += 1
                c.no_projected_date[visa] += not dated
                c.promised_passed[visa] += broken
        data.compliance = c
        wu, wt, nu, nt = self.overdue
        data.past_due_today = PastDue(Counter({"U": wu, "T": wt}), Counter({"U": nu, "T": nt}))
        data.da_positions = {}
        for m, visa, pos in self.positions:
            if m in months:
                data.da_positions.setdefault(pos, Counter())[visa] += 1
        data.workload = {"Daniel Reyes": (3, 1)}
        data.registers = self.registers(months)
        return data

    def registers(self, months: set[int]) -> RegisterData:
        r = RegisterData()
        for i, (m, visa, _, _) in enumerate(self.requests):
            if m in months:
                need = self.interpreter[i] if i < len(self.interpreter) else "not_stated"
                r.interpreter[(visa, need)] += 1
        for m, form, basis, honored in self.detainers:
            if m in months:
                ok = honored and basis == "charge_and_warrant"
                r.detainers[(MONTHS[m], form, basis, "honored" if ok else "declined")] += 1
        for m, outcome, offered in self.stops:
            if m in months:
                r.stops[(MONTHS[m], outcome, offered or outcome != "towed_statutory")] += 1
        for m, lang, mode, context, wait in self.services:
            if m in months:
                r.services[(MONTHS[m], mode)] += 1
                r.by_language[(lang, mode)] += 1
                r.by_context[(context, mode)] += 1
                r.waits[(mode, NO_WAIT if wait is None else wait)] += 1
        for m, visa, langs in self.mail:
            if m in months:
                r.letters[(visa, langs)] += 1
        return r


def _few(element: st.SearchStrategy[Any], most: int) -> st.SearchStrategy[list[Any]]:
    return st.lists(element, max_size=most)


years = st.builds(
    Year,
    requests=_few(st.tuples(MONTH, VISA, st.sampled_from(LANGS), st.booleans()), 70),
    certified=_few(st.tuples(MONTH, VISA), 30),
    denied=_few(st.tuples(MONTH, VISA, st.sampled_from(sorted(DENIAL_REASONS))), 20),
    withdrawn=_few(st.tuples(MONTH, VISA), 6),
    revoked=_few(st.tuples(MONTH, VISA), 4),
    answered=_few(st.tuples(MONTH, VISA, st.integers(5, 200), st.sampled_from(TIMELY)), 40),
    letters=_few(st.tuples(MONTH, VISA, st.booleans(), st.booleans()), 10),
    positions=_few(st.tuples(MONTH, VISA, st.sampled_from(sorted(DA_POSITIONS))), 25),
    open_at=st.fixed_dictionaries(
        {m: st.tuples(st.integers(0, 12), st.integers(0, 4)) for m in range(12)}
    ),
    overdue=st.tuples(*(st.integers(0, 6) for _ in range(4))),
    interpreter=_few(st.sampled_from(["needed", "not_needed", "not_stated"]), 70),
    detainers=_few(st.tuples(MONTH, st.sampled_from(["I-247A", "I-247D", "I-247N", "other"]),
                             st.sampled_from(["charge_and_warrant", "charge_only", "warrant_only",
                                              "neither"]), st.booleans()), 30),
    stops=_few(st.tuples(MONTH, st.sampled_from(["licensed_driver_arranged", "towed_statutory",
                                                 "towed_no_licensed_driver"]), st.booleans()), 30),
    services=_few(st.tuples(MONTH, st.sampled_from(["es", "pt", "mam"]),
                            st.sampled_from(["in_person", "phone", "video", "translated_document"]),
                            st.sampled_from(["call", "stop", "report"]),
                            st.none() | st.integers(0, 60)), 40),
    mail=_few(st.tuples(MONTH, VISA, st.sampled_from(["en", "en+es", "en+note"])), 20),
)  # fmt: skip
PERIODS = [Period.year(YEAR)] + [Period.quarter(YEAR, q) for q in range(1, 5)]
PERIODS += [Period.month(YEAR, m) for m in range(1, 13)]


def record(year: Year, period: Period) -> Report:
    return build_records(year.records(period), agency="Test PD", produced_on=TODAY)


def count_refs(report: Report) -> set[tuple[str, str, str]]:
    return {
        (s.key, row, c)
        for s in report.sections
        if s.suppress
        for row in s.rows
        if s.is_count_row(row)
        for c in s.columns
    }


@CHECKS
@given(years, st.sampled_from(PERIODS))
def test_a_published_record_is_truthful_and_gives_nothing_away(year: Year, period: Period) -> None:
    exact = record(year, period)
    pub = publish(exact)
    got = pub.figures()
    check_labels(exact.figures(), got, set(), count_refs(exact))
    assert determined(got, records_equations(got)) == []
    t = got["time_to_response"]
    for col in ("U", "T", "total"):
        n = exact.figures()["time_to_response"]["answered"][col]
        for stat in ("median_days", "p90_days"):
            if t[stat][col] is not None and t[stat][col] not in HIDDEN:
                assert t["answered"][col] not in HIDDEN and isinstance(n, int) and n >= 5
        if t["share_within_90_days"][col] not in (None, *HIDDEN):
            assert t["within_90_days"][col] not in HIDDEN and t["answered"][col] not in HIDDEN
    # The registers' parts: waiting-time statistics only over 5 or more shown waits; the
    # policy's zeros (nothing honored without a charge and a warrant) shown as the 0s they are.
    w = got["language_services"]
    for col, n in exact.figures()["language_services"]["wait_recorded"].items():
        for stat in ("median_wait_minutes", "p90_wait_minutes"):
            if w[stat][col] is not None and w[stat][col] not in HIDDEN:
                assert w["wait_recorded"][col] not in HIDDEN and isinstance(n, int) and n >= 5
    for basis, row in got["detainer_requests_by_basis"].items():
        if basis != "charge_and_warrant":
            assert row["honored"] == 0
    assert got["stops"]["not_offered"]["licensed_driver_arranged"] == 0
    assert {s.part for s in pub.sections} == {
        "detainers", "unlicensed_operators", "language_access", "certifications"
    }  # fmt: skip


annual_data = st.builds(
    lambda ind, rec, early, ans, letters, due: _annual(ind, rec, early, ans, letters, due),
    st.tuples(st.integers(0, 30), st.integers(0, 10), st.integers(0, 10)),
    st.lists(st.tuples(VISA, st.sampled_from(["signed", "denied", "withdrawn", "pending"])), max_size=50),
    st.lists(st.tuples(VISA, st.sampled_from(["signed", "denied"])), max_size=15),
    st.lists(st.tuples(VISA, st.integers(5, 200), st.sampled_from(TIMELY)), max_size=40),
    st.lists(st.tuples(VISA, st.booleans(), st.booleans()), max_size=10),
    st.tuples(*(st.integers(0, 6) for _ in range(4))),
)  # fmt: skip


def _annual(
    ind: tuple[int, int, int],
    rec: list[tuple[str, str]],
    early: list[tuple[str, str]],
    ans: list[tuple[str, int, str]],
    letters: list[tuple[str, bool, bool]],
    due: tuple[int, int, int, int],
) -> AnnualData:
    u, t, overlap = ind
    data = AnnualData(YEAR, individuals=(u, t, u + t - min(overlap, u, t)))
    data.received = {"U": Counter(), "T": Counter()}
    data.earlier = {"U": Counter(), "T": Counter()}
    for visa, where in rec:
        data.received[visa][where] += 1
    for visa, what in early:
        data.earlier[visa][what] += 1
    c = Compliance()
    c.answered = [Answered(v, d, k) for v, d, k in ans]  # type: ignore[arg-type]
    for visa, dated, broken in letters:
        c.letters_issued[visa] += 1
        c.no_projected_date[visa] += not dated
        c.promised_passed[visa] += broken
    data.compliance = c
    data.past_due = PastDue(
        Counter({"U": due[0], "T": due[1]}), Counter({"U": due[2], "T": due[3]})
    )
    return data


@CHECKS
@given(annual_data)
def test_a_published_annual_report_is_exact_in_total_and_gives_nothing_away(
    data: AnnualData,
) -> None:
    exact = build_annual(data, agency="Test PD", produced_on=TODAY)
    got = publish(exact).figures()
    truth = exact.figures()
    pinned = {(s, r, "total") for s, rows in truth.items() for r in rows}
    check_labels(truth, got, pinned, count_refs(exact))
    assert determined(got, annual_equations(got)) == []
    for ref, value in cells(truth).items():
        if ref[2] == "total":
            assert cells(got)[ref] == value  # the Together column is exact, always
    rr = truth["received_requests"]
    for col in ("U", "T", "total"):
        assert rr["received"][col] == sum(
            rr[k][col]
            for k in ("signed", "denied", "withdrawn", "pending")  # type: ignore[misc]
        )


# --- several releases of one year ------------------------------------------------------------


def undetermined_small_counts(year: Year, released: list[Report]) -> list[str]:
    return small_counts_given_away({p: record(year, p) for p in PERIODS}, released)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(years, st.lists(st.sampled_from(PERIODS), min_size=2, max_size=5, unique=True))
def test_releases_of_overlapping_periods_cannot_be_subtracted(
    year: Year, order: list[Period]
) -> None:
    released: list[Report] = []
    for period in order:
        exact = record(year, period)
        around = [record(year, p) for p in PERIODS if p != period]
        pub = protect_across(publish(exact), exact, released, around)
        check_labels(exact.figures(), pub.figures(), set(), count_refs(exact))
        assert determined(pub.figures(), records_equations(pub.figures())) == []
        released.append(pub)
    assert undetermined_small_counts(year, released) == []


def test_the_release_model_catches_a_year_less_its_quarters() -> None:
    """Without the release check, the year and three quarters give the fourth away."""
    year = Year(
        requests=[(m, "U", "es", False) for m in range(12) for _ in range(6 if m < 9 else 1)],
        certified=[], denied=[], withdrawn=[], revoked=[], answered=[], letters=[], positions=[],
        open_at={m: (0, 0) for m in range(12)}, overdue=(0, 0, 0, 0),
    )  # fmt: skip
    naive = [publish(record(year, p)) for p in (PERIODS[0], *PERIODS[1:4])]
    leaks = undetermined_small_counts(year, naive)
    assert any(leak.startswith("2025-Q4 requests/received/U = 3") for leak in leaks), leaks
    released: list[Report] = []
    for p in (PERIODS[0], *PERIODS[1:4]):
        exact = record(year, p)
        around = [record(year, q) for q in PERIODS if q != p]
        released.append(protect_across(publish(exact), exact, released, around))
    assert undetermined_small_counts(year, released) == []
    assert FEWER in str([r.figures() for r in released]) and SUPPRESSED in str(
        [r.figures() for r in released]
    )
