"""The one door for state changes.

:func:`apply_transition` is the only code that writes ``Case.state_``. It
checks, in order, that the action exists and is legal from the case's current
state, that the actor holds the role (and, for assignee-only actions, is the
assigned certifier), that a required reason is given, and that the version the
caller read is still current. Only then does it write the new state and the
hash-chained history event, in the caller's transaction. A refusal raises a
:class:`~casework.errors.TransitionRefused` naming the reason and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from casework.errors import IllegalTransition, MissingReason, NotPermitted, StaleCase
from casework.history import GENESIS, event_hash
from casework.models import Case, CaseEvent, Person, utcnow
from casework.roster import active_roles
from casework.states import BY_NAME, Role, State, Transition


@dataclass(frozen=True)
class Actor:
    """Who is acting: a roster member in one of their roles, the requester, or the system."""

    role: Role
    name: str
    person_id: int | None = None

    @classmethod
    def system(cls, name: str = "casework system") -> Actor:
        return cls(Role.SYSTEM, name)

    @classmethod
    def requester(cls, email: str) -> Actor:
        return cls(Role.REQUESTER, email)

    @classmethod
    def person(cls, person: Person, role: Role) -> Actor:
        return cls(role, person.full_name, person.id)


def check_transition(session: Session, case: Case | None, action: str, actor: Actor) -> Transition:
    """Return the transition if ``actor`` may take ``action`` on ``case`` now; raise why not."""
    rule = BY_NAME.get(action)
    if rule is None:
        raise IllegalTransition(f"unknown action {action!r}")
    current: State | None = State(case.state_) if case is not None and case.state_ else None
    label = case.case_number if case is not None else "a new case"
    if current not in rule.sources:
        allowed = ", ".join(sorted(s.value if s else "(new)" for s in rule.sources))
        raise IllegalTransition(
            f"{label}: cannot {action} from state {current.value if current else '(new)'}; "
            f"it is allowed only from: {allowed}"
        )
    if actor.role not in rule.roles:
        raise NotPermitted(
            f"{label}: {action} needs the role {' or '.join(sorted(rule.roles))}; "
            f"{actor.name} acts as {actor.role.value}"
        )
    person_role = actor.role not in (Role.SYSTEM, Role.REQUESTER)
    if person_role and (
        actor.person_id is None or actor.role.value not in active_roles(session, actor.person_id)
    ):
        what = "a designated certifier" if actor.role is Role.CERTIFIER else actor.role.value
        raise NotPermitted(f"{label}: {actor.name} is not currently {what}")
    if rule.assignee_only and actor.role is Role.CERTIFIER:
        assert case is not None
        if case.assigned_certifier_id != actor.person_id:
            holder = case.assigned_certifier.full_name if case.assigned_certifier else "nobody"
            raise NotPermitted(
                f"{label} is assigned to {holder}; only the assignee may {action} "
                "unless the Chief reassigns the case"
            )
    return rule


def apply_transition(
    session: Session,
    case: Case,
    action: str,
    actor: Actor,
    expected_version: int | None,
    *,
    reason: str | None = None,
    notes: str | None = None,
    outcome: str | None = None,
    payload: dict[str, Any] | None = None,
    document_sha256: str | None = None,
    assign_to: Person | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """Check and apply ``action`` to ``case``; write the state and its history event.

    ``expected_version`` is the version the caller read (``None`` only for a new
    case). The change is flushed, not committed: the caller's unit of work
    commits it together with any records that belong to the same step.
    """
    is_new = case.id is None and not case.state_
    number = case.case_number  # read now: after a failed flush the instance is expired
    rule = check_transition(session, None if is_new else case, action, actor)
    if rule.needs_reason and not (reason and reason.strip()):
        raise MissingReason(f"{case.case_number}: {action} needs a reason")
    if not is_new and expected_version != case.version:
        raise StaleCase(
            f"{case.case_number} changed since it was read (version {expected_version} read, "
            f"now {case.version}); reload it and try again"
        )
    payload = dict(payload or {})
    if action == "assign":
        if assign_to is None or Role.CERTIFIER.value not in active_roles(session, assign_to.id):
            raise NotPermitted(
                f"{case.case_number}: a case can be assigned only to a designated certifier"
            )
        payload["assigned_to"] = assign_to.full_name
        payload["assigned_to_id"] = assign_to.id
        case.assigned_certifier_id = assign_to.id
        case.assigned_certifier = assign_to

    from_state = case.state_ or None
    to_state = rule.target.value if rule.target else case.state_
    seq = (case.event_count or 0) + 1
    event = CaseEvent(
        seq=seq,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor_id=actor.person_id,
        actor_name=actor.name,
        actor_role=actor.role.value,
        occurred_at=at or utcnow(),
        reason=reason,
        notes=notes,
        outcome=outcome,
        payload=payload,
        document_sha256=document_sha256,
        prev_hash=case.history_head if not is_new else GENESIS,
        hash="",
    )
    event.hash = event_hash(case.case_number, event, event.prev_hash)
    case.state_ = to_state
    case.history_head = event.hash
    case.event_count = seq
    event.case = case
    session.add(event)
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as exc:
        raise StaleCase(
            f"{number} was changed by someone else at the same time; reload it and try again"
        ) from exc
    return event
