"""Produce a case's documents and record them (file + SHA-256 in the history), once each.

Each producer is idempotent: a document of the same kind recorded after the
event it answers (its *basis*) is returned instead of making a second one, so
a replayed or restarted workflow step never writes a document twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import accesslog, officialforms, signing
from casework.blobs import BlobStore
from casework.errors import CaseworkError
from casework.formdata import letter_context, supplement_b_input
from casework.i18n.copies import Languages, languages_for
from casework.models import Case, CaseEvent, Document
from casework.steps import record_document
from forms.api import is_facsimile, render_supplement_b
from forms.letters import LetterContext, assemble_packet, render_letter
from forms.spec import load_spec


def last_event(session: Session, case: Case, *actions: str) -> CaseEvent | None:
    return session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.action.in_(actions))
        .order_by(CaseEvent.seq.desc())
    ).first()


def document_since(session: Session, case: Case, kind: str, basis_seq: int) -> Document | None:
    return session.scalars(
        select(Document)
        .join(CaseEvent, CaseEvent.id == Document.event_id)
        .where(Document.case_id == case.id, Document.kind == kind, CaseEvent.seq > basis_seq)
        .order_by(Document.id.desc())
    ).first()


#: Documents made from the victim's identity or narrative, and what of it each holds: making
#: one, or decrypting it to send, is written to the access log.
HOLDS_VICTIM_DATA = {
    "da_memo": "the request's helpfulness summary",
    "supplement_b": "victim identity and the certifier's findings",
    "packet": "victim identity and the certifier's findings",
}


def _once(
    session: Session,
    case: Case,
    kind: str,
    basis_seq: int,
    blobs: BlobStore,
    make: Callable[[], bytes],
    decrypts: str | None = None,
) -> Document:
    """The document of ``kind`` answering the basis event, made (by ``make``, which does any
    decryption it needs) only when none is recorded yet. ``decrypts`` names what of the
    victim's data ``make`` decrypts: the access log records it when it runs."""
    found = document_since(session, case, kind, basis_seq)
    if found is not None:
        return found
    data = make()
    if decrypts:
        accesslog.record(
            session,
            who=accesslog.WORKFLOW,
            case_id=case.id,
            what=f"{decrypts} (to make the {kind.replace('_', ' ')})",
            why="document generation",
        )
    return record_document(
        session,
        case,
        case.version,
        kind=kind,
        data=data,
        blobs=blobs,
        extra={"basis_seq": basis_seq},
    )


def _basis(session: Session, case: Case, *actions: str) -> int:
    event = last_event(session, case, *actions)
    if event is None:
        raise CaseworkError(f"{case.case_number}: no {' or '.join(actions)} is recorded")
    return event.seq


def languages(case: Case) -> Languages:
    """English, plus a copy in the victim's preferred language (or a note when we have none)."""
    return languages_for(case.preferred_language)


def _requester_letter(kind: str, ctx: LetterContext, case: Case) -> bytes:
    langs = languages(case)
    return render_letter(kind, ctx, copy=langs.translation(), note=langs.note())


def da_memo(session: Session, case: Case, blobs: BlobStore) -> Document:
    basis = _basis(session, case, "submit", "reopen")

    def make() -> bytes:
        return render_letter("da_memo", letter_context(session, case, with_summary=True))

    return _once(session, case, "da_memo", basis, blobs, make, HOLDS_VICTIM_DATA["da_memo"])


def supplement_b(
    session: Session, case: Case, blobs: BlobStore, *, draft: bool = False
) -> Document:
    """The signed-ready form after the Chief's approval: the installed official PDF filled,
    or a marked facsimile when none is installed."""
    basis = _basis(session, case, "approve_signature")

    def make() -> bytes:
        data = supplement_b_input(session, case)
        official = officialforms.installed_pdf(session, data.visa_type, data.edition)
        return render_supplement_b(data, official_pdf=official, draft=draft or None)

    return _once(
        session, case, "supplement_b", basis, blobs, make, HOLDS_VICTIM_DATA["supplement_b"]
    )


def certification_packet(session: Session, case: Case, blobs: BlobStore) -> Document:
    """Cover letter (last filing day) + the form + an index of the attachments, as one PDF."""
    basis = _basis(session, case, "approve_signature")
    form = supplement_b(session, case, blobs)

    def cover_letter() -> bytes:  # the form is read only to tell a facsimile
        facsimile = is_facsimile(blobs.get(form.sha256))
        ctx = letter_context(session, case, form_is_facsimile=facsimile)
        return _requester_letter("certification_cover", ctx, case)

    cover = _once(
        session,
        case,
        "certification_cover",
        basis,
        blobs,
        cover_letter,
        f"{HOLDS_VICTIM_DATA['supplement_b']} (the generated form, read to tell a facsimile)",
    )
    title = "Form I-918 Supplement B" if case.visa_type == "U" else "Form I-914 Supplement B"
    return _once(
        session,
        case,
        "packet",
        basis,
        blobs,
        lambda: assemble_packet(
            cover_letter=blobs.get(cover.sha256),
            form=blobs.get(form.sha256),
            attachments=[(a.filename, a.sha256, a.page_count) for a in case.attachments],
            title=f"{title} - {case.case_number}",
            case_number=case.case_number,
            edition=load_spec(case.visa_type).edition,
        ),
        HOLDS_VICTIM_DATA["packet"],
    )


@dataclass(frozen=True)
class LetterSpec:
    """A letter to the requester that answers one kind of history event."""

    template: str  # forms.letters kind (PDF and email)
    document_kind: str
    answers: tuple[str, ...]  # the actions whose latest event the letter answers
    filename: str
    context: Callable[[CaseEvent], dict[str, Any]]


def _delay_context(event: CaseEvent) -> dict[str, Any]:
    payload = event.payload or {}
    projected = payload.get("projected_date")
    return {
        "reason": event.reason,
        "delay_process": payload.get("process"),
        "projected_date": dt.date.fromisoformat(projected) if projected else None,
        "projected_time_frame": payload.get("time_frame"),
    }


REQUESTER_LETTERS: dict[str, LetterSpec] = {
    "request_information": LetterSpec(
        "request_information", "request_information", ("request_information",), "information-request",
        lambda e: {"requested_items": e.reason},
    ),
    "denial": LetterSpec(
        "denial", "denial_letter", ("deny", "deny_at_signature"), "denial", lambda e: {"reason": e.reason}
    ),
    "delay": LetterSpec("delay", "delay_letter", ("mark_delayed",), "delay-explanation", _delay_context),
    "revocation": LetterSpec(
        "revocation", "revocation_notice", ("revoke",), "revocation", lambda e: {"reason": e.reason}
    ),
}  # fmt: skip


def requester_letter(
    session: Session, case: Case, blobs: BlobStore, name: str
) -> tuple[Document, CaseEvent, LetterContext]:
    """The letter answering the case's latest event of its kind (made once), with its context."""
    spec = REQUESTER_LETTERS[name]
    event = last_event(session, case, *spec.answers)
    if event is None:
        raise CaseworkError(f"{case.case_number}: no {' or '.join(spec.answers)} is recorded")
    # Signed by the person whose decision the letter conveys (certifier or Chief).
    signer = signing.event_signer(session, event.actor_id)
    ctx = letter_context(session, case, signer=signer, **spec.context(event))
    doc = _once(
        session,
        case,
        spec.document_kind,
        event.seq,
        blobs,
        lambda: _requester_letter(spec.template, ctx, case),
    )
    return doc, event, ctx


def draft_form(session: Session, case: Case, *, draft: bool | None = None) -> bytes:
    """A form for looking at (``casework form``, the Chief's email): signed-ready only after
    approval; ``draft=True`` marks every page DRAFT whatever the case's state."""
    data = supplement_b_input(session, case)
    official = officialforms.installed_pdf(session, data.visa_type, data.edition)
    return render_supplement_b(data, official_pdf=official, draft=draft)
