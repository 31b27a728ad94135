"""Check PDFs in a child process with CPU and memory limits.

A hostile PDF can keep a parser busy in C code (qpdf, zlib), where Python cannot interrupt
it, or make it allocate without end. So the scan runs in a child process with
``RLIMIT_CPU`` (killed by the kernel past the limit) and ``RLIMIT_AS`` (allocations fail
past the limit), no core files and no file writes.

Starting Python and importing the parser costs about 100 ms, so the children are forked
from a small server process that has the parser loaded already (a fork server): each
file costs one ``fork()``. The server is started on the first check, one per process that
checks PDFs, and ends when that process closes its end of the socket (or exits).
multiprocessing's ``forkserver`` context is not used because every child it forks
re-imports the parent's ``__main__`` module (``python -m flows.serve`` would import
Prefect for every file).

The server is a plain loop: read a request (limits as JSON, then the file), fork, let
the child scan and write its answer to a pipe, ``wait4`` for it (which also gives its CPU
time and peak memory), answer. Requests from threads of one process are taken in turn.
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from casework.intake.coded import CodedText, as_json

CPU_SECONDS = 5
MEMORY_BYTES = 300 * 1024 * 1024
#: The server answers within the child's CPU limit plus this much waiting, or is replaced.
WALL_SECONDS = 60.0


@dataclass
class Outcome:
    """What the child said, or why it said nothing (``stopped``), and what it cost."""

    page_count: int = 0
    problems: list[str] = field(default_factory=list)
    stopped: str | None = None  # "cpu", "memory" or "crash"
    cpu_seconds: float = 0.0
    peak_rss_bytes: int = 0


def run(
    data: bytes,
    limits: dict[str, int],
    *,
    cpu_seconds: int = CPU_SECONDS,
    memory_bytes: int = MEMORY_BYTES,
) -> Outcome:
    """Scan ``data`` (with casework.intake.pdfscan.Limits(**limits)) in a limited child."""
    request = {"limits": limits, "cpu_seconds": cpu_seconds, "memory_bytes": memory_bytes}
    answer = _server().ask(json.dumps(request).encode(), data)
    answer["problems"] = [CodedText.from_json(p) for p in answer.get("problems", [])]
    return Outcome(**answer)


# -- the calling side --------------------------------------------------------------------------


class _ServerHandle:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None

    def ask(self, header: bytes, data: bytes) -> dict[str, Any]:
        with self._lock:
            for attempt in (1, 2):
                conn = self._ensure_started()
                try:
                    conn.send_bytes(header)
                    conn.send_bytes(data)
                    if not conn.poll(WALL_SECONDS):
                        self.stop()
                        return {"stopped": "cpu"}
                    answer: dict[str, Any] = json.loads(conn.recv_bytes())
                    return answer
                except (EOFError, OSError):
                    self.stop()  # the server died (or was killed): start another, once
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")

    def _ensure_started(self) -> Connection:
        if self._conn is not None and self._proc is not None and self._proc.poll() is None:
            return self._conn
        self.stop()
        ours, theirs = socket.socketpair()
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        with theirs:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "casework.intake.pdfsandbox", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        self._conn = Connection(ours.detach())
        return self._conn

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    def forget(self) -> None:
        """In a forked copy of the caller: the server belongs to the parent, leave it be."""
        self._lock = threading.Lock()
        self._proc = None
        self._conn = None


_HANDLE = _ServerHandle()
atexit.register(_HANDLE.stop)
os.register_at_fork(after_in_child=_HANDLE.forget)


def _server() -> _ServerHandle:
    return _HANDLE


def stop_server() -> None:
    """End this process's checking server (it starts again on the next check)."""
    with _HANDLE._lock:
        _HANDLE.stop()


# -- the server side -------------------------------------------------------------------------


def serve(fd: int) -> None:
    """The server loop: one forked child per request, until the caller hangs up."""
    from casework.intake import pdfscan  # loaded once here, inherited by every child

    conn = Connection(fd)
    while True:
        try:
            request = json.loads(conn.recv_bytes())
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        conn.send_bytes(json.dumps(_check_in_child(request, data, pdfscan)).encode())
        del data


def _check_in_child(request: dict[str, Any], data: bytes, pdfscan: Any) -> dict[str, Any]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: limit itself, scan, answer through the pipe, exit
        os.close(read_end)
        _child(request, data, pdfscan, write_end)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        said = pipe.read()
    _, status, usage = os.wait4(pid, 0)
    cost = {
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_bytes": usage.ru_maxrss * 1024,  # kB on Linux
    }
    try:
        answer: dict[str, Any] = json.loads(said)
    except ValueError:
        answer = {}
    if not answer:
        signalled = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        if signalled in (signal.SIGXCPU, signal.SIGKILL):
            answer = {"stopped": "cpu"}
        else:
            answer = {"stopped": "crash"}
    return {**answer, **cost}


def _child(request: dict[str, Any], data: bytes, pdfscan: Any, write_end: int) -> None:
    memory_answer = json.dumps({"stopped": "memory"}).encode()
    try:
        cpu = int(request["cpu_seconds"])
        memory = int(request["memory_bytes"])
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
        pages, problems = pdfscan.scan(data, pdfscan.Limits(**request["limits"]))
        answer = json.dumps({"page_count": pages, "problems": as_json(problems[:50])}).encode()
    except MemoryError:
        answer = memory_answer
    except BaseException as exc:  # noqa: BLE001 - a hostile file may break the parser any way
        answer = json.dumps({"stopped": "crash", "problems": [type(exc).__name__]}).encode()
    try:
        os.write(write_end, answer)
    finally:
        os._exit(0)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
