"""Records and reports from the case history: the G.L. c. 258F §4 annual report and the
Mayor's record on request.

Computation (:mod:`.annual`, :mod:`.records`) gives exact figures; :mod:`.suppress`
makes the version that may be released; :mod:`.releases` logs every public
release and keeps later ones from giving earlier ones away; :mod:`.render`
writes PDF (with an accessible HTML twin), CSV or JSON. The functions here are
what the CLI and the Prefect flow call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from reportlab import rl_config

# Reportlab checks every attribute set on a chart part against its declared type: a
# development aid that takes a third of the time to draw the records report's charts (which
# are tested as drawn). Drawing classes read it when first imported, so it is turned off
# here, before any module of this package imports reportlab.graphics.
rl_config.shapeChecking = 0

from casework.db import Store  # noqa: E402
from casework.reports.annual import compute_annual  # noqa: E402
from casework.reports.model import Period, Report, ReportRefused  # noqa: E402
from casework.reports.records import compute_records  # noqa: E402
from casework.reports.releases import Release, release  # noqa: E402
from casework.reports.render import FORMATS, render  # noqa: E402
from casework.reports.suppress import publish  # noqa: E402

__all__ = [
    "FORMATS",
    "Release",
    "ReportRefused",
    "annual_report",
    "check_annual_year",
    "check_public_period",
    "records_report",
    "release_annual",
    "release_records",
    "render",
    "reports_dir",
    "write_report",
]


def check_annual_year(year: int, today: dt.date, *, draft: bool = False) -> None:
    """Refuse a year that has not begun, and one not yet ended unless a draft is asked for."""
    if year > today.year:
        raise ReportRefused(
            f"{year} has not begun (today is {today.isoformat()}): there is nothing to report; "
            f"the report for {year} can be produced from 1 January {year + 1}"
        )
    if year < today.year and draft:
        raise ReportRefused(
            f"{year} has ended: its report is final, not a draft; leave out --draft (or add "
            "--no-suppression for the exact figures, for internal use)"
        )
    if year == today.year and not draft:
        raise ReportRefused(
            f"{year} has not ended (today is {today.isoformat()}): the G.L. c. 258F s. 4 report "
            f"for {year} is due by 1 February {year + 1}; add --draft for a draft marked as such"
        )


def check_public_period(period: Period, today: dt.date) -> None:
    """Public releases cover a calendar month, quarter or year that has ended."""
    if period.kind is None:
        options = " or ".join(f"--period {p}" for p in period.fixed_periods_covering())
        raise ReportRefused(
            f"public releases cover a calendar month, quarter or year, and "
            f"{period.start.isoformat()} to {period.end.isoformat()} is none of these (two "
            f"releases of overlapping periods could be subtracted to reveal a small count); "
            f"use {options}, or --no-suppression for internal use"
        )
    if period.end >= today:
        raise ReportRefused(
            f"{period.label} has not ended (today is {today.isoformat()}): a public release "
            f"covers a period that has ended, so that it is not released again with other "
            f"figures; use --no-suppression for an internal look at the period so far"
        )


def checkpoint_line(store: Store) -> str:
    """The newest ledger checkpoint, as the §4 report prints it (or why there is none)."""
    from casework.checkpoints import CheckpointError, latest

    try:
        found = latest(store.settings)
    except (CheckpointError, OSError) as exc:
        return f"none that verifies: {exc} (run casework verify-history)"
    if found is None:
        return "none written yet (casework checkpoint writes one; so does the daily watch)"
    return found.summary


def log_internal_lists(store: Store, report: Report, *, who: str, why: str) -> None:
    """An internal version that names cases by number is an access to case data: logged."""
    from casework import accesslog

    if report.suppressed or not report.internal_lists:
        return
    named = sum(len(v) for v in report.internal_lists.values())
    with store.unit_of_work() as session:
        accesslog.record(
            session,
            who=who,
            case_id=None,
            what=(
                f"{named} case number(s) listed in the internal {report.kind} report "
                f"for {report.period.label}"
            ),
            why=why,
        )


def annual_report(
    store: Store,
    year: int,
    *,
    suppress: bool = True,
    produced_on: dt.date | None = None,
    today: dt.date | None = None,
    draft: bool = False,
    who: str | None = None,
    why: str = "casework report annual",
) -> Report:
    """The §4 report for ``year``, ready to render (small U/T cells withheld by default).

    Refused for a year that has not begun, and for the current year unless ``draft``. An
    internal version that lists cases by number writes an access-log entry (``who``: the
    person or job producing it; default the shell user).
    """
    from casework.accesslog import local_user

    today = today or dt.date.today()
    check_annual_year(year, today, draft=draft)
    with store.reading() as session:
        report = compute_annual(session, year, produced_on=produced_on or today)
    report.draft = year >= today.year
    report.checkpoint = checkpoint_line(store)
    published = publish(report, suppress=suppress)
    log_internal_lists(store, published, who=who or local_user(), why=why)
    return published


def records_report(
    store: Store,
    start: dt.date,
    end: dt.date,
    *,
    today: dt.date | None = None,
    suppress: bool = True,
    produced_on: dt.date | None = None,
) -> Report:
    """The Mayor's record for ``start``..``end`` (both included).

    With ``suppress`` (a public version) the period must be a calendar month, quarter or
    year that has ended (:func:`check_public_period`); internal versions may cover any days.
    """
    today = today or dt.date.today()
    if suppress:
        check_public_period(Period(start, end), today)
    elif start > today:
        raise ReportRefused(f"the period starts on {start.isoformat()}, after today ({today})")
    with store.reading() as session:
        report = compute_records(session, start, end, today=today, produced_on=produced_on)
    return publish(report, suppress=suppress)


def release_annual(
    store: Store, year: int, *, today: dt.date | None = None, produced_on: dt.date | None = None
) -> Release:
    """Release the §4 report for a year that has ended (logged; reissued if already released)."""
    today = today or dt.date.today()
    check_annual_year(year, today)

    def compute() -> Report:
        with store.reading() as session:
            report = compute_annual(session, year, produced_on=produced_on or today)
        report.checkpoint = checkpoint_line(store)
        return report

    return release(
        store.settings.home,
        "annual",
        Period.year(year),
        compute,
        default_name,
        around=_around(store, today),
        today=today,
    )


def release_records(
    store: Store,
    period: Period,
    *,
    today: dt.date | None = None,
    produced_on: dt.date | None = None,
) -> Release:
    """Release the Mayor's record for a fixed period that has ended (logged; reissued if so)."""
    today = today or dt.date.today()
    check_public_period(period, today)

    def compute() -> Report:
        with store.reading() as session:
            return compute_records(
                session, period.start, period.end, today=today, produced_on=produced_on or today
            )

    return release(
        store.settings.home,
        "records",
        period,
        compute,
        default_name,
        around=_around(store, today),
        today=today,
    )


def _around(store: Store, today: dt.date) -> Callable[[Period], Report]:
    """The exact record of another fixed period, for the release check."""

    memo: dict[object, object] = {}  # figures as of today, the same for every period

    def compute(period: Period) -> Report:
        with store.reading() as session:
            return compute_records(session, period.start, period.end, today=today, memo=memo)

    return compute


def reports_dir(store: Store) -> Path:
    return store.settings.home / "reports"


def default_name(report: Report, fmt: str) -> str:
    if report.kind == "annual":
        stem = f"c258f-annual-report-{report.period.start.year}"
    else:
        stem = f"mayors-record-{report.period.label.replace('..', '-to-')}"
    tag = "-draft" if report.draft else ""
    return f"{stem}{tag}{'' if report.suppressed else '-internal'}.{fmt}"


def write_report(report: Report, fmt: str, out: Path) -> Path:
    """Render and write atomically (a half-written report is never left under its name)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(render(report, fmt))
    tmp.replace(out)
    return out
