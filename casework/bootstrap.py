"""The composition root: the one module of ``casework`` that knows the workflow engine.

It wires :class:`casework.workflow_port.WorkflowRuns` to the Prefect implementation in
``flows/`` and hands it to the command line (the ``casework`` console script is
:func:`main`) and to the portal (through ``casework portal``). ``flows`` is imported on
first use, so commands that never touch a run (``casework list``) do not load Prefect.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from casework.db import Store
from casework.workflow_port import Recovery, WorkflowError, WorkflowRuns


class PrefectRuns:
    """:class:`WorkflowRuns` on Prefect (``flows.launch``), imported when first used."""

    enabled = True

    @cached_property
    def _runs(self) -> WorkflowRuns:
        try:
            from flows.launch import PrefectWorkflowRuns
        except ImportError as exc:
            raise WorkflowError(
                f"the certification workflow is not installed ({exc.name} is missing)"
            ) from None
        return PrefectWorkflowRuns()

    def start(self, store: Store, case_number: str) -> str:
        return self._runs.start(store, case_number)

    def nudge(self, store: Store, case_number: str) -> str | None:
        return self._runs.nudge(store, case_number)

    def resume(self, store: Store, case_number: str, answer: dict[str, Any]) -> str:
        return self._runs.resume(store, case_number, answer)

    def run_url(self, flow_run_id: str | None) -> str | None:
        try:
            return self._runs.run_url(flow_run_id)
        except WorkflowError:
            return None

    def recover(self, store: Store, *, confirm: bool = True) -> Recovery:
        return self._runs.recover(store, confirm=confirm)


def workflow_runs() -> WorkflowRuns:
    return PrefectRuns()


def main(argv: Sequence[str] | None = None) -> int:
    """The ``casework`` command, with the workflow wired."""
    from casework.cli import main as cli_main

    return cli_main(argv, runs=workflow_runs())
