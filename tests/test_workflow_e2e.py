"""The certification workflow end to end: a real Prefect server, the served deployment in a
runner subprocess, a real SMTP server on loopback, SQLite for the case store."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from casework.audit import verify_store
from casework.views import get_case, history
from tests.workflow_stack import (
    CHIEF,
    EXAMPLES,
    TODAY,
    Stack,
    actions,
    assignee,
    body,
    case_info,
    certify_answer,
    chief_answer,
    code_for,
    da_answer,
    mails_to,
    new_case,
    refused,
    resume,
    run_state,
    running_stack,
    through_da,
    wait_for,
    wait_state,
    wait_waiting,
)

pytestmark = pytest.mark.prefect


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from running_stack(tmp_path_factory)


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
        chief_answer(
            stack,
            number,
            decision="approve",
            signature_date=TODAY.isoformat(),
            signer_title="Chief of Police",
        ),
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
        chief_answer(stack, number, decision="return"),
    )
    assert "comments" in refused(
        stack, number, case_info(stack, number)["attempt"] - 0 if False else 0
    )
    wait_waiting(stack, number, "awaiting_signature")
    resume(
        stack,
        number,
        chief_answer(stack, number, decision="return", comments="Add the second citation."),
    )
    wait_waiting(stack, number, "certifier_review")
    resume(stack, number, certify_answer(who, code_for(stack, who, number)))
    wait_waiting(stack, number, "awaiting_signature")
    resume(
        stack,
        number,
        chief_answer(stack, number, decision="approve", signature_date=TODAY.isoformat()),
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
        chief_answer(stack, number, decision="approve", signature_date=TODAY.isoformat()),
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


def test_cli_resume_applies_the_same_checks(
    stack: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from casework.cli import main

    number = new_case(stack, "CLI-0001")
    wait_waiting(stack, number, "da_consultation")
    who = assignee(stack, number)
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(da_answer(who, "AAAA-BBBB")))
    assert main(["resume", number, "--input", str(answer), "--wait", "60"]) == 1
    assert "action code is wrong" in capsys.readouterr().err
    wait_waiting(stack, number, "da_consultation")
    answer.write_text(json.dumps(da_answer(who, code_for(stack, who, number))))
    assert main(["resume", number, "--input", str(answer), "--wait", "60"]) == 0
    assert f"{number}: certifier_review" in capsys.readouterr().out
    assert actions(stack, number).count("record_da_consultation") == 1
    # the requester withdraws while the review waits: the waiting run is cancelled
    wait_waiting(stack, number, "certifier_review")
    assert main(["withdraw", number]) == 0
    wait_for(
        lambda: run_state(number, stack).state.type.value == "CANCELLED",
        30,
        "the run to be cancelled",
    )
    assert case_info(stack, number)["state"] == "withdrawn"
