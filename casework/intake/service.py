"""Store a validated request as a new case (or find the case it duplicates)."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from casework.blobs import BlobStore
from casework.crypto import Keyring, keyring
from casework.db import Store
from casework.deadlines import DEFAULT_POLICY, Policy, is_expedited, response_due
from casework.errors import CaseworkError, StaleCase
from casework.intake.validate import ValidRequest, validate_request
from casework.models import (
    Attachment,
    Case,
    DedupeKey,
    FamilyMember,
    HelpfulnessClaim,
    Incident,
    Requester,
)
from casework.numbering import next_case_number
from casework.roster import get_agency
from casework.transitions import Actor, apply_transition


@dataclass(frozen=True)
class SubmitResult:
    case_number: str
    created: bool  # False: the request duplicates an existing case, which is returned
    response_due: dt.date


def dedupe_keys(ring: Keyring, valid: ValidRequest, *, every_key: bool = False) -> list[str]:
    """The identity digests of a request: one per police report number, under the newest
    key (what is stored) or, with ``every_key``, under every key of the ring (what a lookup
    must match while a rotation is under way)."""
    v = valid.request.victim
    out: list[str] = []
    for n in valid.request.incident.police_report_numbers:
        parts = (
            valid.request.visa_type,
            v.family_name,
            v.given_name,
            v.date_of_birth.isoformat(),
            n,
        )
        out.extend(ring.keyed_hashes(*parts) if every_key else [ring.keyed_hash(*parts)])
    return out


def _existing(session: Session, keys: list[str]) -> Case | None:
    hit = session.scalars(select(DedupeKey).where(DedupeKey.key.in_(keys))).first()
    return session.get(Case, hit.case_id) if hit else None


def _requester(session: Session, valid: ValidRequest) -> Requester:
    r = valid.request.requester
    found = session.scalars(
        select(Requester).where(Requester.email == r.email, Requester.name == r.name)
    ).first()
    if found is None:
        found = Requester(
            name=r.name,
            organization=r.organization,
            role=r.role,
            email=r.email,
            phone=r.phone,
            mailing_address=r.mailing_address,
        )
        session.add(found)
    return found


#: Attempts at the transaction when a concurrent submission conflicts with it.
MAX_ATTEMPTS = 6


class StoreBusy(CaseworkError):
    """The request could not be stored after several attempts; nothing was stored."""


def store_request(
    store: Store,
    valid: ValidRequest,
    *,
    received: dt.date,
    policy: Policy = DEFAULT_POLICY,
) -> SubmitResult:
    """Store the request as a new case, or return the case it duplicates.

    The attachment files are written first (encrypted, content-addressed, never removed here);
    then one transaction allocates the case number and writes the case, its history event and
    its identity digests. A conflict with a concurrent submission (the same identity digest,
    a lock) rolls it back and tries again; a duplicate then finds the case that won.
    """
    ring = keyring()
    keys = dedupe_keys(ring, valid)
    lookup = dedupe_keys(ring, valid, every_key=True)
    blobs = BlobStore(store.settings.attachments_dir, ring)
    for att in valid.attachments:
        blobs.put(att.data)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with store.unit_of_work() as session:
                existing = _existing(session, lookup)
                if existing is not None:
                    return SubmitResult(existing.case_number, False, existing.response_due)
                case = _new_case(session, store, ring, valid, received, policy)
                session.add_all(DedupeKey(key=key, case_id=case.id) for key in keys)
                return SubmitResult(case.case_number, True, case.response_due)
        except (IntegrityError, OperationalError, StaleCase) as exc:
            if attempt == MAX_ATTEMPTS:
                raise StoreBusy(
                    f"the request could not be stored after {MAX_ATTEMPTS} attempts "
                    f"({type(exc).__name__}); nothing was stored: try again"
                ) from exc
            time.sleep(random.uniform(0, 0.02 * 2**attempt))
    raise AssertionError("unreachable")


def _new_case(
    session: Session,
    store: Store,
    ring: Keyring,
    valid: ValidRequest,
    received: dt.date,
    policy: Policy,
) -> Case:
    req = valid.request
    prefix = store.cached("case_prefix", lambda: get_agency(session).case_prefix)
    requester = _requester(session, valid)
    number = next_case_number(session, prefix, req.visa_type, received.year)
    urgency = req.urgency.model_dump(mode="json")
    victim = req.victim.model_dump(mode="json", exclude={"preferred_language"})
    inc, h = req.incident, req.helpfulness
    # The case and everything of the request go in with the first history event,
    # in one flush (relationships fill in the case id).
    case = Case(
        case_number=number,
        visa_type=req.visa_type,
        state_="",
        received_on=received,
        response_due=response_due(received, policy),
        expedited=is_expedited(urgency, received, policy),
        urgency=urgency,
        requester=requester,
        preferred_language=req.victim.preferred_language,
        # Also inside the encrypted victim record; kept plain (not identifying) for counting.
        interpreter_needed=req.victim.interpreter_needed,
        victim_enc=ring.encrypt_json(victim),
        person_key=ring.person_key(victim),
        history_head="",
        event_count=0,
        incidents=[
            Incident(
                report_numbers=inc.police_report_numbers,
                dates=[d.isoformat() for d in inc.dates],
                location=inc.location,
                qualifying_activities=inc.qualifying_activities,
                other_activity_description=inc.other_activity_description,
                statutory_citations=inc.statutory_citations,
                narrative_enc=ring.encrypt_json(
                    {"description": inc.description, "known_injuries": inc.known_injuries}
                ),
            )
        ],
        helpfulness=HelpfulnessClaim(
            possesses_information=h.possesses_information,
            has_been_helpful=h.has_been_helpful,
            is_being_helpful=h.is_being_helpful,
            likely_to_be_helpful=h.likely_to_be_helpful,
            summary_enc=ring.encrypt_json(h.summary),
        ),
        family_members=[
            FamilyMember(data_enc=ring.encrypt_json(member.model_dump()))
            for member in req.family_members_implicated
        ],
        attachments=[
            Attachment(
                sha256=att.sha256,
                filename=att.filename,
                size_bytes=len(att.data),
                page_count=att.page_count,
            )
            for att in valid.attachments
        ],
    )
    apply_transition(
        session,
        case,
        "submit",
        Actor.requester(req.requester.email),
        None,
        payload={
            "attachments": [a.sha256 for a in valid.attachments],
            "expedited": case.expedited,
        },
    )
    return case


def submit(
    store: Store,
    raw: Any,
    *,
    base_dir: Path | None = None,
    files: dict[str, bytes] | None = None,
    received: dt.date | None = None,
) -> SubmitResult:
    """Validate and store a request; raises IntakeRejected listing every problem."""
    received = received or dt.date.today()
    valid = validate_request(raw, today=received, base_dir=base_dir, files=files)
    return store_request(store, valid, received=received)
