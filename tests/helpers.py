"""Small helpers for driving cases in tests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from casework.db import Store
from casework.intake.service import submit
from casework.models import Case, Person
from casework.roster import chief, people_with_role
from casework.states import Role
from casework.transitions import Actor
from casework.views import get_case
from tests.conftest import EXAMPLES, TODAY, example_request


def new_case(store: Store, **changes: object) -> str:
    raw = example_request(**changes)
    return submit(store, raw, base_dir=EXAMPLES, received=TODAY).case_number


def load(session: Session, number: str) -> Case:
    return get_case(session, number)


def certifiers(session: Session) -> list[Person]:
    return people_with_role(session, Role.CERTIFIER)


def chief_actor(session: Session) -> Actor:
    return Actor.person(chief(session), Role.CHIEF)


def certifier_actor(person: Person) -> Actor:
    return Actor.person(person, Role.CERTIFIER)
