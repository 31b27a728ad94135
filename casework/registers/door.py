"""The one door through which a register entry is stored.

:func:`record` checks every entry against the executive order's policies
(:mod:`.policy`) and, for a detainer decision, the roster (the decider holds a supervisor
role); only when no entry has a problem does it append them all to the register's hash chain
(:mod:`.chain`), in the caller's transaction. A refusal raises :class:`RegisterRefused`
listing every problem of every entry, and stores nothing. Nothing else writes the registers'
tables (the database refuses UPDATE and DELETE on them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.errors import CaseworkError
from casework.models import Person, RoleAssignment
from casework.registers import chain
from casework.registers.policy import SUPERVISOR_ROLES
from casework.registers.policy import problems as policy_problems
from casework.registers.schema import INPUTS, DetainerIn, EntryIn, to_entry


@dataclass(frozen=True)
class RowProblem:
    """A problem of the entry at ``index`` (0-based, in the order given) with ``field``."""

    index: int
    field: str
    message: str


class RegisterRefused(CaseworkError):
    """Nothing was stored; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[RowProblem]):
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))


Roster = dict[str, tuple[int, str, set[str]]]


def _supervisors(session: Session, emails: set[str]) -> Roster:
    """Roster members by email: (id, name, roles held now)."""
    out: Roster = {}
    if not emails:
        return out
    people = session.scalars(select(Person).where(Person.email.in_(sorted(emails))))
    for person in people:
        roles = set(
            session.scalars(
                select(RoleAssignment.role).where(
                    RoleAssignment.person_id == person.id, RoleAssignment.ended_at.is_(None)
                )
            )
        )
        out[person.email] = (person.id, person.full_name, roles)
    return out


def check(
    session: Session, items: Sequence[EntryIn], today: dt.date | None = None
) -> list[RowProblem]:
    """Every policy and roster problem of ``items`` (nothing is written)."""
    return _check(session, items, today)[0]


def _check(
    session: Session, items: Sequence[EntryIn], today: dt.date | None
) -> tuple[list[RowProblem], Roster]:
    today = today or dt.date.today()
    roster = _supervisors(
        session, {i.decided_by.lower() for i in items if isinstance(i, DetainerIn)}
    )
    out: list[RowProblem] = []
    for index, item in enumerate(items):
        day = item.date()
        if day > today:
            field = "received_on" if isinstance(item, DetainerIn) else "occurred_on"
            out.append(RowProblem(index, field, f"{day.isoformat()} is in the future"))
        out += [RowProblem(index, f, m) for f, m in policy_problems(item)]
        if isinstance(item, DetainerIn):
            who = roster.get(item.decided_by.lower())
            if who is None:
                out.append(
                    RowProblem(index, "decided_by", f"{item.decided_by} is not on the roster")
                )
            elif not set(SUPERVISOR_ROLES) & who[2]:
                out.append(
                    RowProblem(
                        index,
                        "decided_by",
                        f"{who[1]} does not hold a supervisor role: a detainer request is "
                        "decided by a supervisor (the roster's supervisor role, or the Chief)",
                    )
                )
    return out, roster


def record(
    session: Session,
    register: str,
    items: Sequence[EntryIn],
    *,
    who: str,
    source: str,
    today: dt.date | None = None,
) -> list[Any]:
    """Check ``items`` and append them to ``register``, all or none; returns the stored rows."""
    if not items:
        raise RegisterRefused([RowProblem(0, "(entries)", "there is nothing to record")])
    wrong = [i for i, item in enumerate(items) if chain_name(item) != register]
    if wrong:
        raise RegisterRefused(
            [RowProblem(i, "(entry)", f"is not a {register} register entry") for i in wrong]
        )
    found, roster = _check(session, items, today)
    if found:
        raise RegisterRefused(found)
    rows = [
        to_entry(
            item,
            roster[item.decided_by.lower()][:2] if isinstance(item, DetainerIn) else None,
        )
        for item in items
    ]
    chain.append(session, register, rows, who=who, source=source)
    return rows


def chain_name(item: EntryIn) -> str:
    """The register an entry belongs to."""
    return next(name for name, model in INPUTS.items() if isinstance(item, model))
