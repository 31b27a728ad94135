"""Each workflow step as a domain operation: the records of the step plus its transition.

Every function takes the caller's session (its unit of work), loads nothing
but the case it is given, and goes through :func:`apply_transition`, so the
step's records and the state change commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import officialforms, signing
from casework.blobs import BlobStore
from casework.crypto import keyring
from casework.deadlines import last_filing_day
from casework.errors import CaseworkError, NotPermitted
from casework.findings import Findings
from casework.intake.validate import AttachmentFile
from casework.models import (
    Attachment,
    Case,
    CaseEvent,
    DAConsultation,
    Document,
    Person,
    ReviewDecision,
    SignatureApproval,
    Supplement,
)
from casework.policy import DA_POSITIONS, DENIAL_REASONS
from casework.roster import people_with_role
from casework.states import OPEN_STATES, Role
from casework.transitions import Actor, apply_transition


def least_loaded_certifier(session: Session) -> Person:
    """The designated certifier with the fewest open cases (ties: longest designated)."""
    certifiers = people_with_role(session, Role.CERTIFIER)
    if not certifiers:
        raise CaseworkError("no designated certifier is on the roster")
    counts = dict(
        session.execute(
            select(Case.assigned_certifier_id, func.count())
            .where(Case.state_.in_([s.value for s in OPEN_STATES]))
            .group_by(Case.assigned_certifier_id)
        ).all()
    )
    return min(certifiers, key=lambda p: (counts.get(p.id, 0), p.id))


def assign(
    session: Session,
    case: Case,
    actor: Actor,
    version: int,
    certifier: Person | None = None,
    *,
    at: dt.datetime | None = None,
) -> CaseEvent:
    chosen = certifier or least_loaded_certifier(session)
    return apply_transition(session, case, "assign", actor, version, assign_to=chosen, at=at)


def start_da_consultation(
    session: Session, case: Case, version: int, *, at: dt.datetime | None = None
) -> CaseEvent:
    return apply_transition(session, case, "start_da_consultation", Actor.system(), version, at=at)


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


def request_information(
    session: Session,
    case: Case,
    actor: Actor,
    version: int,
    *,
    missing: str,
    at: dt.datetime | None = None,
) -> CaseEvent:
    event = apply_transition(
        session,
        case,
        "request_information",
        actor,
        version,
        reason=missing,
        outcome="request_more_info",
        at=at,
    )
    session.add(
        ReviewDecision(
            case_id=case.id,
            certifier_id=actor.person_id,
            decision="request_more_info",
            reason=missing,
            event_id=event.id,
        )
    )
    return event


def supplement(
    session: Session,
    case: Case,
    actor: Actor,
    version: int,
    *,
    text: str,
    attachments: list[AttachmentFile],
    blobs: BlobStore,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """The requester answers a request for information (text and PDFs)."""
    if not text.strip() and not attachments:
        raise CaseworkError("supplement: send the information asked for (text or a document)")
    event = apply_transition(
        session,
        case,
        "supplement",
        actor,
        version,
        payload={"attachments": [a.sha256 for a in attachments], "text_sha256": _sha(text)},
        notes="information received from the requester",
        at=at,
    )
    for att in attachments:
        blobs.put(att.data)
        session.add(
            Attachment(
                case_id=case.id,
                sha256=att.sha256,
                filename=att.filename,
                size_bytes=len(att.data),
                page_count=att.page_count,
                source="supplement",
            )
        )
    session.add(
        Supplement(case_id=case.id, text_enc=keyring().encrypt_json(text), event_id=event.id)
    )
    return event


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


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
            findings_enc=keyring().encrypt_json(findings.model_dump(mode="json")),
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


def _denial_text(reason_code: str, explanation: str | None) -> str:
    if reason_code not in DENIAL_REASONS:
        raise CaseworkError(f"reason_code: must be one of {', '.join(DENIAL_REASONS)}")
    if reason_code == "other" and not (explanation and explanation.strip()):
        raise CaseworkError("explanation: required when the reason is 'other'")
    text = DENIAL_REASONS[reason_code]
    return f"{text} {explanation.strip()}" if explanation and explanation.strip() else text


def deny(
    session: Session,
    case: Case,
    actor: Actor,
    version: int,
    *,
    reason_code: str,
    explanation: str | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """Deny (by the assigned certifier at review, or by the Chief at signature)."""
    reason = _denial_text(reason_code, explanation)
    action = "deny_at_signature" if actor.role is Role.CHIEF else "deny"
    event = apply_transition(
        session,
        case,
        action,
        actor,
        version,
        reason=reason,
        outcome="deny",
        payload={"reason_code": reason_code},
        at=at,
    )
    if actor.role is Role.CHIEF:
        session.add(
            SignatureApproval(
                case_id=case.id,
                chief_id=actor.person_id,
                decision="deny",
                comments=reason,
                event_id=event.id,
            )
        )
    else:
        session.add(
            ReviewDecision(
                case_id=case.id,
                certifier_id=actor.person_id,
                decision="deny",
                reason=reason,
                event_id=event.id,
            )
        )
    return event


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
    """The Chief approves; the approval records who signs (see casework/signing.py)."""
    today = dt.date.today()
    if signature_date > today or signature_date < case.received_on:
        raise CaseworkError("signature_date: must be between the day the request came in and today")
    supervisor, refusal = signing.supervising_official(session, case, supervising_official)
    refusal = (
        signing.signer_refusal(session, signer)
        or refusal
        or officialforms.approval_refusal(session, case)
    )
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


def record_document(
    session: Session,
    case: Case,
    version: int,
    *,
    kind: str,
    data: bytes,
    blobs: BlobStore,
    extra: dict[str, Any] | None = None,
) -> Document:
    """Store a generated document and put its SHA-256 into the history."""
    digest, _ = blobs.put(data)
    event = apply_transition(
        session,
        case,
        "record_document",
        Actor.system(),
        version,
        document_sha256=digest,
        payload={"kind": kind, **(extra or {})},
    )
    doc = Document(
        case_id=case.id,
        kind=kind,
        sha256=digest,
        path=str(blobs.path_for(digest)),
        size_bytes=len(data),
        event_id=event.id,
    )
    session.add(doc)
    session.flush()
    return doc


def documents(session: Session, case: Case, kind: str | None = None) -> list[Document]:
    stmt = select(Document).where(Document.case_id == case.id)
    if kind:
        stmt = stmt.where(Document.kind == kind)
    return list(session.scalars(stmt.order_by(Document.id)))


def simple(
    session: Session,
    case: Case,
    action: str,
    actor: Actor,
    version: int,
    *,
    reason: str | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """Steps with no records of their own: deliver, withdraw, reopen, revoke."""
    if action == "mark_delayed":
        raise CaseworkError("a delay needs its process and projected date: use steps.mark_delayed")
    return apply_transition(session, case, action, actor, version, reason=reason, at=at)


def mark_delayed(
    session: Session,
    case: Case,
    actor: Actor,
    version: int,
    *,
    reason: str,
    process: str,
    projected_date: dt.date,
    time_frame: str | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """The Chief records extenuating circumstances (G.L. c. 258F §3(iii)): why, what next, and
    the projected date of the response, which the deadline watch then tracks."""
    if not process.strip():
        raise CaseworkError(
            "process: a delay explanation needs the process the department will follow"
        )
    day = (at or dt.datetime.now(dt.UTC)).date()
    if projected_date <= day:
        raise CaseworkError(
            "projected_date: the projected date of the response must be in the future"
        )
    payload = {"process": process.strip(), "projected_date": projected_date.isoformat()}
    if time_frame and time_frame.strip():
        payload["time_frame"] = time_frame.strip()
    return apply_transition(
        session,
        case,
        "mark_delayed",
        actor,
        version,
        reason=reason,
        payload=payload,
        at=at,
    )
