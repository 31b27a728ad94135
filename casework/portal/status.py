"""What a requester may see of their own case: a plain-language stage, dates, the
information asked for, and the documents meant for them. No history, no names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.blobs import BlobDamaged, BlobMissing, document_blobs
from casework.db import Store
from casework.models import Case, CaseEvent, Document
from casework.states import State

#: State -> stage key (its label and help text: casework.portal.labels.STAGES).
STAGES: dict[State, str] = {
    State.SUBMITTED: "received",
    State.DA_CONSULTATION: "review",
    State.CERTIFIER_REVIEW: "review",
    State.AWAITING_SIGNATURE: "review",
    State.NEEDS_INFORMATION: "info",
    State.CERTIFIED: "decided",
    State.DENIED: "decided",
    State.DELIVERED: "delivered",
    State.WITHDRAWN: "withdrawn",
    State.REVOKED: "revoked",
}

#: Document kinds meant for the requester, and the states in which each may be downloaded
#: (None: whenever it exists). The signed form goes out only once it was delivered.
REQUESTER_DOCUMENTS: dict[str, frozenset[State] | None] = {
    "packet": frozenset({State.DELIVERED, State.REVOKED}),
    "certification_cover": frozenset({State.DELIVERED, State.REVOKED}),
    "denial_letter": frozenset({State.DENIED}),
    "request_information": None,
    "delay_letter": None,
    "acknowledgment": None,
    "revocation_notice": frozenset({State.REVOKED}),
}


@dataclass(frozen=True)
class DocumentView:
    id: int
    kind: str
    created_on: dt.date
    size_bytes: int


@dataclass(frozen=True)
class StatusView:
    case_id: int
    case_number: str
    visa_type: str
    state: State
    stage: str
    received_on: dt.date
    response_due: dt.date
    expedited: bool
    information_requested: str | None
    documents: list[DocumentView]

    @property
    def waiting_for_information(self) -> bool:
        return self.state is State.NEEDS_INFORMATION


def _information_requested(session: Session, case: Case) -> str | None:
    if State(case.state_) is not State.NEEDS_INFORMATION:
        return None
    event = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.action == "request_information")
        .order_by(CaseEvent.seq.desc())
    ).first()
    return event.reason if event else None


def requester_documents(session: Session, case: Case) -> list[Document]:
    rows = session.scalars(
        select(Document).where(Document.case_id == case.id).order_by(Document.id)
    ).all()
    out = []
    for doc in rows:
        if doc.kind not in REQUESTER_DOCUMENTS:
            continue
        states = REQUESTER_DOCUMENTS[doc.kind]
        if states is None or State(case.state_) in states:
            out.append(doc)
    return out


def status_view(session: Session, case: Case) -> StatusView:
    state = State(case.state_)
    return StatusView(
        case_id=case.id,
        case_number=case.case_number,
        visa_type=case.visa_type,
        state=state,
        stage=STAGES.get(state, "review"),
        received_on=case.received_on,
        response_due=case.response_due,
        expedited=case.expedited,
        information_requested=_information_requested(session, case),
        documents=[
            DocumentView(d.id, d.kind, d.created_at.date(), d.size_bytes)
            for d in requester_documents(session, case)
        ],
    )


def find_document(session: Session, case: Case, doc_id: int) -> Document | None:
    """The requester's document ``doc_id`` of ``case`` if they may have it, else None."""
    for doc in requester_documents(session, case):
        if doc.id == doc_id:
            return doc
    return None


def read_document(store: Store, doc: Document) -> bytes | None:
    """The document decrypted and checked against its SHA-256 (None if missing or altered)."""
    try:
        return document_blobs(store).get(doc.sha256)
    except (BlobMissing, BlobDamaged):
        return None
