"""Across releases: can what has been released, together, give a withheld figure away?

Each figure is modelled over *latent* counts: a flow (events in a period) is the sum
of its months' counts, a stock (open cases on a day) is a count as of that day, a
figure of a period as a whole (distinct people) stands alone (see
:class:`~casework.reports.model.Basis`); figures with the same measure in any report
share latents. Each report's relations are replicated month by month where all their
terms are flows (a year's relations hold in each of its months), a shown 0 makes every
latent under it 0, and a row a report does not list is the 0 it is.
:class:`Knowledge` holds all of that as one exact system
(:class:`~casework.reports.linear.RowSpace`) with the shown figures' values, so that
releases that contradict each other (late entries) are found as well.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from casework.reports.linear import RowSpace
from casework.reports.model import (
    HIDDEN,
    SUPPRESSED,
    Basis,
    Period,
    Ref,
    Report,
    ReportRefused,
    Section,
)
from casework.reports.suppress import apply_labels, dependent_labels, is_small

Latent = tuple[str, str, str]  # measure, column, unit (a month, "@date" or "#period")


@dataclass(frozen=True)
class Cell:
    release: str
    ref: Ref
    value: Any
    vector: dict[Latent, int]
    #: A small count of a fixed period that no release shows: it must stay unknown too.
    virtual: bool = False

    @property
    def hidden(self) -> bool:
        return self.virtual or self.value in HIDDEN


def release_id(report: Report) -> str:
    return f"{report.kind}-{report.period.label}"


def _months(report: Report) -> list[str]:
    return report.period.months()


def cell_vector(report: Report, section: Section, row: str, col: str) -> dict[Latent, int]:
    basis = section.basis(row)
    if basis.kind == "stock":
        return {(basis.measure, col, "@" + basis.at): 1}
    if basis.kind == "period":
        return {(basis.measure, col, "#" + report.period.label): 1}
    months = [basis.at] if basis.at else _months(report)
    return {(basis.measure, col, m): 1 for m in months}


Universe = dict[tuple[str, str], Basis]


def row_universe(reports: Iterable[Report]) -> Universe:
    """Every row any of ``reports`` lists in its tables of flows (not its months)."""
    out: Universe = {}
    for rep in reports:
        for s in rep.sections:
            if s.suppress:
                for row in s.rows:
                    b = s.basis(row)
                    if s.is_count_row(row) and b.kind == "flow" and not b.at:
                        out.setdefault((s.key, row), b)
    return out


def cells_of(report: Report, universe: Universe | None = None) -> list[Cell]:
    """The count figures of a report that take part in the check (not statistics or staff).

    A row of ``universe`` that the report does not list (a language nobody asked in that
    quarter) is read as the 0 it is: a report lists every row with something in it.
    """
    out = []
    rid = release_id(report)
    for s in report.sections:
        if not s.suppress:
            continue
        for row, cells in s.rows.items():
            if not s.is_count_row(row):
                continue
            for col, value in cells.items():
                if isinstance(value, int | str) and not isinstance(value, bool):
                    vec = cell_vector(report, s, row, col)
                    out.append(Cell(rid, (s.key, row, col), value, vec))
        for (key, row), basis in (universe or {}).items():
            if key == s.key and row not in s.rows:
                for col in s.columns:
                    vec = {(basis.measure, col, m): 1 for m in _months(report)}
                    out.append(Cell(rid, (s.key, row, col), 0, vec))
    return out


def small_cells(report: Report) -> list[Cell]:
    """The counts from 1 to 4 of an exact report (of a period nobody released)."""
    pinned = {(s.key, r, c) for s in report.sections for r in s.rows for c in s.exact_columns}
    return [
        Cell("virtual:" + c.release, c.ref, c.value, c.vector, virtual=True)
        for c in cells_of(report)
        if c.ref not in pinned and is_small(c.value)
    ]


def fixed_periods(year: int, today: dt.date) -> list[Period]:
    """The calendar year, its quarters and its months that have ended by ``today``."""
    periods = [Period.year(year)]
    periods += [Period.quarter(year, q) for q in range(1, 5)]
    periods += [Period.month(year, m) for m in range(1, 13)]
    return [p for p in periods if p.end < today]


def relation_rows(report: Report) -> list[dict[Latent, int]]:
    """The report's relations over latent counts: month by month where every term is a flow
    over the whole period, else once over the terms' vectors."""
    rows: list[dict[Latent, int]] = []
    months = _months(report)
    for rel in report.all_relations():
        terms = [(rel.whole, -1)] + [(p, 1) for p in rel.parts]
        bases = [report.section(ref[0]).basis(ref[1]) for ref, _ in terms]
        if all(b.kind == "flow" and not b.at for b in bases):
            for m in months:
                row: dict[Latent, int] = {}
                for (ref, coef), b in zip(terms, bases, strict=True):
                    key = (b.measure, ref[2], m)
                    row[key] = row.get(key, 0) + coef
                rows.append({k: v for k, v in row.items() if v})
        else:
            row = {}
            for ref, coef in terms:
                vec = cell_vector(report, report.section(ref[0]), ref[1], ref[2])
                for key, v in vec.items():
                    row[key] = row.get(key, 0) + coef * v
            if any(row.values()):
                rows.append({k: v for k, v in row.items() if v})
    return rows


def _zero_facts(
    cells: list[Cell], relations: list[dict[Latent, int]]
) -> dict[Latent, frozenset[int]]:
    """Latent counts known to be 0 (shown 0s, and parts of a total known to be 0), each with
    the indices (into ``cells``) of the shown 0s that give it away."""
    known: dict[Latent, frozenset[int]] = {}
    for i, c in enumerate(cells):
        if not c.hidden and c.value == 0:
            for latent in c.vector:
                known.setdefault(latent, frozenset({i}))
    changed = True
    while changed:
        changed = False
        for row in relations:
            wholes = [k for k, v in row.items() if v < 0]
            if wholes and all(k in known for k in wholes):
                why = frozenset().union(*(known[k] for k in wholes))
                for k, v in row.items():
                    if v > 0 and k not in known:
                        known[k] = why
                        changed = True
    return known


VALUE: Latent = ("", "", "=")  # the constant 1: shown figures are equations with values


class Knowledge:
    """What a reader knows: the relations, the 0s implied by shown 0s, and the shown figures
    with their values, as one system (:class:`RowSpace`), with the shown cells each row
    comes from. Built once for the logged releases; each check copies it and adds the new
    release's figures.
    """

    def __init__(self, base: list[Cell], relations: list[dict[Latent, int]]) -> None:
        self.base, self.relations = base, relations
        self.space: RowSpace[Latent] = RowSpace(last=VALUE)
        self.source: list[set[int]] = []
        for row in relations:
            self._add(self.space, self.source, row, set())
        self.zeros = _zero_facts(base, relations)
        for latent, why in self.zeros.items():
            self._add(self.space, self.source, {latent: 1}, set(why))
        for i, c in enumerate(base):
            if not c.hidden:
                self._add(self.space, self.source, {**c.vector, VALUE: -int(c.value)}, {i})

    @staticmethod
    def _add(
        space: RowSpace[Latent], source: list[set[int]], row: dict[Latent, int], why: set[int]
    ) -> None:
        index = space.add(row)
        source.extend(set() for _ in range(index + 1 - len(source)))
        source[index] = why

    def known_before(self, cell: Cell) -> bool:
        """Whether the logged releases alone give ``cell`` away."""
        return self.space.witness_up_to_constant(cell.vector) is not None

    def check(self, cells: list[Cell]) -> tuple[set[int], dict[int, set[int]]]:
        """For ``cells`` (the base, then the new release's): the shown cells that contradict
        each other (empty if none), and each protected cell given away with the shown cells
        used (cells :meth:`known_before` are left out by the caller)."""
        space, source = self.space.copy(), list(self.source)
        for latent, why in _zero_facts(cells, self.relations).items():
            if latent not in self.zeros:
                self._add(space, source, {latent: 1}, set(why))
        for i in range(len(self.base), len(cells)):
            c = cells[i]
            if not c.hidden:
                self._add(space, source, {**c.vector, VALUE: -int(c.value)}, {i})
        contradiction = space.witness({VALUE: 1})
        clash = set().union(*(source[j] for j in contradiction)) if contradiction else set()
        found: dict[int, set[int]] = {}
        for i, c in enumerate(cells):
            if c.hidden:
                witness = space.witness_up_to_constant(c.vector)
                if witness is not None:
                    found[i] = set().union(*(source[j] for j in witness))
        return clash, found


def protect_across(
    new: Report, exact: Report, logged: Sequence[Report], unreleased: Sequence[Report] = ()
) -> Report:
    """``new`` (published) with whatever more must be withheld given the logged releases.

    Protected: every withheld figure of ``new`` and of the logged releases, and every count
    from 1 to 4 of the exact reports of other fixed periods (``unreleased``: the months,
    quarters and year around ``new``), so that no combination of releases (a year less its
    quarters) gives a small count away. A protected figure that the logged releases alone
    already give away (one release withholds what another shows) is public anyway and needs
    no protection; a shown figure that disagrees with them (late entries changed the data)
    is withheld, since the difference would be a figure of its own. Figures the statute
    requires (the §4 totals) are never withheld, whatever they give away.
    """
    labels = {
        (s.key, row, col): str(v)
        for s in new.sections
        for row, cells in s.rows.items()
        for col, v in cells.items()
        if v in HIDDEN
    }
    pinned = {
        (s.key, row, col) for s in exact.sections for row in s.rows for col in s.exact_columns
    }
    relations = _unique(r for rep in [*logged, exact, *unreleased] for r in relation_rows(rep))
    universe = row_universe([*logged, exact, *unreleased])
    base = [c for rep in logged for c in cells_of(rep, universe)]
    base += [c for rep in unreleased for c in small_cells(rep)]
    knowledge = Knowledge(base, relations)
    public = {i for i, c in enumerate(base) if c.hidden and knowledge.known_before(c)}
    known_new: dict[Ref, bool] = {}
    forced: set[int] = set()  # given away through figures the statute requires (never withheld)
    rid = release_id(new)

    def hide_one(indices: set[int], cells: list[Cell]) -> bool:
        options = sorted(
            (i for i in indices if cells[i].release == rid and cells[i].ref not in pinned),
            key=lambda i: (cells[i].value == 0, cells[i].value, cells[i].ref[2] == "total", i),
        )
        if options:
            labels[cells[options[0]].ref] = SUPPRESSED
        return bool(options)

    while True:
        current = new.with_sections(apply_labels(exact, labels), suppressed=True)
        cells = base + cells_of(current, universe)
        skip = set(public) | forced
        for i in range(len(base), len(cells)):
            c = cells[i]
            if c.hidden:
                if c.ref not in known_new:
                    known_new[c.ref] = knowledge.known_before(c)
                if known_new[c.ref]:
                    skip.add(i)
        contradiction, found = knowledge.check(cells)
        if contradiction and hide_one(contradiction, cells):
            continue  # else the logged releases disagree among themselves: not ours to mend
        found = {i: why for i, why in found.items() if i not in skip}
        if not found:
            break
        # One more figure withheld per figure given away, in one round (a figure withheld
        # for one may already protect the next: those wait for the next round's check).
        before = set(labels)
        for target in sorted(found):
            if any(cells[i].ref in labels and cells[i].ref not in before for i in found[target]):
                continue
            if not hide_one(found[target], cells):
                if not any(cells[i].release == rid for i in found[target]):
                    t = cells[target]
                    raise ReportRefused(
                        f"{rid} cannot be released: {'/'.join(t.ref)} of {t.release} can be "
                        "worked out from earlier releases; use --no-suppression for internal use"
                    )
                forced.add(target)
    labels.update(dependent_labels(exact, labels))
    out = new.with_sections(apply_labels(exact, labels), suppressed=True)
    out.internal_lists = {}
    return out


def _unique(rows: Iterable[dict[Latent, int]]) -> list[dict[Latent, int]]:
    seen: set[frozenset[tuple[Latent, int]]] = set()
    out = []
    for row in rows:
        key = frozenset(row.items())
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out
