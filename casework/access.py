"""Requesters' private access to one case: a status-link token and a short lookup code.

Neither plaintext is stored; they exist once, in the acknowledgment email. The store keeps
``HMAC(secret, SHA-256(value))`` with a secret derived from the key ring (never in the
database), so a copy of the database does not allow an offline search for a code; lookups
match under every key of the ring (a rotation under way). The SHA-256 digests are also kept
encrypted (``digests_enc``) so that ``casework keys rotate`` can re-key the HMACs. Every
failed lookup gives the same answer (None), so case numbers cannot be probed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.crypto import Keyring, keyring
from casework.models import Case, StatusAccess

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
TOKEN_PURPOSE = "status-token"
CODE_PURPOSE = "status-code"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def code_digest(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def keyed(secret: bytes, digest: str) -> str:
    return hmac.new(secret, digest.encode(), hashlib.sha256).hexdigest()


def seal(row: StatusAccess, ring: Keyring, token_sha: str, code_sha: str) -> None:
    """Write the row's HMACs under the newest key (and the digests, encrypted)."""
    row.token_hash = keyed(ring.derive(TOKEN_PURPOSE), token_sha)
    row.code_hash = keyed(ring.derive(CODE_PURPOSE), code_sha)
    row.digests_enc = ring.encrypt_json({"token": token_sha, "code": code_sha})


def issue_status_access(session: Session, case: Case) -> tuple[str, str]:
    """Create (or replace) the case's token and code; return their plaintexts."""
    token = secrets.token_urlsafe(32)
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    row = session.scalars(select(StatusAccess).where(StatusAccess.case_id == case.id)).first()
    if row is None:
        row = StatusAccess(case_id=case.id, token_hash="", code_hash="")
        session.add(row)
    seal(row, keyring(), token_digest(token), code_digest(code))
    session.flush()
    return token, code


def case_for_token(session: Session, token: str) -> Case | None:
    digest = token_digest(token)
    candidates = [keyed(s, digest) for s in keyring().derive_all(TOKEN_PURPOSE)]
    row = session.scalars(
        select(StatusAccess).where(StatusAccess.token_hash.in_(candidates))
    ).first()
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
    expected = row.code_hash if row else "0" * 64
    digest = code_digest(code)
    ok = False
    for secret in keyring().derive_all(CODE_PURPOSE):  # every key, always: constant work
        ok |= hmac.compare_digest(expected, keyed(secret, digest))
    if case is None or row is None or not ok:
        return None
    if case.requester.email.lower() != email.strip().lower():
        return None
    return case
