"""``casework report annual|records``: the §4 annual report and the Mayor's record.

Without ``--out``, CSV and JSON go to standard output and a PDF is written under
``CASEWORK_HOME/reports/`` (its path is printed). The format is taken from
``--format``, else from the ``--out`` file's suffix, else PDF.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
            help="exact small numbers, for records staff's internal use only",
        )

    a = kinds.add_parser("annual", help="the G.L. c. 258F s. 4 figures for a calendar year")
    a.add_argument("--year", type=_year, required=True)
    common(a)
    r = kinds.add_parser("records", help="the Mayor's record of certification requests")
    r.add_argument("--from", dest="start", type=_date, required=True)
    r.add_argument("--to", dest="end", type=_date, required=True)
    r.add_argument("--today", type=_date, default=None, help="date for 'overdue' (default today)")
    common(r)
    commands["report"] = cmd_report


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    if args.out is not None and args.out.suffix.lower().lstrip(".") in ("pdf", "csv", "json"):
        return args.out.suffix.lower().lstrip(".")
    return "pdf"


def cmd_report(args: argparse.Namespace, store: Store) -> int:
    from casework.reports import (
        annual_report,
        default_name,
        records_report,
        render,
        reports_dir,
        write_report,
    )

    fmt = _format(args)
    suppress = not args.no_suppression
    if args.report_kind == "annual":
        report = annual_report(store, args.year, suppress=suppress)
    else:
        if args.end < args.start:
            print("refused: --to is before --from", file=sys.stderr)
            return 1
        report = records_report(store, args.start, args.end, today=args.today, suppress=suppress)
    if not suppress:
        print("note: small numbers are NOT suppressed; for internal use only", file=sys.stderr)
    if args.out is None and fmt in ("csv", "json"):
        sys.stdout.write(render(report, fmt).decode())
        return 0
    out = args.out or reports_dir(store) / default_name(report, fmt)
    write_report(report, fmt, out)
    print(out)
    return 0
