"""What a human step is, and the mechanics every step shares.

A human step is declared once, as a :class:`HumanStep` in its own module
(``casework/steps/da.py``, ``review.py``, ``signature.py``): the state the case waits in,
the role that acts, the one pydantic answer model, the text shown, the checks across fields
that need the case, and the function that applies an accepted answer through the one door.
:data:`casework.states.HUMAN_STEPS` says which module serves which state.

Shared here: the answer's common fields (who acts, the action code), which step a case
waits at now (:func:`current_step`), and the refusal record that makes the step ask again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from casework.crypto import keyring
from casework.errors import CaseworkError
from casework.models import Case, CaseEvent, Person
from casework.roster import chief
from casework.states import Role, State
from casework.transitions import Actor

PDF = "application/pdf"
EmailAttachment = tuple[str, bytes, str]


class Answer(BaseModel):
    """Fields every answer carries: who acts, and the code mailed to them for this step.

    A step's answer model lists ``Answer`` first among its bases and its own fields after it,
    ``class DAAnswer(Answer, DAFields)``, so that its own fields come first in the form (the
    choice to make first, who signs it last, next to the Submit button)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    acting_as: str = Field(max_length=254, description="Your department email address")
    action_code: str = Field(
        max_length=40, description="The action code from the email that sent you here"
    )


class AnswerRefused(CaseworkError):
    """The answer was not accepted; the step asks again and shows this reason first.

    ``attempt`` is how the action-code check ended (see :mod:`casework.actioncodes`):
    ``wrong_code``, ``wrong_person`` and ``unknown_person`` count towards the lockout."""

    def __init__(self, reason: str, attempt: str = "refused") -> None:
        super().__init__(reason)
        self.attempt = attempt


def _no_attachments(session: Session, case: Case) -> list[EmailAttachment]:
    return []


@dataclass(frozen=True)
class HumanStep:
    name: str  # names the step's action codes and Prefect pauses: "da", "review", "signature"
    state: State  # the state the case waits in
    role: Role  # who acts
    task: str  # what the person is asked to do, for the email subject ("review the request")
    answers: Mapping[str, type[Answer]]  # the answer model, by visa type ("U", "T")
    describe: Callable[[Session, Case], list[str]]  # the step's part of the form (markdown)
    starting_values: Callable[[Session, Case, Person], dict[str, Any]]  # JSON values
    check: Callable[[Session, Case, Any], list[str]]  # rules that need the case
    apply: Callable[[Session, Case, Actor, Any], str]  # through the one door; the outcome
    attachments: Callable[[Session, Case], list[EmailAttachment]] = field(
        default=_no_attachments
    )  # sent with the email that asks the person to act
    #: What of the victim's identity or narrative the form (and its attachments) decrypts and
    #: shows, for the access log; empty when it shows none.
    shows: str = ""

    def answer_model(self, visa_type: str) -> type[Answer]:
        return self.answers[visa_type]


@dataclass(frozen=True)
class RequesterWait:
    """A state in which the case waits for the requester (outside Prefect's forms)."""

    name: str
    state: State
    role: Role
    letter: str  # the letter that tells the requester what is needed


@dataclass(frozen=True)
class Step:
    """A human step a case waits at now."""

    spec: HumanStep
    step_key: str  # names the action code: step name + how often the case entered this state
    pause_key: str  # names the Prefect suspension: step_key + refused attempts
    person: Person  # who must act

    @property
    def name(self) -> str:
        return self.spec.name


def current_step(session: Session, case: Case) -> Step | None:
    from casework.steps.registry import human_step

    spec = human_step(State(case.state))
    if spec is None:
        return None
    if spec.role is Role.CHIEF:
        person = chief(session)
    else:
        if case.assigned_certifier is None:
            raise CaseworkError(f"{case.case_number} has no assigned certifier")
        person = case.assigned_certifier
    step_key = f"{spec.name}-{_visits(session, case)}"
    return Step(spec, step_key, f"{step_key}-{case.step_attempt}", person)


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


def actor_for(person: Person, spec: HumanStep) -> Actor:
    return Actor.person(person, spec.role)


# -- refusals ---------------------------------------------------------------------------------


def record_refusal(case: Case, step: Step, reason: str, raw: Mapping[str, Any]) -> None:
    """Remember why the answer was refused and what was typed (never the action code); the
    step asks again under a fresh pause key, showing the reason first and the typed values."""
    case.step_attempt = (case.step_attempt or 0) + 1
    case.last_refusal = reason[:2000]
    typed = {k: v for k, v in raw.items() if k != "action_code"}
    case.refused_answer_enc = keyring().encrypt_json({"step_key": step.step_key, "values": typed})


def clear_refusal(case: Case) -> None:
    case.last_refusal = None
    case.refused_answer_enc = None


def refused_values(case: Case, step: Step) -> dict[str, Any]:
    """What the person typed in the step's last refused answer (without the action code)."""
    if case.refused_answer_enc is None:
        return {}
    kept = keyring().decrypt_json(case.refused_answer_enc)
    if kept.get("step_key") != step.step_key:
        return {}
    return {k: v for k, v in dict(kept.get("values") or {}).items() if k != "action_code"}
