"""Headless Chromium for the browser tests (Debian's chromium, driven by Playwright).

Playwright is a declared test dependency and imports normally. When Chromium is missing
or does not start, :func:`launch_chromium` skips the test with the reason, or fails it
when ``CI`` is set (see tests.conftest.require_or_skip).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from playwright import sync_api

from tests.conftest import require_or_skip

__all__ = ["ARGS", "CHROMIUM", "chromium_problem", "launch_chromium", "sync_api"]

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

#: Flags for a machine with no network but loopback: no background fetches, no sandbox (root).
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_problem() -> str | None:
    """None when the Chromium executable is there; otherwise what is wrong."""
    if not Path(CHROMIUM).exists():
        return (
            f"headless Chromium not found at {CHROMIUM} "
            "(apt-get install chromium, or set CHROMIUM to its path)"
        )
    return None


def launch_chromium(playwright: Any, args: list[str] | None = None, **options: Any) -> Any:
    """Start headless Chromium, or skip (on CI: fail) with the reason it cannot start."""
    problem = chromium_problem()
    if problem:
        require_or_skip(problem)
    try:
        return playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=args or ARGS, **options
        )
    except Exception as exc:  # noqa: BLE001 - report why the browser is unusable
        require_or_skip(f"Chromium at {CHROMIUM} does not start: {exc}")
