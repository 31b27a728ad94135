"""PDF upload checks per second for ordinary PDFs: the checker (qpdf in a forked, limited
child) beside the old one (pypdf, in-process, names and direct values only; kept below as
the baseline), in the same run, on the same files.

    .venv/bin/python bench/bench_pdfcheck.py [--seconds 2]

Also prints the one-time cost of starting the checking server, and for a few hostile
files how long the refusal took and the child's peak memory.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXAMPLES = ROOT.parent / "shared" / "examples"

from casework.intake import pdfsandbox  # noqa: E402
from casework.intake.pdfcheck import check_pdf, check_pdf_measured  # noqa: E402
from tests import pdfs  # noqa: E402


def text_pdf(pages: int) -> bytes:
    """A report-like PDF: ``pages`` pages of text lines, compressed as reportlab does."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter)
    for page in range(pages):
        for line in range(45):
            c.drawString(72, 740 - 15 * line, f"Page {page + 1}, line {line + 1}: " + "x" * 60)
        c.linkURL("https://www.mass.gov/", (72, 40, 300, 60))
        c.showPage()
    c.save()
    return buf.getvalue()


def old_check_pdf(data: bytes) -> list[str]:
    """The checker before issue 11 (pypdf; names and direct values only), as the baseline."""
    forbidden_keys = {"/JS", "/JavaScript", "/Launch", "/EmbeddedFiles", "/EmbeddedFile"}
    forbidden_actions = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE"}
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        return ["encrypted"]
    _ = len(reader.pages)
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if key in forbidden_keys:
                    found.add(key)
                if key == "/S" and isinstance(value, NameObject) and value in forbidden_actions:
                    found.add(str(value))
                if key != "/Parent":
                    stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return sorted(found)


def rate(check: Callable[[bytes], object], data: bytes, seconds: float) -> float:
    check(data)  # warm up (and start the checking server)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        check(data)
        n += 1
    return n / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()

    pdfsandbox.stop_server()
    start = time.perf_counter()
    check_pdf(pdfs.plain_pdf())
    startup = time.perf_counter() - start

    files = {
        "victim-statement.pdf (example)": (EXAMPLES / "victim-statement.pdf").read_bytes(),
        "police-report (example)": (EXAMPLES / "police-report-24-01187.pdf").read_bytes(),
        "1 page with a web link": pdfs.web_link_pdf(),
        "20 pages of text": text_pdf(20),
        "300 pages of text": text_pdf(300),
    }
    print(f"checking server start (once per process): {startup * 1000:.0f} ms\n")
    print(f"{'ordinary PDF':34} {'size':>9} {'old/s':>8} {'new/s':>8} {'new ms':>7} {'peak MB':>8}")
    for name, data in files.items():
        assert check_pdf(data).problems == [], name
        old = rate(old_check_pdf, data, args.seconds)
        new = rate(check_pdf, data, args.seconds)
        _, cost = check_pdf_measured(data)
        peak = cost.peak_rss_bytes / 1_048_576 if cost else 0.0
        print(f"{name:34} {len(data):>9,} {old:>8.1f} {new:>8.1f} {1000 / new:>7.1f} {peak:>8.0f}")

    print(f"\n{'hostile PDF':34} {'size':>9} {'refused in':>10} {'CPU s':>6} {'peak MB':>8}")
    hostile = {
        "300 MB flate bomb": pdfs.flate_bomb_pdf(),
        "100,000 pages": pdfs.many_pages_pdf(),
        "300,000 objects": pdfs.many_objects_pdf(),
        "JavaScript link": pdfs.javascript_link_pdf(),
    }
    for name, data in hostile.items():
        start = time.perf_counter()
        report, cost = check_pdf_measured(data)
        took = time.perf_counter() - start
        assert report.problems and cost is not None, name
        print(
            f"{name:34} {len(data):>9,} {took:>9.2f}s {cost.cpu_seconds:>6.2f} "
            f"{cost.peak_rss_bytes / 1_048_576:>8.0f}"
        )
    pdfsandbox.stop_server()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
