"""Requester letters and emails in every supported language: English (the governing text),
then a full copy in the victim's language that says the English governs, with no English
left in the copy; an unsupported language gets English plus a note; staff text stays
English. End to end at the domain level: a Portuguese- and a Vietnamese-speaking victim's
certification is delivered through casework.workflow with a real SMTP sink, and the emails
and the PDFs read back carry the copies."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from casework import workflow
from casework.db import Store
from casework.deadlines import last_filing_day
from casework.i18n import format_date, gettext_for, supported
from casework.i18n.copies import Languages, languages_for, translation_for
from casework.i18n.tools import extract, translatable
from casework.mailsink import MailSink
from casework.models import Notification
from forms.letters import REQUESTER_KINDS, render_email_text, render_letter
from tests.forms_fixtures import AGENCY
from tests.test_letters_packet import ctx
from tests.test_workflow_domain import CERTIFY, DA, TODAY, _answer, _case

LANGS = [lang for lang in supported() if lang != "en"]
_PLACEHOLDER = re.compile(r"%\(\w+\)s")
#: A phrase of each kind's letter and email, to find in the copy (translated by id).
PHRASES = {
    "acknowledgment": "Sincerely,",
    "request_information": "Please send the information by %(due)s, quoting the case number. If you cannot provide it, please tell us why so that we can consider the request on the information we have.",
    "denial": "Reason the request does not meet the department's policy: %(reason)s",
    "delay": "Reason for the delay (extenuating circumstances outside the department's control): %(reason)s",
    "certification_cover": "Please file the original signed form, not a photocopy. The certification confirms the victim's helpfulness in the detection, investigation or prosecution of the criminal activity; it does not grant any immigration status, which only U.S. Citizenship and Immigration Services decides.",
    "revocation": "To U.S. Citizenship and Immigration Services:",
}


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def english_pieces(lang: str) -> list[str]:
    _ = gettext_for(lang)
    out = []
    for m in translatable(extract()):
        if m.id and _(str(m.id)) != m.id:
            out += [p.strip() for p in _PLACEHOLDER.split(str(m.id)) if len(p.strip()) >= 14]
    return out


def leaks(lang: str, text: str) -> list[str]:
    """English messages found in ``text`` (the agency's own name, which is data, aside)."""
    text = norm(text).replace(norm(AGENCY.name), "")
    return [e for e in english_pieces(lang) if norm(e) in text]


def translated(lang: str, phrase: str) -> str:
    fixed = max(_PLACEHOLDER.split(gettext_for(lang)(phrase)), key=len)
    return norm(fixed)


def pdf_pages(data: bytes) -> list[str]:
    return [norm(p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", REQUESTER_KINDS)
def test_requester_letter_english_then_the_copy(kind: str, lang: str) -> None:
    c = ctx(incident_summary=None)
    copy = translation_for(lang)
    pages = pdf_pages(render_letter(kind, c, copy))
    assert len(pages) == 2
    english, other = pages
    assert translated("en", PHRASES[kind]) in english
    assert translated(lang, PHRASES[kind]) in other
    assert (
        translated(lang, "Translation (%(language)s). The English version above governs.") in other
    )
    assert c.case_number in other and "Rosa Delgado" in other  # names and numbers stay as typed
    assert leaks(lang, other) == []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", REQUESTER_KINDS)
def test_requester_email_english_then_the_copy(kind: str, lang: str) -> None:
    langs = Languages(copy=lang)
    subject, body = workflow.requester_email(kind, ctx(), langs)
    assert subject == render_email_text(kind, ctx())[0]  # the subject is English
    name = translation_for(lang).name
    english, _, other = body.partition(f"---- {name} ----")
    assert other, body
    assert english.startswith(f"A copy in {name} follows. The English version governs.")
    assert norm(gettext_for(lang)("Translation. The English version governs.")) in norm(other)
    copy_body = render_email_text(kind, ctx(), translation_for(lang))[1]
    assert norm(copy_body) in norm(other)
    assert leaks(lang, other) == []


@pytest.mark.parametrize("kind", REQUESTER_KINDS)
def test_unsupported_language_gets_english_and_a_note(kind: str) -> None:
    langs = languages_for("ht")
    note = langs.note()
    assert note and "Haitian Creole" in note
    pages = pdf_pages(render_letter(kind, ctx(), langs.translation(), note))
    assert len(pages) == 1 and norm(note) in pages[0]
    _, body = workflow.requester_email(kind, ctx(), langs)
    assert body.rstrip().endswith(note) and "----" not in body
    assert langs.content_language == "en"


def test_staff_text_stays_english() -> None:
    pages = pdf_pages(render_letter("da_memo", ctx()))
    assert len(pages) == 1 and "MEMORANDUM - CONSULTATION" in pages[0]
    subject, body = render_email_text("da_memo", ctx())
    assert subject.startswith("Consultation requested") and "consultation memo" in body


@pytest.fixture
def mail(monkeypatch: pytest.MonkeyPatch) -> Iterator[MailSink]:
    with MailSink(port=0) as sink:
        monkeypatch.setenv("CASEWORK_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CASEWORK_SMTP_PORT", str(sink.port))
        yield sink


def _deliver(store: Store, mail: MailSink, report: str, language: str) -> str:
    number = _case(store, report, victim={"preferred_language": language})
    workflow.intake(store, number)
    assert _answer(store, mail, number, **DA).accepted
    assert _answer(store, mail, number, **CERTIFY).accepted
    assert _answer(
        store,
        mail,
        number,
        decision="approve",
        signature_date=TODAY.isoformat(),
        reviewed_draft=True,
    ).accepted
    assert workflow.deliver_certification(store, number) == "delivered"
    return number


@pytest.mark.parametrize(
    ("language", "code", "tag", "words"),
    [
        ("pt", "pt_BR", "pt-BR", "Atenciosamente,"),
        ("vi", "vi", "vi", "Trân trọng,"),
    ],
)
def test_delivered_packet_carries_the_copy(
    sqlite_store: Store, mail: MailSink, language: str, code: str, tag: str, words: str
) -> None:
    number = _deliver(sqlite_store, mail, f"LANG-{code}", language)
    to_requester = [m for m in mail.messages if "rdelgado" in m["To"]]
    assert len(to_requester) == 2  # the acknowledgment and the certification
    for msg in to_requester:
        assert msg["Content-Language"] == f"en, {tag}"
        body = norm(msg.get_body(("plain",)).get_content())
        name = translation_for(code).name
        assert body.index("Dear Rosa Delgado,") < body.index(f"---- {name} ----")
        assert norm(gettext_for(code)("Translation. The English version governs.")) in body
    ack, delivered = to_requester
    assert translated(code, "The acknowledgment letter is attached.") in norm(
        ack.get_body(("plain",)).get_content()
    )
    assert translated(code, "Last day to file with USCIS: %(last_day)s.") in norm(
        delivered.get_body(("plain",)).get_content()
    )
    # the PDFs: the acknowledgment letter and the packet's cover letter carry the copy
    (ack_pdf,) = [p.get_content() for p in ack.iter_attachments()]
    pages = pdf_pages(ack_pdf)
    assert len(pages) == 2 and words in pages[1] and "Sincerely," in pages[0]
    (packet,) = [p.get_content() for p in delivered.iter_attachments()]
    pages = pdf_pages(packet)
    assert "Sincerely," in pages[0] and words in pages[1]
    assert translated(code, PHRASES["certification_cover"]) in pages[1]
    assert number in pages[1]
    due = dt.date.today() + dt.timedelta(days=90)
    assert str(due.year) in pages[0]
    # the record of letters sent by language
    with sqlite_store.reading() as s:
        kinds = {
            n.kind: n.language
            for n in s.scalars(
                select(Notification).where(Notification.recipient.like("%rdelgado%"))
            )
        }
    assert kinds == {"acknowledgment": f"en+{code}", "certification": f"en+{code}"}
    # the warning before the six-month filing window closes carries the copy too
    last = last_filing_day(TODAY)
    assert workflow.deadline_watch(sqlite_store, last - dt.timedelta(days=20)).filing_warnings
    warning = [m for m in mail.messages if "must be filed by" in m["Subject"]][-1]
    assert warning["Content-Language"] == f"en, {tag}"
    body = norm(warning.get_content())
    heading = f"---- {translation_for(code).name} ----"
    assert body.index("can be filed with USCIS until") < body.index(heading)
    assert format_date(last, code) in body
