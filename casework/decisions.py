"""Human steps: who must act, and applying their answer with every check.

The workflow (flows/) shows a form and hands the raw answer here. Prefect's
server checks only JSON-schema basics, so everything else is checked here:
the action code and the person, the role (through the one door), dates that
really exist, and rules across fields. A refused answer raises
:class:`AnswerRefused` with the reason to show, and nothing is recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from casework import actioncodes, steps
from casework.errors import CaseworkError, RosterError
from casework.findings import FamilyMemberFinding, Findings
from casework.models import Case, CaseEvent, Person
from casework.roster import active_roles, chief, find_person
from casework.states import Role, State
from casework.transitions import Actor

#: The human steps: the state a case waits in, and the role that acts.
STAGES: dict[str, tuple[State, Role]] = {
    "da": (State.DA_CONSULTATION, Role.CERTIFIER),
    "review": (State.CERTIFIER_REVIEW, Role.CERTIFIER),
    "signature": (State.AWAITING_SIGNATURE, Role.CHIEF),
}
STAGE_OF_STATE = {state: stage for stage, (state, _) in STAGES.items()}


class AnswerRefused(CaseworkError):
    """The answer was not accepted; the step waits again and shows this reason."""


@dataclass(frozen=True)
class Step:
    stage: str
    step_key: str  # names the action code: stage + how often the case entered this state
    pause_key: str  # names the Prefect suspension: step_key + refused attempts
    person: Person  # who must act


def current_step(session: Session, case: Case) -> Step | None:
    stage = STAGE_OF_STATE.get(State(case.state))
    if stage is None:
        return None
    _, role = STAGES[stage]
    if role is Role.CHIEF:
        person = chief(session)
    else:
        if case.assigned_certifier is None:
            raise CaseworkError(f"{case.case_number} has no assigned certifier")
        person = case.assigned_certifier
    step_key = f"{stage}-{_visits(session, case)}"
    return Step(stage, step_key, f"{step_key}-{case.step_attempt}", person)


def _visits(session: Session, case: Case) -> int:
    """How many times the case has entered its current state: a return or a supplement makes a
    new step, a reassignment or a recorded document does not."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(CaseEvent)
            .where(
                CaseEvent.case_id == case.id,
                CaseEvent.to_state == case.state,
                or_(CaseEvent.from_state.is_(None), CaseEvent.from_state != CaseEvent.to_state),
            )
        )
        or 0
    )


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise AnswerRefused(f"{field}: {value!r} is not a real date (YYYY-MM-DD)") from None


def _lines(text: Any) -> list[str]:
    return [p.strip() for p in str(text or "").replace(";", "\n").splitlines() if p.strip()]


def _dates(text: Any, field: str) -> list[dt.date]:
    if isinstance(text, list):
        parts = [str(p) for p in text]
    else:
        parts = [p.strip() for p in str(text or "").replace(",", "\n").splitlines() if p.strip()]
    return [_date(p, field) for p in parts]


def _family(text: Any) -> list[FamilyMemberFinding]:
    members = []
    for i, line in enumerate(_lines(text)):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3 or not all(parts):
            raise AnswerRefused(
                f"family_members: line {i + 1} must read 'full name | relationship | involvement'"
            )
        # One line holds the whole name: it is kept whole, never split (printed in Part 7).
        members.append(
            FamilyMemberFinding.model_validate(
                {"full_name": parts[0], "relationship": parts[1], "involvement": parts[2]}
            )
        )
    return members


def _who(session: Session, case: Case, step: Step, answer: dict[str, Any]) -> Actor:
    email = str(answer.get("acting_as") or "").strip().lower()
    if not email:
        raise AnswerRefused("acting_as: give your department email address")
    try:
        person = find_person(session, email)
    except RosterError:
        raise AnswerRefused(f"acting_as: {email} is not on the department's roster") from None
    problem = actioncodes.check(
        session, case, step.step_key, person, str(answer.get("action_code") or "")
    )
    if problem:
        raise AnswerRefused(problem)
    _, role = STAGES[step.stage]
    if role.value not in active_roles(session, person.id):
        raise AnswerRefused(f"{person.full_name} does not currently hold the role {role.value}")
    return Actor.person(person, role)


def apply_answer(session: Session, case: Case, step: Step, answer: dict[str, Any]) -> str:
    """Check and record the answer for ``step``; return the outcome (e.g. "certify")."""
    if current_step(session, case) != step:
        raise AnswerRefused("this step is no longer waiting (the case has moved on)")
    actor = _who(session, case, step, answer)
    try:
        outcome = _APPLY[step.stage](session, case, actor, answer)
    except AnswerRefused:
        raise
    except (CaseworkError, ValidationError, ValueError) as exc:
        raise AnswerRefused(_short(exc)) from None
    actioncodes.spend(session, case, step.step_key)
    return outcome


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
    return str(exc)


def _apply_da(session: Session, case: Case, actor: Actor, a: dict[str, Any]) -> str:
    name = str(a.get("consulted_name") or "").strip()
    if not name:
        raise AnswerRefused("consulted_name: who at the District Attorney's Office was consulted?")
    steps.record_da_consultation(
        session,
        case,
        actor,
        case.version,
        consulted_name=name,
        consulted_on=_date(a.get("consulted_on"), "consulted_on"),
        position=str(a.get("position") or ""),
        notes=(str(a.get("notes") or "").strip() or None),
    )
    return str(a.get("position"))


def _deny(
    session: Session, case: Case, actor: Actor, a: dict[str, Any], explanation: str | None
) -> str:
    """A written denial needs the reason under the department's policy (c. 258F §3(ii))."""
    if not a.get("denial_reason"):
        raise AnswerRefused(
            "denial_reason: a denial must give the reason under the department's policy"
        )
    steps.deny(
        session,
        case,
        actor,
        case.version,
        reason_code=str(a["denial_reason"]),
        explanation=explanation,
    )
    return "deny"


def _apply_review(session: Session, case: Case, actor: Actor, a: dict[str, Any]) -> str:
    decision = a.get("decision")
    if decision == "deny":
        return _deny(session, case, actor, a, str(a.get("denial_explanation") or "") or None)
    if decision == "request_more_info":
        missing = str(a.get("missing_information") or "").strip()
        if not missing:
            raise AnswerRefused("missing_information: say what the requester must send")
        steps.request_information(session, case, actor, case.version, missing=missing)
        return "request_more_info"
    if decision != "certify":
        raise AnswerRefused("decision: choose certify, deny or request_more_info")
    findings = Findings(
        visa_type=case.visa_type,  # type: ignore[arg-type]
        qualifying_activities=list(a.get("qualifying_activities") or []),
        other_activity_description=str(a.get("other_activity_description") or "") or None,
        activity_dates=_dates(a.get("activity_dates"), "activity_dates"),
        statutory_citations=_lines(a.get("statutory_citations")),
        occurred_in_us=bool(a.get("occurred_in_us", True)),
        location_explanation=str(a.get("location_explanation") or "") or None,
        description=str(a.get("description") or "").strip(),
        known_injuries=str(a.get("known_injuries") or "") or None,
        case_status=a.get("case_status") or "ongoing",
        possesses_information=bool(a.get("possesses_information")),
        has_been_helpful=bool(a.get("has_been_helpful")),
        is_being_helpful=bool(a.get("is_being_helpful")),
        likely_to_be_helpful=bool(a.get("likely_to_be_helpful")),
        refused_or_failed_to_assist=bool(a.get("refused_or_failed_to_assist")),
        refusal_explanation=str(a.get("refusal_explanation") or "") or None,
        family_members=_family(a.get("family_members")),
    )
    steps.recommend_certification(
        session,
        case,
        actor,
        case.version,
        findings=findings,
        notes=str(a.get("notes") or "") or None,
    )
    return "certify"


def _apply_signature(session: Session, case: Case, actor: Actor, a: dict[str, Any]) -> str:
    decision = a.get("decision")
    comments = str(a.get("comments") or "").strip() or None
    if decision == "approve":
        if not a.get("signature_date"):
            raise AnswerRefused(
                "signature_date: the date the form is signed is required to approve"
            )
        signer = chief(session)
        steps.approve_signature(
            session,
            case,
            actor,
            case.version,
            signature_date=_date(a.get("signature_date"), "signature_date"),
            signer=signer,
            signer_title=str(a.get("signer_title") or signer.title),
            comments=comments,
        )
        return "approve"
    if decision == "return":
        if not comments:
            raise AnswerRefused("comments: say what the certifier should change")
        steps.return_to_certifier(session, case, actor, case.version, comments=comments)
        return "return"
    if decision == "deny":
        return _deny(session, case, actor, a, comments)
    raise AnswerRefused("decision: choose approve, return or deny")


_APPLY = {"da": _apply_da, "review": _apply_review, "signature": _apply_signature}


def record_refusal(session: Session, case: Case, reason: str) -> None:
    """Remember why the last answer was refused; the next ask uses a fresh pause key."""
    case.step_attempt = (case.step_attempt or 0) + 1
    case.last_refusal = reason[:2000]


def clear_refusal(case: Case) -> None:
    case.last_refusal = None
