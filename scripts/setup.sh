#!/usr/bin/env bash
# Create the virtualenv in .venv and install the project with its test tools.
# Idempotent: a second run only checks. Needs Python 3.11+ and internet access to PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install --quiet -e '.[test]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# Compile the message catalogs (.po -> .mo; the .mo files are not committed).
.venv/bin/python -m casework.i18n compile >/dev/null
# Browser tests drive Debian's Chromium; install it when we may (root, apt) and it is missing.
if [ "${CASEWORK_SKIP_BROWSER:-0}" != 1 ] && ! command -v chromium >/dev/null 2>&1 \
   && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "note: chromium could not be installed; browser tests will be skipped" >&2
fi
# The shared rate-limit storage test runs a real Redis server on loopback.
if ! command -v redis-server >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) \
    || echo "note: redis-server could not be installed; the shared rate-limit test will be skipped" >&2
fi
