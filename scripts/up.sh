#!/usr/bin/env bash
# Set everything up and run the main job on the embedded defaults (SQLite, a local Prefect
# server, a local SMTP sink, the intake portal): one example case ends up waiting at its first
# human step in the Prefect UI. Ctrl-C or SIGTERM stops every process it started; data stays
# in var/ (or $CASEWORK_VAR), and var/stack.env holds the settings for commands in another shell.
set -euo pipefail
cd "$(dirname "$0")/.."
CASEWORK_SKIP_BROWSER=1 bash scripts/setup.sh
exec .venv/bin/python scripts/stack.py "$@"
