"""Human step: the assigned certifier reviews the request.

The case waits in ``certifier_review``. The form starts from the request (or, after the Chief
returned the case, from the certifier's last findings) for the certifier to confirm or
correct, and asks for one decision, none chosen until they choose: **certify** (the findings
become Parts 3 to 5 of the form; the helpfulness narrative is required), **deny** (a policy
reason) or **request_more_info** (what the requester must send).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeAlias

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.crypto import keyring
from casework.errors import CaseworkError, NotPermitted
from casework.findings import (
    Findings,
    FindingsFields,
    TFindingsFields,
    UFindingsFields,
    rule_problems,
)
from casework.models import Case, CaseEvent, Person, ReviewDecision
from casework.policy import DENIAL_REASONS
from casework.states import Role, State
from casework.steps import view
from casework.steps.base import Answer, HumanStep
from casework.steps.da import latest_da_consultation
from casework.steps.denial import deny
from casework.steps.information import request_information
from casework.transitions import Actor, apply_transition
from forms.activities import OTHER_RELATED, T_TYPES, U_ACTIVITIES

if TYPE_CHECKING:  # the choices come from policy and form data; the UI shows them as selects
    DenialReason: TypeAlias = str
    UActivity: TypeAlias = str
    TActivity: TypeAlias = str
else:
    DenialReason = Literal[("none", *DENIAL_REASONS)]
    UActivity = Literal[(*U_ACTIVITIES, OTHER_RELATED)]
    TActivity = Literal[tuple(T_TYPES)]


class _Decision(BaseModel):
    decision: Literal["certify", "deny", "request_more_info"] = Field(
        description="certify (confirm the findings below), deny (give the policy reason) or "
        "request_more_info (say what is missing)"
    )


class _Closing(BaseModel):
    denial_reason: DenialReason = Field(
        "none", description="For deny: the reason under the department's policy"
    )
    denial_explanation: str = Field(
        "", max_length=5000, description="For deny: explanation (required for 'other')"
    )
    missing_information: str = Field(
        "", max_length=5000, description="For request_more_info: what the requester must send"
    )
    notes: str = Field("", max_length=5000, description="Notes for the Chief")


class _ReviewRules(BaseModel):
    """The rules across the review answer's fields (no fields of its own, so each answer model
    below lists its fields in the form's order: the choice first, who answers last)."""

    visa_type: ClassVar[str] = "U"

    @model_validator(mode="after")
    def _rules(self) -> _ReviewRules:
        a: Any = self
        problems: list[str] = []
        if a.decision == "certify":
            problems = rule_problems(a, self.visa_type)
            if not a.helpfulness_narrative:
                problems.append(
                    "helpfulness_narrative: describe how the victim has been, is being or is "
                    "likely to be helpful (Part 4, item 5)"
                )
        elif a.decision == "deny":
            if a.denial_reason == "none":
                problems.append("denial_reason: a denial must give the reason under the policy")
            elif a.denial_reason == "other" and not a.denial_explanation:
                problems.append("denial_explanation: required when the reason is 'other'")
        elif not a.missing_information:
            problems.append("missing_information: say what the requester must send")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def findings(self, visa_type: str) -> Findings:
        fields = {k: getattr(self, k) for k in Findings.model_fields if hasattr(self, k)}
        fields.pop("visa_type", None)
        return Findings(visa_type=visa_type, **fields)  # type: ignore[arg-type]


class ReviewAnswerU(_ReviewRules, Answer, _Closing, UFindingsFields, FindingsFields, _Decision):
    """The certifier's answer on a U case; its findings fields are the form's Parts 3 to 5."""

    qualifying_activities: list[UActivity] = Field(
        default_factory=list, description="Qualifying criminal activity confirmed"
    )


class ReviewAnswerT(_ReviewRules, Answer, _Closing, TFindingsFields, FindingsFields, _Decision):
    """The certifier's answer on a T case (with the cooperation item of the declaration)."""

    visa_type: ClassVar[str] = "T"
    qualifying_activities: list[TActivity] = Field(
        default_factory=list, description="Trafficking confirmed"
    )


ReviewAnswer = ReviewAnswerU | ReviewAnswerT


def describe(session: Session, case: Case) -> list[str]:
    lines = [
        "Decide: **certify** (confirm or correct the findings below; they become Parts 3 to 5 "
        "of the form), **deny** (give the policy reason) or **request_more_info** (say what "
        "is missing). The fields start from the request"
        + (" and your last findings" if latest_findings(session, case) else "")
        + ".",
        "",
    ]
    if any("full_name" in keyring().decrypt_json(m.data_enc) for m in case.family_members):
        lines += [
            "**Family members:** the request gave each name as one string; it is shown whole "
            "in *Family Name*. Enter the family, given and middle names separately.",
            "",
        ]
    return lines + [
        *view.request_table(session, case),
        *view.previous_decisions(session, case),
        *view.attachments(case),
    ]


def starting_values(session: Session, case: Case, person: Person) -> dict[str, Any]:
    """The certifier's last findings (after a return), or else what the request claims."""
    last = latest_findings(session, case)
    if last is not None:
        answer = STEP.answers[case.visa_type]
        values = last.model_dump(mode="json", include=set(answer.model_fields))
        values["family_members"] = [_family_member(m) for m in values.get("family_members", [])]
        return values
    ring = keyring()
    inc = case.incidents[0]
    narrative = ring.decrypt_json(inc.narrative_enc)
    out: dict[str, Any] = {
        "qualifying_activities": list(inc.qualifying_activities),
        "other_activity_description": inc.other_activity_description or "",
        "activity_dates": ", ".join(inc.dates),
        "statutory_citations": "\n".join(inc.statutory_citations),
        "description": narrative.get("description") or "",
        "known_injuries": narrative.get("known_injuries") or "",
        "family_members": [
            _family_member(ring.decrypt_json(m.data_enc)) for m in case.family_members
        ],
    }
    if case.helpfulness is not None:
        h = case.helpfulness
        out.update(
            possesses_information=h.possesses_information,
            has_been_helpful=h.has_been_helpful,
            is_being_helpful=h.is_being_helpful,
            likely_to_be_helpful=h.likely_to_be_helpful,
            helpfulness_narrative=ring.decrypt_json(h.summary_enc) or "",
        )
    return out


def _family_member(stored: dict[str, Any]) -> dict[str, Any]:
    """A family member from the request: structured names as given, or (requests stored
    before names were structured) the one-string name kept whole as the family name."""
    return {
        "family_name": stored.get("family_name")
        or stored.get("full_name")
        or stored.get("name_as_written")
        or "",
        "given_name": stored.get("given_name") or "",
        "middle_name": stored.get("middle_name") or "",
        "relationship": stored.get("relationship") or "",
        "involvement": stored.get("involvement") or "",
    }


def check(session: Session, case: Case, a: ReviewAnswer) -> list[str]:
    if a.decision == "certify" and latest_da_consultation(session, case) is None:
        return ["no DA consultation is recorded; it must come first"]
    return []


def apply(session: Session, case: Case, actor: Actor, a: ReviewAnswer) -> str:
    if a.decision == "certify":
        recommend_certification(
            session,
            case,
            actor,
            case.version,
            findings=a.findings(case.visa_type),
            notes=a.notes or None,
        )
    elif a.decision == "deny":
        deny(
            session,
            case,
            actor,
            case.version,
            reason_code=a.denial_reason,
            explanation=a.denial_explanation or None,
        )
    else:
        request_information(session, case, actor, case.version, missing=a.missing_information)
    return a.decision


STEP = HumanStep(
    name="review",
    state=State.CERTIFIER_REVIEW,
    role=Role.CERTIFIER,
    task="review the request",
    answers={"U": ReviewAnswerU, "T": ReviewAnswerT},
    describe=describe,
    starting_values=starting_values,
    check=check,
    apply=apply,
    shows="the request's narrative, helpfulness summary and family members, or the last findings",
)


# -- the records of the step ------------------------------------------------------------------


def recommend_certification(
    session: Session,
    case: Case,
    actor: Actor,
    version: int,
    *,
    findings: Findings,
    notes: str | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    if latest_da_consultation(session, case) is None:
        raise NotPermitted(
            f"{case.case_number}: no DA consultation is recorded; it must come first"
        )
    if findings.visa_type != case.visa_type:
        raise CaseworkError("findings: visa type does not match the case")
    event = apply_transition(
        session,
        case,
        "recommend_certification",
        actor,
        version,
        outcome="certify",
        notes=notes,
        at=at,
    )
    session.add(
        ReviewDecision(
            case_id=case.id,
            certifier_id=actor.person_id,
            decision="certify",
            findings_enc=keyring().encrypt_json(findings.model_dump()),
            reason=notes,
            event_id=event.id,
        )
    )
    return event


def latest_findings(session: Session, case: Case) -> Findings | None:
    row = session.scalars(
        select(ReviewDecision)
        .where(ReviewDecision.case_id == case.id, ReviewDecision.decision == "certify")
        .order_by(ReviewDecision.id.desc())
    ).first()
    if row is None or row.findings_enc is None:
        return None
    return Findings.model_validate(keyring().decrypt_json(row.findings_enc))
