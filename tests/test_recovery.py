"""Recovery never touches a live run: ``casework recover`` names a run that is alive (its
flow-run process holds mid-step and sends heartbeats) and leaves it as it is; once that
process is gone, the watchdog's pass reschedules the run and the case completes.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from casework.localstack import wait_for
from tests.workflow_stack import REPO, Stack, case_info, new_case, run_state, wait_waiting

pytestmark = pytest.mark.prefect
HOLD = "intake=casework.documents:da_memo"  # acknowledgment out, the DA memo not made
SILENCE = 45  # the shortest window recovery allows (a heartbeat comes every 30 s)


def _recover(stack: Stack) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "casework.cli", "recover"],
        env={**stack.env, "CASEWORK_RECOVERY_SILENCE_SECONDS": str(SILENCE)},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_recover_leaves_a_live_run_alone(stack: Stack, tmp_path: Path) -> None:
    stack.restart_runner(
        PYTHONPATH=str(REPO / "tests" / "crashpoints"),
        CASEWORK_TEST_HOLDS=HOLD,
        CASEWORK_TEST_HOLD_DIR=str(tmp_path),
    )
    try:
        (tmp_path / "intake").touch()
        number = new_case(stack, "RECOVER-0001")
        reached = tmp_path / "intake.reached"
        wait_for(reached.exists, 120, "the flow to hold in intake")
        pid = int(reached.read_text())
        before = run_state(number, stack).state
        assert before.type.value == "RUNNING"
        # Past the window since its last state change, only its heartbeats say it is alive.
        wait_for(
            lambda: (dt.datetime.now(dt.UTC) - before.timestamp).total_seconds() > SILENCE + 5,
            SILENCE + 30,
            "the run to outlive the silence window",
        )
        done = _recover(stack)
        assert done.returncode == 0, done.stderr
        assert f"left alone (alive): {number}" in done.stdout, done.stdout
        assert "rescheduled" not in done.stdout
        after = run_state(number, stack).state
        assert (after.id, after.type.value) == (before.id, "RUNNING")
        assert Path(f"/proc/{pid}").exists()  # the process goes on, untouched
        # the process dies (its runner lives on and marks the run crashed): now it is rescheduled
        (tmp_path / "intake").unlink()
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: run_state(number, stack).state.id != before.id, 60, "the runner to notice")
        wait_waiting(stack, number, "da_consultation", timeout=180)
        assert case_info(stack, number)["run"] == str(run_state(number, stack).id)
    finally:
        stack.restart_runner()
