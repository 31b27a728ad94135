"""``casework form CASE``, ``casework forms check FILE.pdf``, ``casework forms install FILE.pdf``
and ``casework forms status``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: Any, commands: dict[str, Any]) -> None:
    p = sub.add_parser("form", help="write the Supplement B for a case (a draft before approval)")
    p.add_argument("case")
    p.add_argument("--out", type=Path, default=None, help="output PDF (default CASE.pdf)")
    p.add_argument("--draft", action="store_true", help="mark it DRAFT even after approval")
    p = sub.add_parser("forms", help="official forms: install, status; read back a form")
    inner = p.add_subparsers(dest="forms_command", required=True)
    c = inner.add_parser("check", help="print each item's value of FILE.pdf")
    c.add_argument("file", type=Path)
    c = inner.add_parser(
        "install", help="keep the official fillable PDF of an edition the project knows"
    )
    c.add_argument("file", type=Path)
    c = inner.add_parser("status", help="which official forms are installed")
    c.add_argument("--json", action="store_true")
    commands["form"] = cmd_form
    commands["forms"] = cmd_forms


def cmd_form(args: argparse.Namespace, store: Any) -> int:
    from casework import accesslog
    from casework.formdata import supplement_b_input
    from casework.officialforms import installed_pdf
    from casework.views import get_case
    from forms.api import render_supplement_b

    with store.unit_of_work() as session:  # the access-log entry commits with the read
        case = get_case(session, args.case)
        data = supplement_b_input(session, case)
        official = installed_pdf(session, data.visa_type, data.edition)
        out = args.out or Path(f"{data.case_number}.pdf")
        accesslog.record(
            session,
            who=accesslog.local_user(),
            case_id=case.id,
            what=f"victim identity and the certifier's findings (Supplement B written to {out})",
            why="casework form",
        )
    pdf = render_supplement_b(data, official_pdf=official, draft=True if args.draft else None)
    out.write_bytes(pdf)
    state = "signed-ready" if data.signature.approved and not args.draft else "DRAFT - not signed"
    kind = "official form" if official is not None else "FACSIMILE, not the official form"
    print(f"{out} ({state}, {kind}, {len(pdf)} bytes)")
    return 0


def cmd_forms(args: argparse.Namespace, store: Any) -> int:
    if args.forms_command == "install":
        return _install(args, store)
    if args.forms_command == "status":
        return _status(args, store)
    from forms.api import describe

    try:
        items = describe(args.file.read_bytes())
    except FileNotFoundError:
        print(f"{args.file}: no such file", file=sys.stderr)
        return 1
    except Exception as exc:  # a PDF that is not one of our forms
        print(f"{args.file}: not a readable Supplement B ({exc})", file=sys.stderr)
        return 1
    width = max((len(i) for i, _, _ in items), default=4)
    for item, label, value in items:
        print(f"{item:<{width}}  {label[:60]:<60}  {value}")
    return 0


def _install(args: argparse.Namespace, store: Any) -> int:
    from casework.officialforms import forms_dir, install

    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        print(f"{args.file}: cannot be read ({exc.strerror or exc})", file=sys.stderr)
        return 1
    with store.unit_of_work() as session:
        ed, row, notes = install(session, raw)  # CaseworkError -> "refused: ..." (exit 1)
    print(f"installed {ed.edition_line}: {forms_dir() / row.file_name} (sha256 {row.sha256})")
    for note in notes:
        print(f"note: {note}")
    return 0


def _status(args: argparse.Namespace, store: Any) -> int:
    from casework.officialforms import SETTING, require_official_forms, status

    with store.reading() as session:
        rows = status(session)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        if r["installed"]:
            state = f"installed {r['installed_at'][:10]}, sha256 {r['sha256']}"
        elif not r["inventory_recorded"]:
            state = "not installed (no field inventory recorded: the field map is unverified)"
        else:
            state = "not installed: forms are produced as marked facsimiles"
        print(f"{r['visa_type']}  {r['form']:<42} {state}")
    needed = "required" if require_official_forms() else "not required"
    print(f"{SETTING}: official forms are {needed} for the Chief's approval")
    return 0
