"""``casework register detainer|stop|language FILE.json`` and ``casework register import KIND
FILE.csv``: record entries in the executive order's registers, all or none."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from casework.db import Store
from casework.terminal import printable

KINDS = ("detainer", "stop", "language")
HELP = {
    "detainer": "an ICE detainer request and the supervisor's decision (FILE.json)",
    "stop": "a stop of an unlicensed operator and what became of the vehicle (FILE.json)",
    "language": "a language service given: interpreter or translation (FILE.json)",
}


def register(subparsers: Any, commands: dict[str, Any]) -> None:
    p = subparsers.add_parser(
        "register", help="record in the executive order's registers (detainers, stops, languages)"
    )
    kinds = p.add_subparsers(dest="register_command", required=True)
    for kind in KINDS:
        k = kinds.add_parser(kind, help=HELP[kind])
        k.add_argument("file", type=Path, help="one entry (an object) or a list of entries")
    imp = kinds.add_parser(
        "import", help="a dispatch or records-system CSV export with the register's columns"
    )
    imp.add_argument("kind", choices=KINDS)
    imp.add_argument("file", type=Path)
    commands["register"] = cmd_register


def _line_order(problem: str) -> tuple[int, str]:
    m = re.match(r"(?:line|entry) (\d+)", problem)
    return (int(m.group(1)) if m else 0, problem)


def cmd_register(args: argparse.Namespace, store: Store) -> int:
    from casework.accesslog import local_user
    from casework.registers import door
    from casework.registers.load import EntriesRefused, from_csv, from_json

    is_import = args.register_command == "import"
    kind = args.kind if is_import else args.register_command
    path: Path = args.file
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"{printable(path)}: cannot be read ({type(exc).__name__})", file=sys.stderr)
        return 1
    try:
        parsed = from_csv(kind, data) if is_import else from_json(kind, data)
        with store.unit_of_work() as session:
            parsed.add_row_problems(door.check(session, parsed.items))
            if parsed.problems:
                raise EntriesRefused(sorted(parsed.problems, key=_line_order))
            rows = door.record(
                session,
                kind,
                parsed.items,
                who=local_user(),
                source="csv import" if is_import else "json",
            )
            first, last, head = rows[0].seq, rows[-1].seq, rows[-1].hash
    except EntriesRefused as exc:
        print(
            f"{kind} register: {len(exc.problems)} problem(s); nothing was stored:",
            file=sys.stderr,
        )
        for problem in exc.problems:
            print(f"  {printable(problem)}", file=sys.stderr)
        return 1
    span = f"entry {first}" if first == last else f"entries {first}-{last}"
    print(f"{kind} register: {len(rows)} recorded ({span}); chain head {head[:16]}...")
    return 0
