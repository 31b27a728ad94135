"""Daily: reminders before the 90-day date, escalation of overdue cases, delay letters,
warnings before a signed certification's six-month filing window closes."""

from __future__ import annotations

import datetime as dt

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact

from casework import workflow
from casework.db import shared_store
from flows.launch import reconcile


@task(persist_result=True, task_run_name="deadline watch {day}")
def watch(day: str) -> dict[str, int]:
    report = workflow.deadline_watch(shared_store(), dt.date.fromisoformat(day))
    return vars(report)


@flow(name="deadline-watch", log_prints=False)
def deadline_watch(day: str | None = None) -> dict[str, int]:
    """``day`` (YYYY-MM-DD) defaults to today; every email is sent at most once per mark."""
    when = day or dt.date.today().isoformat()
    figures = watch(when)
    figures["runs_started"] = len(reconcile(shared_store()))
    get_run_logger().info("deadline watch %s: %s", when, figures)
    create_table_artifact(
        key="deadline-watch", table=[{"day": when, **figures}], description="Deadline watch results"
    )
    return figures
