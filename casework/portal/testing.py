"""Parts for testing and benchmarking the portal: a real SMTP sink, padded PDFs, free ports."""

from __future__ import annotations

import email
import email.policy
import io
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from pypdf import PdfWriter
from pypdf.generic import NameObject, StreamObject


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailSink:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self._lock:
            self.messages.append(msg)
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.02)
        return list(self.messages)


@contextmanager
def smtp_sink() -> Iterator[tuple[MailSink, int]]:
    """A real SMTP server on 127.0.0.1 at a free port."""
    from aiosmtpd.controller import Controller

    sink = MailSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def padded_pdf(size: int) -> bytes:
    """A valid, inert one-page PDF of about ``size`` bytes (incompressible padding stream)."""
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    pad = StreamObject()
    pad.set_data(os.urandom(max(0, size - 800)))
    writer._root_object[NameObject("/CWPadding")] = writer._add_object(pad)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
