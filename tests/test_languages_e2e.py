"""Language access end to end on the local stack (issue 13): a U request for a Portuguese-
and one for a Vietnamese-speaking victim, submitted through the portal's JSON API (which
starts the certification run), go side by side through the DA consultation, the
certifier's review and the Chief's signature on one running stack (a real Prefect server,
the served deployment in a runner subprocess, a real SMTP sink on loopback). The delivered
packet, read back with pypdf, carries the English cover letter and then its copy in the
victim's language; the delivery email says so in its Content-Language header.

The phrases looked for are read from the committed catalogs (casework/locale/*/casework.po)
with Babel, not through the code under test, and not typed here."""

from __future__ import annotations

import io
import json
import unicodedata
from functools import cache
from typing import Any

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from pypdf import PdfReader

from casework.bootstrap import workflow_runs
from casework.i18n.catalogs import po_path
from casework.portal.app import create_app
from tests.conftest import example_request
from tests.test_portal_support import example_pdfs, make_config
from tests.workflow_stack import (
    TODAY,
    Stack,
    approval,
    assignee,
    body,
    case_info,
    certify_answer,
    code_for,
    da_answer,
    mails_to,
    resume,
    run_inputs,
    run_state,
    wait_for,
    wait_state,
    wait_waiting,
)

pytestmark = pytest.mark.prefect
REQUESTER = "rdelgado@pvvac.example.org"

#: The cover letter's filing paragraph, and the heading above a translated copy (msgids).
COVER = (
    "Please file the original signed form, not a photocopy. The certification confirms the "
    "victim's helpfulness in the detection, investigation or prosecution of the criminal "
    "activity; it does not grant any immigration status, which only U.S. Citizenship and "
    "Immigration Services decides."
)
COPY_HEADING = "Translation (%(language)s). The English version above governs."
EMAIL_HEADING = "Translation. The English version governs."

#: (what the portal's language list sends, the catalog, the Content-Language tag)
VICTIMS = {
    "LANG-E2E-PT": ("pt-BR", "pt_BR", "pt-BR"),
    "LANG-E2E-VI": ("vi", "vi", "vi"),
}


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@cache
def catalog(lang: str) -> dict[str, str]:
    """msgid -> msgstr of the committed .po file (fuzzy or empty entries left out)."""
    with po_path(lang).open("rb") as f:
        cat = read_po(f, locale=lang)
    return {
        str(m.id): str(m.string)
        for m in cat
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def translated(lang: str, msgid: str) -> str:
    """The longest fixed part of the catalog's translation (placeholders cut out)."""
    text = catalog(lang)[msgid]
    assert norm(text) != norm(msgid), f"{lang} has no translation of {msgid!r}"
    return norm(max(text.split("%(language)s"), key=len))


def portal_submit(client: TestClient, report: str, language: str) -> str:
    raw = example_request(
        incident={"police_report_numbers": [report]},
        victim={"preferred_language": language},
    )
    parts: list[tuple[str, tuple[str | None, Any, str]]] = [
        ("request", (None, json.dumps(raw), "application/json"))
    ]
    parts += [("files", (n, d, "application/pdf")) for n, d in example_pdfs().items()]
    resp = client.post("/api/requests", files=parts)
    assert resp.status_code == 201, resp.text
    out = resp.json()
    return str(out["case_number"])


def at(stack: Stack, numbers: list[str], state: str) -> None:
    for number in numbers:
        wait_waiting(stack, number, state, timeout=120)


def test_pt_and_vi_victims_get_their_copy_in_the_delivered_packet(stack: Stack) -> None:
    config = make_config(start_workflow=True, workflows=workflow_runs(), today=lambda: TODAY)
    with TestClient(create_app(stack.store, config), base_url="http://127.0.0.1:8080") as client:
        cases = {portal_submit(client, report, lang): report for report, (lang, _, _) in VICTIMS.items()}  # fmt: skip
    numbers = list(cases)
    assert all(case_info(stack, n)["run"] for n in numbers)  # the portal started the runs

    # both cases side by side through the three human steps
    at(stack, numbers, "da_consultation")
    who = {n: assignee(stack, n) for n in numbers}
    for n in numbers:
        resume(stack, n, da_answer(who[n], code_for(stack, who[n], n)))
    at(stack, numbers, "certifier_review")
    for n in numbers:
        resume(stack, n, certify_answer(who[n], code_for(stack, who[n], n)))
    at(stack, numbers, "awaiting_signature")
    for n in numbers:
        resume(stack, n, approval(stack, n))
    for n in numbers:
        wait_state(stack, n, "delivered", timeout=180)

    for number, report in cases.items():
        _, code, tag = VICTIMS[report]
        packet_name = f"{number}-supplement-b-packet.pdf"
        (delivery,) = [
            m
            for m in mails_to(stack, REQUESTER, number)
            if any(p.get_filename() == packet_name for p in m.iter_attachments())
        ]
        assert delivery["Content-Language"] == f"en, {tag}"
        text = norm(body(delivery))
        assert text.index("Dear Rosa Delgado,") < text.index(norm(catalog(code)[EMAIL_HEADING]))
        (packet,) = [p.get_content() for p in delivery.iter_attachments()]
        pages = [norm(p.extract_text()) for p in PdfReader(io.BytesIO(packet)).pages]
        english = next(i for i, p in enumerate(pages) if norm(COVER) in p)
        copy = next((i for i, p in enumerate(pages) if translated(code, COVER) in p), None)
        assert copy is not None, f"{code}: no translated cover letter in {packet_name}"
        assert english < copy and number in pages[copy]
        assert translated(code, COPY_HEADING) in pages[copy]
        assert norm(COVER) not in pages[copy]  # the copy is not English

    for n in numbers:
        wait_for(lambda n=n: run_state(n, stack).state.is_completed(), 90, "the run's end")
        assert run_inputs(stack, n) == {}
