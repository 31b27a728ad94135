"""Headless Chromium for the browser tests (Debian's chromium, driven by Playwright).

Importing this from a test module skips the module, with the reason, when Playwright or
Chromium is missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(f"headless Chromium not found at {CHROMIUM}", allow_module_level=True)

#: Flags for a machine with no network but loopback: no background fetches, no sandbox (root).
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
