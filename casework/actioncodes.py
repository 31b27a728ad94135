"""One-time action codes for human steps.

The email that tells a certifier or the Chief that a case waits for them carries a code; the
step's form asks for it. A code is 12 symbols from a 32-symbol alphabet without look-alikes
(no 0/O, 1/I): 60 bits, written ``7K2M-QX4R-9TPD``. Only an HMAC of it is stored, keyed by a
secret derived from the key ring (``keyring().derive("action-codes")``, never in the
database) and bound to the case, the step and the person; it is compared in constant time,
spent on success and expires (``CASEWORK_ACTION_CODE_DAYS``, default 14). After
:data:`MAX_WRONG` wrong attempts at a step (a wrong code, or someone other than the person
the step waits for) the code is void until the Chief reissues one.

Every attempt goes through :func:`record_attempt`.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from hashlib import sha256

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import accesslog
from casework.config import load_settings
from casework.crypto import keyring
from casework.escape import one_line
from casework.models import ActionCode, Case, Person, utcnow

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols: 5 bits each
GROUPS, GROUP_SIZE = 3, 4  # 12 symbols, 60 bits
MAX_WRONG = 5
PURPOSE = "action-codes"

#: Attempt outcomes that count towards the lockout.
WRONG = frozenset({"wrong_code", "wrong_person", "unknown_person"})


def valid_days() -> int:
    return load_settings().action_code_days


def normalise(code: str) -> str:
    return "".join(c for c in str(code).upper() if c.isalnum())


def _mac(secret: bytes, case: Case, step_key: str, person_id: int, code: str) -> str:
    message = f"{case.case_number}|{step_key}|{person_id}|{normalise(code)}".encode()
    return hmac.new(secret, message, sha256).hexdigest()


def _row(session: Session, case: Case, step_key: str) -> ActionCode | None:
    return session.scalars(
        select(ActionCode).where(ActionCode.case_id == case.id, ActionCode.step_key == step_key)
    ).first()


def issue(session: Session, case: Case, step_key: str, person: Person) -> str:
    """Mint a code for the step (a new one replaces the old); returns the plaintext to email once."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    code = "-".join(raw[i : i + GROUP_SIZE] for i in range(0, len(raw), GROUP_SIZE))
    row = _row(session, case, step_key)
    now = utcnow()
    if row is None:
        row = ActionCode(case_id=case.id, step_key=step_key, issue_no=0)
        session.add(row)
    row.person_id = person.id
    row.code_hash = _mac(keyring().derive(PURPOSE), case, step_key, person.id, code)
    row.created_at = now
    row.expires_at = now + dt.timedelta(days=valid_days())
    row.issue_no = (row.issue_no or 0) + 1
    row.attempts = 0
    row.used_at = row.voided_at = None
    session.flush()
    return code


@dataclass(frozen=True)
class Check:
    """The outcome of presenting a code: ``problem`` is None when it may be used."""

    outcome: str  # ok | wrong_code | wrong_person | unknown_person | void | expired | used | none
    problem: str | None


def check(
    session: Session, case: Case, step_key: str, person: Person | None, code: str, claimed: str = ""
) -> Check:
    """May ``person`` (None: ``claimed`` is not on the roster) use ``code`` for this step now?"""
    row = _row(session, case, step_key)
    if row is None:
        return Check("none", "no action code was issued for this step")
    if row.voided_at is not None:
        return Check(
            "void",
            f"the action code for this step is void after {MAX_WRONG} wrong attempts; "
            "the Chief can issue a new one (casework reissue-code)",
        )
    if row.used_at is not None:
        return Check("used", "this action code was already used")
    if _aware(row.expires_at) < utcnow():
        return Check(
            "expired",
            f"the action code for this step expired on {_aware(row.expires_at):%Y-%m-%d}; "
            "ask the Chief for a new one (casework reissue-code)",
        )
    if person is None:
        who = one_line(claimed)[:254] or "(empty)"
        return Check("unknown_person", f"acting_as: {who} is not on the department's roster")
    if row.person_id != person.id:
        return Check(
            "wrong_person", f"this step waits for someone else; {person.email} may not act on it"
        )
    macs = [_mac(k, case, step_key, person.id, code) for k in keyring().derive_all(PURPOSE)]
    if not any(hmac.compare_digest(row.code_hash, m) for m in macs):
        return Check(
            "wrong_code", "the action code is wrong: use the code from the email for this step"
        )
    return Check("ok", None)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def record_attempt(
    session: Session, case: Case, step_key: str, *, claimed: str, outcome: str
) -> bool:
    """Record one attempt at a step's code and return True when this attempt used up the last
    allowed wrong one (the code is now void).

    The one place every attempt passes. It goes to the access log (not the case history):
    when (the entry's time), who it claimed to be (``who``, as typed, on one line), which
    step and how it ended; a code voided by this attempt is a second entry."""
    row = _row(session, case, step_key)
    locked = False
    counted = ""
    if row is not None:
        row.last_attempt_at = utcnow()
        if outcome in WRONG and row.voided_at is None:
            row.attempts = (row.attempts or 0) + 1
            counted = f", wrong attempt {row.attempts} of {MAX_WRONG}"
            if row.attempts >= MAX_WRONG:
                row.voided_at = utcnow()
                locked = True
    accesslog.record(
        session,
        who=f"{one_line(claimed)[:240] or '(no identity given)'} (claimed)",
        case_id=case.id,
        what=f"action code attempt at step {step_key}: {outcome}{counted}",
        why="answer to a waiting step",
    )
    if locked:
        accesslog.record(
            session,
            who=accesslog.WORKFLOW,
            case_id=case.id,
            what=f"action code for step {step_key} void after {MAX_WRONG} wrong attempts",
            why="action-code lockout",
        )
    return locked


def spend(session: Session, case: Case, step_key: str) -> None:
    row = _row(session, case, step_key)
    if row is not None:
        row.used_at = utcnow()


def issue_number(session: Session, case: Case, step_key: str) -> int:
    """How many codes were issued for this step (names each email of a new code)."""
    row = _row(session, case, step_key)
    return row.issue_no if row is not None else 0
