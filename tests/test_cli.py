"""The `casework` command as scripts use it: real processes, a fresh data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLE_U, example_request


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")}
    env["CASEWORK_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "casework.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_contract(tmp_path: Path) -> None:
    home = tmp_path / "home"
    init = run(home, "init", "--demo")
    assert init.returncode == 0, init.stderr
    assert (home / "casework.key").exists() and oct((home / "casework.key").stat().st_mode)[
        -3:
    ] == "600"

    ok = run(home, "submit", str(EXAMPLE_U), "--no-flow")
    assert ok.returncode == 0, ok.stderr
    number = ok.stdout.strip().splitlines()[-1]
    assert number.startswith("NPD-U-") and len(number) == len("NPD-U-2026-0001")

    dup = run(home, "submit", str(EXAMPLE_U), "--no-flow")
    assert dup.returncode == 0 and dup.stdout.strip().splitlines()[-1] == number
    assert "duplicates an existing case" in dup.stdout

    bad = tmp_path / "bad.json"
    raw = example_request(requester={"email": "nope"}, victim={"date_of_birth": "3000-01-01"})
    raw["attachments"] = []
    bad.write_text(json.dumps(raw))
    refused = run(home, "submit", str(bad), "--no-flow")
    assert refused.returncode == 1
    assert "requester.email: is not a valid email address" in refused.stderr
    assert "victim.date_of_birth: is in the future" in refused.stderr
    assert refused.stdout == ""

    listing = json.loads(run(home, "list", "--json").stdout)
    assert [c["case_number"] for c in listing] == [number]
    assert "victim" not in listing[0]
    assert json.loads(run(home, "list", "--state", "denied", "--json").stdout) == []

    shown = json.loads(run(home, "show", number, "--json").stdout)
    assert shown["victim"]["family_name"] == "Morales" and shown["state"] == "submitted"
    history = json.loads(run(home, "history", number, "--json").stdout)
    assert [h["action"] for h in history] == ["submit"] and len(history[0]["hash"]) == 64
    assert run(home, "verify-history").returncode == 0
    missing = run(home, "show", "NPD-U-1999-0001")
    assert missing.returncode == 1 and "no case numbered NPD-U-1999-0001" in missing.stderr
