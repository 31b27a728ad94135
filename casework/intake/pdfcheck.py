"""Safety checks for uploaded PDFs: they must parse, be unencrypted and inert.

The walk visits every object reachable from the trailer once (cycles and
hostile nesting are bounded) and refuses JavaScript, launch actions, embedded
files and rich media anywhere in the document.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES = 300
MAX_OBJECTS = 200_000

_FORBIDDEN_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/Launch": "a launch action",
    "/EmbeddedFiles": "embedded files",
    "/EmbeddedFile": "embedded files",
    "/RichMedia": "rich media",
}
_FORBIDDEN_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "a launch action",
    "/ImportData": "an import-data action",
    "/SubmitForm": "a form-submission action",
    "/GoToE": "an embedded-file action",
    "/RichMediaExecute": "rich media",
}


@dataclass
class PdfReport:
    page_count: int = 0
    problems: list[str] = field(default_factory=list)


def check_pdf(data: bytes, *, max_bytes: int = MAX_BYTES, max_pages: int = MAX_PAGES) -> PdfReport:
    report = PdfReport()
    if len(data) > max_bytes:
        report.problems.append(
            f"is {len(data) / 1_048_576:.1f} MB; the limit is {max_bytes // 1_048_576} MB"
        )
        return report
    if data.lstrip()[:5] != b"%PDF-":
        report.problems.append("is not a PDF file (no %PDF- header)")
        return report
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            report.problems.append("is encrypted or password-protected; send an unprotected copy")
            return report
        report.page_count = len(reader.pages)
        found = _active_content(reader)
    except Exception as exc:  # hostile or broken files fail in many ways
        report.problems.append(f"cannot be read as a PDF ({type(exc).__name__})")
        return report
    if report.page_count == 0:
        report.problems.append("has no pages")
    elif report.page_count > max_pages:
        report.problems.append(f"has {report.page_count} pages; the limit is {max_pages}")
    for what in sorted(found):
        report.problems.append(f"contains {what}, which is not accepted")
    return report


def _active_content(reader: PdfReader) -> set[str]:
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject] = [reader.trailer]
    visited = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            resolved = obj.get_object()
            if resolved is None:
                continue
            obj = resolved
        visited += 1
        if visited > MAX_OBJECTS:
            found.add("more objects than a supporting document needs")
            break
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if key in _FORBIDDEN_KEYS:
                    found.add(_FORBIDDEN_KEYS[key])
                if key == "/S" and isinstance(value, NameObject) and value in _FORBIDDEN_ACTIONS:
                    found.add(_FORBIDDEN_ACTIONS[value])
                if key == "/Subtype" and value in ("/FileAttachment", "/RichMedia"):
                    found.add("embedded files" if value == "/FileAttachment" else "rich media")
                if key != "/Parent":
                    stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return found
