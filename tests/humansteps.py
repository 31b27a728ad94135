"""Driving human steps in the domain, without Prefect: a real SMTP sink on loopback, the case
store, the step modules. The flow does exactly this between a suspension and the next."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from casework.db import Store
from casework.intake.service import submit
from casework.mailsink import MailSink
from casework.steps import waiting
from casework.views import get_case
from tests.conftest import EXAMPLES, example_request

TODAY = dt.date.today()
CHIEF = "chief@npd.example.org"
CODE_LINE = re.compile(r"action code for this step: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b")

DA = {"consulted_name": "ADA Greene", "consulted_on": TODAY.isoformat(), "position": "supports"}
CERTIFY = {
    "decision": "certify",
    "qualifying_activities": ["domestic_violence"],
    "activity_dates": "2024-06-14",
    "description": "Assault at the apartment.",
    "possesses_information": True,
    "has_been_helpful": True,
    "is_being_helpful": False,
    "likely_to_be_helpful": True,
    "helpfulness_narrative": "She gave a statement and identified the suspect.",
}
APPROVE = {"decision": "approve", "signature_date": TODAY.isoformat(), "reviewed_draft": True}


@pytest.fixture
def mail(monkeypatch: pytest.MonkeyPatch) -> Iterator[MailSink]:
    with MailSink(port=0) as sink:
        monkeypatch.setenv("CASEWORK_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CASEWORK_SMTP_PORT", str(sink.port))
        yield sink


def new_case(
    store: Store, report: str = "DOM-1", raw: dict[str, Any] | None = None, **changes: object
) -> str:
    request = raw or example_request(incident={"police_report_numbers": [report]}, **changes)
    return submit(store, request, base_dir=EXAMPLES, received=TODAY).case_number


def text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""  # type: ignore[union-attr]


def code_mailed(mail: MailSink, to: str) -> str:
    for m in reversed(mail.messages):
        if to in str(m["To"]):
            found = CODE_LINE.search(text(m))
            if found:
                return found.group(1)
    raise AssertionError(f"no action code mailed to {to}")


def ask(store: Store, number: str) -> waiting.Waiting:
    """The step the case waits at, after the email asking the person to act went out."""
    step = waiting.waiting_step(store, number)
    assert step is not None
    waiting.notify_actor(store, number, step.step_key, "http://ui/runs/x")
    return step


def answer(store: Store, mail: MailSink, number: str, **given: object) -> waiting.AnswerOutcome:
    step = ask(store, number)
    given.setdefault("acting_as", step.person_email)
    given.setdefault("action_code", code_mailed(mail, step.person_email))
    return waiting.answer(store, number, step.pause_key, dict(given))


def state(store: Store, number: str) -> str:
    with store.reading() as s:
        return get_case(s, number).state
