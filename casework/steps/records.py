"""The case's automated and administrative steps as domain operations: assignment, the start of
the DA consultation, documents, delays and the simple transitions (deliver, withdraw, reopen,
revoke).

Every function takes the caller's session (its unit of work), loads nothing but the case it
is given, and goes through :func:`apply_transition`, so the step's records and the state
change commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.blobs import BlobStore
from casework.errors import CaseworkError
from casework.models import Case, CaseEvent, Document, Person
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
