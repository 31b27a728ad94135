"""``casework form CASE`` and ``casework forms check FILE.pdf``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(sub: Any, commands: dict[str, Any]) -> None:
    p = sub.add_parser("form", help="write the Supplement B for a case (a draft before approval)")
    p.add_argument("case")
    p.add_argument("--out", type=Path, default=None, help="output PDF (default CASE.pdf)")
    p.add_argument("--draft", action="store_true", help="mark it DRAFT even after approval")
    p = sub.add_parser("forms", help="read back a generated form")
    inner = p.add_subparsers(dest="forms_command", required=True)
    c = inner.add_parser("check", help="print each item's value of FILE.pdf")
    c.add_argument("file", type=Path)
    commands["form"] = cmd_form
    commands["forms"] = cmd_forms


def cmd_form(args: argparse.Namespace, store: Any) -> int:
    from casework.formdata import official_pdf_for, supplement_b_input
    from casework.views import get_case
    from forms.api import render_supplement_b

    with store.reading() as session:
        case = get_case(session, args.case)
        data = supplement_b_input(session, case)
    pdf = render_supplement_b(
        data,
        official_pdf=official_pdf_for(data.visa_type, data.edition),
        draft=True if args.draft else None,
    )
    out = args.out or Path(f"{data.case_number}.pdf")
    out.write_bytes(pdf)
    state = "signed-ready" if data.signature.approved and not args.draft else "DRAFT - not signed"
    print(f"{out} ({state}, {len(pdf)} bytes)")
    return 0


def cmd_forms(args: argparse.Namespace, store: Any) -> int:
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
