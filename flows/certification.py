"""One flow run per case: intake -> DA consultation -> review -> Chief's approval -> delivery.

Orchestration only: every decision and record is made by the domain
(:mod:`casework.workflow`, :mod:`casework.decisions`) through the case store's
one door. The flow is driven by the case's state, so it can be replayed from
the top after every resume (``suspend_flow_run`` ends the process) or after a
crash: finished steps are skipped, side effects run in persisted tasks and are
idempotent in the store as well.

Privacy: the only parameter is the case number; names, tags, artifacts and
logs carry case numbers, states and staff emails, never victim identity.
"""

from __future__ import annotations

from typing import Any

import pydantic
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.client.orchestration import get_client
from prefect.flow_runs import suspend_flow_run
from prefect.runtime import flow_run as this_run

from casework import workflow
from casework.db import Store, shared_store
from flows.inputs import form_for, with_prefill
from flows.launch import record_flow_run, run_url

#: A bound on state changes within one execution, against a loop that cannot settle.
MAX_STEPS = 60


@task(persist_result=True, task_run_name="intake {case_number}")
def intake(case_number: str, event_count: int) -> str:
    return workflow.intake(shared_store(), case_number)


@task(persist_result=True, task_run_name="notify {case_number} {step_key}")
def notify_actor(case_number: str, step_key: str, url: str | None) -> bool:
    return workflow.notify_actor(shared_store(), case_number, step_key, url)


@task(persist_result=True, task_run_name="answer {case_number} {pause_key}")
def apply_answer(case_number: str, pause_key: str, answer: dict[str, Any]) -> dict[str, Any]:
    out = workflow.answer(shared_store(), case_number, pause_key, answer)
    return {"accepted": out.accepted, "message": out.message, "state": out.state}


@task(persist_result=True, task_run_name="unreadable input {case_number} {pause_key}")
def refuse_unreadable(case_number: str, pause_key: str, reason: str) -> None:
    workflow.refuse_unreadable(shared_store(), case_number, reason)


@task(persist_result=True, task_run_name="letter {name} {case_number}")
def send_letter(case_number: str, name: str, event_count: int) -> bool:
    return workflow.send_letter(shared_store(), case_number, name)


@task(persist_result=True, task_run_name="deliver certification {case_number}")
def deliver_certification(case_number: str, event_count: int) -> str:
    return workflow.deliver_certification(shared_store(), case_number)


@task(persist_result=True, task_run_name="publish {case_number} {marker}")
def publish(case_number: str, marker: str) -> None:
    """Case summary, documents and history as artifacts (no victim identity)."""
    store = shared_store()
    snap = workflow.case_snapshot(store, case_number)
    key = "case-" + case_number.lower()
    create_markdown_artifact(
        key=key,
        markdown=(
            f"## Case {case_number}\n\n| | |\n|---|---|\n"
            + "".join(
                f"| {k.replace('_', ' ')} | {snap[k]} |\n"
                for k in (
                    "visa_type",
                    "state",
                    "received_on",
                    "response_due",
                    "expedited",
                    "assigned_certifier",
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
        table=workflow.history_table(store, case_number),
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
    waiting = workflow.waiting_step(store, case_number)
    if waiting is None:
        return
    _tag(snap, waiting_for=waiting.person_email)
    notify_actor(case_number, waiting.step_key, run_url(this_run.id))
    publish(case_number, waiting.pause_key)
    form = with_prefill(
        form_for(waiting.stage, snap["visa_type"]), waiting.description, waiting.prefill
    )
    logger = get_run_logger()
    logger.info("case %s waits at %s for %s", case_number, waiting.stage, waiting.person_email)
    try:
        given = suspend_flow_run(wait_for_input=form, key=waiting.pause_key, timeout=None)
    except pydantic.ValidationError as exc:
        reason = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        logger.info("case %s: input for %s could not be read", case_number, waiting.pause_key)
        refuse_unreadable(case_number, waiting.pause_key, reason)
        return
    outcome = apply_answer(case_number, waiting.pause_key, given.model_dump(mode="json"))
    logger.info(
        "case %s: answer for %s %s",
        case_number,
        waiting.stage,
        "accepted" if outcome["accepted"] else "refused",
    )


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
    info_waits = 0
    for _ in range(MAX_STEPS):
        snap = workflow.case_snapshot(store, case_number)
        state, events = snap["state"], snap["event_count"]
        if state == "submitted":
            _tag(snap)
            intake(case_number, events)
        elif state in ("da_consultation", "certifier_review", "awaiting_signature"):
            _human_step(store, case_number, snap)
        elif state == "needs_information":
            _tag(snap, waiting_for=f"requester of {case_number}")
            send_letter(case_number, "request_information", events)
            publish(case_number, f"info-{events}")
            # Resumed (without input) when the requester's answer has moved the case on.
            suspend_flow_run(key=f"info-{events}-{info_waits}", timeout=None)
            info_waits += 1
        elif state == "certified":
            deliver_certification(case_number, events)
        elif state in ("denied", "revoked", "delivered", "withdrawn"):
            _tag(snap)
            if state == "denied":
                send_letter(case_number, "denial", events)
            elif state == "revoked":
                send_letter(case_number, "revocation", events)
            publish(case_number, f"end-{events}")
            if workflow.case_snapshot(store, case_number)["event_count"] == events:
                return state
            # changed while we finished (e.g. revoked right after delivery): carry on
    raise RuntimeError(f"case {case_number} did not settle after {MAX_STEPS} steps")
