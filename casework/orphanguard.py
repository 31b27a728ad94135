"""Run a command that ends with the process that started it, so that a stack whose parent was
killed (SIGKILL, a CI job's timeout) leaves no Prefect server or runner behind (Linux).

    python -m casework.orphanguard PARENT_PID COMMAND [ARG ...]

Asks the kernel for SIGTERM when the parent dies (``prctl(PR_SET_PDEATHSIG)``, which survives
the ``exec``), checks that the parent is still ``PARENT_PID`` (it may have died before the
call), then replaces itself with ``COMMAND``. Why not ``preexec_fn``: it is unsafe in a process
with threads (the tests' mail sink and clients run some). The signal follows the *thread* that
started the child: :class:`casework.localstack.Process` is started from the main thread. It
reaches the direct child only: a runner stops its own flow-run processes when it gets SIGTERM.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main(argv: list[str]) -> int:
    if len(argv) < 2 or not argv[0].isdigit():
        print("usage: python -m casework.orphanguard PARENT_PID COMMAND [ARG ...]", file=sys.stderr)
        return 2
    parent, command = int(argv[0]), argv[1:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        print(f"orphanguard: prctl failed: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
    if os.getppid() != parent:
        return 1  # the parent is already gone: start nothing
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        print(f"orphanguard: cannot run {command[0]}: {exc.strerror}", file=sys.stderr)
    return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
