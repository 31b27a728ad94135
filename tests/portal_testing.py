"""Parts for testing and benchmarking the portal: a real SMTP sink, padded PDFs, free ports.

Test code, kept out of the product package (it was casework/portal/testing.py)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager

from pypdf import PdfWriter
from pypdf.generic import NameObject, StreamObject

from casework.mailsink import MailSink, free_port

__all__ = ["MailSink", "free_port", "padded_pdf", "smtp_sink"]


@contextmanager
def smtp_sink() -> Iterator[tuple[MailSink, int]]:
    """A real SMTP server on 127.0.0.1 at a free port."""
    with MailSink(port=0) as sink:
        yield sink, sink.port


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
