#!/usr/bin/env bash
# Set everything up and run the main job on the embedded defaults (SQLite, a local Prefect
# server, a local SMTP sink, the intake portal): one example case ends up waiting at its first
# human step in the Prefect UI. Ctrl-C stops the stack; data stays in var/.
set -euo pipefail
cd "$(dirname "$0")/.."
CASEWORK_SKIP_BROWSER=1 bash scripts/setup.sh
exec .venv/bin/python scripts/stack.py "$@"
