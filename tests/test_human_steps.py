"""Human steps in the domain (no Prefect): what each form starts from and shows, refusals that
ask again with the reason first and the typed values kept, the Chief's whole file and draft,
hostile text shown as text, and the README's tables generated from the code."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

from markdown_it import MarkdownIt
from pypdf import PdfReader
from sqlalchemy import select

from casework import workflow
from casework.crypto import keyring
from casework.db import Store
from casework.escape import md, md_cell, one_line
from casework.mailsink import MailSink
from casework.models import FamilyMember, SignatureApproval
from casework.states import table_markdown
from casework.steps import waiting
from casework.steps.registry import steps_markdown
from casework.views import get_case
from tests.conftest import EXAMPLES, example_request
from tests.humansteps import (
    APPROVE,
    CERTIFY,
    CHIEF,
    DA,
    TODAY,
    answer,
    ask,
    code_mailed,
    new_case,
    state,
    text,
)

README = Path(__file__).resolve().parents[1] / "README.md"
RENDER = MarkdownIt("commonmark").enable("table")


def html(markdown: str) -> str:
    return RENDER.render(markdown)


def to_review(store: Store, mail: MailSink, number: str) -> None:
    workflow.intake(store, number)
    assert answer(store, mail, number, **DA).accepted


def test_a_refused_answer_asks_again_with_the_reason_first_and_the_typed_values(
    sqlite_store: Store, mail: MailSink
) -> None:
    store = sqlite_store
    number = new_case(store)
    workflow.intake(store, number)
    first = ask(store, number)
    assert "position" not in first.values  # nothing chosen
    typed = {
        "acting_as": first.person_email,
        "action_code": "WRNG-CODE-2345",
        "consulted_name": "ADA Maria Typed",
        "consulted_on": TODAY.isoformat(),
        "position": "objects",
        "notes": "Typed notes, kept.",
    }
    out = waiting.answer(store, number, first.pause_key, typed)
    assert not out.accepted and "action code is wrong" in out.message
    again = waiting.waiting_step(store, number)
    assert again is not None and again.pause_key != first.pause_key
    assert again.description.splitlines()[0] == f"**Not accepted: {md(out.message)}**"
    assert again.values == {**{k: v for k, v in typed.items() if k != "action_code"}}
    # a date the form cannot show: the reason names it, the field keeps its starting value
    out = waiting.answer(
        store,
        number,
        again.pause_key,
        {
            **typed,
            "action_code": code_mailed(mail, first.person_email),
            "consulted_on": "2026-02-30",
        },
    )
    assert "consulted_on" in out.message
    third = waiting.waiting_step(store, number)
    assert third is not None
    assert third.values["consulted_on"] == TODAY.isoformat()
    assert third.values["consulted_name"] == "ADA Maria Typed"
    assert "action_code" not in third.values
    # once accepted, the refusal and the typed values are gone
    assert answer(store, mail, number, **DA).accepted
    with store.reading() as s:
        case = get_case(s, number)
        assert case.last_refusal is None and case.refused_answer_enc is None


def test_no_decision_is_preselected_and_none_is_refused(
    sqlite_store: Store, mail: MailSink
) -> None:
    store = sqlite_store
    number = new_case(store)
    workflow.intake(store, number)
    for choice, fields in (("position", DA), ("decision", CERTIFY), ("decision", APPROVE)):
        step = ask(store, number)
        assert choice not in step.values
        assert choice in step.answer_model.model_json_schema()["required"]
        given = {k: v for k, v in fields.items() if k != choice}
        out = answer(store, mail, number, **given)
        assert not out.accepted and f"{choice}: required" in out.message
        assert answer(store, mail, number, **fields).accepted
    assert state(store, number) == "certified"


def test_review_starts_from_the_request(sqlite_store: Store, mail: MailSink) -> None:
    store = sqlite_store
    number = new_case(store)
    ring = keyring()
    with store.unit_of_work() as s:  # a structured name (today's intake) and a one-string one
        case = get_case(s, number)
        for data in (
            {"family_name": "Phạm", "given_name": "Văn Hùng", "middle_name": "",
             "relationship": "uncle", "involvement": "Arranged her travel."},
            {"full_name": "Jean-Pierre de la Cruz Mbeki", "relationship": "cousin",
             "involvement": "Kept her documents."},
        ):  # fmt: skip
            s.add(FamilyMember(case_id=case.id, data_enc=ring.encrypt_json(data)))
    to_review(store, mail, number)
    step = ask(store, number)
    raw = example_request()
    assert step.values["activity_dates"] == "2024-06-14, 2024-07-02"
    assert step.values["statutory_citations"] == "\n".join(raw["incident"]["statutory_citations"])
    assert step.values["qualifying_activities"] == raw["incident"]["qualifying_activities"]
    assert step.values["description"] == raw["incident"]["description"]
    assert step.values["known_injuries"] == raw["incident"]["known_injuries"]
    assert step.values["helpfulness_narrative"] == raw["helpfulness"]["summary"]
    assert step.values["family_members"] == [
        {"family_name": "Phạm", "given_name": "Văn Hùng", "middle_name": "",
         "relationship": "uncle", "involvement": "Arranged her travel."},
        {"family_name": "Jean-Pierre de la Cruz Mbeki", "given_name": "", "middle_name": "",
         "relationship": "cousin", "involvement": "Kept her documents."},
    ]  # fmt: skip
    assert "gave each name as one string" in step.description
    assert "decision" not in step.values and step.values.get("denial_reason", "none") == "none"
    # the prefilled form, answered as it stands, certifies (a decision and the code added)
    out = answer(store, mail, number, decision="certify", **step.values)
    assert out.accepted, out.message


def test_the_chief_decides_with_the_whole_file_and_the_draft(
    sqlite_store: Store, mail: MailSink
) -> None:
    store = sqlite_store
    number = new_case(store)
    to_review(store, mail, number)
    family = [
        {"family_name": "Okonkwo-Reyes", "given_name": "Tomás", "middle_name": "Ikenna",
         "relationship": "brother-in-law", "involvement": "Threatened her after the assault."}
    ]  # fmt: skip
    certify = {
        **CERTIFY,
        "known_injuries": "Fractured wrist.",
        "family_members": family,
        "notes": "Reviewed the 911 recording.",
    }
    assert answer(store, mail, number, **certify).accepted
    assert answer(
        store, mail, number, decision="return", comments="Add the 209A citation."
    ).accepted
    assert answer(store, mail, number, **certify).accepted
    chief_step = ask(store, number)
    text_shown = html(chief_step.description)
    for shown in (
        "Assault at the apartment.",  # the description
        "Fractured wrist.",
        CERTIFY["helpfulness_narrative"],
        "Okonkwo-Reyes",
        "Tomás",
        "Ikenna",
        "brother-in-law",
        "Threatened her after the assault.",
        "Reviewed the 911 recording.",
        "supports certification",  # the DA's position
        "Add the 209A citation.",  # the earlier return
        "Is being helpful",
    ):
        assert shown in text_shown, shown
    assert "Morales" not in chief_step.description and "1991-03-08" not in chief_step.description
    mails = [m for m in mail.messages if CHIEF in m["To"]]
    assert len(mails) == 2  # one per signature step
    due = get_due(store, number)
    assert mails[-1]["Subject"] == f"{number}: decide on the signature (due {due})"
    (draft,) = list(mails[-1].iter_attachments())
    assert draft.get_filename() == f"{number}-supplement-b-DRAFT.pdf"
    pdf = PdfReader(io.BytesIO(draft.get_content()))
    pages = "".join(p.extract_text() for p in pdf.pages)
    assert "DRAFT" in pages and "Okonkwo-Reyes" in pages
    assert "action code for this step" in text(mails[-1])
    # approving needs reviewed_draft: true
    out = answer(store, mail, number, decision="approve", signature_date=TODAY.isoformat())
    assert not out.accepted and "reviewed_draft" in out.message
    assert state(store, number) == "awaiting_signature"
    # a designee signs: the approval records the person named
    out = answer(store, mail, number, **APPROVE, signing_official="nobody@npd.example.org")
    assert not out.accepted and "signing_official" in out.message
    assert answer(
        store, mail, number, **APPROVE, signing_official="apereira@npd.example.org"
    ).accepted
    with store.reading() as s:
        approval = s.scalars(
            select(SignatureApproval).where(SignatureApproval.decision == "approve")
        ).one()
        assert approval.signer_name == "Ana Pereira"
        assert approval.signer_title == "Captain, Operations"


def get_due(store: Store, number: str) -> str:
    with store.reading() as s:
        return get_case(s, number).response_due.isoformat()


HOSTILE = {
    "link": "see [Approve here](http://evil.example/a)",
    "bold": "**APPROVE NOW**",
    "html": "<img src=x onerror=alert(1)>",
    "autolink": "<http://evil.example/b> www.evil.example",
    "heading": "# Approved\n> quoted | cell |",
}


def test_hostile_text_is_shown_as_text(sqlite_store: Store, mail: MailSink, tmp_path: Path) -> None:
    store = sqlite_store
    pdf_name = "[Approve here](http___evil.example_c) <img src=x onerror=alert(2)>.pdf"
    shutil.copy(EXAMPLES / "victim-statement.pdf", tmp_path / pdf_name)
    raw = example_request(
        incident={
            "police_report_numbers": ["HOST-1"],
            "statutory_citations": [HOSTILE["link"], HOSTILE["bold"]],
            "description": " ".join(HOSTILE.values()),
        },
        attachments=[pdf_name],
    )
    from casework.intake.service import submit

    number = submit(store, raw, base_dir=tmp_path, received=TODAY).case_number
    workflow.intake(store, number)
    da = ask(store, number)
    # a refusal that echoes what was typed: acting_as and a date
    out = waiting.answer(
        store,
        number,
        da.pause_key,
        {**DA, "acting_as": "**APPROVE NOW**<img src=x>@evil.example", "action_code": "X"},
    )
    assert "**approve now**<img src=x>@evil.example" in out.message  # echoed (lower case)
    again = ask(store, number)
    assert answer(
        store, mail, number, **{**DA, "consulted_name": HOSTILE["link"] + HOSTILE["html"]}
    ).accepted
    review = ask(store, number)
    assert answer(
        store,
        mail,
        number,
        **{
            **review.values,
            **CERTIFY,
            "description": " ".join(HOSTILE.values()),
            "notes": HOSTILE["bold"],
        },
    ).accepted
    chief_step = ask(store, number)
    for shown in (again.description, review.description, chief_step.description):
        rendered = html(shown)
        assert "<a " not in rendered and "<img" not in rendered and "<h1" not in rendered
        assert "<strong>approve now</strong>" not in rendered.lower()
        assert "<blockquote" not in rendered
        assert "evil.example" in rendered  # shown, as text
    assert "[Approve here](http://evil.example/a)" in html(review.description)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html(chief_step.description)
    assert "**approve now**&lt;img src=x&gt;@evil.example" in html(again.description)
    for m in mail.messages:
        assert "\n" not in str(m["Subject"]) and "evil" not in str(m["Subject"])


def test_escaping_keeps_every_character_and_opens_nothing() -> None:
    samples = [*HOSTILE.values(), "a_b*c`d`e\\f ~g~ &amp; &#x3C; 1. not a list", "  indented code"]
    for sample in samples:
        for line in sample.split("\n"):
            rendered = RENDER.render(md(line))
            inner = re.sub(r"^<p>|</p>\n$", "", rendered)
            expected = (
                one_line(line).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            )
            assert inner == expected.replace('"', "&quot;"), (line, rendered)
        cell = RENDER.render("| a |\n|---|\n| " + md_cell(sample) + " |")
        assert cell.count("<td>") == 1 and "<a " not in cell and "<img" not in cell
    assert one_line("Subject\r\nBcc: x@evil.example") == "Subject Bcc: x@evil.example"


def test_the_readme_tables_are_generated_from_the_code() -> None:
    readme = README.read_text(encoding="utf-8")
    assert table_markdown() in readme
    assert steps_markdown() in readme


def test_findings_stored_before_the_redesign_still_load(sqlite_store: Store) -> None:
    """Old findings: optional texts as null, family members as one-string names (kept whole
    as the family name, never split), no helpfulness narrative."""
    from casework.models import ReviewDecision
    from casework.roster import find_person
    from casework.steps import latest_findings

    number = new_case(sqlite_store)
    old = {
        "visa_type": "U",
        "qualifying_activities": ["domestic_violence"],
        "other_activity_description": None,
        "activity_dates": ["2024-06-14"],
        "statutory_citations": ["M.G.L. c. 265 s. 13M"],
        "occurred_in_us": True,
        "location_explanation": None,
        "description": "Assault at the apartment.",
        "known_injuries": None,
        "case_status": "ongoing",
        "possesses_information": True,
        "has_been_helpful": True,
        "is_being_helpful": True,
        "likely_to_be_helpful": True,
        "refused_or_failed_to_assist": False,
        "refusal_explanation": None,
        "other_information": None,
        "family_members": [
            {"full_name": "María José de la Torre", "relationship": "aunt", "involvement": "x"}
        ],
    }
    with sqlite_store.unit_of_work() as s:
        case = get_case(s, number)
        certifier = find_person(s, "dreyes@npd.example.org")
        s.add(
            ReviewDecision(
                case_id=case.id,
                certifier_id=certifier.id,
                decision="certify",
                findings_enc=keyring().encrypt_json(old),
            )
        )
    with sqlite_store.reading() as s:
        found = latest_findings(s, get_case(s, number))
    assert found is not None
    (member,) = found.family_members
    # kept whole, never split: the form prints it as written in Part 7
    assert (member.family_name, member.given_name, member.middle_name) == ("", "", "")
    assert member.name_as_written == "María José de la Torre"
    assert member.full_name == "María José de la Torre"
    assert found.helpfulness_narrative == "" and found.known_injuries == ""
    assert [d.isoformat() for d in found.activity_dates] == ["2024-06-14"]
