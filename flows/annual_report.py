"""Prefect deployment ``annual-report``: the previous year's G.L. c. 258F §4 report.

Scheduled for mid-January (the report is due by 1 February). A thin flow over
:mod:`casework.reports.delivery`: release the report (logged, with its PDF, HTML twin,
CSV and JSON, under ``CASEWORK_HOME/reports/releases/annual-{year}``; a re-run finds
the same release), publish its table as a Prefect artifact, and email it to records
staff (once per year, keyed ``annual-report:{year}``).
"""

from __future__ import annotations

import datetime as dt

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact

from casework.db import shared_store
from casework.reports.delivery import (
    StoredReport,
    email_annual,
    previous_year,
    store_annual,
    table_rows,
)


@task(name="compute-and-store-annual-report", retries=2, retry_delay_seconds=30)
def compute_and_store(year: int) -> StoredReport:
    store = shared_store()
    try:
        return store_annual(store, year)
    finally:
        store.dispose()


@task(name="publish-annual-report-artifact")
def publish_artifact(stored: StoredReport) -> None:
    report = stored.report
    year = report.period.start.year
    create_table_artifact(
        key=f"c258f-annual-report-{year}",
        table=table_rows(report),
        description=(
            f"{report.agency}: G.L. c. 258F s. 4 figures for {year} "
            f"(produced {report.produced_on.isoformat()}; stored at {stored.files['pdf']})"
        ),
    )


@task(name="email-annual-report", retries=3, retry_delay_seconds=60)
def email_records_staff(stored: StoredReport) -> bool:
    store = shared_store()
    try:
        return email_annual(store, stored)
    finally:
        store.dispose()


@flow(name="annual-report")
def annual_report(year: int | None = None) -> dict[str, str]:
    """Produce, store, publish and email the §4 report (default: the previous calendar year)."""
    year = year or previous_year(dt.date.today())
    stored = compute_and_store(year)
    publish_artifact(stored)
    sent = email_records_staff(stored)
    get_run_logger().info(
        "annual report %s stored at %s; %s", year, stored.files["pdf"],
        "emailed to records staff" if sent else "already emailed earlier",
    )  # fmt: skip
    return {fmt: str(path) for fmt, path in stored.files.items()}


if __name__ == "__main__":
    annual_report()
