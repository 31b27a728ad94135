"""The tables of the Mayor's record, from plain counts: the registers' parts
(:mod:`.register_layout`) and then the ``certifications`` part.

Pure functions over :class:`~casework.reports.records.RecordsData`: the property
tests feed them generated counts.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from typing import TYPE_CHECKING

from casework.deadlines import DEFAULT_POLICY
from casework.i18n.copies import UNDETERMINED
from casework.policy import DA_POSITIONS, DENIAL_REASONS
from casework.reports.compliance import TIMELINESS, Answered
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
from casework.reports.register_layout import DEFINITIONS as REGISTER_DEFINITIONS
from casework.reports.register_layout import access_sections, language_name, register_sections

if TYPE_CHECKING:
    from casework.reports.records import RecordsData

TITLE = (
    "Record for the Mayor under the executive order (ICE detainer requests, unlicensed "
    "operators, language access, U and T visa certifications)"
)

LANGUAGE_NAMES = {
    "ar": "Arabic",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "ht": "Haitian Creole",
    "km": "Khmer",
    "ko": "Korean",
    "ne": "Nepali",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "so": "Somali",
    "sw": "Swahili",
    "vi": "Vietnamese",
    "zh": "Chinese",
}

DEFINITIONS = {
    **REGISTER_DEFINITIONS,
    CERTIFICATIONS: {
        "requests_received": (
            "Requests by the date they were received (the date the 90-day clock runs from), "
            "by the victim's preferred language and the expedited flag set at intake."
        ),
        "outcomes": (
            "Certified: forms whose signature date is in the period (as in the G.L. c. 258F "
            "s. 4 report). Denied, withdrawn, revoked: cases with that decision in the period. "
            "Open at the end of the period: replayed from the history as of that day."
        ),
        "time_to_response": (
            "Days from receipt to the first answer (form signed, by its signature date, or "
            "written denial) for cases first answered in the period; 90th percentile by nearest "
            "rank. Late answers are split by whether a delay letter was sent within the 90 days "
            "(G.L. c. 258F s. 3(iii))."
        ),
        "deadlines": (
            "Overdue: open past the 90-day due date, never answered, and no delay letter sent "
            "by the due date, as of the date shown. A delay letter's projected date has passed "
            "when it fell in the period, before that date, with no answer, withdrawal or newer "
            "letter by then; letters recorded without a projected date cannot be checked."
        ),
        "preferred_languages": (
            "'Another language' (und) is a language the request form does not list; the "
            "request names it in words, which this record does not repeat."
        ),
        "data_access": (
            "Entries of the access log in the period (each time victims' identity or narrative "
            "was decrypted and shown, exported or downloaded, or every value re-encrypted), by "
            "kind and by the command or page that did it. Who it was is in the access log, not "
            "in this record; these counts describe staff activity and are not withheld when "
            "small."
        ),
    },
}


def _language_label(code: str) -> str:
    if code == UNDETERMINED:
        return "Another language (und)"
    if code in LANGUAGE_NAMES:
        return f"{LANGUAGE_NAMES[code]} ({code})"
    return code if code == "not stated" else language_name(code)


def _nearest_rank(sorted_values: list[int], q: float) -> int:
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def response_stats(days: list[int], limit: int = DEFAULT_POLICY.response_days) -> dict[str, Value]:
    values = sorted(days)
    n = len(values)
    within = sum(1 for d in values if d <= limit)
    return {
        "share_within_90_days": round(100.0 * within / n, 1) if n else None,
        "median_days": float(statistics.median(values)) if n else None,
        "p90_days": _nearest_rank(values, 0.9) if n else None,
    }


def _ut(counter: Counter[str]) -> dict[str, Value]:
    return ut_row(counter["U"], counter["T"])


def records_sections(data: RecordsData) -> tuple[list[Section], list[Relation]]:
    register_part, register_relations = register_sections(data.registers, data.period)
    sections, relations = certification_sections(data)
    return (
        register_part + sections + access_sections(data.registers),
        register_relations + relations,
    )


def certification_sections(data: RecordsData) -> tuple[list[Section], list[Relation]]:
    months: dict[str, Counter[str]] = {m: Counter() for m in data.period.months()}
    received: Counter[str] = Counter()
    expedited: Counter[str] = Counter()
    languages: dict[str, Counter[str]] = {}
    for (month, visa, language, is_expedited), n in data.received.items():
        months[month][visa] += n
        received[visa] += n
        if is_expedited:
            expedited[visa] += n
        languages.setdefault(language, Counter())[visa] += n
    lang_order = sorted(languages, key=lambda k: (-sum(languages[k].values()), k))
    reasons = {r: data.reasons.get(r, Counter()) for r in DENIAL_REASONS}
    reasons.update({r: c for r, c in data.reasons.items() if r not in reasons})
    positions = {p: data.da_positions.get(p, Counter()) for p in DA_POSITIONS}
    positions.update({p: c for p, c in data.da_positions.items() if p not in positions})
    end, today = data.period.end.isoformat(), data.today.isoformat()
    sections = [
        Section(
            key="requests_by_month",
            title="Requests received by month",
            columns=UT_COLUMNS,
            rows={m: _ut(c) for m, c in months.items()},
            bases={m: Basis("requests_received", "flow", m) for m in months},
        ),
        Section(
            key="requests",
            title="Requests received in the period",
            columns=UT_COLUMNS,
            rows={"received": _ut(received), "expedited": _ut(expedited)},
            bases={"received": Basis("requests_received"), "expedited": Basis("expedited")},
            row_labels={
                "received": "Requests received",
                "expedited": "Expedited (removal proceedings, detention, family member near 21)",
            },
        ),
        Section(
            key="languages",
            title="Preferred languages of the victims (requests received)",
            columns=UT_COLUMNS,
            rows={k: _ut(languages[k]) for k in lang_order},
            bases={k: Basis(f"requests_received_in_{k}") for k in lang_order},
            row_labels={k: _language_label(k) for k in lang_order},
        ),
        Section(
            key="outcomes",
            title="Outcomes in the period",
            columns=UT_COLUMNS,
            rows={k: _ut(data.outcomes.get(k, Counter())) for k in OUTCOME_LABELS},
            bases={
                "certified": Basis("forms_signed"),
                "denied": Basis("denials_issued"),
                "withdrawn": Basis("withdrawn"),
                "revoked": Basis("revoked"),
                "open_at_end": Basis("open", "stock", end),
            },
            row_labels=OUTCOME_LABELS,
        ),
        Section(
            key="denial_reasons",
            title="Denials by the policy reason given",
            columns=UT_COLUMNS,
            rows={r: _ut(c) for r, c in reasons.items()},
            bases={r: Basis(f"denials_issued_for_{r}") for r in reasons},
            row_labels={r: r.replace("_", " ").capitalize() for r in reasons},
        ),
        _response_section(data.compliance.answered),
        Section(
            key="deadlines",
            title="Deadlines and delay letters",
            columns=UT_COLUMNS,
            rows={
                "overdue_today": _ut(data.past_due_today.without_letter),
                "past_due_with_letter_today": _ut(data.past_due_today.with_letter),
                "delay_explanations": _ut(data.compliance.letters_issued),
                "promised_date_passed": _ut(data.compliance.promised_passed),
                "no_projected_date": _ut(data.compliance.no_projected_date),
            },
            bases={
                "overdue_today": Basis("past_due_without_letter", "stock", today),
                "past_due_with_letter_today": Basis("past_due_with_letter", "stock", today),
                "delay_explanations": Basis("delay_letters"),
                "promised_date_passed": Basis("promised_date_passed"),
                "no_projected_date": Basis("delay_letters_without_projected_date"),
            },
            row_labels={
                "overdue_today": f"Overdue on {today} (no answer, no delay letter in time)",
                "past_due_with_letter_today": (
                    f"Past 90 days on {today}, unanswered, with a delay letter sent in time"
                ),
                "delay_explanations": "Delay letters sent in the period (s. 3(iii))",
                "promised_date_passed": (
                    "Requests whose delay letter's projected date passed without an answer"
                ),
                "no_projected_date": "Delay letters without a projected date (cannot be checked)",
            },
        ),
        Section(
            key="da_positions",
            title="District Attorney consultations recorded in the period, by position",
            columns=UT_COLUMNS,
            rows={p: _ut(c) for p, c in positions.items()},
            bases={p: Basis(f"da_position_{p}") for p in positions},
            row_labels={p: p.replace("_", " ").capitalize() for p in positions},
        ),
        Section(
            key="certifier_workload",
            title="Certifiers' workload",
            columns=("assigned_in_period", "open_today"),
            rows={
                name: {"assigned_in_period": a, "open_today": o}
                for name, (a, o) in data.workload.items()
            },
            suppress=False,
            sums_across=False,
            column_labels={
                "assigned_in_period": "Assigned in the period",
                "open_today": f"Open on {today}",
            },
            note="Certifiers are department staff; their names are not personal data of victims.",
        ),
    ]
    relations = [
        *sum_relations(("requests", "received"), [("requests_by_month", m) for m in months]),
        *sum_relations(("requests", "received"), [("languages", k) for k in lang_order]),
        *sum_relations(("outcomes", "denied"), [("denial_reasons", r) for r in reasons]),
        *sum_relations(
            ("time_to_response", "answered"), [("time_to_response", k) for k in TIMELINESS]
        ),
    ]
    return sections, relations


OUTCOME_LABELS = {
    "certified": "Certified (form signed)",
    "denied": "Denied in writing",
    "withdrawn": "Withdrawn by the requester",
    "revoked": "Revoked by the department",
    "open_at_end": "Open at the end of the period",
}


def _response_section(answered: list[Answered]) -> Section:
    by_visa = {v: [a for a in answered if a.visa == v] for v in ("U", "T")}
    by_col = {"U": by_visa["U"], "T": by_visa["T"], "total": by_visa["U"] + by_visa["T"]}
    stats = {c: response_stats([a.days for a in by_col[c]]) for c in UT_COLUMNS}
    rows: dict[str, dict[str, Value]] = {"answered": {c: len(by_col[c]) for c in UT_COLUMNS}}
    for kind in TIMELINESS:
        rows[kind] = {c: sum(a.timeliness == kind for a in by_col[c]) for c in UT_COLUMNS}
    for measure in ("share_within_90_days", "median_days", "p90_days"):
        rows[measure] = {c: stats[c][measure] for c in UT_COLUMNS}
    return Section(
        key="time_to_response",
        title="Time to response (G.L. c. 258F s. 3: 90 days)",
        columns=UT_COLUMNS,
        rows=rows,
        stat_rows=("median_days", "p90_days"),
        stat_base_row="answered",
        share_rows={"share_within_90_days": ("within_90_days", "answered")},
        bases={"answered": Basis("answered"), **{k: Basis(f"answered_{k}") for k in TIMELINESS}},
        row_labels={
            "answered": "Requests first answered in the period",
            "within_90_days": "answered within 90 days",
            "late_with_delay_letter": "answered later, with a delay letter sent within the 90 days",
            "late_without_delay_letter": "answered later, without a timely delay letter",
            "share_within_90_days": "Share answered within 90 days (%)",
            "median_days": "Median days to response",
            "p90_days": "90th percentile, days to response",
        },
    )
