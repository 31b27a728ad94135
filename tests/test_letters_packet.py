"""Letters, emails and the packet: real PDFs read back with pypdf."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from pypdf import PdfReader

from casework.i18n.copies import translation_for
from forms.api import render_supplement_b
from forms.letters import (
    LETTER_KINDS,
    REQUESTER_KINDS,
    LetterContext,
    assemble_packet,
    render_email_text,
    render_letter,
)
from tests.forms_fixtures import AGENCY, t_case, u_case


def ctx(visa: str = "U", **kw: object) -> LetterContext:
    base: dict[str, object] = dict(
        case_number=f"NPD-{visa}-2026-0007",
        visa_type=visa,
        today=date(2026, 4, 2),
        agency=AGENCY,
        requester_name="Rosa Delgado",
        requester_organization="Pioneer Valley Victim Advocacy Center",
        requester_email="rdelgado@pvvac.example.org",
        requester_address="15 Main St, Northampton, MA 01060",
        response_due=date(2026, 6, 30),
        reason="The report does not show a qualifying criminal activity under department policy.",
        requested_items="A copy of the 209A protective order.",
        signature_date=date(2026, 4, 1),
        last_filing_day=date(2026, 9, 30),
        delay_process="The case file is under review by the District Attorney's Office.",
        projected_time_frame="45 days",
        da_contact_name="ADA Jane Smith",
        da_answer_by=date(2026, 5, 2),
        incident_summary="Assault with a knife at the apartment.",
        helpfulness_summary="She called 911 and testified at the 209A hearing.",
        report_numbers=["24-01187-OF"],
        signer_name="Jody Kasper",
        signer_title="Chief of Police",
        status_url="https://example.org/status/NPD",
    )
    base.update(kw)
    return LetterContext.model_validate(base)


def text_of(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


KEY_FACTS = {
    "acknowledgment": ["June 30, 2026", "258F"],
    "da_memo": [
        "ADA Jane Smith",
        "Assault with a knife",
        "24-01187-OF",
        "She called 911 and testified at the 209A hearing.",
        "answer by May 2, 2026",
    ],
    "request_information": ["209A protective order"],
    "denial": ["without prejudice", "does not show a qualifying criminal activity", "3(ii)"],
    "delay": ["3(iii)", "District Attorney's Office", "45 days"],
    "certification_cover": ["April 1, 2026", "Jody Kasper, Chief of Police"],
    "revocation": ["withdraws", "does not show a qualifying criminal activity"],
}
U_ONLY = {"certification_cover": ["Last day to file: September 30, 2026", "six months"]}
KEY_FACTS_ES = {
    "acknowledgment": ["30 de junio de 2026"],
    "request_information": ["209A protective order"],
    "denial": ["sin perjuicio", "3(ii)"],
    "delay": ["3(iii)", "45 days"],
    "certification_cover": ["1 de abril de 2026"],
    "revocation": ["retira y desautoriza", "does not show a qualifying criminal activity"],
}
U_ONLY_ES = {"certification_cover": ["30 de septiembre de 2026", "seis meses"]}


@pytest.mark.parametrize("visa", ["U", "T"])
@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_every_letter_renders_en(kind: str, visa: str) -> None:
    c = ctx(visa)
    pages = text_of(render_letter(kind, c))
    text = "\n".join(pages).replace("\n", " ")
    assert c.case_number in text
    form = "I-918" if visa == "U" else "I-914"
    assert form in text
    for fact in KEY_FACTS[kind]:
        assert fact in text, (kind, fact)
    for fact in U_ONLY.get(kind, []):  # the six-month window is U only
        assert (fact in text) is (visa == "U"), (kind, fact)


@pytest.mark.parametrize("visa", ["U", "T"])
@pytest.mark.parametrize("kind", REQUESTER_KINDS)
def test_requester_letters_en_then_es(kind: str, visa: str) -> None:
    c = ctx(visa)
    pages = text_of(render_letter(kind, c, translation_for("es")))
    assert len(pages) == 2
    en, es = (p.replace("\n", " ") for p in pages)
    assert "Prevalece la versión en inglés" in es
    for fact in KEY_FACTS[kind]:
        assert fact in en
    for fact in KEY_FACTS_ES[kind]:
        assert fact in es, (kind, fact)
    for fact in U_ONLY_ES.get(kind, []):
        assert (fact in es) is (visa == "U"), (kind, fact)
    assert "Atentamente" in es and "Sincerely" in en
    assert c.case_number in es


def test_a_letter_without_a_copy_is_english_only() -> None:
    assert len(text_of(render_letter("da_memo", ctx()))) == 1


@pytest.mark.parametrize("kind", LETTER_KINDS)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_emails_never_name_the_victim(kind: str, lang: str) -> None:
    c = ctx(incident_summary="Lucia Morales was assaulted.")
    subject, body = render_email_text(kind, c, translation_for(lang))
    assert c.case_number in subject
    assert "Morales" not in subject and "Lucia" not in subject
    assert "\n" not in subject and body.strip()


def test_certification_email_has_last_filing_day_for_u_only() -> None:
    _, body = render_email_text("certification_cover", ctx())
    assert "September 30, 2026" in body
    _, body_es = render_email_text("certification_cover", ctx(), translation_for("es"))
    assert "30 de septiembre de 2026" in body_es
    t = ctx("T", last_filing_day=None)
    for lang in ("en", "es"):
        _, body = render_email_text("certification_cover", t, translation_for(lang))
        assert "2026-09-30" not in body and "September 30" not in body
        assert "septiembre" not in body and "file with USCIS:" not in body
    text = "\n".join(text_of(render_letter("certification_cover", t, translation_for("es"))))
    assert "six months" not in text and "seis meses" not in text and "Last day" not in text


def test_facsimile_cover_letter_asks_for_the_official_edition() -> None:
    for lang, words in (("en", "transcribe every item onto the current official edition"),
                        ("es", "transcriba cada punto en la edición oficial vigente")):  # fmt: skip
        copy = translation_for(lang)
        pages = text_of(render_letter("certification_cover", ctx(form_is_facsimile=True), copy))
        assert words in pages[-1].replace("\n", " ")
        official = text_of(render_letter("certification_cover", ctx(), copy))
        assert words not in official[-1].replace("\n", " ")
    _, body = render_email_text("certification_cover", ctx(form_is_facsimile=True))
    assert "facsimile, not the official USCIS form" in body


def test_spanish_delay_letter_says_extraordinary_circumstances() -> None:
    c = ctx(projected_date=date(2026, 8, 14), projected_time_frame=None)
    en, es = (
        p.replace("\n", " ") for p in text_of(render_letter("delay", c, translation_for("es")))
    )
    assert "circunstancias extraordinarias" in es and "atenuantes" not in es
    assert "14 de agosto de 2026" in es and "August 14, 2026" in en


@pytest.mark.parametrize("kind", ["denial", "delay", "revocation"])
def test_decision_letters_carry_the_signer(kind: str) -> None:
    c = ctx(signer_name="Ana Pereira", signer_title="Captain, Operations")
    text = "\n".join(text_of(render_letter(kind, c)))
    assert "Ana Pereira\nCaptain, Operations\nNorthampton Police Department" in text


def test_missing_reason_refused() -> None:
    with pytest.raises(ValueError, match="reason"):
        render_letter("denial", ctx(reason=None))
    with pytest.raises(ValueError, match="last_filing_day"):
        render_letter("certification_cover", ctx(last_filing_day=None))


def test_letters_deterministic() -> None:
    es = translation_for("es")
    assert render_letter("denial", ctx(), es) == render_letter("denial", ctx(), es)


@pytest.mark.parametrize("make", [u_case, t_case])
def test_packet(make) -> None:  # type: ignore[no-untyped-def]
    data = make()
    cover = render_letter("certification_cover", ctx(data.visa_type), translation_for("es"))
    form = render_supplement_b(data)
    atts = [
        ("police-report-24-01187.pdf", hashlib.sha256(b"x").hexdigest(), 3),
        ("victim-statement.pdf", hashlib.sha256(b"y").hexdigest(), 2),
    ]
    kw = dict(
        cover_letter=cover,
        form=form,
        attachments=atts,
        title="Certification packet",
        case_number=data.case_number,
        edition=data.edition,
    )
    packet = assemble_packet(**kw)  # type: ignore[arg-type]
    reader = PdfReader(io.BytesIO(packet))
    assert len(reader.pages) == 2 + 5 + 1
    meta = reader.metadata or {}
    assert meta["/Title"] == "Certification packet"
    assert meta["/Subject"] == data.case_number
    assert data.edition in meta["/Keywords"]
    assert meta["/FormEdition"] == data.edition
    index = reader.pages[-1].extract_text()
    assert "police-report-24-01187.pdf" in index and hashlib.sha256(b"x").hexdigest()[:20] in index
    again = assemble_packet(**kw)  # type: ignore[arg-type]
    assert hashlib.sha256(packet).hexdigest() == hashlib.sha256(again).hexdigest()
    changed = assemble_packet(**{**kw, "edition": "04/01/26"})  # type: ignore[arg-type]
    assert changed != packet
