"""The ``casework`` command: the contract scripts and tests rely on.

Exit codes: 0 success; 1 refused (invalid request, illegal transition, broken
history); 2 usage errors (argparse).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from casework import forms_cli, integrity_cli, settings_cli, workflow_cli
from casework.config import Settings, SettingsError, load_settings
from casework.db import Store
from casework.errors import CaseworkError
from casework.i18n import cli as i18n_cli
from casework.models import Case
from casework.portal import cli as portal_cli
from casework.registers import cli as registers_cli
from casework.reports import cli as reports_cli
from casework.terminal import printable
from casework.workflow_port import NO_WORKFLOWS, WorkflowError, WorkflowRuns

Handler = Callable[[argparse.Namespace, Store], int]
COMMANDS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        COMMANDS[name] = fn
        return fn

    return register


def _print_json(value: Any) -> None:
    from casework.terminal import safe_json

    print(safe_json(value))


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


@command("init")
def cmd_init(args: argparse.Namespace, store: Store) -> int:
    from casework.blobs import attachment_blobs, document_blobs
    from casework.keys import prepare_init
    from casework.migrate import upgrade
    from casework.setup_data import load_demo

    note = prepare_init(store)  # a new key only for an empty store with no key at all
    if note:
        print(note)
    upgrade(store)
    store.check_keys()
    for blobs in (attachment_blobs(store), document_blobs(store)):
        for digest in blobs.digests():  # files an older version wrote in plaintext
            blobs.encrypt_if_plain(digest)
    print(f"database ready: {store.url}")
    if args.demo:
        with store.unit_of_work() as session:
            loaded = load_demo(session)
        print("demo agency and roster loaded" if loaded else "an agency is already loaded; kept it")
    return 0


def cmd_submit(args: argparse.Namespace, store: Store, runs: WorkflowRuns) -> int:
    from casework.intake.jsonload import JsonRefused, load_json
    from casework.intake.service import submit
    from casework.intake.validate import IntakeRejected

    path = Path(args.request)
    try:
        raw = load_json(path.read_bytes())
    except (FileNotFoundError, IsADirectoryError):
        print(f"{path}: no such file", file=sys.stderr)
        return 1
    except JsonRefused as exc:
        print(f"(request): {exc}; nothing was stored", file=sys.stderr)
        return 1
    try:
        result = submit(store, raw, base_dir=path.parent.resolve(), received=args.received)
    except IntakeRejected as exc:
        print(
            f"request refused, {len(exc.problems)} problem(s); nothing was stored:", file=sys.stderr
        )
        for problem in exc.problems:
            print(printable(problem), file=sys.stderr)
        return 1
    if not result.created:
        print("this request duplicates an existing case; nothing new was stored")
    else:
        print(f"response due by {result.response_due.isoformat()} (G.L. c. 258F, 90 days)")
    if not args.no_flow and result.created:
        _start_workflow(store, result.case_number, runs)
    print(result.case_number)
    return 0


def _start_workflow(store: Store, case_number: str, runs: WorkflowRuns) -> None:
    if not runs.enabled:
        print("workflow not started: workflows are off in this process", file=sys.stderr)
        return
    try:
        run_id = runs.start(store, case_number)
    except WorkflowError as exc:  # Prefect down: the case is stored; `casework start` retries
        print(
            f"note: workflow not started ({exc}); "
            f"run `casework start {case_number}` once the Prefect server is up",
            file=sys.stderr,
        )
        return
    print(f"workflow run {run_id} started")


@command("list")
def cmd_list(args: argparse.Namespace, store: Store) -> int:
    from casework.views import summary

    with store.reading() as session:
        stmt = select(Case).order_by(Case.id)
        if args.state:
            stmt = stmt.where(Case.state_ == args.state)
        rows = [summary(c) for c in session.scalars(stmt)]
    if args.json:
        _print_json(rows)
        return 0
    print(f"{'case':<18} {'type':<4} {'state':<19} {'due':<10} {'exp':<3} assigned")
    for r in rows:
        print(
            f"{r['case_number']:<18} {r['visa_type']:<4} {r['state']:<19} {r['response_due']:<10} "
            f"{'yes' if r['expedited'] else '':<3} {printable(r['assigned_certifier'] or '-')}"
        )
    return 0


@command("show")
def cmd_show(args: argparse.Namespace, store: Store) -> int:
    from casework import accesslog
    from casework.views import detail, get_case

    with store.unit_of_work() as session:  # the access-log entry commits with the read
        case = get_case(session, args.case)
        accesslog.record(
            session,
            who=accesslog.local_user(),
            case_id=case.id,
            what="victim identity and narrative shown",
            why="casework show",
        )
        info = detail(case)
    if args.json:
        _print_json(info)
        return 0
    v, p = info["victim"], printable
    print(f"Case {info['case_number']} ({info['visa_type']} visa), state {info['state']}")
    print(
        f"  received {info['received_on']}, response due {info['response_due']}"
        f"{', EXPEDITED' if info['expedited'] else ''}"
    )
    print(f"  assigned certifier: {p(info['assigned_certifier'] or '-')}")
    print(f"  victim: {p(v['given_name'])} {p(v['family_name'])}, born {p(v['date_of_birth'])}")
    r = info["requester"]
    print(f"  requester: {p(r['name'])} ({p(r['organization'] or r['role'])}) <{p(r['email'])}>")
    for inc in info["incidents"]:
        print(f"  report numbers: {p(', '.join(inc['police_report_numbers']))}")
        print(f"  dates: {p(', '.join(inc['dates']))}")
        print(f"  activities: {p(', '.join(inc['qualifying_activities']))}")
    for a in info["attachments"]:
        print(
            f"  attachment: {p(a['filename'])} ({a['pages']} pages, sha256 {a['sha256'][:16]}...)"
        )
    return 0


@command("history")
def cmd_history(args: argparse.Namespace, store: Store) -> int:
    from casework.views import get_case, history

    with store.reading() as session:
        rows = history(session, get_case(session, args.case))
    if args.json:
        _print_json(rows)
        return 0
    for r in rows:
        change = f"{r['from'] or '(new)'} -> {r['to']}"
        extra = f"  reason: {printable(r['reason'])}" if r["reason"] else ""
        doc = f"  document {r['document_sha256'][:16]}..." if r["document_sha256"] else ""
        print(
            f"{r['seq']:>3} {r['at']} {r['action']:<24} {change:<42} {printable(r['actor'])} "
            f"({r['role']}){extra}{doc}"
        )
    return 0


@command("verify-history")
def cmd_verify(args: argparse.Namespace, store: Store) -> int:
    from casework import checkpoints
    from casework.audit import verify

    with store.reading() as session:
        result = verify(session, args.case)
    if args.case and result.checked == 0:
        print(f"no case numbered {printable(args.case)}", file=sys.stderr)
        return 1
    for b in result.breaks:
        print(f"BROKEN {printable(b)}", file=sys.stderr)
    problems: list[str] = []
    if result.leaves is not None:  # the whole ledger was read: check it against a checkpoint
        checked, problems = checkpoints.check(store.settings, result.leaves, args.checkpoint)
        print(checked)
    elif args.checkpoint:
        print("--checkpoint checks the whole ledger: leave out the case number", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"BROKEN checkpoint: {problem}", file=sys.stderr)
    broken = {b.case_number for b in result.breaks}
    broken_registers = {n for n in broken if n.endswith(" register")}
    registers = ""
    if result.leaves is not None:
        registers = (
            f"; {result.register_entries} register entr{'y' if result.register_entries == 1 else 'ies'}"
            f" checked, {len(broken_registers)} register(s) broken"
        )
    print(
        f"{result.checked} case(s) checked, {len(broken - broken_registers)} with a broken "
        f"history{registers}"
    )
    return 1 if result.breaks or problems else 0


def build_parser(runs: WorkflowRuns = NO_WORKFLOWS) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casework", description="U/T visa certification casework (Supplement B)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("init", help="create or migrate the database")
    p.add_argument("--demo", action="store_true", help="load the demo agency and roster")
    p = sub.add_parser("submit", help="validate and store a request (REQUEST.json)")
    p.add_argument("request")
    p.add_argument("--no-flow", action="store_true", help="store without starting the workflow")
    p.add_argument("--received", type=_date, default=None, help="date received (default today)")
    p = sub.add_parser("list", help="list cases")
    p.add_argument("--state")
    p.add_argument("--json", action="store_true")
    for name in ("show", "history"):
        p = sub.add_parser(name, help=f"{name} one case")
        p.add_argument("case")
        p.add_argument("--json", action="store_true")
    p = sub.add_parser(
        "verify-history",
        help="verify the case histories, the ledger and the access log (against a checkpoint)",
    )
    p.add_argument("case", nargs="?")
    p.add_argument(
        "--checkpoint",
        type=Path,
        default=None,
        help="a checkpoint file to verify against (default: the newest in the checkpoint folder)",
    )
    settings_cli.register(sub)
    COMMANDS["submit"] = lambda args, store: cmd_submit(args, store, runs)
    for register in (
        forms_cli.register,
        i18n_cli.register,
        reports_cli.register,
        integrity_cli.register,
        registers_cli.register,
    ):
        register(sub, COMMANDS)
    workflow_cli.register(sub, COMMANDS, runs)
    portal_cli.register(sub, COMMANDS, runs)
    return parser


def store_problem(settings: Settings) -> str | None:
    """Why the configured case store cannot be used (None when it can); creates nothing."""
    url = settings.database_url
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():
            return f"no case store at {path}; run casework init"
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                found = con.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
                ).fetchone()
            finally:
                con.close()
        except sqlite3.Error as exc:
            return f"no readable case store at {path} ({exc}); run casework init"
        return None if found else f"no case store at {path} (no casework schema); run casework init"
    engine = create_engine(
        url if "+" in url.split("://")[0] else url.replace("://", "+psycopg://", 1)
    )
    try:
        with engine.connect() as conn:
            found = inspect(conn).has_table("alembic_version")
    except SQLAlchemyError as exc:
        reason = " ".join(str(exc.__cause__ or exc).split())[:200]
        return f"no case store at {engine.url.render_as_string()} ({reason}); run casework init"
    finally:
        engine.dispose()
    return (
        None if found else f"no case store at {engine.url} (no casework schema); run casework init"
    )


def main(argv: Sequence[str] | None = None, runs: WorkflowRuns = NO_WORKFLOWS) -> int:
    """The commands; ``runs`` is the workflow engine (``casework.bootstrap.main`` wires it)."""
    args = build_parser(runs).parse_args(argv)
    try:
        if args.command == "settings":  # needs no store
            return settings_cli.cmd_settings(args)
        settings = load_settings()
    except SettingsError as exc:  # every bad CASEWORK_* variable, by name, on one line
        print(f"refused: {printable(exc)}", file=sys.stderr)
        return 1
    if args.command != "init":  # every other command needs a store, and must not create one
        problem = store_problem(settings)
        if problem:
            print(problem, file=sys.stderr)
            return 1
    store = Store()
    try:
        return COMMANDS[args.command](args, store)
    except CaseworkError as exc:
        print(f"refused: {printable(exc)}", file=sys.stderr)
        return 1
    except WorkflowError as exc:
        print(f"workflow: {printable(exc)}", file=sys.stderr)
        return 1
    finally:
        store.dispose()


if __name__ == "__main__":
    from casework.bootstrap import main as wired_main

    sys.exit(wired_main())
