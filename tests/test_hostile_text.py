"""Hostile markdown and HTML typed by a requester or a person, through every field into every
place it is shown, without Prefect (the flow shows exactly these): the Prefect form of each
step (its dialog summary and the case file in its first field's description), the artifacts'
data, every email (one-line subjects, no header a value could add), and every PDF (letters,
the DA memo, the facsimile form, the packet's index: reportlab's Paragraph reads XML-like
markup, so the text must come out as typed, tags and all). The portal is covered by
tests/test_portal_security.py; the end-to-end version is in tests/test_hostile_text_e2e.py."""

from __future__ import annotations

import io
import shutil
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from pypdf import PdfReader

from casework import steps, workflow
from casework.blobs import BlobStore
from casework.db import Store
from casework.documents import document_since
from casework.intake.service import submit
from casework.mailsink import MailSink
from casework.steps import waiting
from casework.transitions import Actor
from casework.views import get_case
from flows.inputs import prefect_form
from tests.conftest import EXAMPLES, example_request
from tests.humansteps import APPROVE, CERTIFY, CHIEF, DA, TODAY, answer, ask, state, text

LINK = "[Approve here](http://evil.example/a)"
BOLD = "**APPROVE NOW**"
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"
MARKUP = '<b>bold</b> <font color="red">red</font> <a href="http://evil.example/p">p</a>'
HOSTILE = f"{LINK} {BOLD} {IMG} {SCRIPT} {MARKUP}"  # one line, under 200 characters
HEADER = "Bcc: x@evil.example"
MULTI = f"{HOSTILE}\n{HEADER}\n# Approved\n> quoted | cell |"
FILE_NAME = "[Approve here](http___evil.example_c) <img src=x onerror=alert(3)>.pdf"
RENDER = MarkdownIt("commonmark").enable("table")


def inert(markdown: str) -> str:
    """The markdown rendered as the Prefect UI would; nothing in it may open or act."""
    html = RENDER.render(markdown)
    for opened in ("<a ", "<img", "<script", "<h1", "<blockquote", "<font", "<b>", "<em>"):
        assert opened not in html, (opened, html)
    assert "<strong>APPROVE NOW</strong>" not in html
    return html


def squash(value: str) -> str:
    return "".join(value.split())


def pdf_text(data: bytes) -> str:
    return squash("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def documents(store: Store, number: str, kind: str) -> bytes:
    with store.reading() as s:
        doc = document_since(s, get_case(s, number), kind, 0)
        assert doc is not None, kind
        return BlobStore(store.settings.documents_dir).get(doc.sha256)


def hostile_request(tmp_path: Path, report: str) -> dict[str, Any]:
    shutil.copy(EXAMPLES / "victim-statement.pdf", tmp_path / FILE_NAME)
    return example_request(
        requester={"name": HOSTILE[:190], "organization": IMG},
        incident={
            "police_report_numbers": [report],
            "location": HOSTILE,
            "statutory_citations": [LINK, BOLD, IMG],
            "description": MULTI,
            "known_injuries": MULTI,
        },
        helpfulness={"summary": MULTI},
        family_members_implicated=[
            {"family_name": LINK, "given_name": IMG, "relationship": BOLD, "involvement": MULTI}
        ],
        attachments=[FILE_NAME],
    )


def shown(step: waiting.Waiting) -> list[str]:
    """Each markdown text the Prefect form shows: the dialog's summary and every field's
    description (the first carries the case file), as the flow builds the form."""
    form = prefect_form(step.answer_model, step.summary, step.description, step.values)
    schema = form.model_json_schema()
    descriptions = [f.get("description", "") for f in schema["properties"].values()]
    assert step.description in descriptions[0]
    return [form._description, *descriptions]


def test_hostile_text_is_inert_in_forms_artifacts_emails_and_pdfs(
    sqlite_store: Store, mail: MailSink, tmp_path: Path
) -> None:
    store = sqlite_store
    number = submit(
        store, hostile_request(tmp_path, "HOST-2"), base_dir=tmp_path, received=TODAY
    ).case_number
    workflow.intake(store, number)
    memo = pdf_text(documents(store, number, "da_memo"))
    assert squash(HOSTILE) in memo  # the location and the summary, as typed, tags and all
    (ack,) = [m for m in mail.messages if "rdelgado" in str(m["To"])]
    (letter,) = [p.get_content() for p in ack.iter_attachments()]
    assert squash(HOSTILE[:190]) in pdf_text(letter) and squash(IMG) in pdf_text(letter)
    assert HOSTILE[:190] in text(ack)  # "Dear ...", as typed, in the plain-text body

    forms: list[str] = []
    da = ask(store, number)
    forms += shown(da)
    hostile_who = f"{BOLD}<img src=x>@evil.example\n{HEADER}"
    out = waiting.answer(
        store, number, da.pause_key, {**DA, "acting_as": hostile_who, "action_code": "X"}
    )
    assert not out.accepted and "evil.example" in out.message
    forms += shown(ask(store, number))  # the refusal echoes what was typed: escaped
    assert answer(store, mail, number, **{**DA, "consulted_name": HOSTILE, "notes": MULTI}).accepted

    review = ask(store, number)
    forms += shown(review)
    assert review.values["description"] == MULTI  # a starting value is a value, not markdown
    certify = {**review.values, **CERTIFY, "description": MULTI, "notes": MULTI,
               "known_injuries": MULTI, "helpfulness_narrative": MULTI,
               "family_members": review.values["family_members"]}  # fmt: skip
    out = answer(store, mail, number, **{**certify, "activity_dates": "<b>2024</b>"})
    assert not out.accepted and "<b>2024</b>" in out.message  # echoed in the refusal
    forms += shown(ask(store, number))
    assert answer(store, mail, number, **certify).accepted

    chief = ask(store, number)
    forms += shown(chief)
    assert "evil.example/a" in inert(chief.description)  # the findings, family table too
    assert answer(store, mail, number, decision="return", comments=MULTI).accepted
    again = ask(store, number)
    forms += shown(again)
    assert "# Approved" in inert(again.description)  # the Chief's comments, as text
    assert answer(store, mail, number, **certify).accepted
    forms += shown(ask(store, number))
    assert answer(store, mail, number, **APPROVE).accepted
    assert workflow.deliver_certification(store, number) == "delivered"

    for markdown in forms:
        inert(markdown)
    rendered = "".join(inert(m) for m in forms)
    for typed in ("[Approve here](http://evil.example/a)", "&lt;img src=x onerror=alert(1)&gt;",
                  "&lt;script&gt;alert(2)&lt;/script&gt;", "**APPROVE NOW**",
                  "[Approve here](http___evil.example_c)"):  # fmt: skip
        assert typed in rendered, typed  # shown, as text

    # the artifacts the flow publishes carry no typed text
    rows = [workflow.case_snapshot(store, number), *workflow.history_table(store, number),
            *workflow.documents_table(store, number)]  # fmt: skip
    cells = " ".join(str(v) for row in rows for v in row.values())
    for marker in ("evil", "APPROVE", "<", "[", "*", "Approved"):
        assert marker not in cells, marker

    # the delivered packet: the facsimile's Parts 3 and 5 and the index print the text as typed
    packet = pdf_text(documents(store, number, "packet"))
    assert squash(HOSTILE) in packet and squash(FILE_NAME) in packet
    assert squash(MARKUP) in pdf_text(documents(store, number, "supplement_b"))

    check_emails(mail.messages)


def test_hostile_reasons_in_letters_and_emails(
    sqlite_store: Store, mail: MailSink, tmp_path: Path
) -> None:
    store = sqlite_store
    number = submit(
        store, hostile_request(tmp_path, "HOST-3"), base_dir=tmp_path, received=TODAY
    ).case_number
    workflow.intake(store, number)
    assert answer(store, mail, number, **DA).accepted
    review = ask(store, number)
    ask_more = {"decision": "request_more_info", "missing_information": MULTI}
    assert answer(store, mail, number, **ask_more).accepted
    assert workflow.send_letter(store, number, "request_information")
    assert squash(HOSTILE) in pdf_text(documents(store, number, "request_information"))
    with store.unit_of_work() as s:  # the requester answers (what casework supplement does)
        case = get_case(s, number)
        actor = Actor.requester(case.requester.email)
        blobs = BlobStore(store.settings.attachments_dir)
        steps.supplement(s, case, actor, case.version, text="Here.", attachments=[], blobs=blobs)
    review = ask(store, number)
    certify = {**review.values, **CERTIFY, "family_members": []}
    assert answer(store, mail, number, **certify).accepted
    deny = {"decision": "deny", "denial_reason": "other", "comments": MULTI}
    assert answer(store, mail, number, **deny).accepted
    assert state(store, number) == "denied"
    assert workflow.send_letter(store, number, "denial")
    assert squash(HOSTILE) in pdf_text(documents(store, number, "denial_letter"))
    letters = [m for m in mail.messages if "rdelgado" in str(m["To"]) and number in m["Subject"]]
    bodies = [text(m) for m in letters]
    # the request and the denial carry the typed text as typed, its "Bcc:" line in the body
    assert sum(HOSTILE in b and f"\n{HEADER}" in b for b in bodies) == 2
    check_emails(mail.messages)


def check_emails(messages: list[EmailMessage]) -> None:
    """One-line subjects without typed text; no header a typed value could have added; every
    recipient one the case or the roster gave."""
    assert messages
    for m in messages:
        assert "\n" not in str(m["Subject"]) and "evil" not in str(m["Subject"])
        assert m.get_all("Bcc") is None and m.get_all("Cc") in (None, [CHIEF])
        for header in ("To", "Cc", "Reply-To"):
            assert "evil" not in str(m.get(header, "")), (header, m[header])
        names = [p.get_filename() for p in m.iter_attachments()]
        assert all(n and "evil" not in n and "<" not in n for n in names), names
