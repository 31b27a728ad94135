"""PDF files for tests, made with pypdf: ordinary, encrypted, and hostile ones."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject


def _out(writer: PdfWriter) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def plain_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    return _out(writer)


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt("secret")
    return _out(writer)


def _open_action_pdf(kind: str, key: str, value: str) -> bytes:
    """A one-page PDF whose /OpenAction is an action of ``kind`` (run when the file opens)."""
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    action = DictionaryObject(
        {NameObject("/S"): NameObject(kind), NameObject(key): TextStringObject(value)}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _out(writer)


def javascript_pdf() -> bytes:
    return _open_action_pdf("/JavaScript", "/JS", "app.alert('hello');")


def open_action_launch_pdf() -> bytes:
    return _open_action_pdf("/Launch", "/F", "calc.exe")


def embedded_file_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.add_attachment("payload.exe", b"MZ...")
    return _out(writer)
