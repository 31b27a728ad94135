"""Taking a person's answer to a human step: the checks every step shares, in order.

Prefect's server checks only JSON-schema basics, so the raw answer is checked here: first
who acts and the action code (:mod:`casework.actioncodes`), then the step's answer model
(types, real dates, the rules across fields), then the rules that need the case, and only
then is the answer applied, through the one door. A refusal raises :class:`AnswerRefused`
with the reason to show, and nothing of the step is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from casework import actioncodes
from casework.errors import CaseworkError, RosterError
from casework.escape import one_line
from casework.models import Case, Person
from casework.roster import active_roles, find_person
from casework.steps.base import Answer, AnswerRefused, Step, actor_for, clear_refusal


def claimed_person(session: Session, raw: Mapping[str, Any]) -> tuple[str, Person | None]:
    claimed = raw.get("acting_as")
    email = one_line(claimed).lower() if isinstance(claimed, str) else ""
    if not email:
        raise AnswerRefused("acting_as: give your department email address", "no_identity")
    try:
        return email, find_person(session, email)
    except RosterError:
        return email, None


def apply_answer(session: Session, case: Case, step: Step, raw: Mapping[str, Any]) -> str:
    """Check and record the answer for ``step``; return the outcome (e.g. "certify")."""
    email, person = claimed_person(session, raw)
    code = raw.get("action_code")
    verdict = actioncodes.check(
        session, case, step.step_key, person, code if isinstance(code, str) else "", email
    )
    if verdict.problem:
        raise AnswerRefused(verdict.problem, verdict.outcome)
    assert person is not None
    if step.spec.role.value not in active_roles(session, person.id):
        raise AnswerRefused(f"{person.full_name} does not currently hold the role {step.spec.role}")
    answer = parse(step.spec.answer_model(case.visa_type), raw)
    problems = step.spec.check(session, case, answer)
    if problems:
        raise AnswerRefused("; ".join(problems))
    try:
        outcome = step.spec.apply(session, case, actor_for(person, step.spec), answer)
    except CaseworkError as exc:
        raise AnswerRefused(str(exc)) from None
    actioncodes.spend(session, case, step.step_key)
    actioncodes.record_attempt(session, case, step.step_key, claimed=email, outcome="accepted")
    clear_refusal(case)
    return outcome


def parse(model: type[Answer], raw: Mapping[str, Any]) -> Answer:
    """The answer as its model, or a refusal naming each field and what is wrong."""
    try:
        return model.model_validate(dict(raw))
    except ValidationError as exc:
        raise AnswerRefused(describe_errors(exc)) from None


def describe_errors(exc: ValidationError) -> str:
    out = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e["loc"]) or "answer"
        msg = str(e["msg"]).removeprefix("Value error, ")
        if e["type"] == "missing":
            msg = "required"
        elif e["type"] == "extra_forbidden":
            msg = "not a field of this form"
        elif e["type"] == "literal_error" and e.get("ctx"):
            msg = f"choose one of {e['ctx'].get('expected')}"
        out.append(msg if where == "answer" else f"{where}: {msg}")
    return "; ".join(out)
