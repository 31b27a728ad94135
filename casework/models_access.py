"""The case store's tables for access and integrity: action codes, notifications, status
access, key checks, the ledger and the access log (re-exported by :mod:`casework.models`, so
``from casework.models import Notification`` works as before).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.models_base import Base, utcnow


class ActionCode(Base):
    """A one-time code mailed to the person who must act on a waiting step.

    Only an HMAC of the code is stored (keyed by a secret derived from the key ring, which
    never enters the database). ``attempts`` counts wrong attempts at the step (wrong code or
    wrong person); at the limit the code is void until the Chief reissues one."""

    __tablename__ = "action_codes"
    __table_args__ = (UniqueConstraint("case_id", "step_key", name="uq_action_codes_case_step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    step_key: Mapped[str] = mapped_column(String(80))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    issue_no: Mapped[int] = mapped_column(Integer, default=1)  # 1 + reissues for this step
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # wrong attempts since issued
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    voided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Notification(Base):
    """An email sent, keyed so that a replayed or restarted step never sends it twice."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: Languages of the body: "en", "en+<copy>" (e.g. "en+pt_BR") or "en+note" (unsupported).
    language: Mapped[str | None] = mapped_column(String(16))


class StatusAccess(Base):
    """The requester's private status link and lookup code for one case (hashes only)."""

    __tablename__ = "status_access"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # SHA-256 of the token and the code, encrypted: what `casework keys rotate` re-keys from.
    digests_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


class KeyCheck(Base):
    """A key the store was written with, by its one-way check value; retired by keys rotate."""

    __tablename__ = "key_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    check_value: Mapped[str] = mapped_column(String(64), unique=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class LedgerHead(Base):
    """The ledger's size (one row), locked by each commit that appends: commit order."""

    __tablename__ = "ledger_head"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(Integer)


class LedgerEntry(Base):
    """An event or access-log entry at its ledger position. No foreign keys: a deleted case
    or event leaves its entry behind, pointing at what is missing."""

    __tablename__ = "ledger"
    __table_args__ = (UniqueConstraint("kind", "ref_id", name="uq_ledger_kind_ref"),)
    pos: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(10))  # event | access
    ref_id: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(Integer)
    item_hash: Mapped[str] = mapped_column(String(64))


class LedgerMac(Base):
    """The MAC of a ledger entry under one key (a rotation appends the newest key's)."""

    __tablename__ = "ledger_macs"
    pos: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key_id: Mapped[int] = mapped_column(
        ForeignKey("key_checks.id"), primary_key=True, autoincrement=False
    )
    mac: Mapped[str] = mapped_column(String(64))


class AccessLogEntry(Base):
    """Who decrypted which case's data, when, what and why (CJIS 5.4); in the ledger."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    who: Mapped[str] = mapped_column(String(254))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    what: Mapped[str] = mapped_column(String(200))
    why: Mapped[str] = mapped_column(String(200))
