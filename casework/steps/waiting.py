"""A waiting human step, seen from the case store: what its form shows and starts from, the
email that asks the person to act (with the action code), taking the answer, and the Chief's
reissue of a code. The flow (flows/certification.py) calls these; nothing here knows Prefect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import accesslog, actioncodes
from casework.db import Store
from casework.errors import CaseworkError
from casework.escape import one_line
from casework.models import Case, Notification
from casework.notify import send_email
from casework.roster import active_roles, chief, find_person
from casework.states import Role
from casework.steps import view
from casework.steps.answering import apply_answer
from casework.steps.base import (
    Answer,
    AnswerRefused,
    Step,
    current_step,
    record_refusal,
    refused_values,
)
from casework.views import get_case


@dataclass(frozen=True)
class Waiting:
    """What the flow needs to show a waiting human step."""

    step: str
    step_key: str
    pause_key: str
    person_email: str
    person_name: str
    description: str  # markdown: the case file and the ask; the last refusal's reason first
    summary: str  # markdown: the last refusal's reason first, the case and the ask in short
    answer_model: type[Answer]
    values: dict[str, Any]  # starting values (JSON)


def waiting_step(store: Store, number: str) -> Waiting | None:
    """The step the case waits at, with its form's case file and starting values. Building
    them decrypts what the step shows (``HumanStep.shows``): the access-log entry is written
    in the same unit of work. To learn only which step waits, use :func:`waiting_pause_key`."""
    with store.unit_of_work() as s:
        case = get_case(s, number)
        step = current_step(s, case)
        if step is None:
            return None
        waiting = Waiting(
            step=step.name,
            step_key=step.step_key,
            pause_key=step.pause_key,
            person_email=step.person.email,
            person_name=step.person.full_name,
            description=describe(s, case, step),
            summary=summarise(case, step),
            answer_model=step.spec.answer_model(case.visa_type),
            values=starting_values(s, case, step),
        )
        if step.spec.shows:
            accesslog.record(
                s,
                who=accesslog.WORKFLOW,
                case_id=case.id,
                what=f"{step.spec.shows} (the {step.name} form)",
                why=f"form of the waiting {step.name} step for {step.person.email} (Prefect)",
            )
        return waiting


def waiting_pause_key(store: Store, number: str) -> str | None:
    """The pause key of the step the case waits at (None: no human step waits); decrypts
    nothing."""
    with store.reading() as s:
        step = current_step(s, get_case(s, number))
        return step.pause_key if step is not None else None


def describe(session: Session, case: Case, step: Step) -> str:
    lines = view.heading(
        case, step.spec.task, step.person.full_name, step.person.email, case.last_refusal
    )
    return "\n".join(lines + step.spec.describe(session, case))


def summarise(case: Case, step: Step) -> str:
    lines = view.heading(
        case, step.spec.task, step.person.full_name, step.person.email, case.last_refusal
    )
    first = next(iter(step.spec.answer_model(case.visa_type).model_fields))
    return "\n".join(
        [*lines, f"The case file and what to decide are shown with the first field, **{first}**."]
    )


def starting_values(session: Session, case: Case, step: Step) -> dict[str, Any]:
    """The step's starting values, overlaid with what the person typed in the last refused
    answer (never the action code) wherever the form can show it."""
    values = step.spec.starting_values(session, case, step.person)
    typed = refused_values(case, step)
    if not typed:
        return values
    model = step.spec.answer_model(case.visa_type)
    schema = model.model_json_schema(ref_template="#/$defs/{model}")
    import jsonschema  # only for a refused answer's typed values

    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    for name, value in typed.items():
        field = schema["properties"].get(name)
        if field is None:
            continue
        sub = {**field, "$defs": schema.get("$defs", {})}
        if jsonschema.Draft202012Validator(sub, format_checker=checker).is_valid(value):
            values[name] = value
    return values


# -- asking the person ------------------------------------------------------------------------


def _was_sent(store: Store, key: str) -> bool:
    with store.reading() as s:
        row = s.scalars(select(Notification).where(Notification.idempotency_key == key)).first()
        return row is not None and row.sent_at is not None


def notify_actor(store: Store, number: str, step_key: str, run_url: str | None) -> bool:
    """Email the person who must act a one-time code for this step (once per step and person;
    a reassignment mails the new person)."""
    with store.reading() as s:
        step = current_step(s, get_case(s, number))
        if step is None or step.step_key != step_key:
            return False
        key = f"action:{number}:{step_key}:{step.person.id}"
    if _was_sent(store, key):
        return False
    return _send_code(store, number, key, run_url)


def _send_code(store: Store, number: str, key: str, run_url: str | None) -> bool:
    with store.unit_of_work() as s:
        case = get_case(s, number)
        step = current_step(s, case)
        if step is None:
            return False
        code = actioncodes.issue(s, case, step.step_key, step.person)
        days_left = (case.response_due - dt.date.today()).days
        expires = dt.date.today() + dt.timedelta(days=actioncodes.valid_days())
        attachments = step.spec.attachments(s, case)
        body = (
            f"{step.person.full_name},\n\n"
            f"Case {number} ({case.visa_type} visa) waits for you to {step.spec.task}.\n"
            f"Response due {case.response_due.isoformat()} ({days_left} days left)"
            f"{'; EXPEDITED' if case.expedited else ''}.\n\n"
            f"Open the waiting run: {run_url or '(see the Prefect UI, filter by tag case:' + number + ')'}\n"
            "Press Resume at the top of the run page and fill in the form.\n"
            + (
                f"The draft form is attached ({', '.join(a[0] for a in attachments)}, every "
                "page marked DRAFT): read it before you decide.\n"
                if attachments
                else ""
            )
            + f"\nYour one-time action code for this step: {code}\n"
            f"It is for you ({step.person.email}) only and valid until {expires.isoformat()}. "
            "Enter it with your email in the form.\n"
        )
        subject = f"{number}: {step.spec.task} (due {case.response_due.isoformat()})"
        to, case_id = [step.person.email], case.id
        if attachments:  # made from the victim's data, leaving the store by email
            accesslog.record(
                s,
                who=accesslog.WORKFLOW,
                case_id=case_id,
                what=f"victim identity and {step.spec.shows or 'case data'} "
                f"({', '.join(a[0] for a in attachments)})",
                why=f"to be emailed to {step.person.email} with the action code for step "
                f"{step.step_key}",
            )
    return send_email(
        store,
        key=key,
        kind="action_needed",
        to=to,
        subject=one_line(subject),
        body=body,
        attachments=attachments,
        case_id=case_id,
    )


def reissue_code(store: Store, number: str, chief_email: str, run_url: str | None) -> str:
    """The Chief has a new code sent to the person the step waits for (after a lockout, an
    expiry or a lost email); returns that person's email. In the access log."""
    with store.unit_of_work() as s:
        case = get_case(s, number)
        boss = find_person(s, chief_email)
        if Role.CHIEF.value not in active_roles(s, boss.id):
            raise CaseworkError(f"{boss.email} is not the Chief; only the Chief reissues codes")
        step = current_step(s, case)
        if step is None:
            raise CaseworkError(f"{number} does not wait for anyone's answer now ({case.state})")
        issued = actioncodes.issue_number(s, case, step.step_key)
        key = f"action:{number}:{step.step_key}:{step.person.id}:reissue-{issued + 1}"
        email = step.person.email
        accesslog.record(
            s,
            who=f"{boss.email} (as given to the command, by {accesslog.local_user()})",
            case_id=case.id,
            what=f"action code for step {step.step_key} reissued to {email}",
            why="casework reissue-code",
        )
    _send_code(store, number, key, run_url)
    return email


# -- taking the answer ------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerOutcome:
    accepted: bool
    message: str
    state: str


def answer(store: Store, number: str, pause_key: str, raw: dict[str, Any]) -> AnswerOutcome:
    """Apply a human answer; on refusal record why and what was typed (nothing else) so the
    step asks again. The Chief is alerted when the attempt locked the step's code."""
    try:
        with store.unit_of_work() as s:
            case = get_case(s, number)
            step = current_step(s, case)
            if step is None or step.pause_key != pause_key:
                return AnswerOutcome(False, "this step is no longer waiting", case.state)
            outcome = apply_answer(s, case, step, raw)
            return AnswerOutcome(True, outcome, case.state)
    except AnswerRefused as exc:
        refusal = exc
    claimed = one_line(raw.get("acting_as"))[:254]
    with store.unit_of_work() as s:
        case = get_case(s, number)
        step = current_step(s, case)
        if step is None or step.pause_key != pause_key:
            return AnswerOutcome(False, "this step is no longer waiting", case.state)
        record_refusal(case, step, str(refusal), raw)
        locked = actioncodes.record_attempt(
            s, case, step.step_key, claimed=claimed, outcome=refusal.attempt
        )
        state, step_key, issued = case.state, step.step_key, step.name
        issue_no = actioncodes.issue_number(s, case, step.step_key)
    if locked:
        alert_chief(store, number, step_key, issued, issue_no, claimed)
    return AnswerOutcome(False, str(refusal), state)


def alert_chief(
    store: Store, number: str, step_key: str, step_name: str, issue_no: int, claimed: str
) -> bool:
    with store.unit_of_work() as s:
        case = get_case(s, number)
        boss = chief(s)
        step = current_step(s, case)
        waits_for = step.person.email if step else "-"
        case_id = case.id
        accesslog.record(
            s,
            who=accesslog.WORKFLOW,
            case_id=case_id,
            what=f"lockout of step {step_key} (code {issue_no}) emailed to the Chief {boss.email}",
            why="action-code lockout alert",
        )
    return send_email(
        store,
        key=f"lockout:{number}:{step_key}:{issue_no}",
        kind="action_code_lockout",
        to=[boss.email],
        subject=f"{number}: action code void after {actioncodes.MAX_WRONG} wrong attempts "
        f"({step_name} step)",
        body=(
            f"Case {number}, step {step_name} ({step_key}), waiting for {waits_for}:\n"
            f"{actioncodes.MAX_WRONG} answers came with a wrong action code or from someone else; "
            "the step's code is now void.\n"
            f"Last attempt claimed to be: {claimed or '(nobody)'}\n\n"
            f"To send {waits_for} a new code:\n"
            f"  casework reissue-code {number} --as {boss.email}\n"
        ),
        case_id=case_id,
    )
