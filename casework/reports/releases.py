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
  that no withheld figure of it or of any logged release, and no count from 1 to 4 of
  the months, quarters and year around it, can be worked out from all the figures
  released so far (:mod:`casework.reports.crosscheck`).

``release.json`` keeps the published report only: no exact figure is stored.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from casework.reports.crosscheck import fixed_periods, protect_across, release_id
from casework.reports.model import Period, Report
from casework.reports.serial import report_from_record, report_to_record
from casework.reports.suppress import apply_labels, suppress_report

RELEASE_FORMATS = ("pdf", "html", "csv", "json")


@dataclass
class Release:
    report: Report
    folder: Path
    files: dict[str, Path]
    reissued: bool


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
    *,
    around: Callable[[Period], Report] | None = None,
    today: dt.date | None = None,
) -> Release:
    """Release a report publicly: reissue the logged release of ``kind`` and ``period``, or
    compute the exact report (``compute()``), protect it against the log, write and log it.

    ``file_name(report, fmt)`` names the files written in the release folder;
    ``around(period)`` computes the exact record of another fixed period (for the small
    counts of the months, quarters and year around this release, ended by ``today``).
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
        years = range(period.start.year, period.end.year + 1)
        logged = [
            rep
            for rep in load_logged(home)
            if rep.period.start.year in years
            or rep.period.end.year in years
            or (rep.as_of is not None and rep.as_of == exact.as_of)
        ]
        unreleased = []
        if around is not None:
            for year in years:
                for p in fixed_periods(year, today or dt.date.today()):
                    if p != period:
                        unreleased.append(around(p))
        published = protect_across(own, exact, logged, unreleased)
        tmp = root / f".{rid}.part"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for fmt in RELEASE_FORMATS:
            (tmp / file_name(published, fmt)).write_bytes(render(published, fmt))
        record = {"release": rid, "report": report_to_record(published)}
        (tmp / "release.json").write_text(json.dumps(record, indent=1, ensure_ascii=False))
        tmp.replace(folder)
    return Release(published, folder, _files(folder), False)
