"""``casework portal``: serve the intake portal (127.0.0.1:8080 by default)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from casework.config import load_settings
from casework.db import Store
from casework.workflow_port import WorkflowRuns


def cmd_portal(args: argparse.Namespace, store: Store, runs: WorkflowRuns) -> int:
    import uvicorn

    from casework.portal.app import create_app
    from casework.portal.service import PortalConfig

    public_url = args.public_url or load_settings().portal_url
    if not public_url:
        host = f"[{args.host}]" if ":" in args.host else args.host
        public_url = f"http://{host}:{args.port}"
    config = PortalConfig.from_env(store, public_url=public_url, workflows=runs)
    app = create_app(store, config)
    print(f"portal: {public_url}/ (API schema at {public_url}/api/openapi.json)", flush=True)
    if not (config.start_workflow and runs.enabled):
        why = "CASEWORK_PORTAL_START_WORKFLOW=0" if runs.enabled else "no workflow engine wired"
        print(
            f"portal: workflows are off ({why}): requests are stored, "
            "staff start their runs with casework start",
            flush=True,
        )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        proxy_headers=False,
        server_header=False,
        log_level=args.log_level,
    )
    return 0


def register(
    subparsers: Any,
    commands: dict[str, Callable[[argparse.Namespace, Store], int]],
    runs: WorkflowRuns,
) -> None:
    p = subparsers.add_parser("portal", help="serve the web portal for advocates and attorneys")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument(
        "--public-url",
        default=None,
        help="base URL of the links in emails (default CASEWORK_PORTAL_URL or http://HOST:PORT)",
    )
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info"])
    commands["portal"] = lambda args, store: cmd_portal(args, store, runs)
