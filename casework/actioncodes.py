"""One-time action codes for human steps.

The email that tells a certifier or the Chief that a case waits for them
carries a code; the step's form asks for it. Only an HMAC of the code is
stored, bound to the case, the step and the person; it is spent on success.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import ActionCode, Case, Person, utcnow

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _digest(case_number: str, step_key: str, code: str) -> str:
    norm = code.strip().upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(f"{case_number}|{step_key}|{norm}".encode()).hexdigest()


def issue(session: Session, case: Case, step_key: str, person: Person) -> str:
    """Mint (or re-mint) the code for a step; returns the plaintext to email once."""
    code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    row = session.scalars(
        select(ActionCode).where(ActionCode.case_id == case.id, ActionCode.step_key == step_key)
    ).first()
    if row is None:
        row = ActionCode(case_id=case.id, step_key=step_key, person_id=person.id, code_hash="")
        session.add(row)
    row.person_id = person.id
    row.code_hash = _digest(case.case_number, step_key, code)
    row.used_at = None
    session.flush()
    return f"{code[:4]}-{code[4:]}"


def check(session: Session, case: Case, step_key: str, person: Person, code: str) -> str | None:
    """None when ``person`` may use ``code`` for this step now; otherwise why not."""
    row = session.scalars(
        select(ActionCode).where(ActionCode.case_id == case.id, ActionCode.step_key == step_key)
    ).first()
    if row is None:
        return "no action code was issued for this step"
    if row.person_id != person.id:
        return f"this step waits for someone else; {person.email} may not act on it"
    if row.used_at is not None:
        return "this action code was already used"
    if not hmac.compare_digest(row.code_hash, _digest(case.case_number, step_key, code)):
        return "the action code is wrong: use the code from the email for this step"
    return None


def spend(session: Session, case: Case, step_key: str) -> None:
    row = session.scalars(
        select(ActionCode).where(ActionCode.case_id == case.id, ActionCode.step_key == step_key)
    ).one()
    row.used_at = utcnow()
