"""Human step: the Chief approves the signature, returns the case to the certifier, or denies.

The case waits in ``awaiting_signature``. The Chief decides with the whole file in view: the
form shows the certifier's recommendation and findings, the DA's position and the earlier
decisions and comments, and the email that asks the Chief to act carries the draft Supplement
B (every page marked DRAFT). Approving requires ``reviewed_draft: true``. Nothing is chosen
until the Chief chooses.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, Field, WithJsonSchema, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import signing
from casework.deadlines import last_filing_day
from casework.errors import CaseworkError, RosterError
from casework.models import Case, CaseEvent, Person, ReviewDecision, SignatureApproval
from casework.policy import DENIAL_REASONS
from casework.roster import chief, find_person
from casework.states import Role, State
from casework.steps import view
from casework.steps.base import PDF, Answer, EmailAttachment, HumanStep
from casework.steps.denial import deny
from casework.steps.review import latest_findings
from casework.transitions import Actor, apply_transition

if TYPE_CHECKING:
    DenialReason: TypeAlias = str
else:
    DenialReason = Literal[("none", *DENIAL_REASONS)]


class SignatureFields(BaseModel):
    decision: Literal["approve", "return", "deny"] = Field(
        description="approve the signature, return the case to the certifier with comments, or deny"
    )
    reviewed_draft: bool = Field(
        False,
        description="I have read the draft Supplement B attached to the email (required to approve)",
    )
    # A date picker in the form; empty (null) is allowed for return and deny.
    signature_date: Annotated[
        dt.date | None, WithJsonSchema({"type": "string", "format": "date"})
    ] = Field(None, description="Date of signature (to approve)")
    signer_title: str = Field(
        "", max_length=200, description="Title and division or office of the signing official"
    )
    signing_official: str = Field(
        "",
        max_length=254,
        description="Email of the roster member who signs the form (empty: the Chief)",
    )
    comments: str = Field(
        "",
        max_length=5000,
        description="Comments (required to return; the explanation of a denial)",
    )
    denial_reason: DenialReason = Field(
        "none", description="For deny: the reason under the department's policy"
    )


class SignatureAnswer(Answer, SignatureFields):
    """The Chief's decision on the signature."""

    @model_validator(mode="after")
    def _rules(self) -> SignatureAnswer:
        problems = []
        if self.decision == "approve":
            if not self.reviewed_draft:
                problems.append(
                    "reviewed_draft: read the draft Supplement B attached to the email, then "
                    "set reviewed_draft to true to approve"
                )
            if self.signature_date is None:
                problems.append(
                    "signature_date: the date the form is signed is required to approve"
                )
        elif self.decision == "return" and not self.comments:
            problems.append("comments: say what the certifier should change")
        elif self.decision == "deny":
            if self.denial_reason == "none":
                problems.append("denial_reason: a denial must give the reason under the policy")
            elif self.denial_reason == "other" and not self.comments:
                problems.append("comments: explain the denial when the reason is 'other'")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class SignatureFieldsT(SignatureFields):
    supervising_official: str = Field(
        "",
        max_length=254,
        description="Email of the supervising official named on the declaration (empty: the "
        "agency's default supervising official)",
    )


class SignatureAnswerT(SignatureAnswer, SignatureFieldsT):
    """The Chief's decision on a T declaration, which also names its supervising official."""


def describe(session: Session, case: Case) -> list[str]:
    lines = [
        "Decide: **approve** the signature (the form is generated and delivered), **return** "
        "the case to the certifier with comments, or **deny**. The draft Supplement B, every "
        "page marked DRAFT, is attached to the email that sent you here: read it, then set "
        "**reviewed_draft** to true to approve.",
        "",
    ]
    findings = latest_findings(session, case)
    recommendation = _recommendation(session, case)
    if findings is not None and recommendation is not None:
        lines += view.findings_section(findings, recommendation)
    lines += ["", "**The request**", "", *view.request_table(session, case)]
    return lines + view.previous_decisions(session, case) + view.attachments(case)


def _recommendation(session: Session, case: Case) -> str | None:
    row = session.scalars(
        select(ReviewDecision)
        .where(ReviewDecision.case_id == case.id, ReviewDecision.decision == "certify")
        .order_by(ReviewDecision.id.desc())
    ).first()
    if row is None:
        return None
    who = session.get(Person, row.certifier_id)
    text = f"{who.full_name} ({who.email})" if who else "the certifier"
    text += f", {row.decided_at:%Y-%m-%d}"
    return text + (f"; notes: {row.reason}" if row.reason else "")


def starting_values(session: Session, case: Case, person: Person) -> dict[str, Any]:
    values: dict[str, Any] = {"supervising_official": ""} if case.visa_type == "T" else {}
    return values | {
        "reviewed_draft": False,
        "signature_date": dt.date.today().isoformat(),
        "signer_title": person.title,
        "signing_official": "",
        "comments": "",
        "denial_reason": "none",
    }


def signer_for(session: Session, a: SignatureAnswer) -> Person:
    """The roster member who will sign the form: the one named, or else the Chief."""
    return find_person(session, a.signing_official) if a.signing_official else chief(session)


def check(session: Session, case: Case, a: SignatureAnswer) -> list[str]:
    problems = []
    day = a.signature_date
    if (
        a.decision == "approve"
        and day is not None
        and not case.received_on <= day <= dt.date.today()
    ):
        problems.append(
            f"signature_date: {a.signature_date} is not between the day the request came "
            f"in ({case.received_on}) and today"
        )
    if a.decision == "approve" and a.signing_official:
        try:
            signer_for(session, a)
        except RosterError:
            problems.append(f"signing_official: {a.signing_official} is not on the roster")
    supervisor = getattr(a, "supervising_official", "")
    if a.decision == "approve" and supervisor:
        try:
            find_person(session, supervisor)
        except RosterError:
            problems.append(f"supervising_official: {supervisor} is not on the roster")
    return problems


def apply(session: Session, case: Case, actor: Actor, a: SignatureAnswer) -> str:
    if a.decision == "approve":
        assert a.signature_date is not None  # the answer's rules
        signer = signer_for(session, a)
        supervisor = getattr(a, "supervising_official", "")
        approve_signature(
            session,
            case,
            actor,
            case.version,
            signature_date=a.signature_date,
            signer=signer,
            signer_title=a.signer_title or signer.title,
            comments=a.comments or None,
            supervising_official=find_person(session, supervisor) if supervisor else None,
        )
    elif a.decision == "return":
        return_to_certifier(session, case, actor, case.version, comments=a.comments)
    else:
        deny(
            session,
            case,
            actor,
            case.version,
            reason_code=a.denial_reason,
            explanation=a.comments or None,
        )
    return a.decision


def draft_form(session: Session, case: Case) -> list[EmailAttachment]:
    """The Supplement B as it would be signed, every page marked DRAFT."""
    from casework.documents import draft_form as render_draft

    pdf = render_draft(session, case, draft=True)
    return [(f"{case.case_number}-supplement-b-DRAFT.pdf", pdf, PDF)]


STEP = HumanStep(
    name="signature",
    state=State.AWAITING_SIGNATURE,
    role=Role.CHIEF,
    task="decide on the signature",
    answers={"U": SignatureAnswer, "T": SignatureAnswerT},
    describe=describe,
    starting_values=starting_values,
    check=check,
    apply=apply,
    attachments=draft_form,
    shows="the certifier's findings: narrative, injuries, helpfulness, family members",
)


# -- the records of the step ------------------------------------------------------------------


def return_to_certifier(
    session: Session,
    case: Case,
    actor: Actor,
    version: int,
    *,
    comments: str,
    at: dt.datetime | None = None,
) -> CaseEvent:
    event = apply_transition(
        session,
        case,
        "return_to_certifier",
        actor,
        version,
        reason=comments,
        outcome="return",
        at=at,
    )
    session.add(
        SignatureApproval(
            case_id=case.id,
            chief_id=actor.person_id,
            decision="return",
            comments=comments,
            event_id=event.id,
        )
    )
    return event


def approve_signature(
    session: Session,
    case: Case,
    actor: Actor,
    version: int,
    *,
    signature_date: dt.date,
    signer: Person,
    signer_title: str,
    comments: str | None = None,
    supervising_official: Person | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """The Chief approves; the approval records who signs (see casework/signing.py) and is
    refused while the official form the department requires is not installed."""
    today = dt.date.today()
    if signature_date > today or signature_date < case.received_on:
        raise CaseworkError("signature_date: must be between the day the request came in and today")
    supervisor, refusal = signing.supervising_official(session, case, supervising_official)
    refusal = signing.signer_refusal(session, signer) or refusal or _official_refusal(session, case)
    if refusal:
        raise CaseworkError(f"cannot approve: {refusal}")
    payload: dict[str, Any] = {
        "signature_date": signature_date.isoformat(),
        "signer": signer.full_name,
    }
    if case.visa_type == "U":  # the six-month filing window is U only (8 CFR 214.14(c)(2)(i))
        payload["last_filing_day"] = last_filing_day(signature_date).isoformat()
    event = apply_transition(
        session,
        case,
        "approve_signature",
        actor,
        version,
        outcome="approve",
        notes=comments,
        payload=payload,
        at=at,
    )
    session.add(
        SignatureApproval(
            case_id=case.id,
            chief_id=actor.person_id,
            decision="approve",
            signature_date=signature_date,
            comments=comments,
            event_id=event.id,
            **signing.approval_record(session, case, signer, signer_title, supervisor),
        )
    )
    return event


def latest_approval(session: Session, case: Case) -> SignatureApproval | None:
    return session.scalars(
        select(SignatureApproval)
        .where(SignatureApproval.case_id == case.id, SignatureApproval.decision == "approve")
        .order_by(SignatureApproval.id.desc())
    ).first()


def _official_refusal(session: Any, case: Any) -> str | None:
    """Why the official form is missing (imported here: pypdf only when an approval comes)."""
    from casework import officialforms

    return officialforms.approval_refusal(session, case)
