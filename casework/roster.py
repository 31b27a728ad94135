"""The agency profile and its roster: the Chief, designated certifiers, DA contacts, records
staff, supervisors (who decide ICE detainer requests)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.errors import RosterError
from casework.models import Agency, Person, RoleAssignment, utcnow
from casework.states import Role

MAX_CERTIFIERS = 4
PERSON_ROLES = (Role.CHIEF, Role.CERTIFIER, Role.DA_CONTACT, Role.RECORDS, Role.SUPERVISOR)


def get_agency(session: Session) -> Agency:
    agency = session.scalars(select(Agency).order_by(Agency.id)).first()
    if agency is None:
        raise RosterError("no agency profile: run `casework init --demo` or load one")
    return agency


def active_assignments(session: Session, role: Role | None = None) -> list[RoleAssignment]:
    stmt = select(RoleAssignment).where(RoleAssignment.ended_at.is_(None))
    if role is not None:
        stmt = stmt.where(RoleAssignment.role == role.value)
    return list(session.scalars(stmt.order_by(RoleAssignment.id)))


def people_with_role(session: Session, role: Role) -> list[Person]:
    return [a.person for a in active_assignments(session, role)]


def active_roles(session: Session, person_id: int) -> set[str]:
    stmt = select(RoleAssignment.role).where(
        RoleAssignment.person_id == person_id, RoleAssignment.ended_at.is_(None)
    )
    return set(session.scalars(stmt))


def chief(session: Session) -> Person:
    chiefs = people_with_role(session, Role.CHIEF)
    if not chiefs:
        raise RosterError("the roster has no Chief of Police")
    return chiefs[0]


def find_person(session: Session, who: str | int) -> Person:
    """A roster member by id or email."""
    if isinstance(who, int) or str(who).isdigit():
        person = session.get(Person, int(who))
    else:
        person = session.scalars(select(Person).where(Person.email == str(who).lower())).first()
    if person is None:
        raise RosterError(f"no one on the roster matches {who!r}")
    return person


def add_person(
    session: Session,
    *,
    family_name: str,
    given_name: str,
    email: str,
    title: str = "",
    middle_name: str | None = None,
    phone: str | None = None,
) -> Person:
    person = Person(
        family_name=family_name,
        given_name=given_name,
        middle_name=middle_name,
        email=email.lower(),
        title=title,
        phone=phone,
    )
    session.add(person)
    session.flush()
    return person


def grant_role(
    session: Session,
    person: Person,
    role: Role,
    *,
    designated_by: Person | None = None,
    since: dt.datetime | None = None,
) -> RoleAssignment:
    """Give ``person`` a role. Certifier designations are made by the Chief, at most four at once."""
    if role.value in active_roles(session, person.id):
        raise RosterError(f"{person.full_name} already holds the role {role.value}")
    if role is Role.CHIEF and people_with_role(session, Role.CHIEF):
        raise RosterError("the roster already has a Chief; end that role first")
    if role is Role.CERTIFIER:
        current = active_assignments(session, Role.CERTIFIER)
        if len(current) >= MAX_CERTIFIERS:
            names = ", ".join(a.person.full_name for a in current)
            raise RosterError(
                f"cannot designate {person.full_name}: the department already has "
                f"{MAX_CERTIFIERS} active designated certifiers ({names}); end one designation first"
            )
        if designated_by is None or Role.CHIEF.value not in active_roles(session, designated_by.id):
            raise RosterError("a certifier designation must be made by the Chief of Police")
    assignment = RoleAssignment(
        person_id=person.id,
        role=role.value,
        designated_by_id=designated_by.id if designated_by else None,
        since=since or utcnow(),
    )
    session.add(assignment)
    session.flush()
    return assignment


def end_role(session: Session, person: Person, role: Role) -> None:
    for a in active_assignments(session, role):
        if a.person_id == person.id:
            a.ended_at = utcnow()
            return
    raise RosterError(f"{person.full_name} does not hold the role {role.value}")
