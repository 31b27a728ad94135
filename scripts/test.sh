#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite: SQLite always, PostgreSQL at
# 127.0.0.1:5432 when it answers (skipped with the reason otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PREFECT_SERVER_ANALYTICS_ENABLED=false PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT=false
.venv/bin/ruff check casework forms flows tests bench scripts
.venv/bin/ruff format --check casework forms flows tests bench scripts
.venv/bin/mypy casework forms flows
.venv/bin/python -m casework.i18n check
exec .venv/bin/python -m pytest "$@"
