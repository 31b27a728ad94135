"""An independent check that no withheld figure of a published report can be worked out.

Written from what the reports print, not from ``casework.reports``: the
equations a reader knows (U + T = together in every count row; the months add
up to the requests received, and so do the languages; the reasons add up to the
denials; the timeliness rows add up to the requests answered; the §4
reconciliation adds up), plus what a total shown as 0 says about its parts. A
withheld figure is determined exactly when its unit vector lies in the row
space of those equations restricted to the withheld figures (the shown ones
move to the known side): numpy's rank decides.
"""

from __future__ import annotations

from typing import Any

import numpy as np

FEWER = "fewer than 5"
SUPPRESSED = "suppressed"
HIDDEN = (FEWER, SUPPRESSED)
UT = ("U", "T", "total")
TIMELY = ("within_90_days", "late_with_delay_letter", "late_without_delay_letter")

Ref = tuple[str, str, str]
Equation = dict[Ref, int]  # sum of coefficient * figure = 0; the whole has coefficient -1
Figures = dict[str, dict[str, dict[str, Any]]]


def row_sums(figures: Figures, section: str, rows: list[str] | None = None) -> list[Equation]:
    out = []
    for row in rows if rows is not None else list(figures[section]):
        out.append({(section, row, "U"): 1, (section, row, "T"): 1, (section, row, "total"): -1})
    return out


def adds_up(whole: tuple[str, str], parts: list[tuple[str, str]]) -> list[Equation]:
    out = []
    for col in UT:
        eq: Equation = {(*whole, col): -1}  # type: ignore[dict-item]
        for s, r in parts:
            eq[(s, r, col)] = eq.get((s, r, col), 0) + 1
        out.append(eq)
    return out


# The registers' parts: summary section -> (its first row: everything in the period, the
# columns that add up to "total", the other summary rows that add up to the first, the
# breakdown sections whose rows add up to it). Every row of these sections adds up across.
REGISTERS = {
    "detainer_requests": ("received", ("declined", "honored"), (),
                          ("detainer_requests_by_form", "detainer_requests_by_basis")),
    "stops": ("stops", ("licensed_driver_arranged", "towed_statutory",
                        "towed_no_licensed_driver"), ("offered", "not_offered"), ()),
    "language_services": ("services", ("in_person", "phone", "video", "translated_document"),
                          ("wait_recorded", "wait_not_recorded"),
                          ("language_services_by_language", "language_services_by_context")),
}  # fmt: skip
STATS = ("median_wait_minutes", "p90_wait_minutes")


def _sum(whole: Ref, parts: list[Ref]) -> Equation:
    eq: Equation = {whole: -1}
    for p in parts:
        eq[p] = eq.get(p, 0) + 1
    return eq


def register_equations(f: Figures) -> list[Equation]:
    """What a reader knows of the registers' parts, from what the record prints."""
    eqs: list[Equation] = []
    for key, (first, cols, subrows, breakdowns) in REGISTERS.items():
        if key not in f:  # a record laid out without its register parts (a hand-made one)
            continue
        every = (*cols, "total")
        for section in (key, f"{key}_by_month", *breakdowns):
            for row in f[section]:
                if row not in STATS:
                    eqs.append(_sum((section, row, "total"), [(section, row, c) for c in cols]))
        for col in every:
            eqs.append(
                _sum((key, first, col), [(f"{key}_by_month", m, col) for m in f[f"{key}_by_month"]])
            )
            for b in breakdowns:
                eqs.append(_sum((key, first, col), [(b, r, col) for r in f[b]]))
            if subrows:
                eqs.append(_sum((key, first, col), [(key, r, col) for r in subrows]))
    if "interpreters" in f:
        eqs += row_sums(f, "interpreters") + row_sums(f, "certification_letters")
        eqs += adds_up(("requests", "received"), [("interpreters", k) for k in f["interpreters"]])
    return eqs


def records_equations(f: Figures) -> list[Equation]:
    eqs: list[Equation] = register_equations(f)
    for section in (
        "requests_by_month",
        "requests",
        "languages",
        "outcomes",
        "denial_reasons",
        "deadlines",
        "da_positions",
    ):
        eqs += row_sums(f, section)
    eqs += row_sums(f, "time_to_response", ["answered", *TIMELY])
    received = ("requests", "received")
    eqs += adds_up(received, [("requests_by_month", m) for m in f["requests_by_month"]])
    eqs += adds_up(received, [("languages", k) for k in f["languages"]])
    eqs += adds_up(("outcomes", "denied"), [("denial_reasons", r) for r in f["denial_reasons"]])
    eqs += adds_up(("time_to_response", "answered"), [("time_to_response", k) for k in TIMELY])
    return eqs


def annual_equations(f: Figures) -> list[Equation]:
    eqs: list[Equation] = []
    for section in ("statutory", "received_requests", "earlier_requests", "compliance"):
        eqs += row_sums(f, section)
    rr = "received_requests"
    eqs += adds_up(
        (rr, "received"), [(rr, k) for k in ("signed", "denied", "withdrawn", "pending")]
    )
    eqs += adds_up(("statutory", "forms_signed"), [(rr, "signed"), ("earlier_requests", "signed")])
    eqs += adds_up(("statutory", "denied"), [(rr, "denied"), ("earlier_requests", "denied")])
    eqs += adds_up(("compliance", "answered"), [("compliance", k) for k in TIMELY])
    return eqs


def cells(f: Figures) -> dict[Ref, Any]:
    return {
        (s, r, c): v for s, rows in f.items() for r, cols in rows.items() for c, v in cols.items()
    }


def zero_known(equations: list[Equation], shown: dict[Ref, Any]) -> set[Ref]:
    known: set[Ref] = set()
    changed = True
    while changed:
        changed = False
        for eq in equations:
            whole = [r for r, c in eq.items() if c < 0]
            if whole and all(shown.get(w) == 0 or w in known for w in whole):
                for r, c in eq.items():
                    if c > 0 and r not in known:
                        known.add(r)
                        changed = True
    return known


def determined(f: Figures, equations: list[Equation]) -> list[Ref]:
    """The withheld figures of ``f`` that the shown ones and ``equations`` give away."""
    every = cells(f)
    hidden = sorted(r for r, v in every.items() if v in HIDDEN)
    shown = {r: v for r, v in every.items() if v not in HIDDEN}
    index = {h: i for i, h in enumerate(hidden)}
    rows = []
    for eq in equations:
        row = np.zeros(len(hidden))
        for ref, coef in eq.items():
            if ref in index:
                row[index[ref]] += coef
        if row.any():
            rows.append(row)
    for ref in zero_known(equations, shown) & set(hidden):
        unit = np.zeros(len(hidden))
        unit[index[ref]] = 1
        rows.append(unit)
    a = np.array(rows) if rows else np.zeros((0, len(hidden)))
    rank = np.linalg.matrix_rank(a) if rows else 0
    out = []
    for h in hidden:
        unit = np.zeros((1, len(hidden)))
        unit[0, index[h]] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            out.append(h)
    return out


def check_labels(exact: Figures, published: Figures, pinned: set[Ref], counts: set[Ref]) -> None:
    """Each shown figure is exact; "fewer than 5" only for 1 to 4 and always for them
    (``counts``: the count figures that may be withheld)."""
    for ref, value in cells(published).items():
        truth = cells(exact)[ref]
        if value == FEWER:
            assert isinstance(truth, int) and 1 <= truth <= 4, (ref, truth)
        elif value == SUPPRESSED:
            assert ref not in pinned, ref
        else:
            assert value == truth, (ref, value, truth)
        if ref in counts and ref not in pinned and isinstance(truth, int) and 1 <= truth <= 4:
            assert value == FEWER, (ref, truth, value)


# --- several releases: figures over monthly counts -----------------------------------------

Key = tuple[str, str, str]
FLOW_SECTIONS = ("languages", "denial_reasons", "da_positions", "language_services_by_language",
                 "language_services_by_context", "certification_letters")  # fmt: skip
#: The measure a month section counts, which its part's summary row counts over the period.
MONTHLY = {
    "requests_by_month": "received",
    **{f"{key}_by_month": f"{key}.{first}" for key, (first, *_) in REGISTERS.items()},
}


def latent(section: str, row: str, col: str, period: Any) -> dict[Key, int]:
    """A figure of the record as a sum of monthly counts (or a count as of a day)."""
    end = period.end.isoformat()
    if section in MONTHLY:
        return {(MONTHLY[section], col, row): 1}
    if (section, row) == ("outcomes", "open_at_end"):
        return {("open", col, end): 1}
    if section == "deadlines" and row in ("overdue_today", "past_due_with_letter_today"):
        return {(row, col, "today"): 1}
    measure = {"requests.received": "received"}.get(f"{section}.{row}", f"{section}.{row}")
    return {(measure, col, m): 1 for m in period.months()}


def monthly_equations(months: list[str], rows_seen: dict[str, set[str]]) -> list[dict[Key, int]]:
    """The record's equations, month by month (each holds for every month)."""
    eqs = []
    flows = ["received", "requests.expedited"]
    flows += [f"{s}.{r}" for s in FLOW_SECTIONS[:3] for r in rows_seen[s]]
    flows += [f"outcomes.{r}" for r in ("certified", "denied", "withdrawn", "revoked")]
    flows += [f"time_to_response.{r}" for r in ("answered", *TIMELY)]
    flows += [f"deadlines.{r}" for r in ("delay_explanations", "promised_date_passed",
                                         "no_projected_date")]  # fmt: skip
    sums = [
        ("received", [f"languages.{k}" for k in rows_seen["languages"]]),
        ("outcomes.denied", [f"denial_reasons.{k}" for k in rows_seen["denial_reasons"]]),
        ("time_to_response.answered", [f"time_to_response.{k}" for k in TIMELY]),
    ]
    flows += [f"interpreters.{r}" for r in ("needed", "not_needed", "not_stated")]
    flows += [f"certification_letters.{r}" for r in rows_seen["certification_letters"]]
    sums.append(("received", [f"interpreters.{r}" for r in ("needed", "not_needed", "not_stated")]))
    for m in months:
        for f in flows:
            eqs.append({(f, "U", m): 1, (f, "T", m): 1, (f, "total", m): -1})
        for col in UT:
            for whole, parts in sums:
                eqs.append({(whole, col, m): -1, **{(p, col, m): 1 for p in parts}})
        eqs += _register_monthly(m, rows_seen)
    return eqs


FIXED_ROWS = {
    "detainer_requests_by_form": ("I-247A", "I-247D", "I-247N", "other"),
    "detainer_requests_by_basis": ("charge_and_warrant", "charge_only", "warrant_only",
                                   "neither"),
}  # fmt: skip


def _register_monthly(m: str, rows_seen: dict[str, set[str]]) -> list[dict[Key, int]]:
    """The registers' equations in one month."""
    eqs: list[dict[Key, int]] = []
    for key, (first, cols, subrows, breakdowns) in REGISTERS.items():
        whole = f"{key}.{first}"
        measures = [whole] + [f"{key}.{r}" for r in subrows]
        groups: list[list[str]] = [[f"{key}.{r}" for r in subrows]] if subrows else []
        for b in breakdowns:
            rows = FIXED_ROWS.get(b) or sorted(rows_seen[b])
            groups.append([f"{b}.{r}" for r in rows])
            measures += groups[-1]
        for x in measures:
            eqs.append({(x, "total", m): -1, **{(x, c, m): 1 for c in cols}})
        for col in (*cols, "total"):
            for group in groups:
                eqs.append({(whole, col, m): -1, **{(p, col, m): 1 for p in group}})
    return eqs


def row_space(rows: list[dict[Key, int]]) -> Any:
    """A test of membership in the span of ``rows``, block by block (numpy eigenvectors of
    A^T A with non-zero eigenvalues, per connected group of unknowns)."""
    parent: dict[Key, Key] = {}

    def find(k: Key) -> Key:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for row in rows:
        keys = list(row)
        for k in keys[1:]:
            parent[find(k)] = find(keys[0])
    groups: dict[Key, list[dict[Key, int]]] = {}
    for row in rows:
        groups.setdefault(find(next(iter(row))), []).append(row)
    bases: dict[Key, tuple[dict[Key, int], np.ndarray]] = {}
    for root, members in groups.items():
        index = {k: i for i, k in enumerate(sorted({k for r in members for k in r}))}
        a = np.zeros((len(members), len(index)))
        for i, r in enumerate(members):
            for k, c in r.items():
                a[i, index[k]] += c
        values, vectors = np.linalg.eigh(a.T @ a)
        bases[root] = (index, vectors[:, values > 1e-8 * max(1.0, float(values.max()))].T)

    def contains(target: dict[Key, int]) -> bool:
        parts: dict[Key, dict[Key, int]] = {}
        for k, c in target.items():
            if k not in parent:
                return False  # an unknown in no equation at all
            parts.setdefault(find(k), {})[k] = c
        for root, part in parts.items():
            index, basis = bases[root]
            v = np.zeros(len(index))
            for k, c in part.items():
                v[index[k]] = c
            if np.linalg.norm(v - basis.T @ (basis @ v)) > 1e-7:
                return False
        return True

    return contains


def small_counts_given_away(exacts: dict[Any, Any], released: list[Any]) -> list[str]:
    """Counts from 1 to 4 of the exact records ``exacts`` (period -> report: every month,
    quarter and year) that the published records ``released`` give away together."""
    every = [*exacts.values(), *released]
    rows_seen = {s: {r for rep in every for r in rep.section(s).rows} for s in FLOW_SECTIONS}
    months = sorted({m for p in exacts for m in p.months()})
    eqs = monthly_equations(months, rows_seen)
    shown: list[dict[Key, int]] = []
    zero: set[Key] = set()
    for rep in released:
        for s in rep.sections:
            if not s.suppress:
                continue
            rows = list(s.rows) + [r for r in rows_seen.get(s.key, ()) if r not in s.rows]
            for row in rows:
                if not s.is_count_row(row):
                    continue
                for col in s.columns:
                    value = s.rows.get(row, {}).get(col, 0)  # a row not listed is 0
                    vec = latent(s.key, row, col, rep.period)
                    if value == 0:
                        zero |= set(vec)
                    if value not in HIDDEN:
                        shown.append(vec)
    changed = True
    while changed:  # a total of 0 has parts of 0
        changed = False
        for eq in eqs:
            if all(k in zero for k, c in eq.items() if c < 0):
                new = {k for k, c in eq.items() if c > 0} - zero
                zero |= new
                changed = changed or bool(new)
    in_span = row_space([*eqs, *shown, *({k: 1} for k in zero)])
    leaks = []
    for p, exact in exacts.items():
        for s in exact.sections:
            if not s.suppress:
                continue
            for row, cols in s.rows.items():
                if not s.is_count_row(row):
                    continue
                for col, value in cols.items():
                    small = isinstance(value, int) and 1 <= value <= 4
                    if small and in_span(latent(s.key, row, col, p)):
                        leaks.append(f"{p.label} {s.key}/{row}/{col} = {value}")
    return leaks
