"""Read models of a case for the CLI and the workflow (decryption happens only here)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.crypto import keyring
from casework.errors import CaseNotFound
from casework.history import utc_text
from casework.models import Case, CaseEvent


def get_case(session: Session, case_number: str) -> Case:
    case = session.scalars(select(Case).where(Case.case_number == case_number.upper())).first()
    if case is None:
        raise CaseNotFound(f"no case numbered {case_number}")
    return case


def summary(case: Case) -> dict[str, Any]:
    """What may be shown anywhere (lists, Prefect): no victim identity."""
    return {
        "case_number": case.case_number,
        "visa_type": case.visa_type,
        "state": case.state,
        "version": case.version,
        "received_on": case.received_on.isoformat(),
        "response_due": case.response_due.isoformat(),
        "expedited": case.expedited,
        "assigned_certifier": case.assigned_certifier.full_name
        if case.assigned_certifier
        else None,
    }


def detail(case: Case) -> dict[str, Any]:
    """Everything on file, decrypted: for department staff only."""
    ring = keyring()
    out = summary(case)
    out["victim"] = ring.decrypt_json(case.victim_enc)
    out["victim"]["preferred_language"] = case.preferred_language
    out["requester"] = {
        "name": case.requester.name,
        "organization": case.requester.organization,
        "role": case.requester.role,
        "email": case.requester.email,
        "phone": case.requester.phone,
        "mailing_address": case.requester.mailing_address,
    }
    out["urgency"] = case.urgency
    out["incidents"] = [
        {
            "police_report_numbers": inc.report_numbers,
            "dates": inc.dates,
            "location": inc.location,
            "qualifying_activities": inc.qualifying_activities,
            "other_activity_description": inc.other_activity_description,
            "statutory_citations": inc.statutory_citations,
            **ring.decrypt_json(inc.narrative_enc),
        }
        for inc in case.incidents
    ]
    if case.helpfulness is not None:
        h = case.helpfulness
        out["helpfulness"] = {
            "summary": ring.decrypt_json(h.summary_enc),
            "possesses_information": h.possesses_information,
            "has_been_helpful": h.has_been_helpful,
            "is_being_helpful": h.is_being_helpful,
            "likely_to_be_helpful": h.likely_to_be_helpful,
        }
    out["family_members_implicated"] = [ring.decrypt_json(m.data_enc) for m in case.family_members]
    out["attachments"] = [
        {
            "filename": a.filename,
            "sha256": a.sha256,
            "size_bytes": a.size_bytes,
            "pages": a.page_count,
        }
        for a in case.attachments
    ]
    return out


def event_row(ev: CaseEvent) -> dict[str, Any]:
    return {
        "seq": ev.seq,
        "at": utc_text(ev.occurred_at),
        "action": ev.action,
        "from": ev.from_state,
        "to": ev.to_state,
        "actor": ev.actor_name,
        "role": ev.actor_role,
        "reason": ev.reason,
        "notes": ev.notes,
        "outcome": ev.outcome,
        "payload": ev.payload,
        "document_sha256": ev.document_sha256,
        "prev_hash": ev.prev_hash,
        "hash": ev.hash,
    }


def history(session: Session, case: Case) -> list[dict[str, Any]]:
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
    )
    return [event_row(e) for e in events]
