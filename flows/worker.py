"""A Prefect process worker with the recovery watchdog beside it (production, several machines).

    python -m flows.worker --pool casework [other ``prefect worker start`` options]

It is ``prefect worker start`` in this process, plus :func:`flows.recovery.watch` in a
thread, so that a case run whose worker died is rescheduled by any worker still alive. The
flow-run processes it starts send a heartbeat every 30 s (``PREFECT_FLOWS_HEARTBEAT_FREQUENCY``,
set here unless given). Stop it with SIGINT or SIGTERM *twice*: the first one only asks the
worker to finish gracefully (Prefect's own behaviour).
"""

from __future__ import annotations

import sys

from casework.db import shared_store
from flows.recovery import pass_heartbeat_to_flow_runs, watch_in_background


def main(argv: list[str] | None = None) -> int:
    pass_heartbeat_to_flow_runs()
    watch_in_background(shared_store())
    from prefect.cli import app

    args = sys.argv[1:] if argv is None else argv
    sys.argv = ["prefect", "worker", "start", *args]
    app()  # exits with the worker's status
    return 0


if __name__ == "__main__":
    sys.exit(main())
