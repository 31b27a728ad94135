"""The information loop: the certifier asks the requester for more, the case waits in
``needs_information`` until the requester's answer (the portal or ``casework supplement``)
brings it back to review. No Prefect form: the requester never uses the Prefect UI."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from casework.blobs import BlobStore
from casework.crypto import keyring
from casework.errors import CaseworkError
from casework.models import Attachment, Case, CaseEvent, ReviewDecision, Supplement
from casework.states import Role, State
from casework.steps.base import RequesterWait
from casework.transitions import Actor, apply_transition

STEP = RequesterWait(
    name="information",
    state=State.NEEDS_INFORMATION,
    role=Role.REQUESTER,
    letter="request_information",
)

if TYPE_CHECKING:  # intake (pikepdf, email-validator) is not loaded by the flow
    from casework.intake.validate import AttachmentFile


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
