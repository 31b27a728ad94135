"""Letters, notification emails and the certification packet.

Letters are Jinja2 text templates (``templates/letters/<kind>.txt``) turned into PDF with
reportlab platypus; emails are ``templates/email/<kind>.txt`` whose first line is
``Subject: ...``. Their text is gettext messages (``{% trans %}`` blocks, English message
ids): rendered with no :class:`Translation` they are English; with one, in its language.
A requester letter is English, the governing text, then a full translated copy (or a note
when the victim's language has no catalog). Output is deterministic (reportlab
``invariant=1``, fixed PDF /ID), so identical input gives identical bytes. Email subjects
never carry the victim's name (only case number and visa type).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date
from gettext import NullTranslations
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import jinja2
from babel.dates import format_date as babel_date
from pydantic import BaseModel, Field
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from forms.fonts import BOLD, REGULAR, register_fonts
from forms.model import AgencyInfo

LETTER_KINDS = (
    "acknowledgment",
    "da_memo",
    "request_information",
    "denial",
    "delay",
    "certification_cover",
    "revocation",
)
#: Letters and emails to the requester: English plus a copy in the victim's language.
REQUESTER_KINDS = (
    "acknowledgment",
    "request_information",
    "denial",
    "delay",
    "certification_cover",
    "revocation",
)
TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"
FORM_NAMES = {"U": "Form I-918 Supplement B", "T": "Form I-914 Supplement B"}
FORM_TITLES = {
    "U": "U Nonimmigrant Status Certification",
    "T": "Declaration for Trafficking Victim",
}


def N_(message: str) -> str:
    return message


# i18n: heading of the translated copy in a letter (PDF)
COPY_HEADING = N_("Translation (%(language)s). The English version above governs.")
TEL = N_("Tel. %(phone)s")
FAX = N_("Fax %(fax)s")


@dataclass(frozen=True)
class Translation:
    """A language to render in: its code (``pt_BR``), its own name, its catalog."""

    code: str
    name: str
    catalog: NullTranslations


ENGLISH = Translation("en", "English", NullTranslations())


class LetterContext(BaseModel):
    case_number: str
    visa_type: str  # "U" or "T"
    today: date
    agency: AgencyInfo
    requester_name: str
    requester_organization: str | None = None
    requester_email: str | None = None
    requester_address: str | None = None
    response_due: date | None = None
    reason: str | None = None
    requested_items: str | None = None
    signature_date: date | None = None
    last_filing_day: date | None = None  # U only: the six-month filing window
    delay_process: str | None = None
    projected_date: date | None = None  # the date the department commits to (c. 258F §3(iii))
    projected_time_frame: str | None = None  # optional words about the time frame
    da_contact_name: str | None = None
    da_answer_by: date | None = None  # the internal date the DA's answer is asked for
    incident_summary: str | None = None
    helpfulness_summary: str | None = None  # the request's own words (DA memo)
    report_numbers: list[str] = Field(default_factory=list)
    signer_name: str | None = None  # who signs the letter (the person who decided)
    signer_title: str | None = None
    memo_from: str | None = None  # DA memo: the certifier who consults
    status_url: str | None = None
    received_date: date | None = None  # addition: defaults to ``today``
    form_is_facsimile: bool = False  # the enclosed form is a facsimile, not the official PDF


REQUIRED: dict[str, tuple[str, ...]] = {
    "denial": ("reason",),
    "delay": ("reason", "delay_process"),
    "certification_cover": ("signature_date",),
    "request_information": ("requested_items",),
    "revocation": ("reason",),
}


def format_date(d: date | None, language: str = "en") -> str:
    """``June 30, 2026`` / ``30 de junio de 2026`` (Babel, the locale's long format)."""
    return "" if d is None else babel_date(d, format="long", locale=language)


_ENVS: dict[tuple[Path, str], jinja2.Environment] = {}


def _env(tr: Translation) -> jinja2.Environment:
    from casework.config import load_settings  # CASEWORK_TEMPLATES: another folder

    folder = load_settings().templates or TEMPLATE_DIR
    env = _ENVS.get((folder, tr.code))
    if env is None:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(folder)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            extensions=["jinja2.ext.i18n"],
        )
        env.install_gettext_translations(tr.catalog, newstyle=True)  # type: ignore[attr-defined]
        env.filters["d"] = lambda v, lang=tr.code: format_date(v, lang)
        _ENVS[(folder, tr.code)] = env
    return env


def _render_text(folder: str, kind: str, ctx: LetterContext, tr: Translation) -> str:
    if kind not in LETTER_KINDS:
        raise ValueError(f"unknown letter kind {kind!r}; known: {', '.join(LETTER_KINDS)}")
    missing = [f for f in REQUIRED.get(kind, ()) if getattr(ctx, f) in (None, "")]
    if kind == "certification_cover" and ctx.visa_type == "U" and ctx.last_filing_day is None:
        missing.append("last_filing_day")
    if kind == "delay" and ctx.projected_date is None and not ctx.projected_time_frame:
        missing.append("projected_date")
    if missing:
        raise ValueError(f"{kind} needs {', '.join(missing)}")
    tpl = _env(tr).get_template(f"{folder}/{kind}.txt")
    values: dict[str, Any] = dict(ctx)
    values["received_date"] = ctx.received_date or ctx.today
    values["form_name"] = FORM_NAMES[ctx.visa_type]
    values["form_title"] = FORM_TITLES[ctx.visa_type]
    return tpl.render(**values)


def letter_text(kind: str, ctx: LetterContext, tr: Translation = ENGLISH) -> str:
    """The letter body as plain text (what the PDF prints after the letterhead)."""
    return _render_text("letters", kind, ctx, tr)


def render_email_text(kind: str, ctx: LetterContext, tr: Translation = ENGLISH) -> tuple[str, str]:
    """(subject, plain-text body) in one language."""
    text = _render_text("email", kind, ctx, tr).lstrip("\n")
    first, _, body = text.partition("\n")
    if not first.startswith("Subject: "):
        raise ValueError(f"email template {kind} must start with 'Subject: '")
    return first.removeprefix("Subject: ").strip(), body.strip() + "\n"


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle(
        "body", fontName=REGULAR, fontSize=10.5, leading=14, spaceAfter=8, alignment=TA_LEFT
    )
    return {
        "body": body,
        "head": ParagraphStyle(
            "head", parent=body, fontName=BOLD, fontSize=14, leading=17, spaceAfter=2
        ),
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, spaceAfter=2),
        "re": ParagraphStyle("re", parent=body, fontName=BOLD),
    }


def _letter_story(kind: str, ctx: LetterContext, tr: Translation) -> list[Any]:
    st = _styles()
    a = ctx.agency
    _ = tr.catalog.gettext
    text = letter_text(kind, ctx, tr)
    addr = ", ".join(p for p in (a.street, a.suite) if p)
    contact = [_(TEL) % {"phone": a.phone}, *([_(FAX) % {"fax": a.fax}] if a.fax else []), a.email]
    story: list[Any] = [
        Paragraph(escape(a.name), st["head"]),
        Paragraph(escape(f"{addr}, {a.city}, {a.state} {a.zip_code}"), st["small"]),
        Paragraph(escape(" - ".join(contact)), st["small"]),
        Spacer(1, 0.25 * inch),
        Paragraph(escape(format_date(ctx.today, tr.code)), st["body"]),
    ]
    if kind not in ("da_memo", "revocation"):
        lines = [
            ctx.requester_name,
            ctx.requester_organization or "",
            ctx.requester_address or "",
            ctx.requester_email or "",
        ]
        story.append(Paragraph("<br/>".join(escape(x) for x in lines if x), st["body"]))
    story.append(Spacer(1, 0.1 * inch))
    paras = [p.strip() for p in text.split("\n\n") if p.strip()]
    for i, p in enumerate(paras):
        style = st["re"] if i == 0 else st["body"]
        story.append(Paragraph(escape(p).replace("\n", "<br/>"), style))
    if kind != "da_memo":
        story.append(Spacer(1, 0.45 * inch))
        sig = [ctx.signer_name or "", ctx.signer_title or "", a.name]
        story.append(Paragraph("<br/>".join(escape(x) for x in sig if x), st["body"]))
    return story


def _footer(label: str) -> Any:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 8)
        canvas.drawString(inch, 0.55 * inch, label)
        canvas.drawRightString(letter[0] - inch, 0.55 * inch, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def _build(story: list[Any], *, title: str, subject: str, keywords: str, footer: str) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=letter,
        leftMargin=inch,
        rightMargin=inch,
        topMargin=0.8 * inch,
        bottomMargin=0.9 * inch,
        title=title,
        subject=subject,
        keywords=keywords,
        author="Police Department U/T visa casework",
        creator="casework forms",
        invariant=1,
    )
    doc.build(story, onFirstPage=_footer(footer), onLaterPages=_footer(footer))
    return buf.getvalue()


def render_letter(
    kind: str,
    ctx: LetterContext,
    copy: Translation | None = None,
    note: str | None = None,
) -> bytes:
    """Letter as PDF: English (the governing text), then, with ``copy``, a full translated
    copy from a new page under a heading saying the English version governs; ``note`` (an
    English paragraph, e.g. that the victim's language has no translation) ends the English
    letter."""
    story = _letter_story(kind, ctx, ENGLISH)
    langs = ["en"]
    if note:
        story.append(Paragraph(escape(note), _styles()["small"]))
    if copy is not None and copy.code != "en":
        heading = copy.catalog.gettext(COPY_HEADING) % {"language": copy.name}
        story += [PageBreak(), Paragraph(escape(heading), _styles()["small"])]
        story += _letter_story(kind, ctx, copy)
        langs.append(copy.code)
    return _build(
        story,
        title=f"{kind.replace('_', ' ').title()} - {ctx.case_number}",
        subject=ctx.case_number,
        keywords=f"{kind}; {FORM_NAMES[ctx.visa_type]}; languages {','.join(langs)}",
        footer=f"{ctx.agency.name} - case {ctx.case_number}",
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _index_pdf(
    attachments: list[tuple[str, str, int]], title: str, case_number: str, edition: str
) -> bytes:
    st = _styles()
    rows: list[list[Any]] = [["#", "Document", "SHA-256", "Pages"]]
    cell = ParagraphStyle("cell", parent=st["small"], fontSize=7.5, leading=9.5)
    for i, (name, digest, pages) in enumerate(attachments, start=1):
        rows.append([str(i), Paragraph(escape(name), cell), Paragraph(digest, cell), str(pages)])
    if not attachments:
        rows.append(["", "None", "", ""])
    table = Table(rows, colWidths=[0.3 * inch, 2.2 * inch, 3.3 * inch, 0.6 * inch], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), BOLD, 9),
                ("FONT", (0, 1), (-1, -1), REGULAR, 8.5),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story = [
        Paragraph(escape(f"Index of attachments - {title}"), st["head"]),
        Paragraph(escape(f"Case {case_number} - form edition {edition}"), st["small"]),
        Spacer(1, 0.2 * inch),
        table,
    ]
    return _build(
        story,
        title=f"Index - {case_number}",
        subject=case_number,
        keywords=f"edition {edition}",
        footer=f"Case {case_number} - index",
    )


def assemble_packet(
    *,
    cover_letter: bytes,
    form: bytes,
    attachments: list[tuple[str, str, int]],
    title: str,
    case_number: str,
    edition: str,
) -> bytes:
    """One PDF: cover letter, form, index of attachments (name, sha256, pages).

    Metadata: /Title, /Subject (case number), /Keywords (with the edition) and the
    custom keys /CaseNumber, /FormEdition. Identical input gives identical bytes.
    """
    writer = PdfWriter()
    for part in (cover_letter, form, _index_pdf(attachments, title, case_number, edition)):
        writer.append(PdfReader(io.BytesIO(part)))
    writer.add_metadata(
        {
            "/Title": title,
            "/Subject": case_number,
            "/Keywords": f"case {case_number}; form edition {edition}",
            "/Author": "Police Department U/T visa casework",
            "/Producer": "casework forms",
            "/CaseNumber": case_number,
            "/FormEdition": edition,
        }
    )
    digest = hashlib.sha256(
        cover_letter
        + form
        + repr(attachments).encode()
        + title.encode()
        + case_number.encode()
        + edition.encode()
    ).digest()
    file_id = ByteStringObject(digest[:16])
    writer._ID = ArrayObject([file_id, file_id])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


__all__ = [
    "ENGLISH",
    "LETTER_KINDS",
    "REQUESTER_KINDS",
    "LetterContext",
    "Translation",
    "assemble_packet",
    "format_date",
    "letter_text",
    "render_email_text",
    "render_letter",
]
