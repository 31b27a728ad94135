"""The case store's tables (SQLAlchemy 2 typed models).

Victim identity and narrative fields are stored encrypted (``*_enc`` columns,
see :mod:`casework.crypto`; ``keys rotate`` re-encrypts every such column); the history,
ledger and access-log tables are append-only (see :mod:`casework.history` and
:mod:`casework.ledger`). A case's ``state`` is written only by
:func:`casework.transitions.apply_transition`. The access and integrity tables are in
:mod:`casework.models_access`, the registers' in :mod:`casework.models_registers`, the base
in :mod:`casework.models_base`; every table is importable from here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.models_access import (  # noqa: F401  (re-exported)
    AccessLogEntry,
    ActionCode,
    KeyCheck,
    LedgerEntry,
    LedgerHead,
    LedgerMac,
    Notification,
    StatusAccess,
)
from casework.models_base import NAMING, Base, utcnow  # noqa: F401  (re-exported)


class Agency(Base):
    """Part 2 of Supplement B: the certifying agency."""

    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    suite: Mapped[str | None] = mapped_column(String(50))
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(2))
    zip_code: Mapped[str] = mapped_column(String(10))
    agency_type: Mapped[str] = mapped_column(String(10))  # federal | state | local
    category: Mapped[str] = mapped_column(
        String(20)
    )  # law_enforcement | prosecutor | judge | other
    phone: Mapped[str] = mapped_column(String(40))
    fax: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(254))
    case_prefix: Mapped[str] = mapped_column(String(10), default="NPD")
    # Who may be the certifying official (department policy, see casework/signing.py): the
    # Chief always; designated certifiers when this is true.
    designees_may_sign: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The supervising official named on a T declaration unless the approval names another.
    t_supervisor_email: Mapped[str | None] = mapped_column(String(254))


class Person(Base):
    """Someone on the department's roster (Chief, certifier, DA contact, records staff)."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="person", foreign_keys="RoleAssignment.person_id"
    )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.middle_name, self.family_name) if p)


class RoleAssignment(Base):
    """A role held by a person; certifier designations record who designated and since when."""

    __tablename__ = "role_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), index=True)
    designated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    since: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    person: Mapped[Person] = relationship(back_populates="roles", foreign_keys=[person_id])
    designated_by: Mapped[Person | None] = relationship(foreign_keys=[designated_by_id])


class Requester(Base):
    """The victim advocate or attorney who asks for the certification."""

    __tablename__ = "requesters"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organization: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    mailing_address: Mapped[str | None] = mapped_column(Text)


class CaseNumberCounter(Base):
    __tablename__ = "case_number_counters"
    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    visa_type: Mapped[str] = mapped_column(String(1), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # The requests received in a period, as the reports count them, read from the index
        # alone (the rows carry the encrypted victim records).
        Index(
            "ix_cases_received_facts",
            "received_on",
            "visa_type",
            "expedited",
            "preferred_language",
            "interpreter_needed",
            "person_key",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(32), unique=True)
    visa_type: Mapped[str] = mapped_column(String(1))  # U | T
    # Written only by casework.transitions (the one door); read through .state.
    state_: Mapped[str] = mapped_column("state", String(24), index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    received_on: Mapped[dt.date] = mapped_column(Date, index=True)
    response_due: Mapped[dt.date] = mapped_column(Date, index=True)
    expedited: Mapped[bool] = mapped_column(Boolean, default=False)
    urgency: Mapped[dict[str, Any]] = mapped_column(default=dict)
    requester_id: Mapped[int] = mapped_column(ForeignKey("requesters.id"))
    assigned_certifier_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    preferred_language: Mapped[str | None] = mapped_column(String(16))
    #: The request said the victim needs an interpreter (None: not said). Plain, for counting.
    interpreter_needed: Mapped[bool | None] = mapped_column(Boolean)
    victim_enc: Mapped[bytes] = mapped_column(LargeBinary)  # names, DOB, gender, A-Number
    # A keyed digest of the victim's names and date of birth, for the §4 count of individuals
    # (see Keyring.person_key); NULL on cases from before it was kept (then decrypted).
    person_key: Mapped[str | None] = mapped_column(String(80))
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    # Human steps: how often the current step's input was refused, and the last reason why.
    step_attempt: Mapped[int] = mapped_column(Integer, default=0)
    last_refusal: Mapped[str | None] = mapped_column(Text)
    # What the person typed in the refused answer (action code left out), encrypted: the
    # step asks again with these as starting values.
    refused_answer_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Head of the hash chain and its length, so a deleted last event is noticed too.
    history_head: Mapped[str] = mapped_column(String(64))
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    requester: Mapped[Requester] = relationship()
    assigned_certifier: Mapped[Person | None] = relationship()
    incidents: Mapped[list[Incident]] = relationship(back_populates="case", order_by="Incident.id")
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id")
    events: Mapped[list[CaseEvent]] = relationship(order_by="CaseEvent.seq", viewonly=True)
    helpfulness: Mapped[HelpfulnessClaim | None] = relationship()
    family_members: Mapped[list[FamilyMember]] = relationship(order_by="FamilyMember.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def state(self) -> str:
        return self.state_


class Incident(Base):
    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    report_numbers: Mapped[list[Any]] = mapped_column(default=list)
    dates: Mapped[list[Any]] = mapped_column(default=list)  # ISO dates
    location: Mapped[str | None] = mapped_column(String(200))
    qualifying_activities: Mapped[list[Any]] = mapped_column(default=list)
    other_activity_description: Mapped[str | None] = mapped_column(Text)
    statutory_citations: Mapped[list[Any]] = mapped_column(default=list)
    narrative_enc: Mapped[bytes] = mapped_column(LargeBinary)  # description, known injuries
    case: Mapped[Case] = relationship(back_populates="incidents")


class HelpfulnessClaim(Base):
    __tablename__ = "helpfulness_claims"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    possesses_information: Mapped[bool] = mapped_column(Boolean)
    has_been_helpful: Mapped[bool] = mapped_column(Boolean)
    is_being_helpful: Mapped[bool] = mapped_column(Boolean)
    likely_to_be_helpful: Mapped[bool] = mapped_column(Boolean)
    summary_enc: Mapped[bytes] = mapped_column(LargeBinary)


class FamilyMember(Base):
    """A family member implicated in the criminal activity (Part 5); identity encrypted."""

    __tablename__ = "family_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    data_enc: Mapped[bytes] = mapped_column(LargeBinary)


class Attachment(Base):
    """A supporting document; the bytes live content-addressed under CASEWORK_HOME."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20), default="intake")
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DedupeKey(Base):
    """Keyed hash of (victim identity, report number): finds resubmissions without plaintext."""

    __tablename__ = "dedupe_keys"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)


class CaseEvent(Base):
    """One append-only, hash-chained entry of a case's state history."""

    __tablename__ = "case_events"
    # No (action, occurred_at) index: measured, it makes SQLite plan the records report
    # 2.7x slower (5.3 s against 1.9 s on 100,000 cases).
    __table_args__ = (
        UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),
        # A case's state as of a moment, read from the index alone (reports.queries.state_at).
        Index("ix_case_events_state_walk", "case_id", "seq", "occurred_at", "to_state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40), index=True)
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    case: Mapped[Case] = relationship()


class DAConsultation(Base):
    __tablename__ = "da_consultations"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    consulted_name: Mapped[str] = mapped_column(String(200))
    consulted_on: Mapped[dt.date] = mapped_column(Date)
    position: Mapped[str] = mapped_column(String(20))  # supports | no_objection | objects
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))


class ReviewDecision(Base):
    __tablename__ = "review_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    certifier_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    decision: Mapped[str] = mapped_column(String(24))  # certify | deny | request_more_info
    findings_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))


class SignatureApproval(Base):
    __tablename__ = "signature_approvals"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    chief_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    decision: Mapped[str] = mapped_column(String(10))  # approve | return | deny
    signer_name: Mapped[str | None] = mapped_column(String(200))
    signer_title: Mapped[str | None] = mapped_column(String(200))
    signature_date: Mapped[dt.date | None] = mapped_column(Date)
    comments: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    # The certifying official as recorded at approval (every regeneration prints this person,
    # not whoever holds a role later): roster id, own phone and email, and a snapshot of the
    # names and titles of the signer, the agency head and (T) the supervising official.
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    signer_phone: Mapped[str | None] = mapped_column(String(40))
    signer_email: Mapped[str | None] = mapped_column(String(254))
    officials: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class OfficialForm(Base):
    """An official fillable PDF the department installed (``casework forms install``)."""

    __tablename__ = "official_forms"
    id: Mapped[int] = mapped_column(primary_key=True)
    visa_type: Mapped[str] = mapped_column(String(1))
    edition: Mapped[str] = mapped_column(String(10))
    sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(Integer)
    installed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Document(Base):
    """A generated document (form, letter, packet); its SHA-256 is also in the history."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(500))
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))


class Supplement(Base):
    """Information the requester sent after a request for more information."""

    __tablename__ = "supplements"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    text_enc: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))


# The registers' tables, so that every user of this metadata (Alembic, key rotation) sees them.
from casework import models_registers  # noqa: E402, F401
