"""Human step: the certifier records the consultation with the District Attorney's Office.

The case waits in ``da_consultation`` after the consultation memo went to the DA's Office;
the assigned certifier answers who was consulted, when, and the DA's position (nothing
chosen until they choose it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.errors import CaseworkError
from casework.models import Case, CaseEvent, DAConsultation, Person
from casework.policy import DA_POSITIONS
from casework.roster import people_with_role
from casework.states import Role, State
from casework.steps import view
from casework.steps.base import Answer, HumanStep
from casework.transitions import Actor, apply_transition


class DAFields(BaseModel):
    position: Literal["supports", "no_objection", "objects"] = Field(
        description="The DA's position: supports, no_objection or objects"
    )
    consulted_name: str = Field(
        max_length=200, description="Who at the District Attorney's Office was consulted"
    )
    consulted_on: dt.date = Field(description="Date of the consultation")
    notes: str = Field("", max_length=5000, description="Notes from the consultation")


class DAAnswer(Answer, DAFields):
    """The DA consultation as the certifier records it."""


def describe(session: Session, case: Case) -> list[str]:
    return [
        "Record the consultation with the District Attorney's Office: who was consulted, "
        "when, and the DA's position (**supports**, **no_objection** or **objects**).",
        "",
        *view.request_table(session, case),
        *view.previous_decisions(session, case),
        *view.attachments(case),
    ]


def starting_values(session: Session, case: Case, person: Person) -> dict[str, Any]:
    contacts = people_with_role(session, Role.DA_CONTACT)
    return {
        "consulted_name": contacts[0].full_name if contacts else "",
        "consulted_on": dt.date.today().isoformat(),
        "notes": "",
    }


def check(session: Session, case: Case, a: DAAnswer) -> list[str]:
    problems = []
    if not a.consulted_name:
        problems.append("consulted_name: who at the District Attorney's Office was consulted?")
    if a.consulted_on > dt.date.today() or a.consulted_on < case.received_on:
        problems.append(
            f"consulted_on: {a.consulted_on} is not between the day the request came in "
            f"({case.received_on}) and today"
        )
    return problems


def apply(session: Session, case: Case, actor: Actor, a: DAAnswer) -> str:
    record_da_consultation(
        session,
        case,
        actor,
        case.version,
        consulted_name=a.consulted_name,
        consulted_on=a.consulted_on,
        position=a.position,
        notes=a.notes or None,
    )
    return a.position


STEP = HumanStep(
    name="da",
    state=State.DA_CONSULTATION,
    role=Role.CERTIFIER,
    task="record the DA consultation",
    answers={"U": DAAnswer, "T": DAAnswer},
    describe=describe,
    starting_values=starting_values,
    check=check,
    apply=apply,
)


# -- the records of the step ------------------------------------------------------------------


def record_da_consultation(
    session: Session,
    case: Case,
    actor: Actor,
    version: int,
    *,
    consulted_name: str,
    consulted_on: dt.date,
    position: str,
    notes: str | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    if position not in DA_POSITIONS:
        raise CaseworkError(f"position: must be one of {', '.join(DA_POSITIONS)}")
    if consulted_on > dt.date.today() or consulted_on < case.received_on:
        raise CaseworkError("consulted_on: must be between the day the request came in and today")
    event = apply_transition(
        session,
        case,
        "record_da_consultation",
        actor,
        version,
        outcome=position,
        notes=notes,
        payload={"position": position, "consulted": consulted_name, "on": consulted_on.isoformat()},
        at=at,
    )
    session.add(
        DAConsultation(
            case_id=case.id,
            consulted_name=consulted_name,
            consulted_on=consulted_on,
            position=position,
            notes=notes,
            recorded_by_id=actor.person_id,
            event_id=event.id,
        )
    )
    return event


def latest_da_consultation(session: Session, case: Case) -> DAConsultation | None:
    return session.scalars(
        select(DAConsultation)
        .where(DAConsultation.case_id == case.id)
        .order_by(DAConsultation.id.desc())
    ).first()
