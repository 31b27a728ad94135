"""Requesters' private access to one case: a status-link token and a short lookup code.

Only SHA-256 hashes are stored; the plaintexts exist once, in the acknowledgment
email. Every failed lookup gives the same answer (None), so case numbers cannot
be probed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import Case, StatusAccess

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().upper().encode()).hexdigest()


def issue_status_access(session: Session, case: Case) -> tuple[str, str]:
    """Create (or replace) the case's token and code; return their plaintexts."""
    token = secrets.token_urlsafe(32)
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    row = session.scalars(select(StatusAccess).where(StatusAccess.case_id == case.id)).first()
    if row is None:
        row = StatusAccess(case_id=case.id, token_hash="", code_hash="")
        session.add(row)
    row.token_hash = hashlib.sha256(token.encode()).hexdigest()
    row.code_hash = _digest(code)
    session.flush()
    return token, code


def case_for_token(session: Session, token: str) -> Case | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = session.scalars(select(StatusAccess).where(StatusAccess.token_hash == digest)).first()
    return session.get(Case, row.case_id) if row else None


def case_for_code(session: Session, case_number: str, email: str, code: str) -> Case | None:
    case = session.scalars(
        select(Case).where(Case.case_number == case_number.strip().upper())
    ).first()
    row = (
        session.scalars(select(StatusAccess).where(StatusAccess.case_id == case.id)).first()
        if case
        else None
    )
    expected = row.code_hash if row else _digest("not-a-code")
    ok = hmac.compare_digest(expected, _digest(code))
    if case is None or row is None or not ok:
        return None
    if case.requester.email.lower() != email.strip().lower():
        return None
    return case
