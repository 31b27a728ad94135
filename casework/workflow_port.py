"""What the domain needs from the workflow engine, declared here, implemented in ``flows/``.

The command line and the portal receive a :class:`WorkflowRuns` from the one composition root,
:mod:`casework.bootstrap`; nothing else in ``casework/`` knows which engine runs the cases.
Every failure of the engine (server unreachable, refused credentials, an answer the form
refused) is a :class:`WorkflowError` whose text is one line for the person at the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from casework.db import Store


class WorkflowError(Exception):
    """The workflow engine could not do what was asked; ``str()`` is one line saying why."""


@dataclass
class Recovery:
    """What one recovery pass did: rescheduled case numbers, and live runs it left alone."""

    rescheduled: list[str] = field(default_factory=list)
    alive: list[str] = field(default_factory=list)  # "NPD-U-2026-0001 (heard 12 s ago)"


class WorkflowRuns(Protocol):
    """Start, wake, answer and recover the case's workflow run."""

    #: False when no engine is wired (the portal stores requests; staff start runs later).
    enabled: bool

    def start(self, store: Store, case_number: str) -> str:
        """Start the case's run unless one is under way; return the run's id."""
        ...

    def nudge(self, store: Store, case_number: str) -> str | None:
        """Bring the case's run in line after a change made outside it (supplement,
        withdrawal, reopening, revocation): resume, cancel or start it."""
        ...

    def resume(self, store: Store, case_number: str, answer: dict[str, Any]) -> str:
        """Give the waiting human step its answer (the form's own checks apply)."""
        ...

    def run_url(self, flow_run_id: str | None) -> str | None:
        """The address of the run's page in the engine's UI (None when unknown)."""
        ...

    def recover(self, store: Store, *, confirm: bool = True) -> Recovery:
        """Reschedule the case runs whose process died; never a run that is alive."""
        ...


class NoWorkflows:
    """The port when no engine is wired: says so, changes nothing."""

    enabled = False

    def __init__(self, reason: str = "workflows are off") -> None:
        self.reason = reason

    def _off(self) -> WorkflowError:
        return WorkflowError(self.reason)

    def start(self, store: Store, case_number: str) -> str:
        raise self._off()

    def nudge(self, store: Store, case_number: str) -> str | None:
        raise self._off()

    def resume(self, store: Store, case_number: str, answer: dict[str, Any]) -> str:
        raise self._off()

    def run_url(self, flow_run_id: str | None) -> str | None:
        return None

    def recover(self, store: Store, *, confirm: bool = True) -> Recovery:
        raise self._off()


NO_WORKFLOWS: WorkflowRuns = NoWorkflows()
