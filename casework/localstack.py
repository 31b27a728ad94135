"""The local stack as processes: a Prefect server, the runner serving the deployments,
the SMTP sink, the intake portal. Used by ``scripts/up.sh`` and the end-to-end tests.

Starts subprocesses only; nothing here imports Prefect. Every folder comes from the caller
(the data folder, the log folder, the working directory of the processes): nothing is found
from this package's own path.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from casework.mailsink import free_port

PY = sys.executable


def prefect_env(prefect_home: Path, port: int, database_url: str | None = None) -> dict[str, str]:
    return {
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_UI_URL": f"http://127.0.0.1:{port}",
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
        # the v1 UI calls nothing outside this machine (the v2 UI loads an analytics SDK)
        "PREFECT_SERVER_UI_V2_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_LOGGING_LEVEL": "INFO",
        "PREFECT_API_DATABASE_CONNECTION_URL": database_url
        or f"sqlite+aiosqlite:///{prefect_home / 'prefect.db'}",
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "true",
        "PREFECT_LOCAL_STORAGE_PATH": str(prefect_home / "storage"),
    }


def wait_for(check: Callable[[], Any], timeout: float, what: str, every: float = 0.25) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


class Process:
    """A process in its own session (Ctrl-C in a terminal reaches only the caller, which then
    stops it and everything it started, by its process group). On Linux it also gets SIGTERM
    when the caller dies without stopping it (:mod:`casework.orphanguard`)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path, cwd: Path | None = None):
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._fh = log.open("ab")
        if sys.platform.startswith("linux"):  # ends with this process (casework.orphanguard)
            args = [PY, "-m", "casework.orphanguard", str(os.getpid()), *args]
        self.proc = subprocess.Popen(
            args,
            env=env,
            cwd=cwd,
            stdout=self._fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            umask=0o077,  # databases, results and logs it writes: readable by their owner only
        )

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(timeout=timeout)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=timeout)
        self._fh.close()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


def start_prefect_server(
    home: Path,
    log_dir: Path,
    port: int | None = None,
    database_url: str | None = None,
    cwd: Path | None = None,
) -> tuple[Process, dict[str, str]]:
    port = port or free_port()
    env = {**os.environ, **prefect_env(home, port, database_url)}
    server = Process(
        [PY, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env,
        log_dir / "prefect-server.log",
        cwd,
    )

    def healthy() -> bool:
        if server.proc.poll() is not None:
            raise RuntimeError(f"prefect server exited; see {server.log}")
        try:
            return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(healthy, 90, "the Prefect server")
    return server, env


def start_runner(env: dict[str, str], log_dir: Path, cwd: Path | None = None) -> Process:
    """``python -m flows.serve`` in ``cwd`` (the checkout holding ``flows/``, or anywhere
    when the project is installed), once its deployment is registered."""
    runner = Process([PY, "-m", "flows.serve"], env, log_dir / "runner.log", cwd)

    def deployed() -> bool:
        if runner.proc.poll() is not None:
            raise RuntimeError(f"runner exited; see {runner.log}")
        try:
            r = httpx.get(
                env["PREFECT_API_URL"]
                + "/deployments/name/certification-request/certification-request",
                timeout=2,
            )
            return r.status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(deployed, 90, "the certification deployment")
    time.sleep(1.5)  # let the runner start polling
    return runner
