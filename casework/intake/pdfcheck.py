"""Safety checks for uploaded PDFs: they must parse, be unencrypted, inert and bounded.

The size and header are checked here; everything else is checked by qpdf (pikepdf) in a
child process with 5 s of CPU and 300 MB of memory (casework.intake.pdfsandbox runs
casework.intake.pdfscan): JavaScript anywhere, launch, form-submission, import-data and
cross-file actions, ``javascript:`` and file-share links, web addresses opened on their
own, embedded files however reached, encryption, broken or looping page trees, too many
pages or objects, and decompression bombs are refused with the reason.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from casework.intake import pdfsandbox
from casework.intake.coded import N_, CodedText
from casework.intake.pdfscan import Limits

MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES = 300
MAX_OBJECTS = Limits.max_objects


@dataclass
class PdfReport:
    page_count: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CheckCost:
    """What checking one file cost the checking child."""

    cpu_seconds: float
    peak_rss_bytes: int


def check_pdf(data: bytes, *, max_bytes: int = MAX_BYTES, max_pages: int = MAX_PAGES) -> PdfReport:
    """Is this upload acceptable? No problems means yes; each problem names its reason."""
    return check_pdf_measured(data, max_bytes=max_bytes, max_pages=max_pages)[0]


def check_pdf_measured(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_pages: int = MAX_PAGES,
    cpu_seconds: int = pdfsandbox.CPU_SECONDS,
    memory_bytes: int = pdfsandbox.MEMORY_BYTES,
) -> tuple[PdfReport, CheckCost | None]:
    """check_pdf, with what the check cost (None when the file was refused before parsing)."""
    report = PdfReport()
    if len(data) > max_bytes:
        report.problems.append(
            CodedText.of(
                N_("is %(size)s MB; the limit is %(limit)s MB"),
                size=f"{len(data) / 1_048_576:.1f}",
                limit=max_bytes // 1_048_576,
            )
        )
        return report, None
    if data.lstrip()[:5] != b"%PDF-":
        report.problems.append(CodedText.of(N_("is not a PDF file (no %PDF- header)")))
        return report, None
    limits = asdict(Limits(max_pages=max_pages))
    outcome = pdfsandbox.run(data, limits, cpu_seconds=cpu_seconds, memory_bytes=memory_bytes)
    cost = CheckCost(outcome.cpu_seconds, outcome.peak_rss_bytes)
    if outcome.stopped == "cpu":
        report.problems.append(
            CodedText.of(
                N_(
                    "took more than %(seconds)s s of processor time to check; it is too complex "
                    "to accept (send a simpler copy, e.g. printed to PDF)"
                ),
                seconds=cpu_seconds,
            )
        )
    elif outcome.stopped == "memory":
        report.problems.append(
            CodedText.of(
                N_(
                    "needs more than %(mb)s MB of memory to check (a decompression bomb?); "
                    "send a simpler copy"
                ),
                mb=memory_bytes // 1_048_576,
            )
        )
    elif outcome.stopped:
        why = outcome.problems[0] if outcome.problems else N_("the checker stopped")
        report.problems.append(
            CodedText.of(N_("cannot be read as a PDF (%(why)s)"), ("why",), why=why)
        )
    else:
        report.page_count = outcome.page_count
        report.problems.extend(outcome.problems)
    return report, cost
