"""Producing the annual report as the scheduled job does: store it, tabulate it, email it.

Plain domain functions (no Prefect here: ``flows/annual_report.py`` wraps them).
The stored and emailed version is the publishable one (small U/T cells
suppressed; the totals are exact). The email goes to the roster's records staff
once per year: the idempotency key is ``annual-report:{year}``, so a retried or
re-run job never mails it twice (to send it again, records staff use the CLI).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from casework.db import Store
from casework.notify import SmtpSettings, send_email
from casework.reports import annual_report, default_name, reports_dir, write_report
from casework.reports.model import Report
from casework.reports.render import fmt_value
from casework.roster import people_with_role
from casework.states import Role

STORED_FORMATS = ("pdf", "csv", "json")


@dataclass(frozen=True)
class StoredReport:
    report: Report
    files: dict[str, Path]  # format -> path


def previous_year(today: dt.date | None = None) -> int:
    return (today or dt.date.today()).year - 1


def store_annual(store: Store, year: int, *, produced_on: dt.date | None = None) -> StoredReport:
    """Compute the year's §4 report and write PDF, CSV and JSON under ``home/reports/annual``."""
    report = annual_report(store, year, produced_on=produced_on)
    folder = reports_dir(store) / "annual"
    files = {
        fmt: write_report(report, fmt, folder / default_name(report, fmt)) for fmt in STORED_FORMATS
    }
    return StoredReport(report, files)


def table_rows(report: Report) -> list[dict[str, str]]:
    """The §4 figures as rows (for a Prefect table artifact or a plain-text email)."""
    section = report.section("figures")
    return [
        {"figure": section.label(item)}
        | {section.column_label(c): fmt_value(cells.get(c)) for c in section.columns}
        for item, cells in section.rows.items()
    ]


def email_body(report: Report) -> str:
    rows = table_rows(report)
    lines = [
        f"{report.title}",
        f"{report.agency}, {report.period.start.isoformat()} to {report.period.end.isoformat()}",
        f"Produced on {report.produced_on.isoformat()}; due to the Executive Office of Public "
        f"Safety and Security by 1 February {report.period.end.year + 1}.",
        "",
    ]
    for row in rows:
        figure = row.pop("figure")
        lines.append(f"{figure}: " + ", ".join(f"{k} {v}" for k, v in row.items()))
    lines += ["", "The PDF and CSV are attached. The report contains no personal identifying data."]
    return "\n".join(lines) + "\n"


def email_annual(
    store: Store, stored: StoredReport, *, settings: SmtpSettings | None = None
) -> bool:
    """Mail the report to records staff once per year; False when it was already sent."""
    with store.reading() as session:
        to = [p.email for p in people_with_role(session, Role.RECORDS)]
    if not to:
        raise LookupError("the roster has no records staff to send the annual report to")
    year = stored.report.period.start.year
    attachments = [
        (path.name, path.read_bytes(), mime)
        for fmt, mime in (("pdf", "application/pdf"), ("csv", "text/csv"))
        if (path := stored.files.get(fmt)) is not None
    ]
    return send_email(
        store,
        key=f"annual-report:{year}",
        kind="annual_report",
        to=to,
        subject=f"G.L. c. 258F annual report for {year}",
        body=email_body(stored.report),
        attachments=attachments,
        settings=settings,
    )
