"""A stack's processes end with the process that started them: a parent killed with SIGKILL
(a CI timeout, a crashed test run) leaves no server or runner behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from casework.localstack import wait_for

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's"
)

PARENT = """
import sys, time
from pathlib import Path
from casework.localstack import Process
child = Process([sys.executable, "-c", "import time; time.sleep(600)"], {}, Path(sys.argv[1]))
print(child.proc.pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


def test_a_child_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(tmp_path / "child.log")],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    child = 0
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        cmdline = Path(f"/proc/{child}/cmdline")
        wait_for(lambda: "orphanguard" not in cmdline.read_text(), 10, "the exec")
        assert _alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        wait_for(lambda: not _alive(child), 10, "the child to end with its parent")
    finally:
        parent.kill()
        parent.wait(10)
        if child and _alive(child):
            os.killpg(child, signal.SIGKILL)


def test_nothing_starts_when_the_parent_is_already_gone(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    marker = tmp_path / "ran"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "casework.orphanguard",
            gone.stdout.decode().strip(),
            "touch",
            str(marker),
        ],
        capture_output=True,
    )
    assert done.returncode == 1 and not marker.exists()  # not its parent: nothing ran
    bad = subprocess.run([sys.executable, "-m", "casework.orphanguard"], capture_output=True)
    assert bad.returncode == 2 and b"usage" in bad.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "casework.orphanguard", str(os.getpid()), str(tmp_path / "none")],
        capture_output=True,
    )
    assert missing.returncode == 127 and b"cannot run" in missing.stderr
