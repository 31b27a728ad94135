"""Small numbers protect people: the version of a report that may leave the department.

Rules, applied to the exact figures of a :class:`~casework.reports.model.Report`:

1. **Primary.** In a section about victims' cases (``Section.suppress``) a count
   from 1 to 4 is published as ``"fewer than 5"`` (:data:`FEWER`), and only such a
   count. Zero stays zero. Sections about staff (certifiers' workload) are exact.
2. **Complementary.** A reader who knows how figures relate (U + T = total, the
   months add up to the period, the reasons to the denials, the timeliness rows
   to the requests answered; a total of 0 means every part is 0) must not be able
   to work out any withheld figure. While some withheld figure is determined by
   the published ones (exact linear algebra, :mod:`casework.reports.linear`),
   one more figure from the equations that determine it is withheld, the
   smallest first, and published as ``"suppressed"`` (:data:`SUPPRESSED`),
   whatever its size. A zero whose total is a published zero protects nothing
   and is never chosen.
3. **Statistics and shares.** A median or percentile over fewer than 5 cases, or
   over a withheld count, is withheld; a share is withheld with its numerator or
   its denominator. Both read ``"suppressed"``: the label says nothing of their size.
4. ``Section.exact_columns`` are never withheld (the §4 figures are exact by law).

Bounds are out of scope: a withheld U beside a statutory total of 2 is known to
be at most 2, and "fewer than 5" says at least 1. Public releases
(:mod:`casework.reports.releases`) apply rule 2 across releases too
(:mod:`casework.reports.crosscheck`).

``publish(report, suppress=False)`` (``--no-suppression``) returns the exact
figures, for records staff's internal use; renderings then say so on every page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from casework.reports.linear import RowSpace
from casework.reports.model import (
    FEWER,
    HIDDEN,
    SUPPRESSED,
    Ref,
    Relation,
    Report,
    Section,
    Value,
)

THRESHOLD = 5


class Unprotectable(RuntimeError):
    """A withheld figure that no further withholding can protect (a bug in the report layout)."""


def is_small(value: Value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < THRESHOLD


@dataclass
class Table:
    """The figures of a report as one map, with what may be withheld and what must not."""

    report: Report

    def __post_init__(self) -> None:
        self.exact: dict[Ref, Value] = {}
        self.pinned: set[Ref] = set()
        self.order: dict[Ref, int] = {}
        for s in self.report.sections:
            for row, cells in s.rows.items():
                for col, value in cells.items():
                    ref = (s.key, row, col)
                    self.exact[ref] = value
                    self.order[ref] = len(self.order)
                    if col in s.exact_columns or not s.suppress or not s.is_count_row(row):
                        self.pinned.add(ref)
        self.relations = [
            r
            for r in self.report.all_relations()
            if all(x in self.exact for x in (r.whole, *r.parts))
        ]

    def suppressible(self, ref: Ref) -> bool:
        return ref not in self.pinned and isinstance(self.exact[ref], int)


def zero_known(relations: Iterable[Relation], shown: dict[Ref, Value]) -> set[Ref]:
    """Figures a reader knows are 0: parts of a total shown as 0 (counts are never negative)."""
    rels = list(relations)
    known: set[Ref] = set()
    changed = True
    while changed:
        changed = False
        for r in rels:
            if shown.get(r.whole) == 0 or r.whole in known:
                for p in r.parts:
                    if p not in known:
                        known.add(p)
                        changed = True
    return known


def determined(
    relations: list[Relation], shown: dict[Ref, Value], hidden: Iterable[Ref]
) -> dict[Ref, set[int]]:
    """Withheld figures a reader can work out, each with the relations that give it away.

    Unknowns are the withheld figures; each relation, with its shown figures moved to
    the known side, is an equation over them. A figure known to be 0 (part of a shown 0
    total) counts as worked out, by the relation that makes it so.
    """
    hidden_list = sorted(set(hidden))
    zeros = zero_known(relations, shown)
    space: RowSpace[Ref] = RowSpace()
    for r in relations:
        row: dict[Ref, int] = {}
        if r.whole not in shown:
            row[r.whole] = -1
        for p in r.parts:
            if p not in shown:
                row[p] = row.get(p, 0) + 1
        space.add(row)
    out: dict[Ref, set[int]] = {}
    for ref in hidden_list:
        if ref in zeros:  # given away by the totals of 0 it is part of
            out[ref] = {
                i
                for i, r in enumerate(relations)
                if ref in r.parts and (shown.get(r.whole) == 0 or r.whole in zeros)
            }
            continue
        witness = space.witness({ref: 1})
        if witness is not None:
            out[ref] = set(witness)
    return out


def _complement(table: Table, shown: dict[Ref, Value], target: Ref, rels: set[int]) -> Ref:
    """The figure to withhold next so that ``target`` can no longer be worked out.

    The smallest figure of the equations that give it away, not a total if a part will do.
    A 0 under a total shown as 0 protects nothing while that total is shown: it comes last
    (its total is then withheld in turn), and never when the total is a statutory figure.
    """
    zeros = zero_known(table.relations, shown)
    forever = zero_known(table.relations, {r: v for r, v in shown.items() if r in table.pinned})

    def candidates(indices: Iterable[int]) -> list[Ref]:
        refs = {
            x
            for i in indices
            for x in (table.relations[i].whole, *table.relations[i].parts)
            if x in shown and table.suppressible(x) and x not in forever
        }
        return sorted(refs, key=lambda x: (x in zeros, shown[x], x[2] == "total", table.order[x]))

    found = candidates(rels)
    if not found:  # the witness runs only through pinned figures: look wider
        found = candidates(
            i for i, r in enumerate(table.relations) if target in (r.whole, *r.parts)
        )
    if not found:
        raise Unprotectable(f"nothing left to withhold to protect {'/'.join(target)}")
    return found[0]


def suppress_report(report: Report) -> dict[Ref, str]:
    """Which figures to withhold, and the label each gets."""
    table = Table(report)
    labels: dict[Ref, str] = {
        ref: FEWER for ref, v in table.exact.items() if table.suppressible(ref) and is_small(v)
    }
    while True:
        shown = {ref: v for ref, v in table.exact.items() if ref not in labels}
        found = determined(table.relations, shown, labels)
        if not found:
            break
        target = min(found, key=lambda r: table.order[r])
        labels[_complement(table, shown, target, found[target])] = SUPPRESSED
    labels.update(dependent_labels(report, labels))
    return labels


def dependent_labels(report: Report, labels: dict[Ref, str]) -> dict[Ref, str]:
    """Statistics and shares withheld with the counts they are computed from."""
    out: dict[Ref, str] = {}
    for s in report.sections:
        if not s.suppress:
            continue
        for row in s.stat_rows:
            for col in s.columns:
                base = (s.key, s.stat_base_row or "", col)
                n = s.rows.get(s.stat_base_row or "", {}).get(col)
                if s.rows[row].get(col) is not None and (base in labels or is_small(n)):
                    out[(s.key, row, col)] = SUPPRESSED
        for row, (num, den) in s.share_rows.items():
            for col in s.columns:
                n = s.rows.get(den, {}).get(col)
                withheld = (s.key, num, col) in labels or (s.key, den, col) in labels
                if s.rows[row].get(col) is not None and (withheld or is_small(n)):
                    out[(s.key, row, col)] = SUPPRESSED
    return out


def apply_labels(report: Report, labels: dict[Ref, str]) -> list[Section]:
    sections: list[Section] = []
    for s in report.sections:
        rows = {
            row: {col: labels.get((s.key, row, col), v) for col, v in cells.items()}
            for row, cells in s.rows.items()
        }
        sections.append(s.with_rows(rows))
    return sections


def publish(report: Report, *, suppress: bool = True) -> Report:
    """The report as it may be released (``suppress=True``) or for internal use."""
    if not suppress:
        return report.with_sections(list(report.sections), suppressed=False)
    published = report.with_sections(apply_labels(report, suppress_report(report)), suppressed=True)
    published.internal_lists = {}
    return published


def withheld(report: Report) -> dict[Ref, str]:
    """The withheld figures of a published report and their labels."""
    return {
        (s.key, row, col): str(v)
        for s in report.sections
        for row, cells in s.rows.items()
        for col, v in cells.items()
        if v in HIDDEN
    }
