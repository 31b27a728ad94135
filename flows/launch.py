"""Start, resume and recover certification flow runs (the adapter between casework and Prefect)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast
from uuid import UUID

import httpx
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.exceptions import NotPausedError, ObjectNotFound, PrefectHTTPStatusError
from prefect.flow_runs import resume_flow_run
from prefect.input.actions import read_flow_run_input
from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL
from prefect.states import Cancelled
from sqlalchemy import select

from casework.config import load_settings
from casework.db import Store
from casework.models import Case
from casework.views import get_case
from casework.workflow_port import Recovery, WorkflowError


def deployment_name() -> str:  # CASEWORK_DEPLOYMENT
    return load_settings().deployment


FINAL = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}
#: The name of the cancelled state the system gives a run it replaces or ends itself (a
#: Prefect runner stopping cancels its runs under the plain name: those are restarted).
SUPERSEDED = "Superseded"


def run_url(flow_run_id: Any) -> str | None:
    if not flow_run_id:
        return None
    base = PREFECT_UI_URL.value() or (PREFECT_API_URL.value() or "").removesuffix("/api")
    return f"{base.rstrip('/')}/runs/flow-run/{flow_run_id}" if base else None


def record_flow_run(store: Store, case_number: str, flow_run_id: str) -> None:
    with store.unit_of_work() as s:
        case = get_case(s, case_number)
        if case.flow_run_id != flow_run_id:
            case.flow_run_id = flow_run_id


def _run_state(flow_run_id: str) -> str | None:
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(flow_run_id))
        return run.state.type.value if run.state else None


def start_certification(store: Store, case_number: str) -> str:
    """Start the case's flow run unless one is already under way; return its id.

    Every caller that finds the same run ended (the runner's and each worker's watchdog, a
    nudge, the daily reconciliation) asks Prefect for the run under the same idempotency key,
    so they all get one new run, never one each. The key names the case as this store made it
    (its creation time: a store started afresh reuses case numbers) and the run it follows.
    """
    with store.reading() as s:
        case = get_case(s, case_number)
        existing, created = case.flow_run_id, case.created_at
    if existing and _run_state(existing) not in FINAL:
        return existing
    run = cast(
        FlowRun,
        run_deployment(
            deployment_name(),
            parameters={"case_number": case_number},
            timeout=0,
            tags=[f"case:{case_number}"],
            idempotency_key=f"{case_number}@{created.isoformat()} after {existing or 'none'}",
        ),
    )
    record_flow_run(store, case_number, str(run.id))
    return str(run.id)


def read_answer(flow_run_id: str, pause_key: str) -> dict[str, Any] | None:
    """The answer typed into the run's form at the step ``pause_key`` (None: none is there,
    never given or already applied and deleted)."""
    raw = read_flow_run_input(input_keys(pause_key)[2], flow_run_id=UUID(flow_run_id))
    return raw if isinstance(raw, dict) else None


def take_up(store: Store, case_number: str, cancelled_run_id: str) -> str:
    """Carry on a case whose run was cancelled while the case was under way: apply an answer
    typed into the cancelled run's form that it had not taken yet (else it would be lost: the
    person was told once, and the new run's form starts empty), delete the cancelled run's
    inputs (its form holds the case's narrative), and start a new run; return its id."""
    from casework.steps.waiting import answer, waiting_pause_key

    pause_key = waiting_pause_key(store, case_number)
    if pause_key is not None and (typed := read_answer(cancelled_run_id, pause_key)) is not None:
        answer(store, case_number, pause_key, typed)
    delete_run_inputs(cancelled_run_id)
    return start_certification(store, case_number)


def nudge(store: Store, case_number: str) -> str | None:
    """After a change made outside the flow (a supplement, a withdrawal, a revocation, a
    reopening), bring the case's run in line: resume it if it waits for the requester,
    cancel it if the form it shows no longer fits the case, start one where none runs."""
    from casework.states import State
    from casework.steps.waiting import waiting_pause_key

    with store.reading() as s:
        case = get_case(s, case_number)
        run_id, case_state = case.flow_run_id, case.state
    if run_id is None:
        return start_certification(store, case_number) if case_state != State.WITHDRAWN else None
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(run_id))
        state = run.state
        if state is not None and state.is_paused():
            if state.state_details.run_input_keyset is None:  # waiting for the requester
                resume_flow_run(UUID(run_id))
                return run_id
            pause_key = waiting_pause_key(store, case_number)
            if pause_key is not None and pause_key == state.state_details.pause_key:
                return run_id  # the form still fits: a person will answer it
            client.set_flow_run_state(
                UUID(run_id),
                Cancelled(name=SUPERSEDED, message=f"case {case_number} moved on to {case_state}"),
                force=True,
            )
            delete_run_inputs(run_id)  # the cancelled form's description and defaults
        elif state is not None and state.type.value not in FINAL:
            return run_id
    if case_state in (State.WITHDRAWN, State.DELIVERED):
        return None
    return start_certification(store, case_number)


class ResumeFailed(WorkflowError):
    """The answer did not reach the waiting step; the message says why, on one line."""


def resume_with_input(store: Store, case_number: str, answer: dict[str, Any]) -> str:
    """Complete the case's waiting human step from the command line (same checks as the UI)."""
    with store.reading() as s:
        run_id = get_case(s, case_number).flow_run_id
    if run_id is None:
        raise ResumeFailed(f"{case_number} has no workflow run (casework start {case_number})")
    try:
        for wait in (0.5, 1, 2, 0):  # the run turns PAUSED a moment before its form is saved
            try:
                resume_flow_run(UUID(run_id), run_input=answer)
                break
            except RuntimeError as exc:
                if "schema not found" not in str(exc) or not wait:
                    raise
                time.sleep(wait)
    except NotPausedError:
        raise ResumeFailed(f"the run of {case_number} is not waiting for an answer") from None
    except RuntimeError as exc:  # the server refused the input (REJECT) or the run ended
        text = " ".join(str(exc).split()).removeprefix("Cannot resume this run: ")
        raise ResumeFailed(f"the form refused the answer: {text}") from None
    return run_id


@contextmanager
def prefect_errors() -> Iterator[None]:
    """Turn what the Prefect client raises into one line naming the server and the cause."""
    api = PREFECT_API_URL.value()
    if not api:
        raise WorkflowError(
            "PREFECT_API_URL is not set: point it at the Prefect server "
            "(on the local stack: . var/stack.env)"
        )
    try:
        yield
    except (PrefectHTTPStatusError, httpx.HTTPStatusError) as exc:
        status = exc.response.status_code
        hint = "; check PREFECT_API_AUTH_STRING" if status in (401, 403) else ""
        raise WorkflowError(f"the Prefect API at {api} answered HTTP {status}{hint}") from None
    except ObjectNotFound as exc:
        raise WorkflowError(f"the Prefect API at {api} does not know it ({exc})") from None
    except (httpx.HTTPError, OSError) as exc:
        raise WorkflowError(
            f"cannot reach the Prefect API at {api} ({type(exc).__name__}); is the server up?"
        ) from None


class PrefectWorkflowRuns:
    """:class:`casework.workflow_port.WorkflowRuns` on Prefect: the only implementation."""

    enabled = True

    def start(self, store: Store, case_number: str) -> str:
        with prefect_errors():
            return start_certification(store, case_number)

    def nudge(self, store: Store, case_number: str) -> str | None:
        with prefect_errors():
            return nudge(store, case_number)

    def resume(self, store: Store, case_number: str, answer: dict[str, Any]) -> str:
        with prefect_errors():
            return resume_with_input(store, case_number, answer)

    def run_url(self, flow_run_id: str | None) -> str | None:
        return run_url(flow_run_id)

    def recover(self, store: Store, *, confirm: bool = True) -> Recovery:
        from flows.recovery import recover

        with prefect_errors():
            return recover(store, confirm=confirm)


# -- run inputs -------------------------------------------------------------------------------


def input_keys(pause_key: str) -> list[str]:
    """The run-input keys of a suspension with input: the form, its text, the answer."""
    return [f"suspended-{pause_key}-{part}" for part in ("schema", "description", "response")]


def delete_run_inputs(flow_run_id: str, keep: list[str] | None = None) -> int:
    """Delete the run's inputs (forms, descriptions, answers) except ``keep``; return how many.

    The answers hold everything typed, action codes included, and the forms hold the case's
    narrative: once read, none of it stays in Prefect's database."""
    deleted = 0
    with get_client(sync_client=True) as client:
        rows = client.filter_flow_run_input(
            UUID(flow_run_id), key_prefix="", limit=1000, exclude_keys=set(keep or ())
        )
        for row in rows:
            try:
                client.delete_flow_run_input(UUID(flow_run_id), row.key)
                deleted += 1
            except (ObjectNotFound, PrefectHTTPStatusError):
                pass  # deleted meanwhile
    return deleted


def reconcile(store: Store) -> list[str]:
    """Start a run for every case that needs the workflow but has none under way: stored
    without one (Prefect was down), or changed after its run ended (a revocation)."""
    from casework.models import Document

    wanted = {"submitted", "certified", "revoked", "denied"}
    end_document = {"revoked": "revocation_notice", "denied": "denial_letter"}
    started = []
    with store.reading() as s:
        rows = list(
            s.execute(
                select(Case.id, Case.case_number, Case.state_, Case.flow_run_id).where(
                    Case.state_.in_(wanted)
                )
            )
        )
        documented = {
            (case_id, kind)
            for case_id, kind in s.execute(
                select(Document.case_id, Document.kind).where(
                    Document.kind.in_(end_document.values())
                )
            )
        }
    for case_id, number, state, run_id in rows:
        if state in end_document and (case_id, end_document[state]) in documented:
            continue
        if run_id and _run_state(run_id) not in FINAL:
            continue
        start_certification(store, number)
        started.append(number)
    return started
