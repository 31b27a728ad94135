"""Producing the annual report as the scheduled job does: release it, tabulate it, email it.

Plain domain functions (no Prefect here: ``flows/annual_report.py`` wraps them).
The stored and emailed version is the public release (small U/T cells withheld;
the Together figures are exact), logged under ``CASEWORK_HOME/reports/releases``
(:mod:`casework.reports.releases`): a re-run reissues the same files. The email
goes to the roster's records staff once per year: the idempotency key is
``annual-report:{year}``, so a retried or re-run job never mails it twice (to
send it again, records staff use the CLI). Before releasing, the job signs a checkpoint of
the ledger (:func:`casework.checkpoints.write_checkpoint`), which the report then prints; a
ledger that no longer extends the newest checkpoint stops the job (run
``casework verify-history``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from casework.checkpoints import write_checkpoint
from casework.db import Store
from casework.notify import SmtpSettings, send_email
from casework.reports import release_annual
from casework.reports.model import Report
from casework.reports.render import fmt_value
from casework.roster import people_with_role
from casework.states import Role

STORED_FORMATS = ("pdf", "html", "csv", "json")


@dataclass(frozen=True)
class StoredReport:
    report: Report
    files: dict[str, Path]  # format -> path


def previous_year(today: dt.date | None = None) -> int:
    return (today or dt.date.today()).year - 1


def store_annual(
    store: Store, year: int, *, produced_on: dt.date | None = None, today: dt.date | None = None
) -> StoredReport:
    """Sign a ledger checkpoint, then release the year's §4 report (PDF, HTML, CSV, JSON) or
    find it already released."""
    write_checkpoint(store)
    done = release_annual(store, year, today=today, produced_on=produced_on)
    return StoredReport(done.report, {f: done.files[f] for f in STORED_FORMATS})


def table_rows(report: Report) -> list[dict[str, str]]:
    """The §4 figures as rows (for a Prefect table artifact or a plain-text email)."""
    section = report.section("statutory")
    return [
        {"figure": section.label(item)}
        | {section.column_label(c): fmt_value(cells.get(c)) for c in section.columns}
        for item, cells in section.rows.items()
    ]


def email_body(report: Report) -> str:
    section = report.section("statutory")
    lines = [
        f"{report.title}",
        f"{report.agency}, {report.period.start.isoformat()} to {report.period.end.isoformat()}",
        f"Produced on {report.produced_on.isoformat()}; due to the Executive Office of Public "
        f"Safety and Security by 1 February {report.period.end.year + 1}.",
        "",
        "The figures to report (G.L. c. 258F s. 4):",
    ]
    for item, cells in section.rows.items():
        lines.append(f"{section.label(item)}: {fmt_value(cells.get('total'))}")
        lines.append(f"   (U visa {fmt_value(cells.get('U'))}, T visa {fmt_value(cells.get('T'))})")
    lines += [
        "",
        "The PDF (with its accessible HTML twin) and the CSV are attached; they explain how each",
        "figure is counted. The report contains no personal identifying information.",
    ]
    if report.checkpoint:
        lines += ["", f"Ledger checkpoint when the report was made: {report.checkpoint}"]
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
        for fmt, mime in (("pdf", "application/pdf"), ("html", "text/html"), ("csv", "text/csv"))
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
