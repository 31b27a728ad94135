"""Render a report as PDF, its accessible HTML twin, CSV or JSON.

The formats are made from the same :class:`~casework.reports.model.Report`
and carry the same figures. JSON has one top-level key per part (policy
section of the executive order: ``certifications`` today), each holding its
``title``, ``definitions`` and ``figures[section][item][column]``. CSV has one
line per figure (``release,part,section,item,measure,value``) after the
``report`` lines that name the agency, the period and the date produced; the
``release`` column says ``public`` or ``INTERNAL`` on every line. Nothing here
reads the case store: what is not in the report cannot leak.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from casework.reports.model import FEWER, PART_TITLES, SUPPRESSED, Report, Value

FORMATS = ("pdf", "html", "csv", "json")
NO_PII = "This report contains no personal identifying information."
INTERNAL = (
    "INTERNAL USE ONLY: exact figures, small numbers not suppressed. Do not release outside "
    "the department."
)
INTERNAL_SHORT = "INTERNAL USE ONLY - exact figures, not suppressed - do not release"
DRAFT = "DRAFT: the year has not ended; these figures will change. Not the report to file."
LABELS = {
    FEWER: "a count from 1 to 4 (only such a count reads so)",
    SUPPRESSED: (
        "withheld so that a hidden figure cannot be worked out from those shown; it may be any "
        "size, including 0"
    ),
}
SUPPRESSION_NOTE = (
    'A count from 1 to 4 reads "fewer than 5". A figure that reads "suppressed" is withheld so '
    "that no hidden figure can be worked out from the ones shown (it may be of any size, "
    "including 0); statistics and shares over withheld counts, or over fewer than 5 cases, "
    "are withheld too."
)
ANNUAL_SUPPRESSION_NOTE = (
    "The Together column is exact, as G.L. c. 258F s. 4 requires. In the U and T columns a "
    'count from 1 to 4 reads "fewer than 5", and a figure that reads "suppressed" is withheld '
    "so that it cannot be used to work out another (it may be of any size, including 0)."
)
ADDRESSEE = "Executive Office of Public Safety and Security"
CHECKPOINT_TITLE = "Integrity of the history counted"
CHECKPOINT_INTRO = (
    "The figures are counted from the case histories, which are hash-chained and sealed in "
    "the department's ledger (the command casework verify-history checks them). The newest signed "
    "checkpoint of the ledger when this report was made:"
)
INTERNAL_LIST_TITLES = {
    "signature_and_approval_in_different_years": (
        "Forms whose signature date and approval fall in different years (internal only)"
    ),
}


def render(report: Report, fmt: str) -> bytes:
    if fmt == "json":
        return to_json(report).encode()
    if fmt == "csv":
        return to_csv(report).encode()
    if fmt == "pdf":
        from casework.reports.pdf import to_pdf

        return to_pdf(report)
    if fmt == "html":
        from casework.reports.html import to_html

        return to_html(report).encode()
    raise ValueError(f"format must be one of {', '.join(FORMATS)}")


def notices(report: Report) -> list[str]:
    """What every rendering says about the report before its figures."""
    out = [NO_PII]
    if report.draft:
        out.append(DRAFT)
    if report.internal:
        out.append(INTERNAL)
    else:
        out.append(ANNUAL_SUPPRESSION_NOTE if report.kind == "annual" else SUPPRESSION_NOTE)
    return out


def as_dict(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = {**report.metadata(), "notice": " ".join(notices(report))}
    if report.suppressed:
        data["labels"] = dict(LABELS)
    for part in report.parts():
        data[part] = {
            "title": PART_TITLES.get(part, part),
            "definitions": report.definitions.get(part, {}),
            "figures": report.part_figures(part),
        }
    if report.contact is not None:
        c = report.contact
        data["contact"] = {
            "agency": c.agency,
            "address": c.address,
            "phone": c.phone,
            "email": c.email,
            "records": vars(c.records) if c.records else None,
            "signer": vars(c.signer) if c.signer else None,
        }
    if report.internal and report.internal_lists:
        data["internal_lists"] = report.internal_lists
    return data


def to_json(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"


def to_csv(report: Report) -> str:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    release = "public" if report.suppressed else "INTERNAL - not suppressed - do not release"
    out.writerow(["release", "part", "section", "item", "measure", "value"])
    meta = report.metadata()
    meta["notice"] = " ".join(notices(report))
    for key, value in meta.items():
        out.writerow([release, "report", "", key, "", value])
    for section in report.sections:
        for item, cells in section.rows.items():
            for column in section.columns:
                value = cells.get(column)
                row = [section.part, section.key, item, column, "" if value is None else value]
                out.writerow([release, *row])
    if report.internal:
        for name, entries in report.internal_lists.items():
            for i, entry in enumerate(entries, 1):
                out.writerow([release, "internal", name, str(i), "", entry])
    return buf.getvalue()


def fmt_value(value: Value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)


def long_date(day: Any) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"
