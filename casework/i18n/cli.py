"""``casework i18n extract|update|compile|check`` (also ``python -m casework.i18n ...``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from casework.i18n.catalogs import LOCALE_DIR


def run(args: argparse.Namespace) -> int:
    from babel.messages.pofile import write_po

    from casework.i18n import tools

    locale_dir = Path(args.locale_dir) if args.locale_dir else LOCALE_DIR
    if args.i18n_command == "compile":
        written = tools.compile_all(locale_dir)
        print(f"compiled {len(written)} catalog(s) in {locale_dir}")
        return 0
    template = tools.extract()
    if args.i18n_command == "extract":
        out = locale_dir / "casework.pot"
        with out.open("wb") as fh:
            write_po(fh, template, width=100, omit_header=False)
        print(f"{len(template)} messages -> {out}")
        return 0
    if args.i18n_command == "update":
        for path in tools.update_all(template, locale_dir):
            print(f"updated {path}")
        return 0
    findings = tools.check_all(template, locale_dir)
    for finding in findings:
        print(finding, file=sys.stderr)
    n = len(tools.catalogs(locale_dir))
    if findings:
        print(f"i18n check: {len(findings)} problem(s) in {n} catalog(s)", file=sys.stderr)
        return 1
    wanted = len(tools.translatable(template))
    print(f"i18n check: {n} catalog(s) complete ({wanted} messages; {len(template)} in English)")
    return 0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("i18n_command", choices=["extract", "update", "compile", "check"])
    p.add_argument("--locale-dir", default=None, help=f"catalog folder (default {LOCALE_DIR})")


def register(
    subparsers: Any, commands: dict[str, Callable[[argparse.Namespace, Any], int]]
) -> None:
    p = subparsers.add_parser(
        "i18n", help="message catalogs: extract, update, compile (.mo), check (complete, sound)"
    )
    add_arguments(p)
    commands["i18n"] = lambda args, store: run(args)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m casework.i18n")
    add_arguments(parser)
    return run(parser.parse_args(argv))
