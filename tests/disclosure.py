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


def records_equations(f: Figures) -> list[Equation]:
    eqs: list[Equation] = []
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
