"""Crash tests: hold a flow-run process at one point of the work so the test can kill it there.

Only the crash test puts this folder on the runner's PYTHONPATH (Python then imports this
module at start-up, in the runner and in every flow-run process it starts). Nothing of it is
in the product. ``CASEWORK_TEST_HOLDS`` names the points, ``name=module:function[:text]``
separated by commas; ``CASEWORK_TEST_HOLD_DIR`` is a folder. While the file ``<dir>/<name>``
exists, a call of that function (whose arguments, as text, contain ``text``) writes
``<dir>/<name>.reached`` and then waits for ever, until the test kills the process. A target
written ``after:module:function[:text]`` holds once the function has returned (its work done).
"""

from __future__ import annotations

import functools
import importlib
import os
import time
from pathlib import Path
from typing import Any


def _hold(name: str, target: str, folder: Path) -> None:
    after = target.startswith("after:")
    module_name, _, rest = target.removeprefix("after:").partition(":")
    attr, _, text = rest.partition(":")
    module = importlib.import_module(module_name)
    original = getattr(module, attr)

    @functools.wraps(original)
    def held(*args: Any, **kwargs: Any) -> Any:
        armed = (folder / name).exists() and (not text or any(text in str(a) for a in args))
        result = original(*args, **kwargs) if after else None
        if armed:
            (folder / f"{name}.reached").write_text(str(os.getpid()))
            while True:
                time.sleep(1)
        return result if after else original(*args, **kwargs)

    setattr(module, attr, held)


def _install() -> None:
    spec, folder = os.environ.get("CASEWORK_TEST_HOLDS"), os.environ.get("CASEWORK_TEST_HOLD_DIR")
    if not spec or not folder:
        return
    for item in spec.split(","):
        name, _, target = item.partition("=")
        _hold(name.strip(), target.strip(), Path(folder))


_install()
