"""A written denial without prejudice (G.L. c. 258F §3(ii)): by the assigned certifier at
review, or by the Chief at signature; it cites a reason of the department's policy."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from casework.errors import CaseworkError
from casework.models import Case, CaseEvent, ReviewDecision, SignatureApproval
from casework.policy import DENIAL_REASONS
from casework.states import Role
from casework.transitions import Actor, apply_transition


def _denial_text(reason_code: str, explanation: str | None) -> str:
    if reason_code not in DENIAL_REASONS:
        raise CaseworkError(f"reason_code: must be one of {', '.join(DENIAL_REASONS)}")
    if reason_code == "other" and not (explanation and explanation.strip()):
        raise CaseworkError("explanation: required when the reason is 'other'")
    text = DENIAL_REASONS[reason_code]
    return f"{text} {explanation.strip()}" if explanation and explanation.strip() else text


def deny(
    session: Session,
    case: Case,
    actor: Actor,
    version: int,
    *,
    reason_code: str,
    explanation: str | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """Deny (by the assigned certifier at review, or by the Chief at signature)."""
    reason = _denial_text(reason_code, explanation)
    action = "deny_at_signature" if actor.role is Role.CHIEF else "deny"
    event = apply_transition(
        session,
        case,
        action,
        actor,
        version,
        reason=reason,
        outcome="deny",
        payload={"reason_code": reason_code},
        at=at,
    )
    if actor.role is Role.CHIEF:
        session.add(
            SignatureApproval(
                case_id=case.id,
                chief_id=actor.person_id,
                decision="deny",
                comments=reason,
                event_id=event.id,
            )
        )
    else:
        session.add(
            ReviewDecision(
                case_id=case.id,
                certifier_id=actor.person_id,
                decision="deny",
                reason=reason,
                event_id=event.id,
            )
        )
    return event
