"""The tables of the §4 report, laid out from plain counts (see :mod:`.annual`).

Pure functions: the property tests feed them generated counts, so the
suppression is checked on every shape the report can take.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from casework.reports.compliance import TIMELINESS
from casework.reports.model import (
    CERTIFICATIONS,
    UT_COLUMNS,
    Basis,
    Relation,
    Section,
    Value,
    sum_relations,
    ut_row,
)

if TYPE_CHECKING:
    from casework.reports.annual import AnnualData

DEFINITIONS = {
    "individuals_requested": (
        "Distinct people (victims) whose certification requests were received in the year, "
        "by the date the request was received. A person who made several requests counts once; "
        "one who asked for both a U and a T certification counts once in each column and once "
        "in Together."
    ),
    "forms_signed": (
        "Certification forms whose signature date is in the year, whenever the request was "
        "received and whenever the approval was recorded. A form signed and later withdrawn by "
        "the department was still signed."
    ),
    "denied": (
        "Requests denied in writing in the year that were still denied on 31 December. Each "
        "request counts once a year, by where it stood at the end of the year: denied and then "
        "signed in the same year, it counts as signed only; denied in one year and signed in a "
        "later year, it counts as denied in the first and signed in the second; denied and then "
        "reopened, still under reconsideration on 31 December, it is pending."
    ),
    "reconciliation": (
        "Every request received in the year appears once, under where it stood on 31 December: "
        "signed, denied, withdrawn or pending; the four add up to the requests received. The "
        "forms signed and requests denied in the year are those of these requests plus those "
        "of requests received in earlier years."
    ),
    "timeliness": (
        "G.L. c. 258F s. 3: an answer (form signed, by its signature date, or written denial) "
        "within 90 days of receipt, or, where extenuating circumstances prevent it, a written "
        "explanation of the delay within those 90 days with the process to follow and a "
        "projected time frame. Each request is counted in the year of its first answer. A delay "
        "letter's projected date has passed when it fell in the year with no answer, withdrawal "
        "or newer letter by then; letters recorded without a projected date cannot be checked."
    ),
    "suppression": (
        "The Together column is exact. In the U and T columns a count from 1 to 4 reads "
        "'fewer than 5'; another figure may read 'suppressed', withheld so that the first cannot "
        "be worked out from the figures shown."
    ),
}

STATUTORY_LABELS = {
    "individuals_requested": "1. Individuals who requested certification",
    "forms_signed": "2. Certification forms completed and signed",
    "denied": "3. Requests denied",
}

COLUMNS = {
    "U": "U visa (I-918 Supp. B)",
    "T": "T visa (I-914 Supp. B)",
    "total": "Together: the figure to report",
}


def _row(counts: Mapping[str, Mapping[str, int]], key: str) -> dict[str, Value]:
    return ut_row(counts.get("U", {}).get(key, 0), counts.get("T", {}).get(key, 0))


def annual_sections(
    data: AnnualData,
) -> tuple[list[Section], list[Relation], dict[str, dict[str, str]]]:
    year = data.year
    received, earlier = data.received, data.earlier
    rec_rows = {
        "received": ut_row(
            sum(received.get("U", {}).values()), sum(received.get("T", {}).values())
        ),
        **{k: _row(received, k) for k in ("signed", "denied", "withdrawn", "pending")},
    }
    early_rows = {k: _row(earlier, k) for k in ("signed", "denied")}

    def both(key: str) -> dict[str, Value]:
        u, t = (received.get(v, Counter())[key] + earlier.get(v, Counter())[key] for v in "UT")
        return ut_row(u, t)

    iu, it, itotal = data.individuals
    statutory = Section(
        key="statutory",
        title=f"The figures to report for {year} (G.L. c. 258F, s. 4)",
        columns=UT_COLUMNS,
        rows={
            "individuals_requested": ut_row(iu, it, itotal),
            "forms_signed": both("signed"),
            "denied": both("denied"),
        },
        exact_columns=("total",),
        bases={
            "individuals_requested": Basis("individuals_requested", "period"),
            "forms_signed": Basis("forms_signed"),
            "denied": Basis("denied_standing_at_year_end", "period"),
        },
        row_labels=STATUTORY_LABELS,
        column_labels=COLUMNS,
        row_notes={k: DEFINITIONS[k] for k in STATUTORY_LABELS},
    )
    reconciliation = Section(
        key="received_requests",
        title=f"Requests received in {year} and where they stood on 31 December {year}",
        columns=UT_COLUMNS,
        rows=rec_rows,
        exact_columns=("total",),
        bases={
            "received": Basis("requests_received"),
            **{
                k: Basis(f"received_{k}_at_year_end", "period") for k in rec_rows if k != "received"
            },
        },
        row_labels={
            "received": "Requests received (each request once)",
            "signed": "Form signed by 31 December",
            "denied": "Denied, and still denied on 31 December",
            "withdrawn": "Withdrawn by the requester",
            "pending": "Pending on 31 December (including requests reopened after a denial)",
        },
        note="Signed + denied + withdrawn + pending = requests received.",
    )
    earlier_section = Section(
        key="earlier_requests",
        title=f"Answers in {year} to requests received before {year}",
        columns=UT_COLUMNS,
        rows=early_rows,
        exact_columns=("total",),
        bases={k: Basis(f"earlier_{k}", "period") for k in early_rows},
        row_labels={
            "signed": f"Forms signed in {year}",
            "denied": f"Requests denied in {year} and still denied on 31 December",
        },
        note=(
            "Figure 2 = forms signed by 31 December above + forms signed here; figure 3 = "
            "denied above + denied here."
        ),
    )
    sections = [statutory, reconciliation, earlier_section, compliance_section(data)]
    relations = [
        *sum_relations(
            ("received_requests", "received"),
            [("received_requests", k) for k in ("signed", "denied", "withdrawn", "pending")],
        ),
        *sum_relations(
            ("statutory", "forms_signed"),
            [("received_requests", "signed"), ("earlier_requests", "signed")],
        ),
        *sum_relations(
            ("statutory", "denied"),
            [("received_requests", "denied"), ("earlier_requests", "denied")],
        ),
        *sum_relations(("compliance", "answered"), [("compliance", k) for k in TIMELINESS]),
    ]
    return sections, relations, {CERTIFICATIONS: dict(DEFINITIONS)}


def compliance_section(data: AnnualData) -> Section:
    year = data.year
    c = data.compliance
    answered = {v: [a for a in c.answered if a.visa == v] for v in ("U", "T")}
    rows: dict[str, dict[str, Value]] = {
        "answered": ut_row(len(answered["U"]), len(answered["T"])),
    }
    for kind in TIMELINESS:
        rows[kind] = ut_row(
            sum(a.timeliness == kind for a in answered["U"]),
            sum(a.timeliness == kind for a in answered["T"]),
        )
    past = data.past_due
    rows["past_due_with_letter"] = ut_row(past.with_letter["U"], past.with_letter["T"])
    rows["past_due_without_letter"] = ut_row(past.without_letter["U"], past.without_letter["T"])
    rows["delay_letters"] = ut_row(c.letters_issued["U"], c.letters_issued["T"])
    rows["promised_date_passed"] = ut_row(c.promised_passed["U"], c.promised_passed["T"])
    rows["no_projected_date"] = ut_row(c.no_projected_date["U"], c.no_projected_date["T"])
    year_end = f"{year}-12-31"
    return Section(
        key="compliance",
        title="Response within 90 days (G.L. c. 258F, s. 3)",
        columns=UT_COLUMNS,
        rows=rows,
        exact_columns=("total",),
        bases={
            "answered": Basis("answered"),
            **{k: Basis(f"answered_{k}") for k in TIMELINESS},
            "past_due_with_letter": Basis("past_due_with_letter", "stock", year_end),
            "past_due_without_letter": Basis("past_due_without_letter", "stock", year_end),
            "delay_letters": Basis("delay_letters"),
            "promised_date_passed": Basis("promised_date_passed"),
            "no_projected_date": Basis("delay_letters_without_projected_date"),
        },
        row_labels={
            "answered": f"Requests first answered in {year} (form signed or written denial)",
            "within_90_days": "answered within 90 days of receipt",
            "late_with_delay_letter": (
                "answered after 90 days, with a delay letter sent within the 90 days (s. 3(iii))"
            ),
            "late_without_delay_letter": "answered after 90 days, without a timely delay letter",
            "past_due_with_letter": (
                "Unanswered and past 90 days on 31 December, with a timely delay letter"
            ),
            "past_due_without_letter": (
                "Unanswered and past 90 days on 31 December, without a timely delay letter"
            ),
            "delay_letters": f"Delay letters sent in {year}",
            "promised_date_passed": (
                f"Requests whose delay letter's projected date passed in {year} without an answer"
            ),
            "no_projected_date": (
                f"Delay letters sent in {year} without a projected date (cannot be checked)"
            ),
        },
        note=(
            "Answered within 90 days + late with a timely delay letter + late without one = "
            "requests first answered in the year."
        ),
    )
