"""The certification workflow end to end: a real Prefect server, the served deployment in a
runner subprocess, a real SMTP server on loopback, SQLite for the case store."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from cryptography.fernet import Fernet

from casework.audit import verify_store
from casework.db import Store
from casework.intake.service import submit
from casework.mailsink import MailSink
from casework.migrate import upgrade
from casework.setup_data import load_demo
from casework.views import get_case, history
from tests.conftest import EXAMPLES, example_request
from casework.localstack import Process, start_prefect_server, start_runner, wait_for

pytestmark = pytest.mark.prefect
TODAY = dt.date.today()


@dataclass
class Stack:
    store: Store
    sink: MailSink
    env: dict[str, str]
    logs: Path
    runner: Process

    def restart_runner(self, **extra_env: str) -> None:
        self.runner.stop()
        self.runner = start_runner({**self.env, **extra_env}, self.logs)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL, temporary_settings

    base = tmp_path_factory.mktemp("stack")
    logs = base / "logs"
    logs.mkdir()
    sink = MailSink(port=0, folder=base / "mail").start()
    casework_env = {
        "CASEWORK_HOME": str(base / "casework"),
        "CASEWORK_KEY": Fernet.generate_key().decode(),
        "CASEWORK_SMTP_HOST": "127.0.0.1",
        "CASEWORK_SMTP_PORT": str(sink.port),
        "CASEWORK_PORTAL_URL": "http://127.0.0.1:8080",
    }
    saved = {k: os.environ.get(k) for k in casework_env}
    os.environ.update(casework_env)
    server, env = start_prefect_server(base / "prefect", logs)
    env.update(casework_env)
    env.pop("CASEWORK_DATABASE_URL", None)
    store = Store()
    upgrade(store)
    with store.unit_of_work() as s:
        load_demo(s)
    runner = start_runner(env, logs)
    try:
        with temporary_settings(
            updates={PREFECT_API_URL: env["PREFECT_API_URL"], PREFECT_UI_URL: env["PREFECT_UI_URL"]}
        ):
            the_stack = Stack(store, sink, env, logs, runner)
            yield the_stack
    finally:
        the_stack.runner.stop()
        server.stop()
        sink.stop()
        store.dispose()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# -- helpers ----------------------------------------------------------------------------------


def case_info(stack: Stack, number: str) -> dict[str, Any]:
    with stack.store.reading() as s:
        c = get_case(s, number)
        return {
            "state": c.state,
            "attempt": c.step_attempt,
            "refusal": c.last_refusal,
            "events": c.event_count,
            "run": c.flow_run_id,
        }


def run_state(number: str, stack: Stack) -> Any:
    from prefect.client.orchestration import get_client

    run_id = case_info(stack, number)["run"]
    if not run_id:
        return None
    with get_client(sync_client=True) as client:
        return client.read_flow_run(UUID(run_id))


def wait_waiting(stack: Stack, number: str, state: str, timeout: float = 90) -> Any:
    """Until the case is in ``state`` and its run is suspended on the step's current key."""

    def ready() -> Any:
        info = case_info(stack, number)
        run = run_state(number, stack)
        if info["state"] != state or run is None or not run.state.is_paused():
            return None
        key = run.state.state_details.pause_key or ""
        return run if key.endswith(f"-{info['attempt']}") else None

    return wait_for(ready, timeout, f"{number} waiting at {state}")


def wait_state(stack: Stack, number: str, state: str, timeout: float = 90) -> None:
    wait_for(
        lambda: case_info(stack, number)["state"] == state, timeout, f"{number} to reach {state}"
    )


def resume(stack: Stack, number: str, answer: dict[str, Any]) -> None:
    from prefect.flow_runs import resume_flow_run

    resume_flow_run(UUID(case_info(stack, number)["run"]), run_input=answer)


def mails_to(stack: Stack, address: str, number: str) -> list[EmailMessage]:
    return [m for m in stack.sink.messages if address in m["To"] and number in m["Subject"]]


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def code_for(stack: Stack, address: str, number: str) -> str:
    def latest() -> str | None:
        for m in reversed(mails_to(stack, address, number)):
            found = re.search(r"action code for this step: (\w{4}-\w{4})", body(m))
            if found:
                return found.group(1)
        return None

    return wait_for(latest, 30, f"an action code mailed to {address}")


def refused(stack: Stack, number: str, attempts_before: int, timeout: float = 60) -> str:
    wait_for(lambda: case_info(stack, number)["attempt"] > attempts_before, timeout, "the refusal")
    return str(case_info(stack, number)["refusal"])


def new_case(stack: Stack, report: str, **changes: Any) -> str:
    from flows.launch import start_certification

    raw = example_request(incident={"police_report_numbers": [report]}, **changes)
    number = submit(stack.store, raw, base_dir=EXAMPLES, received=TODAY).case_number
    start_certification(stack.store, number)
    return number


def assignee(stack: Stack, number: str) -> str:
    with stack.store.reading() as s:
        c = get_case(s, number)
        assert c.assigned_certifier is not None
        return c.assigned_certifier.email


CHIEF = "chief@npd.example.org"


def da_answer(who: str, code: str, **over: Any) -> dict[str, Any]:
    return {
        "acting_as": who,
        "action_code": code,
        "consulted_name": "ADA Thomas Greene",
        "consulted_on": TODAY.isoformat(),
        "position": "supports",
        "notes": "",
        **over,
    }


def certify_answer(who: str, code: str, **over: Any) -> dict[str, Any]:
    return {
        "acting_as": who,
        "action_code": code,
        "decision": "certify",
        "qualifying_activities": ["domestic_violence", "felonious_assault", "stalking"],
        "activity_dates": "2024-06-14, 2024-07-02",
        "statutory_citations": "M.G.L. c. 265 s. 13M\nM.G.L. c. 265 s. 15A",
        "description": "Assault with a knife at the apartment; later stalking at work.",
        "known_injuries": "Laceration to the left forearm.",
        "possesses_information": True,
        "has_been_helpful": True,
        "is_being_helpful": True,
        "likely_to_be_helpful": True,
        **over,
    }


def through_da(stack: Stack, number: str) -> str:
    wait_waiting(stack, number, "da_consultation")
    who = assignee(stack, number)
    resume(stack, number, da_answer(who, code_for(stack, who, number)))
    wait_waiting(stack, number, "certifier_review")
    return who


def actions(stack: Stack, number: str) -> list[str]:
    with stack.store.reading() as s:
        return [r["action"] for r in history(s, get_case(s, number))]


# -- tests ------------------------------------------------------------------------------------


def test_request_to_delivery_with_refused_answers(stack: Stack) -> None:
    number = new_case(stack, "24-01187-OF")
    run = wait_waiting(stack, number, "da_consultation")
    assert run.name == number and run.parameters == {"case_number": number}
    who = assignee(stack, number)
    assert f"waiting-for:{who}" in run.tags and "stage:da_consultation" in run.tags

    ack = mails_to(stack, "rdelgado@pvvac.example.org", number)
    assert len(ack) == 1 and "/status/" in body(ack[0])
    memo = mails_to(stack, "tgreene@da.example.org", number)
    assert len(memo) == 1 and [p.get_filename() for p in memo[0].iter_attachments()] == [
        f"{number}-da-consultation.pdf"
    ]
    code = code_for(stack, who, number)

    # wrong code, wrong person, a date that does not exist: each refused and asked again
    resume(stack, number, da_answer(who, "ZZZZ-ZZZZ"))
    assert "action code is wrong" in refused(stack, number, 0)
    wait_waiting(stack, number, "da_consultation")
    other = next(e for e in ("dreyes@npd.example.org", "kliu@npd.example.org") if e != who)
    resume(stack, number, da_answer(other, code))
    assert "waits for someone else" in refused(stack, number, 1)
    wait_waiting(stack, number, "da_consultation")
    resume(stack, number, da_answer(who, code, consulted_on="2026-02-30"))
    assert "consulted_on" in refused(stack, number, 2)
    run = wait_waiting(stack, number, "da_consultation")
    assert run.state.state_details.pause_key.endswith("-3")
    assert (
        case_info(stack, number)["events"] == 4
    )  # submit, assign, document, start_da: nothing recorded

    resume(stack, number, da_answer(who, code))
    wait_waiting(stack, number, "certifier_review")
    resume(
        stack,
        number,
        certify_answer(who, code_for(stack, who, number), activity_dates="2024-13-01"),
    )
    assert "activity_dates" in refused(stack, number, 3)
    wait_waiting(stack, number, "certifier_review")
    resume(stack, number, certify_answer(who, code_for(stack, who, number)))
    wait_waiting(stack, number, "awaiting_signature")
    resume(
        stack,
        number,
        {
            "acting_as": CHIEF,
            "action_code": code_for(stack, CHIEF, number),
            "decision": "approve",
            "signature_date": TODAY.isoformat(),
            "signer_title": "Chief of Police",
        },
    )
    wait_state(stack, number, "delivered", timeout=120)

    assert actions(stack, number) == [
        "submit",
        "assign",
        "record_document",
        "start_da_consultation",
        "record_da_consultation",
        "recommend_certification",
        "approve_signature",
        "record_document",
        "record_document",
        "record_document",
        "deliver",
    ]
    with stack.store.reading() as s:
        checked, breaks = verify_store(s, number)
        rows = history(s, get_case(s, number))
    assert checked == 1 and breaks == []
    packet_event = next(r for r in rows if r["payload"].get("kind") == "packet")
    delivery = mails_to(stack, "rdelgado@pvvac.example.org", number)[-1]
    (attachment,) = list(delivery.iter_attachments())
    assert hashlib.sha256(attachment.get_content()).hexdigest() == packet_event["document_sha256"]
    from pypdf import PdfReader
    import io

    packet = PdfReader(io.BytesIO(attachment.get_content()))
    assert packet.metadata is not None and packet.metadata.get("/CaseNumber") == number
    text = "".join(p.extract_text() for p in packet.pages)
    assert "DRAFT" not in text and number in text
    # one email of each kind: nothing sent twice across the replays
    to_requester = mails_to(stack, "rdelgado@pvvac.example.org", number)
    assert len(to_requester) == 2  # acknowledgment, certification
    assert len(mails_to(stack, CHIEF, number)) == 1
    # privacy: no victim identity in the runner's logs or the run's tags
    log = (stack.logs / "runner.log").read_text(errors="replace")
    for secret in ("Morales", "Lucia", "1991-03-08"):
        assert secret not in log
        assert not any(secret in t for t in run_state(number, stack).tags)


def test_denial_and_reopening(stack: Stack) -> None:
    number = new_case(stack, "DEN-0001")
    who = through_da(stack, number)
    resume(
        stack,
        number,
        {"acting_as": who, "action_code": code_for(stack, who, number), "decision": "deny"},
    )
    assert "denial_reason" in refused(stack, number, 0)
    wait_waiting(stack, number, "certifier_review")
    resume(
        stack,
        number,
        {
            "acting_as": who,
            "action_code": code_for(stack, who, number),
            "decision": "deny",
            "denial_reason": "no_helpfulness",
        },
    )
    wait_state(stack, number, "denied")
    wait_for(lambda: run_state(number, stack).state.is_completed(), 60, "the run to finish")
    letter = mails_to(stack, "rdelgado@pvvac.example.org", number)[-1]
    assert [p.get_filename() for p in letter.iter_attachments()] == [f"{number}-denial.pdf"]
    # reconsideration: the Chief reopens; a new run asks the certifier again
    from casework.cli import main

    assert main(["reopen", number, "--reason", "new evidence from the DA", "--as", CHIEF]) == 0
    wait_waiting(stack, number, "certifier_review")
    assert actions(stack, number)[-3:] == ["deny", "record_document", "reopen"]


def test_information_loop_return_loop_and_revocation(stack: Stack, tmp_path: Path) -> None:
    from casework.cli import main

    number = new_case(stack, "LOOP-0001")
    who = through_da(stack, number)
    resume(
        stack,
        number,
        {
            "acting_as": who,
            "action_code": code_for(stack, who, number),
            "decision": "request_more_info",
            "missing_information": "A copy of the 209A protective order.",
        },
    )
    wait_waiting(stack, number, "needs_information")
    ask = wait_for(
        lambda: [m for m in mails_to(stack, "rdelgado", number) if "209A" in body(m)],
        30,
        "the request",
    )
    assert len(ask) == 1
    supplement = tmp_path / "supplement.json"
    supplement.write_text('{"text": "The order is attached.", "attachments": ["order.pdf"]}')
    (tmp_path / "order.pdf").write_bytes((EXAMPLES / "victim-statement.pdf").read_bytes())
    assert main(["supplement", number, str(supplement)]) == 0
    wait_waiting(stack, number, "certifier_review")
    resume(stack, number, certify_answer(who, code_for(stack, who, number)))
    wait_waiting(stack, number, "awaiting_signature")
    resume(
        stack,
        number,
        {"acting_as": CHIEF, "action_code": code_for(stack, CHIEF, number), "decision": "return"},
    )
    assert "comments" in refused(
        stack, number, case_info(stack, number)["attempt"] - 0 if False else 0
    )
    wait_waiting(stack, number, "awaiting_signature")
    resume(
        stack,
        number,
        {
            "acting_as": CHIEF,
            "action_code": code_for(stack, CHIEF, number),
            "decision": "return",
            "comments": "Add the second citation.",
        },
    )
    wait_waiting(stack, number, "certifier_review")
    resume(stack, number, certify_answer(who, code_for(stack, who, number)))
    wait_waiting(stack, number, "awaiting_signature")
    resume(
        stack,
        number,
        {
            "acting_as": CHIEF,
            "action_code": code_for(stack, CHIEF, number),
            "decision": "approve",
            "signature_date": TODAY.isoformat(),
        },
    )
    wait_state(stack, number, "delivered", timeout=120)
    assert (
        main(
            ["revoke", number, "--reason", "The victim refused further assistance.", "--as", CHIEF]
        )
        == 0
    )
    wait_for(
        lambda: [
            m
            for m in mails_to(stack, "rdelgado", number)
            if any(p.get_filename() == f"{number}-revocation.pdf" for p in m.iter_attachments())
        ],
        90,
        "the revocation notice",
    )
    acts = actions(stack, number)
    assert acts.count("request_information") == 1 and acts.count("supplement") == 1
    assert acts.count("return_to_certifier") == 1 and acts[-2:] == ["revoke", "record_document"]
    with stack.store.reading() as s:
        assert verify_store(s, number)[1] == []


def test_runner_killed_while_waiting_and_mid_step(stack: Stack) -> None:
    number = new_case(stack, "CRASH-0001")
    who = through_da(stack, number)
    # killed while the case waits: nothing runs, the suspension survives
    stack.runner.kill()
    stack.restart_runner(CASEWORK_FAULT_HOLD="deliver:600")
    resume(stack, number, certify_answer(who, code_for(stack, who, number)))
    wait_waiting(stack, number, "awaiting_signature")
    resume(
        stack,
        number,
        {
            "acting_as": CHIEF,
            "action_code": code_for(stack, CHIEF, number),
            "decision": "approve",
            "signature_date": TODAY.isoformat(),
        },
    )
    # killed mid-step: the packet is recorded, the delivery email not yet sent
    wait_for(
        lambda: (
            "record_document" in actions(stack, number)[-1:]
            and actions(stack, number).count("record_document") >= 4
        ),
        90,
        "the packet",
    )
    stack.runner.kill()
    stack.restart_runner()
    wait_state(stack, number, "delivered", timeout=120)
    acts = actions(stack, number)
    assert acts.count("record_document") == 4 and acts.count("deliver") == 1
    deliveries = [
        m
        for m in mails_to(stack, "rdelgado", number)
        if any("packet" in (p.get_filename() or "") for p in m.iter_attachments())
    ]
    assert len(deliveries) == 1
    with stack.store.reading() as s:
        assert verify_store(s, number)[1] == []
