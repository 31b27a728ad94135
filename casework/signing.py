"""Who signs: the department's signing policy and the official recorded at approval.

Policy (roster data, G.L. c. 258F §2; 8 CFR 214.14(a)(3)): the certifying official
is the Chief of Police, or, where the agency allows it (``Agency.designees_may_sign``),
a certifier the Chief designated. The official's own daytime phone and email go on
the form, never the switchboard or the shared mailbox.

The Chief's approval records the signing official (names, title, phone, email), the
agency head when a designee signs (U: Part 2, item 4) and, for a T declaration, the
supervising official (named in the approval or by the agency's default, never the
Chief by default). Every regeneration prints what was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import Case, Person, SignatureApproval
from casework.roster import active_roles, chief, get_agency
from casework.states import Role


@dataclass(frozen=True)
class Official:
    family_name: str
    given_name: str
    middle_name: str | None
    title: str
    phone: str | None = None
    email: str | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.middle_name, self.family_name) if p)

    @classmethod
    def of(cls, p: Person, title: str | None = None) -> Official:
        return cls(p.family_name, p.given_name, p.middle_name, title or p.title, p.phone, p.email)

    def snapshot(self) -> dict[str, Any]:
        return {
            "family_name": self.family_name,
            "given_name": self.given_name,
            "middle_name": self.middle_name,
            "title": self.title,
        }

    @classmethod
    def from_snapshot(
        cls, d: dict[str, Any], phone: str | None = None, email: str | None = None
    ) -> Official:
        return cls(
            d["family_name"], d["given_name"], d.get("middle_name"), d["title"], phone, email
        )


@dataclass(frozen=True)
class Recorded:
    """The officials a signed form names, as the approval recorded them."""

    signer: Official
    agency_head: Official | None  # set when the signer is not the agency head
    supervising_official: Official | None  # T declarations


def signer_refusal(session: Session, signer: Person) -> str | None:
    """Why ``signer`` may not be the certifying official, or None when they may."""
    agency = get_agency(session)
    roles = active_roles(session, signer.id)
    if Role.CHIEF.value not in roles:
        if Role.CERTIFIER.value not in roles:
            return (
                f"{signer.full_name} may not sign: department policy allows the Chief of Police"
                + (" or a designated certifier" if agency.designees_may_sign else " only")
            )
        if not agency.designees_may_sign:
            return (
                f"{signer.full_name} may not sign: department policy allows the Chief of Police "
                "only (designees do not sign)"
            )
    if not signer.phone or signer.phone == agency.phone:
        return (
            f"{signer.full_name} has no daytime phone of their own on the roster (the form "
            "needs the certifying official's number, not the switchboard)"
        )
    if not signer.email or signer.email.lower() == agency.email.lower():
        return f"{signer.full_name} has no email of their own on the roster"
    return None


def supervising_official(
    session: Session, case: Case, named: Person | None = None
) -> tuple[Person | None, str | None]:
    """(person, refusal): the T declaration's supervising official, from the approval or the
    agency's default; never the Chief unless the approval names her."""
    if case.visa_type != "T":
        return None, None
    if named is not None:
        return named, None
    email = get_agency(session).t_supervisor_email
    person = (
        session.scalars(select(Person).where(Person.email == email.lower())).first()
        if email
        else None
    )
    if person is None:
        return None, (
            "a T declaration needs a supervising official: name one in the approval or set the "
            "agency's default supervising official (t_supervisor_email) on the roster"
        )
    return person, None


def approval_record(
    session: Session,
    case: Case,
    signer: Person,
    signer_title: str,
    supervisor: Person | None,
) -> dict[str, Any]:
    """The SignatureApproval columns that record who signs (for ``steps.approve_signature``)."""
    head = chief(session)
    officials: dict[str, Any] = {
        "signer": Official.of(signer, signer_title).snapshot(),
        "agency_head": None if head.id == signer.id else Official.of(head).snapshot(),
        "supervising_official": Official.of(supervisor).snapshot() if supervisor else None,
    }
    return {
        "signer_id": signer.id,
        "signer_name": signer.full_name,
        "signer_title": signer_title,
        "signer_phone": signer.phone,
        "signer_email": signer.email,
        "officials": officials,
    }


def recorded(session: Session, approval: SignatureApproval) -> Recorded:
    """The officials an approval recorded. Approvals made before officials were recorded
    name the roster person recorded as signer, else the current Chief (what forms printed
    then)."""
    snap = approval.officials or {}
    if snap.get("signer"):
        return Recorded(
            Official.from_snapshot(snap["signer"], approval.signer_phone, approval.signer_email),
            Official.from_snapshot(snap["agency_head"]) if snap.get("agency_head") else None,
            Official.from_snapshot(snap["supervising_official"])
            if snap.get("supervising_official")
            else None,
        )
    person = session.get(Person, approval.signer_id) if approval.signer_id else None
    person = person or chief(session)
    return Recorded(Official.of(person, approval.signer_title), None, None)


def event_signer(session: Session, actor_id: int | None) -> Official | None:
    """The person who signs a letter answering an event: the one who made the decision."""
    person = session.get(Person, actor_id) if actor_id else None
    return Official.of(person) if person else None
