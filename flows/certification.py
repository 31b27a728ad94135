"""One flow run per case: intake -> DA consultation -> review -> Chief's approval -> delivery.

Orchestration only: every decision and record is made by the domain
(:mod:`casework.workflow`, :mod:`casework.steps`) through the case store's one door. The
flow is driven by the case's state, so it can be replayed from the top after every resume
(``suspend_flow_run`` ends the process) or after a crash: finished steps are skipped, side
effects run in persisted tasks and are idempotent in the store as well. Which states wait
for a person, and which step module serves each, is :data:`casework.states.HUMAN_STEPS`.

Privacy: the only parameter is the case number; names, tags, artifacts and logs carry case
numbers, states and staff emails, never victim identity. A human step's run inputs (its
form, the form's text and the answer with its action code) are deleted from Prefect as soon
as the answer is read; inputs a crash left behind are swept on the next replay.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pydantic
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.client.orchestration import get_client
from prefect.flow_runs import suspend_flow_run
from prefect.runtime import flow_run as this_run

from casework import workflow
from casework.db import Store, shared_store
from casework.escape import md_cell
from casework.states import State
from casework.steps import waiting as human
from casework.steps.base import HumanStep, RequesterWait
from casework.steps.registry import step_for
from flows.inputs import prefect_form
from flows.launch import delete_run_inputs, input_keys, read_answer, record_flow_run, run_url

#: A bound on state changes within one execution, against a loop that cannot settle.
MAX_STEPS = 60


@task(persist_result=True, task_run_name="intake {case_number}")
def intake(case_number: str, event_count: int) -> str:
    return workflow.intake(shared_store(), case_number)


@task(persist_result=True, task_run_name="notify {case_number} {step_key}")
def notify_actor(case_number: str, step_key: str, url: str | None) -> bool:
    return human.notify_actor(shared_store(), case_number, step_key, url)


@task(persist_result=True, task_run_name="answer {case_number} {pause_key}")
def take_answer(case_number: str, pause_key: str, flow_run_id: str) -> dict[str, Any]:
    """Read the answer typed into the form, apply it (or record why not), then delete the
    step's run inputs from Prefect. Only whether it was accepted is kept as the result."""
    # None when it is gone: read, applied and deleted before a crash (the replay comes here
    # again), so the case store knows the outcome and says the step is no longer waiting.
    raw = read_answer(flow_run_id, pause_key)
    out = human.answer(shared_store(), case_number, pause_key, raw or {})
    delete_run_inputs(flow_run_id, keep=[])
    return {"accepted": out.accepted, "state": out.state}


@task(persist_result=True, task_run_name="letter {name} {case_number}")
def send_letter(case_number: str, name: str, event_count: int) -> bool:
    return workflow.send_letter(shared_store(), case_number, name)


@task(persist_result=True, task_run_name="deliver certification {case_number}")
def deliver_certification(case_number: str, event_count: int) -> str:
    return workflow.deliver_certification(shared_store(), case_number)


@task(persist_result=True, task_run_name="publish {case_number} {marker}")
def publish(case_number: str, marker: str, keep_inputs: list[str] | None = None) -> None:
    """Case summary, documents and history as artifacts (no victim identity). At a human step
    (``keep_inputs``: its form's keys), also delete run inputs a crash left behind: this runs
    once per step, before the form is shown, and comes back cached when the step is answered."""
    if keep_inputs is not None and this_run.id:
        delete_run_inputs(str(this_run.id), keep=keep_inputs)
    store = shared_store()
    snap = workflow.case_snapshot(store, case_number)
    key = "case-" + case_number.lower()
    create_markdown_artifact(
        key=key,
        markdown=(
            f"## Case {case_number}\n\n| | |\n|---|---|\n"
            + "".join(
                f"| {k.replace('_', ' ')} | {md_cell(snap[k])} |\n"
                for k in (
                    "visa_type",
                    "state",
                    "received_on",
                    "response_due",
                    "expedited",
                    "assignee_email",
                )
            )
        ),
        description=f"Case {case_number}: {snap['state']}",
    )
    docs = workflow.documents_table(store, case_number)
    if docs:
        create_table_artifact(
            key=key + "-documents", table=docs, description=f"Documents of {case_number}"
        )
    create_table_artifact(
        key=key + "-history",
        table=[  # who acted shows as a role: a requester's row would carry their email
            {k: v for k, v in row.items() if k != "actor"}
            for row in workflow.history_table(store, case_number)
        ],
        description=f"History of {case_number}",
    )


def _tag(snap: dict[str, Any], waiting_for: str | None = None) -> None:
    run_id = this_run.id
    if not run_id:
        return
    tags = [f"case:{snap['case_number']}", f"stage:{snap['state']}"]
    if snap.get("assignee_email"):
        tags.append(f"assignee:{snap['assignee_email']}")
    if waiting_for:
        tags.append(f"waiting-for:{waiting_for}")
    with get_client(sync_client=True) as client:
        client.update_flow_run(run_id, tags=tags)


def _human_step(store: Store, case_number: str, snap: dict[str, Any]) -> None:
    waiting = human.waiting_step(store, case_number)
    if waiting is None:
        return
    run_id = str(this_run.id)
    _tag(snap, waiting_for=waiting.person_email)
    notify_actor(case_number, waiting.step_key, run_url(this_run.id))
    publish(case_number, waiting.pause_key, input_keys(waiting.pause_key))
    form = prefect_form(waiting.answer_model, waiting.summary, waiting.description, waiting.values)
    logger = get_run_logger()
    logger.info("case %s waits at %s for %s", case_number, waiting.step, waiting.person_email)
    # An answer that does not fit the model fails to load here: the domain says why, below.
    with contextlib.suppress(pydantic.ValidationError):
        suspend_flow_run(wait_for_input=form, key=waiting.pause_key, timeout=None)
    outcome = take_answer(case_number, waiting.pause_key, run_id)
    logger.info(
        "case %s: answer at %s %s",
        case_number,
        waiting.step,
        "accepted" if outcome["accepted"] else "refused",
    )


def _requester_wait(store: Store, case_number: str, snap: dict[str, Any], wait: int) -> None:
    """The case waits for the requester: send the letter, wait (no form) until the requester's
    answer moves the case on and ``casework``/the portal resumes the run."""
    spec = step_for(State(snap["state"]))
    assert isinstance(spec, RequesterWait)
    _tag(snap, waiting_for=f"requester of {case_number}")
    send_letter(case_number, spec.letter, snap["event_count"])
    publish(case_number, f"{spec.name}-{snap['event_count']}")
    suspend_flow_run(key=f"{spec.name}-{snap['event_count']}-{wait}", timeout=None)


def _finish(case_number: str, state: State, events: int) -> None:
    """An answered or closed case: the letter that answers it, the last artifacts."""
    letter = {State.DENIED: "denial", State.REVOKED: "revocation"}.get(state)
    if letter:
        send_letter(case_number, letter, events)
    publish(case_number, f"end-{events}")


@flow(
    name="certification-request",
    flow_run_name="{case_number}",
    persist_result=True,
    log_prints=False,
)
def certification_request(case_number: str) -> str:
    """Carry one case to its end (or its next wait). Only parameter: the case number."""
    store = shared_store()
    if this_run.id:
        record_flow_run(store, case_number, str(this_run.id))
    requester_waits = 0
    for _ in range(MAX_STEPS):
        snap = workflow.case_snapshot(store, case_number)
        state, events = State(snap["state"]), snap["event_count"]
        step = step_for(state)
        if isinstance(step, HumanStep):
            _human_step(store, case_number, snap)
        elif isinstance(step, RequesterWait):
            _requester_wait(store, case_number, snap, requester_waits)
            requester_waits += 1
        elif state is State.SUBMITTED:
            _tag(snap)
            intake(case_number, events)
        elif state is State.CERTIFIED:
            deliver_certification(case_number, events)
        else:  # delivered, denied, revoked, withdrawn: nothing more to do unless it changes
            _tag(snap)
            _finish(case_number, state, events)
            if this_run.id:
                delete_run_inputs(str(this_run.id))
            if workflow.case_snapshot(store, case_number)["event_count"] == events:
                return state.value
            # changed while we finished (e.g. revoked right after delivery): carry on
    raise RuntimeError(f"case {case_number} did not settle after {MAX_STEPS} steps")
