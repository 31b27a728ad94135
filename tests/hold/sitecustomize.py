"""Hold or kill a casework process at a known point, from the test side.

Tests put this folder on PYTHONPATH of a subprocess (Python imports ``sitecustomize`` at
start-up) and say what to do in ``CW_TEST_HOLD``:

* ``barrier:DIR``: just before storing a request, touch DIR/ready-<pid> and wait until
  DIR/go exists, so that every submitter enters its transaction at the same moment;
* ``kill:POINT``: SIGKILL the process at POINT (see ``_KILL_POINTS``).

Nothing of this is in the product code: the hooks wrap product functions from outside.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

_HOLD = os.environ.get("CW_TEST_HOLD", "")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _wrap(owner: object, name: str, *, before: bool = False, nth: int = 1) -> None:
    original = getattr(owner, name)
    calls = {"n": 0}

    def wrapper(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if before and calls["n"] == nth:
            _die()
        result = original(*args, **kwargs)
        if not before and calls["n"] == nth:
            _die()
        return result

    setattr(owner, name, wrapper)


def _barrier(folder: Path) -> None:
    from casework.intake import service

    original = service.store_request

    def held(*args: object, **kwargs: object) -> object:
        (folder / f"ready-{os.getpid()}").touch()
        deadline = time.monotonic() + 60
        while not (folder / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        return original(*args, **kwargs)  # type: ignore[operator]

    service.store_request = held  # type: ignore[assignment]


def _kill(point: str) -> None:
    import os as _os

    from casework import blobs, keyrotate, ledger
    from casework.intake import service

    if point == "blob-before-rename":  # the first file's temporary copy is on disk
        original = _os.replace

        def replace(src: object, dst: object) -> None:
            if ".incoming-" in str(src):
                _die()
            original(src, dst)  # type: ignore[arg-type]

        blobs.os.replace = replace  # type: ignore[attr-defined]
    elif point == "after-first-blob":
        _wrap(blobs.BlobStore, "_write")
    elif point == "mid-transaction":  # everything flushed, the ledger not yet appended
        _wrap(ledger, "_append_pending", before=True)
    elif point == "before-commit":  # the ledger appended, COMMIT not yet sent
        _wrap(ledger, "append")
    elif point == "after-commit":
        _wrap(service, "store_request")
    elif point == "rotate-after-files":
        _wrap(keyrotate, "_rekey_dedupe", before=True)
    else:
        raise SystemExit(f"unknown kill point {point}")


if _HOLD.startswith("barrier:"):
    _barrier(Path(_HOLD.removeprefix("barrier:")))
elif _HOLD.startswith("kill:"):
    _kill(_HOLD.removeprefix("kill:"))
