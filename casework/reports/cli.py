"""``casework report annual|records``: the §4 annual report and the Mayor's record.

A public report (the default) is a *release*: it covers a year, quarter or month
that has ended, is written once with all its formats under
``CASEWORK_HOME/reports/releases/`` and logged, and asking again reissues the
same files (:mod:`casework.reports.releases`). ``--no-suppression`` gives the
exact figures for records staff (any days, marked INTERNAL everywhere, not
logged); ``annual --draft`` a draft of the current year.

Without ``--out``, CSV and JSON go to standard output and the path of a PDF or
HTML file is printed. The format is taken from ``--format``, else from the
``--out`` file's suffix, else PDF. A PDF is always accompanied by its
accessible HTML twin (same name, ``.html``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
from pathlib import Path
from typing import Any

from casework.db import Store


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _year(text: str) -> int:
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year written YYYY")
    return int(text)


def _period(text: str) -> Any:
    from casework.reports.model import Period

    try:
        return Period.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers: Any, commands: dict[str, Any]) -> None:
    from casework.reports.render import FORMATS

    p = subparsers.add_parser("report", help="annual G.L. c. 258F report; the Mayor's record")
    kinds = p.add_subparsers(dest="report_kind", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--format", choices=FORMATS, default=None, help="default: from --out, else pdf"
        )
        q.add_argument("--out", type=Path, default=None, help="file to write")
        q.add_argument(
            "--no-suppression",
            action="store_true",
            help="exact small numbers, for records staff's internal use only (not a release)",
        )

    a = kinds.add_parser("annual", help="the G.L. c. 258F s. 4 figures for a calendar year")
    a.add_argument("--year", type=_year, required=True)
    a.add_argument("--draft", action="store_true", help="a draft of the year not yet ended")
    common(a)
    r = kinds.add_parser("records", help="the Mayor's record of certification requests")
    r.add_argument("--period", type=_period, default=None, help="2025, 2025-Q2 or 2025-03")
    r.add_argument("--from", dest="start", type=_date, default=None, help="internal use: first day")
    r.add_argument("--to", dest="end", type=_date, default=None, help="internal use: last day")
    r.add_argument("--today", type=_date, default=None, help="date for 'overdue' (default today)")
    common(r)
    commands["report"] = cmd_report


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = args.out.suffix.lower().lstrip(".") if args.out is not None else ""
    return suffix if suffix in ("pdf", "html", "csv", "json") else "pdf"


def _records_period(args: argparse.Namespace) -> Any:
    from casework.reports.model import Period, ReportRefused

    if args.period is not None:
        if args.start or args.end:
            raise ReportRefused("give either --period or --from/--to, not both")
        return args.period
    if args.start is None or args.end is None:
        raise ReportRefused("give --period (2025, 2025-Q2, 2025-03) or both --from and --to")
    if args.end < args.start:
        raise ReportRefused("--to is before --from")
    return Period(args.start, args.end)


def cmd_report(args: argparse.Namespace, store: Store) -> int:
    from casework.reports import (
        annual_report,
        default_name,
        records_report,
        release_annual,
        release_records,
        render,
        reports_dir,
        write_report,
    )

    fmt = _format(args)
    today = getattr(args, "today", None) or dt.date.today()
    period = _records_period(args) if args.report_kind == "records" else None
    public = not args.no_suppression and not getattr(args, "draft", False)
    if public:
        if period is None:
            done = release_annual(store, args.year, today=today)
        else:
            done = release_records(store, period, today=today)
        if done.reissued:
            print(
                f"note: {done.folder.name} was released before; reissuing the released files "
                "unchanged",
                file=sys.stderr,
            )
        source = done.files[fmt]
        if args.out is None and fmt in ("csv", "json"):
            sys.stdout.write(source.read_text())
            return 0
        if args.out is None:
            print(source)
            return 0
        _copy(source, args.out)
        if fmt == "pdf":
            _copy(done.files["html"], args.out.with_suffix(".html"))
        print(args.out)
        return 0
    if period is None:
        report = annual_report(
            store,
            args.year,
            suppress=not args.no_suppression,
            today=today,
            draft=args.draft,
            why="casework report annual" + (" --no-suppression" if args.no_suppression else ""),
        )
    else:
        report = records_report(
            store, period.start, period.end, today=today, suppress=not args.no_suppression
        )
    if not report.suppressed:
        print("note: small numbers are NOT suppressed; for internal use only", file=sys.stderr)
    if args.out is None and fmt in ("csv", "json"):
        sys.stdout.write(render(report, fmt).decode())
        return 0
    out = args.out or reports_dir(store) / default_name(report, fmt)
    write_report(report, fmt, out)
    if fmt == "pdf":
        write_report(report, "html", out.with_suffix(".html"))
    print(out)
    return 0


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    shutil.copyfile(source, tmp)
    tmp.replace(target)
