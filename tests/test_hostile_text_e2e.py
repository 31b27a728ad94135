"""Hostile text end to end on the local stack: a request whose fields and file name carry
markdown links, bold, raw HTML, reportlab markup and header lines, answered with hostile
acting_as, consulted_name, findings, notes and the Chief's comments. Every form the run shows
in Prefect (the dialog's description and every field's description, read back from Prefect's
API), every artifact of the run, every email of the case and the denial letter show it as
text; once the run ends, nothing of the run in Prefect's database holds any of it."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from pypdf import PdfReader
from sqlalchemy import create_engine, inspect, text

from casework.intake.service import submit
from tests.conftest import EXAMPLES
from tests.test_hostile_text import (
    HEADER,
    HOSTILE,
    MULTI,
    check_emails,
    hostile_request,
    inert,
    squash,
)
from tests.workflow_stack import (
    TODAY,
    Stack,
    assignee,
    body,
    case_info,
    certify_answer,
    chief_answer,
    code_for,
    da_answer,
    mails_to,
    refused,
    resume,
    run_inputs,
    run_state,
    wait_for,
    wait_state,
    wait_waiting,
)

pytestmark = pytest.mark.prefect


def form_texts(stack: Stack, number: str) -> list[str]:
    """The markdown the waiting form shows, as stored in Prefect: the dialog's description
    and the description of every field."""
    key = run_state(number, stack).state.state_details.pause_key
    inputs = run_inputs(stack, number)
    schema = inputs[f"suspended-{key}-schema"]
    fields = [f.get("description", "") for f in schema["properties"].values()]
    for sub in schema.get("definitions", schema.get("$defs", {})).values():
        fields += [f.get("description", "") for f in sub.get("properties", {}).values()]
    return [inputs[f"suspended-{key}-description"], *fields]


def run_rows(stack: Stack, run_id: str) -> str:
    """Every row of Prefect's database that names the run (logs, artifacts, states, events,
    task runs, inputs), as text."""
    engine = create_engine(stack.prefect_db)
    try:
        with engine.connect() as conn:
            rows = [
                str(tuple(row))
                for name in inspect(conn).get_table_names()
                for row in conn.execute(text(f'SELECT * FROM "{name}"'))
            ]
    finally:
        engine.dispose()
    return "\n".join(r for r in rows if run_id in r)


def test_hostile_text_stays_text_through_prefect(stack: Stack, tmp_path: Path) -> None:
    from flows.launch import start_certification

    shutil.copy(EXAMPLES / "police-report-24-01187.pdf", tmp_path / "police-report.pdf")
    raw = hostile_request(tmp_path, "HOST-E2E-1")
    raw["attachments"].append("police-report.pdf")
    number = submit(stack.store, raw, base_dir=tmp_path, received=TODAY).case_number
    start_certification(stack.store, number)
    shown: list[str] = []

    wait_waiting(stack, number, "da_consultation")
    shown += form_texts(stack, number)
    who = assignee(stack, number)
    resume(stack, number, da_answer(f"**APPROVE NOW**<img src=x>@evil.example\n{HEADER}", "X"))
    assert "evil.example" in refused(stack, number, 0)
    wait_waiting(stack, number, "da_consultation")
    shown += form_texts(stack, number)  # the refusal, echoing what was typed
    code = code_for(stack, who, number)
    resume(stack, number, da_answer(who, code, consulted_name=HOSTILE, notes=MULTI))

    wait_waiting(stack, number, "certifier_review")
    shown += form_texts(stack, number)
    findings: dict[str, Any] = {
        "description": MULTI,
        "known_injuries": MULTI,
        "helpfulness_narrative": MULTI,
        "notes": MULTI,
        "family_members": [
            {"family_name": HOSTILE[:100], "given_name": "<script>x</script>", "middle_name": "",
             "relationship": "**uncle**", "involvement": MULTI}
        ],
    }  # fmt: skip
    resume(stack, number, certify_answer(who, code_for(stack, who, number), **findings))

    wait_waiting(stack, number, "awaiting_signature")
    shown += form_texts(stack, number)
    resume(stack, number, chief_answer(stack, number, decision="return", comments=MULTI))
    wait_waiting(stack, number, "certifier_review")
    shown += form_texts(stack, number)  # the Chief's comments
    resume(stack, number, certify_answer(who, code_for(stack, who, number), **findings))
    wait_waiting(stack, number, "awaiting_signature")
    shown += form_texts(stack, number)
    resume(
        stack,
        number,
        chief_answer(stack, number, decision="deny", denial_reason="other", comments=MULTI),
    )
    wait_state(stack, number, "denied")
    run_id = case_info(stack, number)["run"]
    wait_for(lambda: run_state(number, stack).state.is_completed(), 90, "the run's end")

    rendered = "".join(inert(m) for m in shown)
    for typed in ("[Approve here](http://evil.example/a)", "&lt;img src=x onerror=alert(1)&gt;",
                  "&lt;script&gt;alert(2)&lt;/script&gt;", "**APPROVE NOW**", "# Approved",
                  "[Approve here](http___evil.example_c)"):  # fmt: skip
        assert typed in rendered, typed  # shown in the forms, as text

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(run_id)]))
        )
    # the case's summary, documents and history; untyped ones are result records (a storage key)
    assert {"markdown", "table"} <= {a.type for a in artifacts}
    for artifact in artifacts:
        data = str(artifact.data)
        for marker in ("evil", "APPROVE", "<", "Approved", "Bcc"):
            assert marker not in data, (artifact.key, marker)
        if artifact.type == "markdown":
            inert(data)
    # nothing of the run in Prefect's database holds any of it now (the forms were deleted)
    rows = run_rows(stack, run_id)
    assert rows and "evil" not in rows and "APPROVE" not in rows
    assert run_inputs(stack, number) == {}

    check_emails([m for m in stack.sink.messages if number in str(m["Subject"])])
    (letter,) = [
        m
        for m in mails_to(stack, "rdelgado", number)
        if [p.get_filename() for p in m.iter_attachments()] == [f"{number}-denial.pdf"]
    ]
    assert HOSTILE in body(letter) and f"\n{HEADER}" in body(letter)
    (pdf,) = [p.get_content() for p in letter.iter_attachments()]
    printed = squash("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert squash(HOSTILE) in printed
