"""Load an agency profile and roster (``casework init --demo`` loads the demo one)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import Agency
from casework.roster import add_person, grant_role
from casework.states import Role

DEMO_ROSTER = Path(__file__).with_name("demo") / "roster.json"


def load_roster(session: Session, spec: dict[str, Any]) -> bool:
    """Load the agency and its people; returns False (and changes nothing) if an agency exists."""
    if session.scalars(select(Agency)).first() is not None:
        return False
    session.add(Agency(**spec["agency"]))
    chief = add_person(session, **spec["chief"])
    grant_role(session, chief, Role.CHIEF)
    for entry in spec.get("certifiers", []):
        grant_role(session, add_person(session, **entry), Role.CERTIFIER, designated_by=chief)
    for entry in spec.get("da_contacts", []):
        grant_role(session, add_person(session, **entry), Role.DA_CONTACT)
    for entry in spec.get("records", []):
        grant_role(session, add_person(session, **entry), Role.RECORDS)
    for entry in spec.get("supervisors", []):
        grant_role(session, add_person(session, **entry), Role.SUPERVISOR)
    return True


def load_demo(session: Session) -> bool:
    return load_roster(session, json.loads(DEMO_ROSTER.read_text()))
