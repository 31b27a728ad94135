"""Commands for keys, checkpoints, the access log and evidence export:

``casework checkpoint``, ``casework keys rotate``, ``casework access-log [CASE] [--since
DATE]``, ``casework attachments CASE --out DIR``, ``casework sweep-orphans``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from casework.db import Store
from casework.terminal import printable, safe_json


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def register(sub: Any, commands: dict[str, Any]) -> None:
    sub.add_parser(
        "checkpoint",
        help="sign the ledger's size and tree head into the checkpoint folder",
    )
    p = sub.add_parser("keys", help="encryption keys")
    inner = p.add_subparsers(dest="keys_command", required=True)
    inner.add_parser(
        "rotate",
        help='move everything to the newest key of CASEWORK_KEY="new,old" and retire the old',
    )
    p = sub.add_parser("access-log", help="who decrypted which case's data, when and why")
    p.add_argument("case", nargs="?")
    p.add_argument("--since", type=_date, default=None, help="from this date (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser(
        "attachments", help="export a case's attachments as submitted, checked against SHA-256"
    )
    p.add_argument("case")
    p.add_argument("--out", type=Path, required=True, help="folder to write the files to")
    p = sub.add_parser(
        "sweep-orphans", help="remove stored files that no case references (older than 1 hour)"
    )
    p.add_argument("--older-than-hours", type=float, default=1.0)
    commands.update(
        {
            "checkpoint": cmd_checkpoint,
            "keys": cmd_keys,
            "access-log": cmd_access_log,
            "attachments": cmd_attachments,
            "sweep-orphans": cmd_sweep,
        }
    )


def cmd_checkpoint(args: argparse.Namespace, store: Store) -> int:
    from casework.checkpoints import verifier, write_checkpoint

    store.check_keys()
    path = write_checkpoint(store)
    print(path.read_text(encoding="utf-8"), end="")
    print(f"written to {path}")
    print(f"verifier key: {verifier(store.settings).text()}")
    print("keep a copy of the checkpoints and the verifier key outside this machine")
    return 0


def cmd_keys(args: argparse.Namespace, store: Store) -> int:
    from casework.keyrotate import rotate

    result = rotate(store, progress=print)
    for problem in result.problems:
        print(f"NOT SEALED {problem}", file=sys.stderr)
    if result.problems:
        print(
            "the older keys were not retired: keep them in CASEWORK_KEY and investigate",
            file=sys.stderr,
        )
        return 1
    print(
        f"done: {result.retired} older key(s) retired; CASEWORK_KEY (or the key file) may now "
        "hold the newest key alone"
    )
    return 0


def cmd_access_log(args: argparse.Namespace, store: Store) -> int:
    from casework.accesslog import entries

    with store.reading() as session:
        rows = entries(session, args.case, args.since)
    if args.json:
        print(
            safe_json(
                [
                    {"at": r.at, "who": r.who, "case": r.case_number, "what": r.what, "why": r.why}
                    for r in rows
                ]
            )
        )
        return 0
    for r in rows:
        at = r.at.strftime("%Y-%m-%d %H:%M:%S")
        print(
            f"{at}  {r.case_number or '-':<18} {printable(r.who)}  {printable(r.what)}  "
            f"({printable(r.why)})"
        )
    print(f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'}")
    return 0


def cmd_attachments(args: argparse.Namespace, store: Store) -> int:
    from casework.accesslog import local_user
    from casework.export import export_attachments

    result = export_attachments(
        store, args.case, args.out, who=local_user(), why="casework attachments"
    )
    for path in result.written:
        print(f"written {printable(path)}")
    for problem in result.problems:
        print(f"NOT EXPORTED {printable(problem)}", file=sys.stderr)
    print(
        f"{result.case_number}: {len(result.written)} attachment(s) written to "
        f"{printable(args.out)}, {len(result.problems)} missing or altered"
    )
    return 1 if result.problems else 0


def cmd_sweep(args: argparse.Namespace, store: Store) -> int:
    from casework.blobs import sweep_orphans

    result = sweep_orphans(store, older_than=dt.timedelta(hours=args.older_than_hours))
    for path in result.removed:
        print(f"removed {path}")
    print(f"{len(result.removed)} unreferenced file(s) removed, {result.kept} kept")
    return 0
