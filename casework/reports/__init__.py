"""Records and reports from the case history: the G.L. c. 258F §4 annual report and the
Mayor's record on request.

Computation (:mod:`.annual`, :mod:`.records`) gives exact figures; :mod:`.suppress`
makes the version that may be released; :mod:`.render` writes PDF, CSV or JSON.
The functions here are what the CLI and the Prefect flow call.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from casework.db import Store
from casework.reports.annual import compute_annual
from casework.reports.model import Report
from casework.reports.records import compute_records
from casework.reports.render import FORMATS, render
from casework.reports.suppress import publish

__all__ = [
    "FORMATS",
    "annual_report",
    "records_report",
    "render",
    "reports_dir",
    "write_report",
]


def annual_report(
    store: Store, year: int, *, suppress: bool = True, produced_on: dt.date | None = None
) -> Report:
    """The §4 report for ``year``, ready to render (small U/T cells suppressed by default)."""
    with store.reading() as session:
        return publish(compute_annual(session, year, produced_on=produced_on), suppress=suppress)


def records_report(
    store: Store,
    start: dt.date,
    end: dt.date,
    *,
    today: dt.date | None = None,
    suppress: bool = True,
    produced_on: dt.date | None = None,
) -> Report:
    """The Mayor's record for ``start``..``end`` (both included)."""
    with store.reading() as session:
        report = compute_records(session, start, end, today=today, produced_on=produced_on)
    return publish(report, suppress=suppress)


def reports_dir(store: Store) -> Path:
    return store.settings.home / "reports"


def default_name(report: Report, fmt: str) -> str:
    if report.kind == "annual":
        stem = f"c258f-annual-report-{report.period.start.year}"
    else:
        stem = f"certification-record-{report.period.start}-to-{report.period.end}"
    return f"{stem}{'' if report.suppressed else '-internal'}.{fmt}"


def write_report(report: Report, fmt: str, out: Path) -> Path:
    """Render and write atomically (a half-written report is never left under its name)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(render(report, fmt))
    tmp.replace(out)
    return out
