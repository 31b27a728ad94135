"""Email through a real SMTP server, at most once per idempotency key.

Settings come from :mod:`casework.config`: ``CASEWORK_SMTP_HOST`` (default 127.0.0.1),
``CASEWORK_SMTP_PORT`` (8025), ``CASEWORK_SMTP_USER``/``CASEWORK_SMTP_PASSWORD``,
``CASEWORK_SMTP_STARTTLS`` (1 to upgrade), ``CASEWORK_MAIL_FROM``.

The key is claimed in the ``notifications`` table before sending and marked
sent after; a crash between the two leaves a claimed, unsent row that the next
attempt sends (at-least-once on a crash at exactly that point, never twice otherwise).
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from casework.config import load_settings
from casework.db import Store
from casework.models import Notification, utcnow

if TYPE_CHECKING:
    from casework.i18n.copies import Languages


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None = field(repr=False)
    starttls: bool
    sender: str

    @classmethod
    def from_env(cls) -> SmtpSettings:
        """From the ``CASEWORK_SMTP_*`` settings and ``CASEWORK_MAIL_FROM``."""
        s = load_settings()
        return cls(
            host=s.smtp_host,
            port=s.smtp_port,
            user=s.smtp_user,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            starttls=s.smtp_starttls,
            sender=s.mail_from,
        )


Attachment = tuple[str, bytes, str]  # filename, content, MIME type ("application/pdf")


def build_message(
    sender: str,
    to: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
    content_language: str = "en",
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg.set_content(body)
    for filename, content, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    # after the body and attachments (set_content and add_attachment move Content-* headers)
    msg["Content-Language"] = content_language
    return msg


def deliver(msg: EmailMessage, settings: SmtpSettings) -> None:
    with smtplib.SMTP(settings.host, settings.port, timeout=30) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(msg)


def send_email(
    store: Store,
    *,
    key: str,
    kind: str,
    to: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
    case_id: int | None = None,
    settings: SmtpSettings | None = None,
    language: Languages | None = None,
) -> bool:
    """Send once per ``key``; return False when it was already sent.

    ``language``: the languages of the body (English, plus a copy or a note); it sets the
    Content-Language header and is kept on the notification row (``en+pt_BR``)."""
    settings = settings or SmtpSettings.from_env()
    try:
        with store.unit_of_work() as session:
            session.add(
                Notification(
                    idempotency_key=key,
                    case_id=case_id,
                    kind=kind,
                    recipient=", ".join(to),
                    language=language.record if language else "en",
                )
            )
    except IntegrityError:
        with store.reading() as session:
            row = session.scalars(
                select(Notification).where(Notification.idempotency_key == key)
            ).one()
            if row.sent_at is not None:
                return False
    header = language.content_language if language else "en"
    deliver(build_message(settings.sender, to, subject, body, attachments, header), settings)
    with store.unit_of_work() as session:
        row = session.scalars(select(Notification).where(Notification.idempotency_key == key)).one()
        row.sent_at = utcnow()
    return True
