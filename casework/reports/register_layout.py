"""The executive order's parts of the Mayor's record, laid out from plain counts.

Pure functions over :class:`~casework.reports.register_figures.RegisterData` (the property
tests feed them generated counts). Each part is a summary, its months and its breakdowns,
all with the same columns (the decision, the outcome, the mode of the service), and the
relations that make them add up (the months, the forms, the bases each add up to the summary;
every row's columns add up to its total), so that suppression and the release check protect
small counts here exactly as in the certifications part.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from babel import Locale

from casework.reports.model import (
    CERTIFICATIONS,
    DETAINERS,
    LANGUAGE_ACCESS,
    UNLICENSED_OPERATORS,
    UT_COLUMNS,
    Basis,
    Period,
    Relation,
    Section,
    Value,
    sum_relations,
    ut_row,
)
from casework.reports.register_figures import NO_WAIT, RegisterData
from casework.reports.register_texts import COLUMN_LABELS, DEFINITIONS, LETTER_LABELS

__all__ = ["DEFINITIONS", "access_sections", "language_name", "register_sections"]

DECISIONS = ("declined", "honored", "total")
FORMS = ("I-247A", "I-247D", "I-247N", "other")
BASES = {
    "charge_and_warrant": "With a criminal charge and a judicial warrant",
    "charge_only": "With a criminal charge, without a judicial warrant",
    "warrant_only": "With a judicial warrant, without a criminal charge",
    "neither": "Neither: non-criminal, no judicial warrant",
}
OUTCOMES = ("licensed_driver_arranged", "towed_statutory", "towed_no_licensed_driver", "total")
MODES = ("in_person", "phone", "video", "translated_document", "total")


def language_name(code: str) -> str:
    """``Spanish (es)``; the code alone where babel has no name (``mam``)."""
    try:
        name = Locale("en").languages.get(code.replace("-", "_"))
    except (ValueError, TypeError):
        name = None
    return f"{name} ({code})" if name else code


def _row(counter: Counter[str], columns: tuple[str, ...]) -> dict[str, Value]:
    parts = [c for c in columns if c != "total"]
    row: dict[str, Value] = {c: counter[c] for c in parts}
    row["total"] = sum(counter[c] for c in parts)
    return row


def across(section: str, rows: list[str], columns: tuple[str, ...]) -> list[Relation]:
    """In every row of ``section``, the total is the sum of the other columns."""
    parts = tuple(c for c in columns if c != "total")
    return [Relation((section, r, "total"), tuple((section, r, c) for c in parts)) for r in rows]


@dataclass
class Summary:
    """A part's summary section: its first row counts everything in the period; the other
    rows (if any) add up to it."""

    key: str
    title: str
    rows: dict[str, Counter[str]]
    labels: dict[str, str]

    @property
    def first(self) -> str:
        return next(iter(self.rows))


@dataclass
class Breakdown:
    """A section ``<summary>_by_<by>`` whose rows add up to the summary's first row."""

    by: str
    title: str
    rows: dict[str, Counter[str]]
    labels: dict[str, str]


def _part(
    part: str,
    columns: tuple[str, ...],
    measure: str,
    summary: Summary,
    months: dict[str, Counter[str]],
    breakdowns: tuple[Breakdown, ...] = (),
) -> tuple[list[Section], list[Relation]]:
    """A part: its summary, its months and its breakdowns, all with ``columns``; every figure
    counts ``measure`` (the rows of a breakdown, ``<measure>_<by>_<row>``) as a flow."""
    key, first = summary.key, summary.first

    def section(key: str, title: str, rows: dict[str, Counter[str]], **more: Any) -> Section:
        return Section(
            key=key,
            title=title,
            columns=columns,
            rows={r: _row(c, columns) for r, c in rows.items()},
            part=part,
            sums_across=False,
            column_labels=COLUMN_LABELS,
            **more,
        )

    sections = [
        section(
            key,
            summary.title,
            summary.rows,
            bases={r: Basis(measure if r == first else f"{measure}_{r}") for r in summary.rows},
            row_labels=summary.labels,
        ),
        section(
            f"{key}_by_month",
            f"{summary.title.split(' in the period')[0]}, by month",
            months,
            bases={m: Basis(measure, "flow", m) for m in months},
        ),
    ]
    relations = [
        *sum_relations((key, first), [(f"{key}_by_month", m) for m in months], columns),
        *across(key, list(summary.rows), columns),
        *across(f"{key}_by_month", list(months), columns),
    ]
    rest = [r for r in summary.rows if r != first]
    if rest:
        relations += sum_relations((key, first), [(key, r) for r in rest], columns)
    for b in breakdowns:
        sub = f"{key}_by_{b.by}"
        bases = {r: Basis(f"{measure}_{b.by}_{r}") for r in b.rows}
        sections.append(section(sub, b.title, b.rows, bases=bases, row_labels=b.labels))
        relations += sum_relations((key, first), [(sub, r) for r in b.rows], columns)
        relations += across(sub, list(b.rows), columns)
    return sections, relations


def _by(counter: Counter[tuple[str, str]]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for (row, col), n in counter.items():
        out.setdefault(row, Counter())[col] += n
    return dict(sorted(out.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])))


def detainer_sections(data: RegisterData, period: Period) -> tuple[list[Section], list[Relation]]:
    months = {m: Counter[str]() for m in period.months()}
    total: Counter[str] = Counter()
    forms = {f: Counter[str]() for f in FORMS}
    bases = {b: Counter[str]() for b in BASES}
    for (month, form, basis, decision), n in data.detainers.items():
        months[month][decision] += n
        total[decision] += n
        forms.setdefault(form, Counter())[decision] += n
        bases[basis][decision] += n
    return _part(
        DETAINERS,
        DECISIONS,
        "detainer_requests",
        Summary(
            "detainer_requests",
            "ICE detainer requests received in the period",
            {"received": total},
            {"received": "Detainer requests received"},
        ),
        months,
        (
            Breakdown(
                "form", "By form", forms, {f: f"Form {f}" for f in FORMS} | {"other": "Other"}
            ),
            Breakdown(
                "basis", "By what the request carried (the basis of the decision)", bases, BASES
            ),
        ),
    )


def stop_sections(data: RegisterData, period: Period) -> tuple[list[Section], list[Relation]]:
    months = {m: Counter[str]() for m in period.months()}
    rows: dict[str, Counter[str]] = {
        "stops": Counter(),
        "offered": Counter(),
        "not_offered": Counter(),
    }
    for (month, outcome, offered), n in data.stops.items():
        months[month][outcome] += n
        rows["stops"][outcome] += n
        rows["offered" if offered else "not_offered"][outcome] += n
    labels = {
        "stops": "Stops of unlicensed operators",
        "offered": "the driver was offered the opportunity to arrange for a licensed driver",
        "not_offered": "not offered (allowed only where a statute or regulation required the tow)",
    }
    return _part(
        UNLICENSED_OPERATORS,
        OUTCOMES,
        "unlicensed_stops",
        Summary("stops", "Unlicensed operators stopped in the period", rows, labels),
        months,
    )


def _wait_stats(waited: dict[str, list[int]]) -> dict[str, dict[str, Value]]:
    """Median and 90th percentile (nearest rank) of the waits, per mode."""
    median: dict[str, Value] = {}
    p90: dict[str, Value] = {}
    for column, values in waited.items():
        ordered = sorted(values)
        median[column] = float(statistics.median(ordered)) if ordered else None
        p90[column] = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)] if ordered else None
    return {"median_wait_minutes": median, "p90_wait_minutes": p90}


def language_sections(data: RegisterData, period: Period) -> tuple[list[Section], list[Relation]]:
    months = {m: Counter[str]() for m in period.months()}
    services: Counter[str] = Counter()
    for (month, mode), n in data.services.items():
        months[month][mode] += n
        services[mode] += n
    waited: dict[str, list[int]] = {m: [] for m in MODES}
    with_wait: Counter[str] = Counter()
    without: Counter[str] = Counter()
    for (mode, minutes), n in sorted(data.waits.items()):
        if minutes == NO_WAIT:
            without[mode] += n
            continue
        with_wait[mode] += n
        waited[mode] += [minutes] * n
        waited["total"] += [minutes] * n
    languages, contexts = _by(data.by_language), _by(data.by_context)
    sections, relations = _part(
        LANGUAGE_ACCESS,
        MODES,
        "language_services",
        Summary(
            "language_services",
            "Language services given in the period",
            {"services": services, "wait_recorded": with_wait, "wait_not_recorded": without},
            {
                "services": "Services given",
                "wait_recorded": "with the waiting time recorded",
                "wait_not_recorded": "without it",
                "median_wait_minutes": "Median wait, minutes",
                "p90_wait_minutes": "90th percentile wait, minutes",
            },
        ),
        months,
        (
            Breakdown("language", "By language", languages, {k: language_name(k) for k in languages}),
            Breakdown("context", "By occasion", contexts,
                      {k: k.replace("_", " ").capitalize() for k in contexts}),
        ),
    )  # fmt: skip
    head = sections[0]
    head.rows.update(_wait_stats(waited))
    head.stat_rows = ("median_wait_minutes", "p90_wait_minutes")
    head.stat_base_row = "wait_recorded"
    return sections, relations


def certification_language_sections(
    data: RegisterData,
) -> tuple[list[Section], list[Relation]]:
    letters: dict[str, Counter[str]] = {}
    for (visa, langs), n in data.letters.items():
        letters.setdefault(langs, Counter())[visa] += n
    order = sorted(letters, key=lambda k: (k != "en", k == "en+note", k))
    need = {k: Counter[str]() for k in ("needed", "not_needed", "not_stated")}
    for (visa, what), n in data.interpreter.items():
        need[what][visa] += n
    labels = {
        k: LETTER_LABELS.get(k) or f"English and {language_name(k.split('+', 1)[1].replace('_', '-'))}"
        for k in order
    }  # fmt: skip
    sections = [
        Section(
            key="certification_letters",
            title="Letters to requesters about certification requests, by language",
            columns=UT_COLUMNS,
            rows={k: ut_row(letters[k]["U"], letters[k]["T"]) for k in order},
            part=LANGUAGE_ACCESS,
            bases={k: Basis(f"requester_letters_{k}") for k in order},
            row_labels=labels,
        ),
        Section(
            key="interpreters",
            title="Certification requests received: interpreter needed",
            columns=UT_COLUMNS,
            rows={k: ut_row(c["U"], c["T"]) for k, c in need.items()},
            part=LANGUAGE_ACCESS,
            bases={k: Basis(f"requests_received_interpreter_{k}") for k in need},
            row_labels={
                "needed": "An interpreter is needed",
                "not_needed": "No interpreter needed",
                "not_stated": "Not stated",
            },
        ),
    ]
    relations = sum_relations(
        ("requests", "received"), [("interpreters", k) for k in need], UT_COLUMNS
    )
    return sections, relations


def access_sections(data: RegisterData) -> list[Section]:
    """The access log's entries in the period, by kind and by source (no one is named)."""
    kinds: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    for (kind, source), n in data.access.items():
        kinds[kind] += n
        sources[source] += n
    note = (
        "Counts of the access log's entries (who decrypted victims' data is recorded there, "
        "not here). They describe staff activity, not people asking for certification, and "
        "are not withheld when small."
    )
    return [
        Section(
            key=key,
            title=title,
            columns=("entries",),
            rows={k: {"entries": n} for k, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))},
            part=CERTIFICATIONS,
            suppress=False,
            sums_across=False,
            column_labels=COLUMN_LABELS,
            note=note,
        )
        for key, title, c in (
            ("data_access_by_kind", "Decryptions of victims' data in the period, by kind", kinds),
            ("data_access_by_source", "Decryptions of victims' data, by source", sources),
        )
    ]


def register_sections(data: RegisterData, period: Period) -> tuple[list[Section], list[Relation]]:
    """The three register parts, in the order of the executive order's policies."""
    sections: list[Section] = []
    relations: list[Relation] = []
    for make in (detainer_sections, stop_sections, language_sections):
        s, r = make(data, period)
        sections += s
        relations += r
    s, r = certification_language_sections(data)
    return sections + s, relations + r
