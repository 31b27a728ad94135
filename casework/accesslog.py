"""The access log (CJIS Security Policy 5.4): who decrypted which case's victim identity or
narrative, when, what and why.

:func:`record` adds one entry to the caller's transaction; it costs one INSERT. Entries are
append-only (database triggers refuse UPDATE and DELETE) and each is put in the ledger with a
MAC when the transaction commits, exactly like a history event (:mod:`casework.ledger`), so
``casework verify-history`` notices an entry edited, deleted or added outside the system.
Call it inside ``store.unit_of_work()``: a read-only session never commits. A caller that
only reads opens a small unit of work for the entry (:func:`record_now`), never one nested in
another (on SQLite that fails at once by design).

What is recorded (``who`` / ``what`` / ``why``):

- staff commands (``casework show``, ``form``, ``attachments``, ``keys rotate``): the local
  user and host, what was decrypted, the command;
- the workflow (:data:`WORKFLOW`): the case file built for a waiting step's form, documents
  generated from victim data, documents holding it decrypted to be emailed, the Chief's DRAFT;
- requesters' document downloads from the portal;
- every action-code attempt (``who`` is the identity the answer *claimed*, with the outcome),
  a code voided after too many wrong attempts, the Chief's alert and every reissue.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import socket
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.db import READ_ONLY, Store
from casework.errors import CaseworkError
from casework.history import utc_text
from casework.models import AccessLogEntry, Case, utcnow

#: ``who`` for what the workflow does by itself (Prefect runs, the deadline watch).
WORKFLOW = "casework workflow (system)"


def record(session: Session, *, who: str, case_id: int | None, what: str, why: str) -> None:
    """Append an entry to the access log in the caller's transaction."""
    if session.info.get(READ_ONLY):
        raise CaseworkError(
            "the access log is written in a unit of work (store.unit_of_work()): a read-only "
            "session never commits, so the entry would be lost"
        )
    session.add(
        AccessLogEntry(at=utcnow(), who=who[:254], case_id=case_id, what=what[:200], why=why[:200])
    )


def record_now(store: Store, *, who: str, case_id: int | None, what: str, why: str) -> None:
    """Append an entry in a unit of work of its own, for a caller that only reads (it must
    not hold a unit of work in this thread)."""
    with store.unit_of_work() as session:
        record(session, who=who, case_id=case_id, what=what, why=why)


def local_user() -> str:
    """Who runs a command on this machine, for ``who`` (the CLI has no staff login)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()} (shell)"


def content_hash(entry_id: int, at: dt.datetime, who: str, case_id: int | None,
                 what: str, why: str) -> str:  # fmt: skip
    """What the ledger records for an entry: SHA-256 of its canonical content."""
    data = json.dumps(
        ["access-v1", entry_id, utc_text(at), who, case_id, what, why],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    return hashlib.sha256(data).hexdigest()


def entry_hash(entry: AccessLogEntry) -> str:
    return content_hash(entry.id, entry.at, entry.who, entry.case_id, entry.what, entry.why)


def entries(
    session: Session, case_number: str | None = None, since: dt.date | None = None
) -> Sequence[Any]:
    """Entries oldest first, with the case number (None for entries about no case)."""
    stmt = (
        select(
            AccessLogEntry.at,
            AccessLogEntry.who,
            Case.case_number,
            AccessLogEntry.what,
            AccessLogEntry.why,
        )
        .outerjoin(Case, Case.id == AccessLogEntry.case_id)
        .order_by(AccessLogEntry.id)
    )
    if case_number is not None:
        stmt = stmt.where(Case.case_number == case_number.strip().upper())
    if since is not None:
        stmt = stmt.where(AccessLogEntry.at >= dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC))
    return session.execute(stmt).all()
