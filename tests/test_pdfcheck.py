"""Uploaded PDFs: a corpus of hostile files (made here, in tests/pdfs.py) is refused with
the reason, each within the checker's CPU and memory limits; ordinary files pass."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

import pytest

from casework.intake import pdfsandbox
from casework.intake.pdfcheck import check_pdf, check_pdf_measured
from tests import pdfs
from tests.conftest import EXAMPLES

MB = 1024 * 1024
CPU_LIMIT = 5.0  # seconds of CPU, the checker's limit
MEMORY_LIMIT = 300 * MB

HOSTILE: list[tuple[str, Callable[[], bytes], str]] = [
    ("xfa script", pdfs.xfa_script_pdf, "contains JavaScript"),
    ("/S indirect /Launch", pdfs.indirect_launch_pdf, "contains a launch action"),
    ("/S indirect /SubmitForm", pdfs.indirect_submit_form_pdf, "form-submission action"),
    ("import data", pdfs.import_data_pdf, "import-data action"),
    ("embedded file, no /EmbeddedFiles", pdfs.loose_embedded_file_pdf, "embedded files"),
    ("embedded file stream alone", pdfs.orphan_embedded_file_pdf, "embedded files"),
    ("attachment annotation", pdfs.embedded_file_pdf, "embedded files"),
    ("GoToR to a share", pdfs.gotor_share_pdf, "a link into another file (GoToR)"),
    ("GoToE", pdfs.gote_pdf, "(GoToE)"),
    ("javascript: URI on open", pdfs.javascript_uri_open_action_pdf, "contains JavaScript"),
    ("javascript: URI link", pdfs.javascript_uri_link_pdf, "contains JavaScript"),
    ("URI on open", pdfs.phone_home_open_action_pdf, "web address that opens by itself"),
    ("URI on page open", pdfs.phone_home_page_open_pdf, "web address that opens by itself"),
    ("link running JavaScript", pdfs.javascript_link_pdf, "contains JavaScript"),
    ("JavaScript open action", pdfs.javascript_pdf, "contains JavaScript"),
    ("JavaScript names tree", pdfs.javascript_names_tree_pdf, "contains JavaScript"),
    ("launch open action", pdfs.open_action_launch_pdf, "contains a launch action"),
    ("external stream data", pdfs.external_stream_pdf, "fetched from another file"),
    ("encrypted", pdfs.encrypted_pdf, "is encrypted"),
    ("300 MB flate bomb", pdfs.flate_bomb_pdf, "inflates to more than 100 MB"),
    ("nested flate bomb", pdfs.nested_flate_bomb_pdf, "inflates to more than"),
    ("1,000x ratio", pdfs.ratio_bomb_pdf, "more than 1,000 times its size"),
    ("run-length bomb", pdfs.run_length_bomb_pdf, "inflates to more than 100 MB"),
    ("LZW bomb", pdfs.lzw_bomb_pdf, "inflates to more than 100 MB"),
    ("100,000 pages", pdfs.many_pages_pdf, "has more than 10,000 pages; the limit is 300"),
    ("300,000 objects", pdfs.many_objects_pdf, "has more than 200,000 objects"),
    ("looping page tree", pdfs.looping_page_tree_pdf, "page tree that loops"),
    ("page listed twice", pdfs.repeated_page_pdf, "page tree that loops or lists a page twice"),
    ("broken page tree", pdfs.broken_page_tree_pdf, "has a broken page tree"),
]


@pytest.mark.parametrize(("make", "reason"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_pdf_is_refused_within_limits(make: Callable[[], bytes], reason: str) -> None:
    report, cost = check_pdf_measured(make())
    assert any(reason in p for p in report.problems), report.problems
    assert cost is not None
    assert cost.cpu_seconds < CPU_LIMIT, cost
    assert cost.peak_rss_bytes < MEMORY_LIMIT, cost


@pytest.mark.parametrize(
    "make", [pdfs.web_link_pdf, pdfs.lzw_text_pdf, pdfs.plain_pdf], ids=lambda f: f.__name__
)
def test_ordinary_pdf_is_accepted(make: Callable[[], bytes]) -> None:
    report, cost = check_pdf_measured(make())
    assert report.problems == [] and report.page_count == 1
    assert cost is not None and cost.peak_rss_bytes < MEMORY_LIMIT


@pytest.mark.parametrize("name", ["police-report-24-01187.pdf", "victim-statement.pdf"])
def test_sample_pdfs_are_accepted(name: str) -> None:
    report = check_pdf((EXAMPLES / name).read_bytes())
    assert report.problems == [] and report.page_count >= 1


def test_a_file_that_takes_too_long_is_stopped_at_the_cpu_limit() -> None:
    """150,000 small streams take about 2 s to check; with a 1 s limit the kernel stops it."""
    report, cost = check_pdf_measured(pdfs.many_streams_pdf(150_000), cpu_seconds=1)
    assert report.problems == [
        "took more than 1 s of processor time to check; it is too complex to accept "
        "(send a simpler copy, e.g. printed to PDF)"
    ]
    assert cost is not None and cost.cpu_seconds < 2.5


def test_a_file_that_needs_too_much_memory_is_stopped_at_the_memory_limit() -> None:
    """Run-length decoding toward 100 MB does not fit in 100 MB of address space."""
    report, cost = check_pdf_measured(pdfs.run_length_bomb_pdf(), memory_bytes=100 * MB)
    assert report.problems == [
        "needs more than 100 MB of memory to check (a decompression bomb?); send a simpler copy"
    ]
    assert cost is not None and cost.peak_rss_bytes < 100 * MB


def test_a_killed_checking_server_is_replaced() -> None:
    assert check_pdf(pdfs.plain_pdf()).problems == []
    server = pdfsandbox._HANDLE._proc
    assert server is not None
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    assert check_pdf(pdfs.javascript_pdf()).problems == [
        "contains JavaScript, which is not accepted"
    ]
    assert pdfsandbox._HANDLE._proc is not None and pdfsandbox._HANDLE._proc.pid != server.pid
