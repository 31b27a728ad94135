"""The certification workflow end to end: a real Prefect server, the served deployment in a
runner subprocess, a real SMTP server on loopback, SQLite for the case store. A U and a T
case go through every human step with the answer shapes of examples/answers/."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from casework.audit import verify_store
from casework.views import get_case, history
from tests.conftest import t_request
from tests.workflow_stack import (
    CHIEF,
    CODE_LINE,
    DELIVERED_U_ACTIONS,
    EXAMPLES,
    TODAY,
    Stack,
    actions,
    approval,
    assignee,
    body,
    case_info,
    certify_answer,
    chief_answer,
    code_for,
    da_answer,
    mails_to,
    new_case,
    plain,
    prefect_tables,
    refused,
    resume,
    run_inputs,
    run_state,
    through_da,
    wait_for,
    wait_state,
    wait_waiting,
    waiting_form,
)

pytestmark = pytest.mark.prefect
REQUESTER = "rdelgado@pvvac.example.org"


def defaults(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v["default"] for k, v in schema["properties"].items() if "default" in v}


def codes_mailed(stack: Stack, number: str) -> list[str]:
    return [
        c for m in stack.sink.messages if number in m["Subject"] for c in CODE_LINE.findall(body(m))
    ]


def test_u_case_through_every_step(stack: Stack) -> None:
    number = new_case(stack, "24-01187-OF")
    run = wait_waiting(stack, number, "da_consultation")
    assert run.name == number and run.parameters == {"case_number": number}
    who = assignee(stack, number)
    assert f"waiting-for:{who}" in run.tags and "stage:da_consultation" in run.tags

    ack = mails_to(stack, REQUESTER, number)
    assert len(ack) == 1 and "/status/" in body(ack[0])
    memo = mails_to(stack, "tgreene@da.example.org", number)
    assert len(memo) == 1 and [p.get_filename() for p in memo[0].iter_attachments()] == [
        f"{number}-da-consultation.pdf"
    ]
    (asked,) = mails_to(stack, who, number)
    assert asked["Subject"].startswith(f"{number}: record the DA consultation (due ")
    assert f"/runs/flow-run/{case_info(stack, number)['run']}" in body(asked)
    code = code_for(stack, who, number)
    description, schema = waiting_form(stack, number)
    assert "position" not in defaults(schema) and "position" in schema["required"]

    # a wrong code: asked again, the reason first, everything typed kept but the code
    typed = da_answer(who, "ZZZZ-ZZZZ-ZZZZ", consulted_name="ADA Typed Name", position="objects")
    resume(stack, number, typed)
    assert "action code is wrong" in refused(stack, number, 0)
    wait_waiting(stack, number, "da_consultation")
    description, schema = waiting_form(stack, number)
    assert description.startswith("**Not accepted: the action code is wrong")
    kept = defaults(schema)
    assert kept["consulted_name"] == "ADA Typed Name" and kept["position"] == "objects"
    assert kept["acting_as"] == who and "action_code" not in kept
    assert len(run_inputs(stack, number)) == 2  # the answered form is gone from Prefect
    # wrong person, a date that does not exist: each refused and asked again
    other = next(e for e in ("dreyes@npd.example.org", "kliu@npd.example.org") if e != who)
    resume(stack, number, da_answer(other, code))
    assert "waits for someone else" in refused(stack, number, 1)
    wait_waiting(stack, number, "da_consultation")
    resume(stack, number, da_answer(who, code, consulted_on="2026-02-30"))
    assert "consulted_on" in refused(stack, number, 2)
    run = wait_waiting(stack, number, "da_consultation")
    assert run.state.state_details.pause_key.endswith("-3")
    assert case_info(stack, number)["events"] == 4  # submit, assign, document, start_da
    resume(stack, number, da_answer(who, code))

    # the review starts from the request
    wait_waiting(stack, number, "certifier_review")
    description, schema = waiting_form(stack, number)
    start = defaults(schema)
    assert start["activity_dates"] == "2024-06-14, 2024-07-02"
    assert start["helpfulness_narrative"].startswith("She called 911")
    assert start["family_members"] == [] and "decision" not in start
    resume(
        stack,
        number,
        certify_answer(who, code_for(stack, who, number), activity_dates="2024-13-01"),
    )
    assert "activity_dates" in refused(stack, number, 3)
    wait_waiting(stack, number, "certifier_review")
    resume(stack, number, certify_answer(who, code_for(stack, who, number)))

    # the Chief's form shows the certifier's findings; the email carries the DRAFT form
    wait_waiting(stack, number, "awaiting_signature")
    description, schema = waiting_form(stack, number)
    for shown in (
        "Assault with a knife at the apartment",
        "She called 911",
        "Laceration",
        "supports certification",
    ):
        assert shown in description, shown
    (to_chief,) = mails_to(stack, CHIEF, number)
    (draft,) = list(to_chief.iter_attachments())
    assert draft.get_filename() == f"{number}-supplement-b-DRAFT.pdf"
    assert "DRAFT" in "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(draft.get_content())).pages
    )
    resume(stack, number, approval(stack, number))
    wait_state(stack, number, "delivered", timeout=120)

    assert actions(stack, number) == DELIVERED_U_ACTIONS
    with stack.store.reading() as s:
        checked, breaks = verify_store(s, number)
        rows = history(s, get_case(s, number))
    assert checked == 1 and breaks == []
    packet_event = next(r for r in rows if r["payload"].get("kind") == "packet")
    delivery = mails_to(stack, REQUESTER, number)[-1]
    (attachment,) = list(delivery.iter_attachments())
    assert hashlib.sha256(attachment.get_content()).hexdigest() == packet_event["document_sha256"]
    packet = PdfReader(io.BytesIO(attachment.get_content()))
    assert packet.metadata is not None and packet.metadata.get("/CaseNumber") == number
    text = "".join(p.extract_text() for p in packet.pages)
    assert "DRAFT" not in text and number in text
    # one email of each kind: nothing sent twice across the replays
    assert len(mails_to(stack, REQUESTER, number)) == 2  # acknowledgment, certification
    assert len(mails_to(stack, CHIEF, number)) == 1
    # privacy: nothing left in Prefect of the forms, answers or codes; no identity in logs
    wait_for(lambda: run_state(number, stack).state.is_completed(), 60, "the run to finish")
    assert run_inputs(stack, number) == {}
    tables = prefect_tables(stack)
    codes = codes_mailed(stack, number)
    assert len(codes) == 3 and not [c for c in codes if c in tables or c.replace("-", "") in tables]
    log = (stack.logs / "runner.log").read_text(errors="replace")
    for secret in (
        "Morales",
        "Lucia",
        "1991-03-08",
        "kitchen knife",
        "Laceration",
        "She called 911",
    ):
        assert secret not in log and secret not in tables, secret
        assert not any(secret in t for t in run_state(number, stack).tags)


def test_t_case_through_every_step(stack: Stack) -> None:
    number = new_case(stack, "25-00311-OF", raw=t_request())
    who = through_da(stack, number)
    family = [
        {"family_name": "Phạm", "given_name": "Văn Hùng", "middle_name": "",
         "relationship": "uncle", "involvement": "Arranged her travel and collected payments."}
    ]  # fmt: skip
    answer = certify_answer(
        who,
        "AAAA-BBBB-CCCC",
        qualifying_activities=["labor_trafficking"],
        activity_dates="2025-05-12",
        statutory_citations="M.G.L. c. 265 s. 51",
        description="Forced to work without pay at a restaurant; her passport was held.",
        family_members=family,
    )
    resume(stack, number, answer)  # a wrong code: refused, the typed family kept
    assert "action code is wrong" in refused(stack, number, 0)
    wait_waiting(stack, number, "certifier_review")
    description, schema = waiting_form(stack, number)
    assert description.startswith("**Not accepted:")
    assert defaults(schema)["family_members"] == family
    resume(stack, number, {**answer, "action_code": code_for(stack, who, number)})
    wait_waiting(stack, number, "awaiting_signature")
    description, _ = waiting_form(stack, number)
    for shown in (
        "Phạm",
        "Văn Hùng",
        "uncle",
        "passport was held",
        "Labor trafficking",
        "She called 911",
    ):
        assert shown in description, shown
    # approving without having read the draft is refused, with that reason
    resume(
        stack,
        number,
        chief_answer(stack, number, decision="approve", signature_date=TODAY.isoformat()),
    )
    assert "reviewed_draft" in refused(stack, number, 1)
    wait_waiting(stack, number, "awaiting_signature")
    resume(stack, number, approval(stack, number))
    wait_state(stack, number, "delivered", timeout=120)
    delivery = mails_to(stack, "rdelgado", number)[-1]
    (packet,) = list(delivery.iter_attachments())
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(packet.get_content())).pages)
    assert "I-914" in text and "Phạm" in text
    wait_for(lambda: run_state(number, stack).state.is_completed(), 60, "the run to finish")
    assert run_inputs(stack, number) == {}


def test_denial_and_reopening(stack: Stack) -> None:
    number = new_case(stack, "DEN-0001")
    who = through_da(stack, number)
    deny = {"acting_as": who, "action_code": code_for(stack, who, number), "decision": "deny"}
    resume(stack, number, deny)
    assert "denial_reason" in refused(stack, number, 0)
    wait_waiting(stack, number, "certifier_review")
    resume(stack, number, {**deny, "denial_reason": "no_helpfulness"})
    wait_state(stack, number, "denied")
    wait_for(lambda: run_state(number, stack).state.is_completed(), 60, "the run to finish")
    letter = mails_to(stack, REQUESTER, number)[-1]
    assert [p.get_filename() for p in letter.iter_attachments()] == [f"{number}-denial.pdf"]
    # reconsideration: the Chief reopens; a new run asks the certifier again
    from casework.bootstrap import main

    assert main(["reopen", number, "--reason", "new evidence from the DA", "--as", CHIEF]) == 0
    wait_waiting(stack, number, "certifier_review")
    assert actions(stack, number)[-3:] == ["deny", "record_document", "reopen"]


def test_information_loop_return_loop_and_revocation(stack: Stack, tmp_path: Path) -> None:
    from casework.bootstrap import main

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
    resume(stack, number, chief_answer(stack, number, decision="return"))
    assert "comments" in refused(stack, number, 0)
    wait_waiting(stack, number, "awaiting_signature")
    resume(
        stack,
        number,
        chief_answer(stack, number, decision="return", comments="Add the second citation."),
    )
    wait_waiting(stack, number, "certifier_review")
    description, schema = waiting_form(stack, number)
    assert "Add the second citation." in plain(description)  # the Chief's comments
    assert defaults(schema)["description"].startswith("Assault with a knife")  # last findings
    resume(stack, number, certify_answer(who, code_for(stack, who, number)))
    wait_waiting(stack, number, "awaiting_signature")
    resume(stack, number, approval(stack, number))
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


class _Unauthorized(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"exception_message": "Unauthorized"}')

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def unauthorized_api() -> Iterator[str]:
    """A real HTTP server on loopback that answers 401, as a Prefect server with basic auth
    answers a client without credentials."""
    server = HTTPServer(("127.0.0.1", 0), _Unauthorized)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.shutdown()


def test_cli_resume_applies_the_same_checks(
    stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    unauthorized_api: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from casework.bootstrap import main

    number = new_case(stack, "CLI-0001")
    wait_waiting(stack, number, "da_consultation")
    who = assignee(stack, number)
    example = Path(__file__).resolve().parents[1] / "examples/answers/da-consultation.json"
    answer = tmp_path / "answer.json"
    # a file that is not JSON, an answer missing its choice: one line each, nothing sent
    answer.write_text('{"acting_as": ')
    assert main(["resume", number, "--input", str(answer)]) == 1
    err = capsys.readouterr().err
    assert "not valid JSON" in err and len(err.strip().splitlines()) == 1
    answer.write_text(json.dumps({k: v for k, v in da_answer(who, "X").items() if k != "position"}))
    assert main(["resume", number, "--input", str(answer)]) == 1
    assert capsys.readouterr().err.strip() == "refused: position: required"
    # a Prefect API that wants credentials: one line, no traceback
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: unauthorized_api}):
        assert main(["resume", number, "--input", str(example), "--as", who, "--code", "A"]) == 1
    err = capsys.readouterr().err
    assert "HTTP 401" in err and "PREFECT_API_AUTH_STRING" in err and "Traceback" not in err
    # a wrong code, refused by the flow with the reason
    assert (
        main(
            [
                "resume",
                number,
                "--input",
                str(example),
                "--as",
                who,
                "--code",
                "AAAA-BBBB-CCCC",
                "--wait",
                "60",
            ]
        )
        == 1
    )
    assert "action code is wrong" in capsys.readouterr().err
    wait_waiting(stack, number, "da_consultation")
    # the example file as it stands ("consulted_on": "today"), with the email and the code
    code = code_for(stack, who, number)
    assert (
        main(
            ["resume", number, "--input", str(example), "--as", who, "--code", code, "--wait", "60"]
        )
        == 0
    )
    assert f"{number}: certifier_review" in capsys.readouterr().out
    assert actions(stack, number).count("record_da_consultation") == 1
    with stack.store.reading() as s:
        rows = history(s, get_case(s, number))
    assert rows[-1]["payload"]["on"] == TODAY.isoformat()
    # the requester withdraws while the review waits: the waiting run is cancelled
    wait_waiting(stack, number, "certifier_review")
    assert main(["withdraw", number]) == 0
    wait_for(
        lambda: run_state(number, stack).state.type.value == "CANCELLED",
        30,
        "the run to be cancelled",
    )
    assert case_info(stack, number)["state"] == "withdrawn"
    assert run_inputs(stack, number) == {}  # the cancelled form's text went with it
