"""The release log: every public report, kept as released, and checked against the others.

Two releases can be subtracted: the year's figure minus three quarters' gives
the fourth quarter's, and a figure one release withholds may be worked out from
what another shows. So a public release (``casework report annual|records``
without ``--no-suppression``):

* covers a calendar month, quarter or year that has ended (see
  :func:`casework.reports.check_public_period`);
* is written once, with all its formats, under
  ``CASEWORK_HOME/reports/releases/<kind>-<period>/`` together with
  ``release.json`` (what it showed and withheld, and what each figure counts);
  asking again for the same period reissues those files unchanged, even if late
  entries changed the data since (a second version could be subtracted from the
  first);
* withholds, beyond its own small-number suppression, whatever else is needed so
  that no withheld figure of it or of any logged release can be worked out from
  all the figures released so far.

The check models each figure over *latent* monthly counts (a year's figure is
the sum of its months'; see :class:`~casework.reports.model.Basis`), replicates
each report's relations month by month, adds what a shown 0 implies, and asks
:class:`~casework.reports.linear.RowSpace` whether each withheld figure is in the
span of the shown ones. A withheld figure of the new release that earlier
releases already give away cannot be protected: the release is refused.
"""

from __future__ import annotations

import fcntl
import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casework.reports.linear import RowSpace
from casework.reports.model import (
    HIDDEN,
    SUPPRESSED,
    Period,
    Ref,
    Report,
    ReportRefused,
    Section,
)
from casework.reports.serial import report_from_record, report_to_record
from casework.reports.suppress import apply_labels, dependent_labels, suppress_report

Latent = tuple[str, str, str]  # measure, column, unit (a month, "@date" or "#period")
RELEASE_FORMATS = ("pdf", "html", "csv", "json")


@dataclass
class Release:
    report: Report
    folder: Path
    files: dict[str, Path]
    reissued: bool


@dataclass(frozen=True)
class Cell:
    release: str
    ref: Ref
    value: Any
    vector: dict[Latent, int]

    @property
    def hidden(self) -> bool:
        return self.value in HIDDEN


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


def cells_of(report: Report) -> list[Cell]:
    """The count figures of a report that take part in the check (not statistics or staff)."""
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
                    out.append(
                        Cell(rid, (s.key, row, col), value, cell_vector(report, s, row, col))
                    )
    return out


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
        if c.value == 0:
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


VALUE: Latent = ("", "", "=")  # the constant 1, for checking that releases agree


def _system(
    cells: list[Cell], relations: list[dict[Latent, int]], *, values: bool = False
) -> tuple[RowSpace[Latent], list[set[int]]]:
    """What a reader knows: the relations, the 0s implied by shown 0s, the shown figures
    (with their values when ``values``); and for each row, the shown cells it comes from."""
    zeros = _zero_facts(cells, relations)
    space: RowSpace[Latent] = RowSpace()
    source: list[set[int]] = []
    for row in relations:
        space.add(row)
        source.append(set())
    for latent, why in zeros.items():
        space.add({latent: 1})
        source.append(set(why))
    for i, c in enumerate(cells):
        if not c.hidden:
            row = dict(c.vector)
            if values:
                row[VALUE] = -int(c.value)
            space.add(row)
            source.append({i})
    return space, source


def exposed(
    cells: list[Cell], relations: list[dict[Latent, int]], skip: frozenset[int] = frozenset()
) -> dict[int, set[int]]:
    """Withheld cells (by index) that the shown ones give away, each with the shown cells used."""
    space, source = _system(cells, relations)
    out: dict[int, set[int]] = {}
    for i, c in enumerate(cells):
        if c.hidden and i not in skip:
            witness = space.witness(c.vector)
            if witness is not None:
                out[i] = set().union(*(source[j] for j in witness))
    return out


def disagreement(cells: list[Cell], relations: list[dict[Latent, int]]) -> set[int]:
    """Shown cells whose values contradict each other (data changed between releases: the
    difference would itself be a figure), or an empty set."""
    space, source = _system(cells, relations, values=True)
    witness = space.witness({VALUE: 1})
    return set() if witness is None else set().union(*(source[j] for j in witness))


def protect_across(new: Report, exact: Report, logged: list[Report]) -> Report:
    """``new`` (published) with whatever more must be withheld given the logged releases.

    A withheld figure that the logged releases already give away (one release withholds
    what another shows) is public anyway and needs no protection; a shown figure that disagrees with them (late entries
    changed the data) is withheld, since the difference would be a figure of its own.
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
    old_relations = [r for rep in logged for r in relation_rows(rep)]
    relations = old_relations + relation_rows(exact)
    base_cells = [c for rep in logged for c in cells_of(rep)]
    old_space, _ = _system(base_cells, old_relations)
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
        cells = base_cells + cells_of(current)
        if hide_one(disagreement(cells, relations), cells):
            continue
        known = frozenset(i for i, c in enumerate(cells) if c.hidden and old_space.spans(c.vector))
        found = exposed(cells, relations, known)
        if not found:
            break
        target = min(found)
        if not hide_one(found[target], cells):
            t = cells[target]
            raise ReportRefused(
                f"{rid} cannot be released: the withheld figure {'/'.join(t.ref)} of "
                f"{t.release} could be worked out from it and earlier releases, and nothing "
                "more can be withheld; use --no-suppression for internal use"
            )
    labels.update(dependent_labels(exact, labels))
    out = new.with_sections(apply_labels(exact, labels), suppressed=True)
    out.internal_lists = {}
    return out


def releases_dir(home: Path) -> Path:
    return home / "reports" / "releases"


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load_logged(home: Path) -> list[Report]:
    out = []
    for path in sorted(releases_dir(home).glob("*/release.json")):
        out.append(report_from_record(json.loads(path.read_text())["report"]))
    return out


def _files(folder: Path) -> dict[str, Path]:
    return {
        p.suffix.lstrip("."): p
        for p in folder.iterdir()
        if p.suffix.lstrip(".") in RELEASE_FORMATS and p.name != "release.json"
    }


def release(
    home: Path,
    kind: str,
    period: Period,
    compute: Callable[[], Report],
    file_name: Callable[[Report, str], str],
) -> Release:
    """Release a report publicly: reissue the logged release of ``kind`` and ``period``, or
    compute the exact report (``compute()``), protect it against the log, write and log it.

    ``file_name(report, fmt)`` names the files written in the release folder.
    """
    from casework.reports.render import render

    root = releases_dir(home)
    rid = f"{kind}-{period.label}"
    folder = root / rid
    with _locked(root):
        if (folder / "release.json").exists():
            record = json.loads((folder / "release.json").read_text())
            return Release(report_from_record(record["report"]), folder, _files(folder), True)
        exact = compute()
        if exact.suppressed or exact.draft or release_id(exact) != rid:
            raise ValueError("release() takes the exact, final report of the period asked for")
        own = exact.with_sections(apply_labels(exact, suppress_report(exact)), suppressed=True)
        own.internal_lists = {}
        published = protect_across(own, exact, load_logged(home))
        tmp = root / f".{rid}.part"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for fmt in RELEASE_FORMATS:
            (tmp / file_name(published, fmt)).write_bytes(render(published, fmt))
        record = {"release": rid, "report": report_to_record(published)}
        (tmp / "release.json").write_text(json.dumps(record, indent=1, ensure_ascii=False))
        tmp.replace(folder)
    return Release(published, folder, _files(folder), False)
