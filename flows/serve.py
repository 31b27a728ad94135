"""Serve the deployments from this process (the local stack's runner).

    python -m flows.serve

Before serving, case runs left RUNNING by a runner that died are rescheduled
(they replay from their persisted results); while serving, the recovery watchdog
(:mod:`flows.recovery`) reschedules any run that falls silent. For several machines use
the work pool in prefect.yaml and ``python -m flows.worker`` instead.
"""

from __future__ import annotations

import logging
from typing import Any

from prefect import serve

from casework.config import load_settings
from casework.db import shared_store
from flows.certification import certification_request
from flows.deadline_watch import deadline_watch
from flows.recovery import pass_heartbeat_to_flow_runs, recover_at_start, watch_in_background


def deployments() -> list[Any]:
    items = [
        certification_request.to_deployment(name="certification-request", tags=["casework"]),
        deadline_watch.to_deployment(name="deadline-watch", cron="0 7 * * *", tags=["casework"]),
    ]
    try:
        from flows.annual_report import annual_report

        items.append(
            annual_report.to_deployment(name="annual-report", cron="0 8 15 1 *", tags=["casework"])
        )
    except ImportError:
        pass
    return items


def main() -> None:
    pass_heartbeat_to_flow_runs()
    store = shared_store()
    restarted = recover_at_start(store)
    if restarted:
        logging.getLogger("casework").warning(
            "rescheduled %d interrupted case run(s)", len(restarted)
        )
    watch_in_background(store)
    # Without a limit the runner starts a process for every run it finds at a poll: a burst of
    # submissions or resumes would start hundreds at once. Waiting cases hold no process.
    serve(*deployments(), limit=load_settings().runner_limit)


if __name__ == "__main__":
    main()
