"""The automated steps of the certification workflow, as domain operations.

The Prefect flow (flows/certification.py) only orchestrates: it calls these in
tasks and waits for people in between (the human steps: :mod:`casework.steps`). Each function is idempotent: it looks
at what the case store already records (state, documents, notifications) and
does only what is missing, so a replay after a resume or a restart after a
crash neither loses nor repeats a step, an email or a history event.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import access, accesslog, steps
from casework.blobs import BlobStore
from casework.config import load_settings
from casework.db import Store
from casework.deadlines import DEFAULT_POLICY, Policy
from casework.errors import CaseworkError
from casework.i18n import N_, gettext_for
from casework.i18n.copies import requester_email
from casework.models import Document, Notification
from casework.notify import send_email
from casework.roster import chief, people_with_role
from casework.states import Role, State
from casework.transitions import Actor
from casework.views import get_case, history, summary

if TYPE_CHECKING:
    from casework.watch import WatchReport

PDF = "application/pdf"


def portal_url() -> str:
    return load_settings().portal_url or "http://127.0.0.1:8080"


def _blobs(store: Store) -> BlobStore:
    return BlobStore(store.settings.documents_dir)


def _attachment(
    session: Session, store: Store, doc: Document, name: str, to: list[str]
) -> tuple[str, bytes, str]:
    """The document decrypted to be emailed (the copy that leaves the store in the clear); in
    the access log when it holds the victim's data."""
    from casework import documents

    holds = documents.HOLDS_VICTIM_DATA.get(doc.kind)
    if holds:
        accesslog.record(
            session,
            who=accesslog.WORKFLOW,
            case_id=doc.case_id,
            what=f"{holds} (the {doc.kind.replace('_', ' ')}, decrypted to be sent)",
            why=f"to be emailed to {', '.join(to)}",
        )
    return (name, _blobs(store).get(doc.sha256), PDF)


def _sent(session: Session, key: str) -> bool:
    row = session.scalars(select(Notification).where(Notification.idempotency_key == key)).first()
    return row is not None and row.sent_at is not None


LOOKUP_CODE = N_("Lookup code: %(code)s")


def _was_sent(store: Store, key: str) -> bool:
    with store.reading() as s:
        row = s.scalars(select(Notification).where(Notification.idempotency_key == key)).first()
        return row is not None and row.sent_at is not None


# -- intake -----------------------------------------------------------------------------------


def intake(store: Store, number: str) -> str:
    """Assign a certifier, acknowledge the request, consult the DA's Office."""
    from casework import documents
    from casework.formdata import letter_context
    from forms.letters import render_email_text

    with store.unit_of_work() as s:
        case = get_case(s, number)
        if case.state != State.SUBMITTED:
            return case.state
        if case.assigned_certifier_id is None:
            steps.assign(s, case, Actor.system(), case.version)
    acknowledge(store, number)
    with store.unit_of_work() as s:
        case = get_case(s, number)
        memo = documents.da_memo(s, case, _blobs(store))
        da = people_with_role(s, Role.DA_CONTACT)
        if not da:
            raise CaseworkError("the roster has no District Attorney's Office contact")
        ctx = letter_context(s, case, today=dt.date.today())
        subject, body = render_email_text("da_memo", ctx)
        to = [p.email for p in da]
        key = f"da-memo:{number}:{memo.sha256[:16]}"
        sent = _sent(s, key)  # a replay decrypts nothing it will not send
        attachments = (
            [] if sent else [_attachment(s, store, memo, f"{number}-da-consultation.pdf", to)]
        )
        case_id = case.id
    if not sent:
        send_email(
            store,
            key=key,
            kind="da_memo",
            to=to,
            subject=subject,
            body=body,
            attachments=attachments,
            case_id=case_id,
        )
    with store.unit_of_work() as s:
        case = get_case(s, number)
        if case.state == State.SUBMITTED:
            steps.start_da_consultation(s, case, case.version)
        return case.state


def acknowledge(store: Store, number: str) -> bool:
    """Email the requester the case number, due date and private status link (once)."""
    from casework import documents
    from casework.formdata import letter_context
    from forms.letters import render_letter

    if _was_sent(store, f"ack:{number}") or _was_sent(store, f"ack-portal:{number}"):
        return False
    with store.unit_of_work() as s:
        case = get_case(s, number)
        token, code = access.issue_status_access(s, case)
        ctx = letter_context(s, case, status_url=f"{portal_url()}/status/{token}")
        langs = documents.languages(case)
        subject, body = requester_email("acknowledgment", ctx, langs)
        body += "\n" + gettext_for("en")(LOOKUP_CODE, code=code) + "\n"
        letter = render_letter("acknowledgment", ctx, langs.translation(), langs.note())
        to, case_id = [case.requester.email], case.id
    return send_email(
        store,
        key=f"ack:{number}",
        kind="acknowledgment",
        to=to,
        subject=subject,
        body=body,
        attachments=[(f"{number}-acknowledgment.pdf", letter, PDF)],
        case_id=case_id,
        language=langs,
    )


# -- after a decision -------------------------------------------------------------------------


def deliver_certification(store: Store, number: str) -> str:
    """Generate the form and packet, email them with the cover letter, close the case."""
    from casework import documents
    from casework.formdata import letter_context

    with store.unit_of_work() as s:
        case = get_case(s, number)
        if case.state != State.CERTIFIED:
            return case.state
        packet = documents.certification_packet(s, case, _blobs(store))
        ctx = letter_context(s, case)
        langs = documents.languages(case)
        subject, body = requester_email("certification_cover", ctx, langs)
        to, case_id = [case.requester.email], case.id
        key = f"deliver:{number}:{packet.sha256[:16]}"
        sent = _sent(s, key)
        attachments = (
            [] if sent else [_attachment(s, store, packet, f"{number}-supplement-b-packet.pdf", to)]
        )
    if not sent:
        send_email(
            store,
            key=key,
            kind="certification",
            to=to,
            subject=subject,
            body=body,
            attachments=attachments,
            case_id=case_id,
            language=langs,
        )
    with store.unit_of_work() as s:
        case = get_case(s, number)
        if case.state == State.CERTIFIED:
            steps.simple(s, case, "deliver", Actor.system(), case.version)
        return case.state


def send_letter(store: Store, number: str, name: str) -> bool:
    """Email the requester a letter answering the case's latest event of that kind: the request
    for information, the written denial without prejudice (c. 258F §3(ii)), the delay
    explanation (§3(iii)) or the revocation notice. Once per event."""
    from casework import documents

    with store.unit_of_work() as s:
        case = get_case(s, number)
        doc, event, ctx = documents.requester_letter(s, case, _blobs(store), name)
        spec = documents.REQUESTER_LETTERS[name]
        langs = documents.languages(case)
        subject, body = requester_email(spec.template, ctx, langs)
        to, case_id, seq = [case.requester.email], case.id, event.seq
        attachment = _attachment(s, store, doc, f"{number}-{spec.filename}.pdf", to)
    return send_email(
        store,
        key=f"{name}:{number}:{seq}",
        kind=name,
        to=to,
        subject=subject,
        body=body,
        attachments=[attachment],
        case_id=case_id,
        language=langs,
    )


# -- what the flow shows ----------------------------------------------------------------------


def case_snapshot(store: Store, number: str) -> dict[str, Any]:
    """State, version, counters and the assignee's email: never victim identity."""
    with store.reading() as s:
        case = get_case(s, number)
        out = summary(case)
        out["event_count"] = case.event_count
        out["step_attempt"] = case.step_attempt
        out["assignee_email"] = case.assigned_certifier.email if case.assigned_certifier else None
        out["chief_email"] = chief(s).email
        out["flow_run_id"] = case.flow_run_id
        return out


def history_table(store: Store, number: str) -> list[dict[str, Any]]:
    with store.reading() as s:
        rows = history(s, get_case(s, number))
    return [
        {
            k: r[k]
            for k in (
                "seq",
                "at",
                "action",
                "from",
                "to",
                "actor",
                "role",
                "outcome",
                "document_sha256",
            )
        }
        for r in rows
    ]


def documents_table(store: Store, number: str) -> list[dict[str, Any]]:
    with store.reading() as s:
        case = get_case(s, number)
        return [
            {"kind": d.kind, "sha256": d.sha256, "path": d.path, "bytes": d.size_bytes}
            for d in steps.documents(s, case)
        ]


# -- deadlines --------------------------------------------------------------------------------


def deadline_watch(store: Store, today: dt.date, policy: Policy = DEFAULT_POLICY) -> WatchReport:
    """Reminders and alerts before the 90-day date and a delay's projected date, delay
    letters, and U filing-window warnings (see :mod:`casework.watch`)."""
    from casework.watch import run_watch

    return run_watch(store, today, policy)
