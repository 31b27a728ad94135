"""scripts/up.sh as a person runs it: the stack comes up, the command it prints works when
pasted into a new shell in the repository root, the databases are readable by their owner
only, and SIGTERM or Ctrl-C (SIGINT) stops every process it started (their ports are free
again)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest

from casework.mailsink import free_port
from tests.conftest import EXAMPLE_U

pytestmark = pytest.mark.prefect
REPO = Path(__file__).resolve().parents[1]


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def new_shell(command: str) -> subprocess.CompletedProcess[str]:
    """``command`` in a new login-less shell in the repository root, with a bare environment."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}
    return subprocess.run(
        ["bash", "-c", command], cwd=REPO, env=env, capture_output=True, text=True, timeout=180
    )


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_up_sh_hints_work_and_a_signal_stops_everything(tmp_path: Path, stop: int) -> None:
    ports = {"prefect": free_port(), "portal": free_port(), "smtp": free_port()}
    var = tmp_path / "var"
    env = {**os.environ, "CASEWORK_VAR": str(var)}
    for key in ("CASEWORK_HOME", "CASEWORK_KEY", "CASEWORK_DATABASE_URL", "PREFECT_API_URL"):
        env.pop(key, None)
    up = subprocess.Popen(
        ["bash", "scripts/up.sh", "--request", str(EXAMPLE_U),
         "--prefect-port", str(ports["prefect"]), "--portal-port", str(ports["portal"]),
         "--smtp-port", str(ports["smtp"])],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    printed: list[str] = []
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 240
        assert up.stdout is not None
        while time.monotonic() < deadline:
            line = up.stdout.readline()
            if not line:
                break
            printed.append(line)
            if line.startswith("The stack is running"):
                break
        output = "".join(printed)
        assert "The stack is running" in output, output
        number = output.split("Case ", 1)[1].split()[0]
        (resume,) = [ln.strip() for ln in printed if "casework resume" in ln]
        (history,) = [ln.strip() for ln in printed if "casework history" in ln]
        assert resume.startswith(". ") and re.search(
            r"--code [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", resume
        )

        # a read-only command on a store that does not exist: says so, creates nothing
        missing = new_shell(f"CASEWORK_HOME={tmp_path / 'nothing'} .venv/bin/casework list")
        assert missing.returncode == 1 and "no case store at" in missing.stderr
        assert not (tmp_path / "nothing").exists()
        # the printed hints, pasted into a new shell in the repository root
        done = new_shell(resume)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"{number}: certifier_review" in done.stdout
        shown = new_shell(history)
        assert shown.returncode == 0 and "record_da_consultation" in shown.stdout
        # the databases are readable by their owner only
        for db in (var / "casework.sqlite", var / "prefect" / "prefect.db"):
            assert stat.S_IMODE(db.stat().st_mode) == 0o600, db
        started = descendants(up.pid)
        assert len(started) >= 4 and all(listening(p) for p in ports.values())
    finally:
        started |= descendants(up.pid)
        up.send_signal(stop)
        try:
            up.wait(timeout=120)
        except subprocess.TimeoutExpired:
            for pid in {up.pid, *started}:  # leave nothing behind, then fail
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
            raise
    time.sleep(1)
    assert not [pid for pid in started if alive(pid)]
    assert not [name for name, port in ports.items() if listening(port)]
