"""Small numbers protect people: counts of 1 to 4 are published as "fewer than 5".

Rules, applied to a computed :class:`~casework.reports.model.Report` to give
the version that may leave the department:

1. In a section that describes victims' cases (``Section.suppress``), every
   count from 1 to 4 becomes ``"fewer than 5"``. Zero stays zero (it identifies
   no one). Sections about staff (certifiers' workload) are not suppressed.
2. A statistic (median, percentile, share) computed over 1 to 4 cases is
   replaced by ``"fewer than 5"`` too: a median of one case is that case.
3. Complementary suppression inside a row: where U, T and "together" are
   shown, and exactly one of U and T is suppressed while the total is shown,
   the other (if not zero) is suppressed as well, because total minus the shown
   one would give the hidden one away.
4. ``Section.exact_columns`` are never suppressed: the §4 totals are exact by law.

Not covered (documented limitation): sums *across* rows, e.g. twelve monthly
cells against a yearly total published elsewhere. Rows are independent here.

``publish(report, suppress=False)`` (``--no-suppression``) returns the exact
figures, for records staff's internal use; renderings then say so.
"""

from __future__ import annotations

from casework.reports.model import Report, Section, Value

THRESHOLD = 5
SUPPRESSED = "fewer than 5"


def is_small(value: Value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < THRESHOLD


def suppress_section(section: Section) -> Section:
    if not section.suppress:
        return section
    rows: dict[str, dict[str, Value]] = {}
    base = section.rows.get(section.stat_base_row) if section.stat_base_row else None
    for item, cells in section.rows.items():
        out: dict[str, Value] = {}
        for column, value in cells.items():
            if column in section.exact_columns:
                out[column] = value
            elif item in section.stat_rows:
                few = base is not None and is_small(base.get(column))
                out[column] = SUPPRESSED if few else value
            else:
                out[column] = SUPPRESSED if is_small(value) else value
        if item not in section.stat_rows and {"U", "T", "total"} <= out.keys():
            hidden = [c for c in ("U", "T") if out[c] == SUPPRESSED]
            if len(hidden) == 1 and out["total"] != SUPPRESSED:
                other = "T" if hidden[0] == "U" else "U"
                if out[other] != 0:
                    out[other] = SUPPRESSED
        rows[item] = out
    return Section(
        key=section.key,
        title=section.title,
        columns=section.columns,
        rows=rows,
        suppress=section.suppress,
        stat_rows=section.stat_rows,
        stat_base_row=section.stat_base_row,
        exact_columns=section.exact_columns,
        row_labels=section.row_labels,
        column_labels=section.column_labels,
        note=section.note,
    )


def publish(report: Report, *, suppress: bool = True) -> Report:
    """The report as it may be released (``suppress=True``) or for internal use."""
    if not suppress:
        return report.with_sections(list(report.sections), suppressed=False)
    return report.with_sections([suppress_section(s) for s in report.sections], suppressed=True)
