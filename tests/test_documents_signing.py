"""Documents from stored cases: names as the boxes have them, the narrative, who signs, the
official form or a marked facsimile, and the T declaration's own rules (real SQLite, real
PDFs read back with pypdf, real SMTP on loopback)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from casework import documents, steps, workflow
from casework.cli import main
from casework.db import Store
from casework.errors import CaseworkError
from casework.mailsink import MailSink
from casework.models import Agency
from casework.roster import add_person, end_role, find_person, grant_role
from casework.states import Role
from casework.steps import waiting
from casework.transitions import Actor
from casework.views import get_case, history
from forms.api import FACSIMILE_MARK, read_back
from forms.spec import load_spec
from tests.case_driver import (
    TODAY,
    approve,
    blobs,
    findings_for,
    hard_names_u,
    pdf_text,
    submitted,
    t_example,
    to_signature,
)
from tests.official_standin import build_fillable_pdf

CHIEF = "chief@npd.example.org"
DESIGNEE = "apereira@npd.example.org"


@pytest.fixture
def mail(monkeypatch: pytest.MonkeyPatch) -> Iterator[MailSink]:
    with MailSink(port=0) as sink:
        monkeypatch.setenv("CASEWORK_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CASEWORK_SMTP_PORT", str(sink.port))
        yield sink


def _form(store: Store, number: str) -> dict[str, str]:
    with store.unit_of_work() as s:
        doc = documents.supplement_b(s, get_case(s, number), blobs(store))
        return read_back(blobs(store).get(doc.sha256))


def _draft(store: Store, number: str) -> dict[str, str]:
    with store.reading() as s:
        return read_back(documents.draft_form(s, get_case(s, number)))


def test_u_form_from_a_request_with_names_no_heuristic_splits(sqlite_store: Store) -> None:
    number = submitted(sqlite_store, hard_names_u())
    to_signature(sqlite_store, number)
    approve(sqlite_store, number)
    rb = _form(sqlite_store, number)
    assert {k: rb[k] for k in ("1.2a", "1.2b", "1.2c", "1.3a", "1.3b", "1.3c")} == {
        "1.2a": "Nguyễn", "1.2b": "Thị Hoa", "1.2c": "N/A",
        "1.3a": "Gonçalves da Silva", "1.3b": "Maria José", "1.3c": "N/A",
    }  # fmt: skip
    assert {k: rb[k] for k in ("5.1", "5.2a", "5.2b", "5.2c", "5.2d", "5.3a")} == {
        "5.1": "yes", "5.2a": "Gonçalves da Silva", "5.2b": "João", "5.2c": "N/A",
        "5.2d": "brother-in-law", "5.3a": "",
    }  # fmt: skip
    # the narrative (prefilled from the request's summary) is Part 4, item 5
    assert rb["4.5"].startswith("She called 911, gave a recorded statement the same night")
    assert rb["3.4b"] == "Northampton, Massachusetts"  # the location intake recorded
    assert rb["3.5a"] == "no" and rb["3.4a"] == "yes"
    # the Chief signs: her own phone in Part 6, no agency head in Part 2 item 4
    assert (rb["2.2a"], rb["2.2b"], rb["2.3"]) == ("Okafor", "Maria", "Chief of Police")
    assert (rb["2.4a"], rb["2.4b"], rb["2.4c"]) == ("N/A", "N/A", "N/A")
    assert rb["6.3"] == "413-587-1101"
    with sqlite_store.reading() as s:
        approval = [
            r for r in history(s, get_case(s, number)) if r["action"] == "approve_signature"
        ]
    assert approval[0]["payload"]["last_filing_day"]


def test_t_declaration_from_the_shared_example(sqlite_store: Store, mail: MailSink) -> None:
    """The T example as is: names in boxes, no six-month window anywhere, the supervising
    official named (the agency's default, not the Chief), cooperation exceptions."""
    number = submitted(sqlite_store, t_example())
    to_signature(sqlite_store, number, findings_for(sqlite_store, number, cooperation="trauma"))
    approve(sqlite_store, number)
    rb = _form(sqlite_store, number)
    assert {k: rb[k] for k in ("1.1a", "1.1b", "1.1c", "1.2a", "1.2b", "1.2c", "1.2d")} == {
        "1.1a": "Phạm", "1.1b": "Thị Lan", "1.1c": "N/A",
        "1.2a": "Pham", "1.2b": "Lan", "1.2c": "N/A", "1.2d": "",
    }  # fmt: skip
    assert (rb["5.2a"], rb["5.2b"], rb["5.2c"], rb["5.2d"]) == ("Phạm", "Văn Hùng", "N/A", "uncle")
    assert rb["4.1"] == "trauma"
    assert rb["4.2"].startswith("She gave a recorded interview")
    assert (rb["6.5a"], rb["6.5b"], rb["6.5c"]) == ("Reyes", "Daniel", "N/A")
    assert rb["6.6"] == "Lieutenant, Criminal Investigation Bureau"
    with sqlite_store.reading() as s:
        case = get_case(s, number)
        rows = history(s, case)
    assert all("last_filing_day" not in (r["payload"] or {}) for r in rows)
    workflow.deliver_certification(sqlite_store, number)
    with sqlite_store.reading() as s:
        packet = documents.document_since(s, get_case(s, number), "certification_cover", 0)
        assert packet is not None
        cover = pdf_text(blobs(sqlite_store).get(packet.sha256)).replace("\n", " ")
    assert "Last day to file" not in cover and "six months" not in cover
    assert "signed by the certifying official, Maria Okafor, Chief of Police, on" in cover
    delivered = [m for m in mail.messages if "mortega@" in m["To"]]
    body = delivered[-1].get_body(("plain",)).get_content()
    assert "Last day to file" not in body and "facsimile" in body
    # the watch sends no filing-window warning for a T declaration, ever
    for days in (200, 170, 160, 150, 100, 30):
        report = workflow.deadline_watch(sqlite_store, TODAY + dt.timedelta(days=days))
        assert report.filing_warnings == 0
    assert not [m for m in mail.messages if "filed by" in m["Subject"]]


def test_a_t_declaration_needs_a_supervising_official(sqlite_store: Store) -> None:
    number = submitted(sqlite_store, t_example())
    to_signature(sqlite_store, number)
    with sqlite_store.unit_of_work() as s:
        s.query(Agency).update({Agency.t_supervisor_email: None})
    with pytest.raises(CaseworkError, match="needs a supervising official"):
        approve(sqlite_store, number)
    approve(sqlite_store, number, supervisor_email="kliu@npd.example.org")
    rb = _form(sqlite_store, number)
    assert (rb["6.5a"], rb["6.5b"], rb["6.6"]) == (
        "Liu",
        "Karen",
        "Sergeant, Domestic Violence Unit",
    )


def test_designee_signs_and_regeneration_prints_the_recorded_officials(
    sqlite_store: Store,
) -> None:
    number = submitted(sqlite_store, hard_names_u("SIGN-1"))
    to_signature(sqlite_store, number)
    approve(sqlite_store, number, signer_email=DESIGNEE)
    before = _draft(sqlite_store, number)
    assert (before["2.2a"], before["2.2b"], before["2.3"]) == (
        "Pereira",
        "Ana",
        "Captain, Operations",
    )
    assert (before["2.4a"], before["2.4b"], before["2.4c"]) == ("Okafor", "Maria", "N/A")
    assert before["6.3"] == "413-587-1124"
    # a new Chief takes office; the signed form still names who signed and who was head
    with sqlite_store.unit_of_work() as s:
        old = find_person(s, CHIEF)
        end_role(s, old, Role.CHIEF)
        new = add_person(
            s, family_name="Brennan", given_name="Joan", email="jbrennan@npd.example.org",
            title="Chief of Police", phone="413-587-1199",
        )  # fmt: skip
        grant_role(s, new, Role.CHIEF)
    after = _draft(sqlite_store, number)
    assert {k: after[k] for k in before if k[0] in "26"} == {
        k: before[k] for k in before if k[0] in "26"
    }
    assert "Brennan" not in after.values()


def test_chief_signed_form_keeps_its_signer_after_a_change_of_chief(sqlite_store: Store) -> None:
    number = submitted(sqlite_store, hard_names_u("SIGN-2"))
    to_signature(sqlite_store, number)
    approve(sqlite_store, number)
    with sqlite_store.unit_of_work() as s:
        end_role(s, find_person(s, CHIEF), Role.CHIEF)
        grant_role(
            s,
            add_person(s, family_name="Brennan", given_name="Joan", email="jb@npd.example.org", title="Chief of Police", phone="413-587-1199"),
            Role.CHIEF,
        )  # fmt: skip
    rb = _draft(sqlite_store, number)
    assert (rb["2.2a"], rb["2.2b"], rb["6.3"]) == ("Okafor", "Maria", "413-587-1101")


def test_who_may_sign_is_department_policy(sqlite_store: Store) -> None:
    number = submitted(sqlite_store, hard_names_u("SIGN-3"))
    to_signature(sqlite_store, number)
    with pytest.raises(CaseworkError, match="may not sign"):
        approve(sqlite_store, number, signer_email="tgreene@da.example.org")  # the DA contact
    with sqlite_store.unit_of_work() as s:
        s.query(Agency).update({Agency.designees_may_sign: False})
    with pytest.raises(CaseworkError, match="Chief of Police only"):
        approve(sqlite_store, number, signer_email=DESIGNEE)
    with sqlite_store.unit_of_work() as s:
        s.query(Agency).update({Agency.designees_may_sign: True})
        find_person(s, DESIGNEE).phone = "413-587-1100"  # the switchboard is not her own line
    with pytest.raises(CaseworkError, match="no daytime phone of their own"):
        approve(sqlite_store, number, signer_email=DESIGNEE)
    with sqlite_store.reading() as s:
        assert get_case(s, number).state == "awaiting_signature"


def test_decision_letters_are_signed_by_who_decided(sqlite_store: Store, mail: MailSink) -> None:
    number = submitted(sqlite_store, hard_names_u("DENY-1"))
    with sqlite_store.unit_of_work() as s:
        case = get_case(s, number)
        steps.assign(s, case, Actor.system(), case.version)
        steps.start_da_consultation(s, case, case.version)
        who = Actor.person(case.assigned_certifier, Role.CERTIFIER)  # type: ignore[arg-type]
        steps.record_da_consultation(
            s, case, who, case.version, consulted_name="ADA", consulted_on=TODAY, position="objects"
        )
        steps.deny(s, case, who, case.version, reason_code="no_helpfulness")
        name, title = case.assigned_certifier.full_name, case.assigned_certifier.title  # type: ignore[union-attr]
    assert workflow.send_letter(sqlite_store, number, "denial")
    with sqlite_store.reading() as s:
        doc = documents.document_since(s, get_case(s, number), "denial_letter", 0)
        assert doc is not None
        text = pdf_text(blobs(sqlite_store).get(doc.sha256))
    assert f"{name}\n{title}\nNorthampton Police Department" in text


def test_da_memo_carries_the_helpfulness_summary_and_an_answer_date(
    sqlite_store: Store, mail: MailSink
) -> None:
    number = submitted(sqlite_store, hard_names_u("MEMO-1"))
    workflow.intake(sqlite_store, number)
    with sqlite_store.reading() as s:
        case = get_case(s, number)
        memo = documents.document_since(s, case, "da_memo", 0)
        assert memo is not None
        text = pdf_text(blobs(sqlite_store).get(memo.sha256)).replace("\n", " ")
        certifier = case.assigned_certifier.full_name  # type: ignore[union-attr]
    assert "She called 911, gave a recorded statement the same night" in text
    answer_by = TODAY + dt.timedelta(days=30)
    assert f"answer by {answer_by:%B} {answer_by.day}, {answer_by.year}" in text
    assert certifier in text
    to_da = [m for m in mail.messages if "tgreene@" in m["To"]]
    assert "Please answer by" in to_da[0].get_body(("plain",)).get_content()


# -- the official form: install, status, fill; or a marked facsimile ----------------------------


def _standin(tmp_path: Path, name: str = "official.pdf", **kw: object) -> Path:
    path = tmp_path / name
    path.write_bytes(build_fillable_pdf(load_spec("U"), **kw))  # type: ignore[arg-type]
    return path


def test_forms_install_and_status(
    sqlite_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["forms", "status"]) == 0
    out = capsys.readouterr().out
    assert "Form I-918 Supplement B Edition 01/20/25" in out and "not installed" in out
    wrong = _standin(tmp_path, "old.pdf", edition_line="Form I-918 Supplement B Edition 04/01/24")
    assert main(["forms", "install", str(wrong)]) == 1
    assert "Edition 04/01/24" in capsys.readouterr().err
    missing = _standin(
        tmp_path, "missing.pdf", omit=["form1[0].#subform[0].P1_Line4_DateOfBirth[0]"]
    )
    assert main(["forms", "install", str(missing)]) == 1
    err = capsys.readouterr().err
    assert "1 field(s) missing" in err and "P1_Line4_DateOfBirth" in err
    t_blank = tmp_path / "t.pdf"
    t_blank.write_bytes(build_fillable_pdf(load_spec("T")))
    assert main(["forms", "install", str(t_blank)]) == 1
    assert "no field inventory is recorded" in capsys.readouterr().err
    good = _standin(tmp_path)
    assert main(["forms", "install", str(good)]) == 0
    out = capsys.readouterr().out
    digest = hashlib.sha256(good.read_bytes()).hexdigest()
    assert digest in out
    kept = sqlite_store.settings.official_forms_dir / "i-918-supb-01-20-25.pdf"
    assert kept.read_bytes() == good.read_bytes()
    assert main(["forms", "status", "--json"]) == 0
    rows = {r["visa_type"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["U"]["installed"] and rows["U"]["sha256"] == digest
    assert not rows["T"]["installed"] and not rows["T"]["inventory_recorded"]


def test_final_form_is_filled_from_the_installed_official_pdf(
    sqlite_store: Store, tmp_path: Path, mail: MailSink
) -> None:
    assert main(["forms", "install", str(_standin(tmp_path))]) == 0
    number = submitted(sqlite_store, hard_names_u("OFF-1"))
    to_signature(sqlite_store, number)
    approve(sqlite_store, number)
    workflow.deliver_certification(sqlite_store, number)
    with sqlite_store.reading() as s:
        case = get_case(s, number)
        form = documents.document_since(s, case, "supplement_b", 0)
        cover = documents.document_since(s, case, "certification_cover", 0)
        assert form is not None and cover is not None
        pdf = blobs(sqlite_store).get(form.sha256)
        cover_text = pdf_text(blobs(sqlite_store).get(cover.sha256))
    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    assert fields["form1[0].#subform[0].Pt1Line2a_FamilyName[0]"].get("/V") == "Nguyễn"
    assert FACSIMILE_MARK not in pdf_text(pdf)
    assert read_back(pdf)["1.3a"] == "Gonçalves da Silva"
    assert "transcribe" not in cover_text
    # the kept copy is checked against its recorded digest
    kept = sqlite_store.settings.official_forms_dir / "i-918-supb-01-20-25.pdf"
    kept.write_bytes(kept.read_bytes() + b"\n% changed\n")
    with sqlite_store.reading() as s, pytest.raises(CaseworkError, match="changed since"):
        documents.draft_form(s, get_case(s, number))


def test_without_the_official_pdf_the_form_is_a_marked_facsimile(
    sqlite_store: Store, mail: MailSink
) -> None:
    number = submitted(sqlite_store, hard_names_u("FAX-1"))
    to_signature(sqlite_store, number)
    approve(sqlite_store, number)
    workflow.deliver_certification(sqlite_store, number)
    with sqlite_store.reading() as s:
        case = get_case(s, number)
        form = documents.document_since(s, case, "supplement_b", 0)
        cover = documents.document_since(s, case, "certification_cover", 0)
        assert form is not None and cover is not None
        pages = [
            p.extract_text()
            for p in PdfReader(io.BytesIO(blobs(sqlite_store).get(form.sha256))).pages
        ]
        cover_text = pdf_text(blobs(sqlite_store).get(cover.sha256)).replace("\n", " ")
    assert pages and all(FACSIMILE_MARK in p for p in pages)
    assert "transcribe every item onto the current official edition" in cover_text


def _chief_approves(
    store: Store, mail: MailSink, number: str
) -> tuple[waiting.Waiting, dict[str, object]]:
    """The waiting signature step and the Chief's approval of it, with the emailed code."""
    step = waiting.waiting_step(store, number)
    assert step is not None and step.step == "signature"
    waiting.notify_actor(store, number, step.step_key, None)
    code = re.search(
        r"action code for this step: (\S+)", mail.messages[-1].get_body(("plain",)).get_content()
    )
    assert code is not None
    answer: dict[str, object] = {
        "acting_as": CHIEF,
        "action_code": code.group(1),
        "decision": "approve",
        "signature_date": TODAY.isoformat(),
        "reviewed_draft": True,
    }
    return step, answer


def test_approval_refused_while_the_required_official_form_is_missing(
    sqlite_store: Store, mail: MailSink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_REQUIRE_OFFICIAL_FORMS", "1")
    number = submitted(sqlite_store, hard_names_u("REQ-1"))
    to_signature(sqlite_store, number)
    step, answer = _chief_approves(sqlite_store, mail, number)
    out = waiting.answer(sqlite_store, number, step.pause_key, answer)
    assert not out.accepted and out.state == "awaiting_signature"
    assert "Form I-918 Supplement B (edition 01/20/25) is not installed" in out.message
    assert "CASEWORK_REQUIRE_OFFICIAL_FORMS" in out.message
    assert main(["forms", "install", str(_standin(tmp_path))]) == 0
    again = waiting.waiting_step(sqlite_store, number)
    assert again is not None
    out = waiting.answer(sqlite_store, number, again.pause_key, answer)
    assert out.accepted and out.state == "certified", out.message


def test_t_approval_refusal_says_the_form_cannot_be_installed_yet(
    sqlite_store: Store, mail: MailSink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No list of the I-914 Supplement B's official field names is recorded, so `forms install`
    refuses it: the Chief must not be told to install it, but what can really be done."""
    monkeypatch.setenv("CASEWORK_REQUIRE_OFFICIAL_FORMS", "1")
    number = submitted(sqlite_store, t_example())
    to_signature(sqlite_store, number, findings_for(sqlite_store, number, cooperation="trauma"))
    step, answer = _chief_approves(sqlite_store, mail, number)
    answer["supervising_official"] = ""  # the agency's default
    out = waiting.answer(sqlite_store, number, step.pause_key, answer)
    assert not out.accepted and out.state == "awaiting_signature"
    assert "Form I-914 Supplement B (edition 01/20/25) cannot be installed yet" in out.message
    assert "casework forms install" not in out.message
    assert "CASEWORK_REQUIRE_OFFICIAL_FORMS=0" in out.message
    monkeypatch.setenv("CASEWORK_REQUIRE_OFFICIAL_FORMS", "0")
    again = waiting.waiting_step(sqlite_store, number)
    assert again is not None
    out = waiting.answer(sqlite_store, number, again.pause_key, answer)
    assert out.accepted and out.state == "certified", out.message
