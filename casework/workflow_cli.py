"""Workflow commands: start, resume, reissue-code, supplement, assign, delay, withdraw, reopen,
revoke, watch.

Commands that wake a workflow run use the :class:`~casework.workflow_port.WorkflowRuns` they
are given (wired in :mod:`casework.bootstrap`); everything they decide goes through the case
store's one door first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import smtplib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casework import steps
from casework.blobs import BlobStore
from casework.db import Store
from casework.errors import CaseworkError
from casework.roster import find_person
from casework.states import Role
from casework.transitions import Actor
from casework.views import get_case
from casework.workflow_port import WorkflowError, WorkflowRuns


def register(sub: Any, commands: dict[str, Any], runs: WorkflowRuns) -> None:
    p = sub.add_parser("start", help="start (or find) the case's workflow run")
    p.add_argument("case")
    p = sub.add_parser(
        "resume", help="complete the waiting human step with FILE.json (same checks as the UI)"
    )
    p.add_argument("case")
    p.add_argument("--input", required=True, type=Path, help="the answer (examples/answers/)")
    p.add_argument("--as", dest="acting_as", help="your email (replaces acting_as in FILE)")
    p.add_argument("--code", help="the action code from the email (replaces action_code)")
    p.add_argument("--wait", type=float, default=120.0, help="seconds to wait for the outcome")
    p = sub.add_parser(
        "reissue-code", help="the Chief has a new action code sent for the case's waiting step"
    )
    p.add_argument("case")
    p.add_argument("--as", dest="actor", required=True, help="the Chief's email")
    p = sub.add_parser("supplement", help="record the information a requester sent (FILE.json)")
    p.add_argument("case")
    p.add_argument("file", type=Path, help='{"text": "...", "attachments": ["file.pdf", ...]}')
    p = sub.add_parser("assign", help="the Chief (re)assigns a case to a designated certifier")
    p.add_argument("case")
    p.add_argument("--to", required=True, help="the certifier's email")
    p.add_argument("--as", dest="actor", required=True, help="the Chief's email")
    p = sub.add_parser(
        "delay", help="the Chief records a delay (G.L. c. 258F §3(iii)) and sends the letter"
    )
    p.add_argument("case")
    p.add_argument("--reason", required=True)
    p.add_argument("--process", required=True, help="the process the department will follow")
    p.add_argument(
        "--until",
        required=True,
        type=_iso_date,
        help="projected date of the response, YYYY-MM-DD (the deadline watch tracks it)",
    )
    p.add_argument("--time-frame", default=None, help="optional words about the time frame")
    p.add_argument("--as", dest="actor", required=True)
    for name, helptext in (
        ("reopen", "the Chief reopens a denied request for reconsideration"),
        ("revoke", "the Chief withdraws a signed certification"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("case")
        p.add_argument("--reason", required=True)
        p.add_argument("--as", dest="actor", required=True)
    p = sub.add_parser("withdraw", help="record that the requester withdrew the request")
    p.add_argument("case")
    p.add_argument("--reason", default="withdrawn by the requester")
    p = sub.add_parser("watch", help="run the deadline watch once (what the daily flow does)")
    p.add_argument("--day", type=dt.date.fromisoformat, default=None)
    p = sub.add_parser("recover", help="reschedule case runs whose worker died (never a live run)")
    p.add_argument(
        "--watch", action="store_true", help="keep watching (what every worker does itself)"
    )
    for name, fn in (
        ("start", cmd_start),
        ("resume", cmd_resume),
        ("reissue-code", cmd_reissue_code),
        ("supplement", cmd_supplement),
        ("assign", cmd_assign),
        ("delay", cmd_delay),
        ("reopen", cmd_chief_action),
        ("revoke", cmd_chief_action),
        ("withdraw", cmd_withdraw),
        ("watch", cmd_watch),
        ("recover", cmd_recover),
    ):
        commands[name] = _with_runs(fn, runs)


Command = Callable[[argparse.Namespace, Store, WorkflowRuns], int]


def _with_runs(fn: Command, runs: WorkflowRuns) -> Callable[[argparse.Namespace, Store], int]:
    return lambda args, store: fn(args, store, runs)


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _chief(session: Any, email: str) -> Actor:
    return Actor.person(find_person(session, email), Role.CHIEF)


def _nudge(store: Store, number: str, runs: WorkflowRuns) -> None:
    try:
        runs.nudge(store, number)
    except WorkflowError as exc:  # the change is recorded; the run catches up later
        print(
            f"note: the workflow run was not woken ({exc}); "
            f"run `casework start {number}` when Prefect is up",
            file=sys.stderr,
        )


def cmd_start(args: argparse.Namespace, store: Store, runs: WorkflowRuns) -> int:
    print(runs.start(store, args.case.upper()))
    return 0


def _read_answer(args: argparse.Namespace) -> dict[str, Any]:
    """The answer file, with ``--as``/``--code`` filled in and every value written ``today``
    replaced by today's date (so the examples never carry a stale date)."""
    try:
        answer = json.loads(args.input.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CaseworkError(f"{args.input}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CaseworkError(f"{args.input} is not valid JSON: {exc}") from None
    if not isinstance(answer, dict):
        raise CaseworkError(f"{args.input} must hold one JSON object (the form's fields)")
    today = dt.date.today().isoformat()
    answer = {
        k: today if isinstance(v, str) and v.lower() == "today" else v for k, v in answer.items()
    }
    if args.acting_as:
        answer["acting_as"] = args.acting_as
    if args.code:
        answer["action_code"] = args.code
    return answer


def cmd_resume(args: argparse.Namespace, store: Store, runs: WorkflowRuns) -> int:
    """Exit 0 once the answer is applied; 1 with the reason on one line when it is refused."""
    from casework.steps.answering import parse
    from casework.steps.base import AnswerRefused, current_step

    number = args.case.upper()
    answer = _read_answer(args)
    with store.reading() as s:
        case = get_case(s, number)
        step = current_step(s, case)
        if step is None:
            raise CaseworkError(
                f"{number} does not wait for a form answer now (state {case.state})"
            )
        before = (case.event_count, case.step_attempt)
        model = step.spec.answer_model(case.visa_type)
    try:  # the answer's own rules, said here at once; the flow checks everything again
        parse(model, answer)
    except AnswerRefused as exc:
        raise CaseworkError(str(exc)) from None
    runs.resume(store, number, answer)  # a WorkflowError says why, on one line
    deadline = time.monotonic() + args.wait
    while time.monotonic() < deadline:
        with store.reading() as s:
            case = get_case(s, number)
            now = (case.event_count, case.step_attempt)
            if now != before:
                if now[1] != before[1] and now[0] == before[0]:
                    raise CaseworkError(" ".join(str(case.last_refusal).split()))
                print(f"{number}: {case.state}")
                return 0
        time.sleep(0.25)
    print(f"{number}: no outcome within {args.wait:.0f} s (is the runner up?)", file=sys.stderr)
    return 1


def cmd_reissue_code(args: argparse.Namespace, store: Store, runs: WorkflowRuns) -> int:
    from casework.steps.waiting import reissue_code

    number = args.case.upper()
    try:
        sent_to = reissue_code(store, number, args.actor, _run_url(store, number, runs))
    except (OSError, smtplib.SMTPException) as exc:
        raise CaseworkError(
            f"the new code could not be emailed ({type(exc).__name__}: {exc}); "
            "the old one is void: try again once the mail server answers"
        ) from None
    print(f"{number}: a new action code was emailed to {sent_to}")
    return 0


def _run_url(store: Store, number: str, runs: WorkflowRuns) -> str | None:
    with store.reading() as s:
        return runs.run_url(get_case(s, number).flow_run_id)


def cmd_supplement(args: argparse.Namespace, store: Store, runs: WorkflowRuns) -> int:
    from casework.intake.pdfcheck import check_pdf
    from casework.intake.validate import AttachmentFile

    spec = json.loads(args.file.read_text(encoding="utf-8"))
    files: list[AttachmentFile] = []
    problems = []
    for i, name in enumerate(spec.get("attachments", [])):
        path = (args.file.parent / name).resolve()
        if not path.is_file():
            problems.append(f"attachments[{i}]: {name} does not exist")
            continue
        data = path.read_bytes()
        report = check_pdf(data)
        problems += [f"attachments[{i}]: {name} {m}" for m in report.problems]
        if not report.problems:
            files.append(
                AttachmentFile(path.name, data, hashlib.sha256(data).hexdigest(), report.page_count)
            )
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return 1
    number = args.case.upper()
    with store.unit_of_work() as s:
        case = get_case(s, number)
        steps.supplement(
            s,
            case,
            Actor.requester(case.requester.email),
            case.version,
            text=str(spec.get("text", "")),
            attachments=files,
            blobs=BlobStore(store.settings.attachments_dir),
        )
    _nudge(store, number, runs)
    print(f"{number}: back to certifier_review")
    return 0


def cmd_assign(args: argparse.Namespace, store: Store, runs: WorkflowRuns) -> int:
    number = args.case.upper()
    with store.unit_of_work() as s:
        case = get_case(s, number)
        steps.assign(
            s, case, _chief(s, args.actor), case.version, certifier=find_person(s, args.to)
        )
    from casework.steps.base import current_step
    from casework.steps.waiting import notify_actor

    with store.reading() as s:
        step = current_step(s, get_case(s, number))
    if step is not None and step.person.email == args.to.lower():
        notify_actor(store, number, step.step_key, _run_url(store, number, runs))
    print(f"{number}: assigned to {args.to}")
    return 0


def cmd_delay(args: argparse.Namespace, store: Store, runs: WorkflowRuns) -> int:
    from casework import workflow

    number = args.case.upper()
    with store.unit_of_work() as s:
        case = get_case(s, number)
        steps.mark_delayed(
            s,
            case,
            _chief(s, args.actor),
            case.version,
            reason=args.reason,
            process=args.process,
            projected_date=args.until,
            time_frame=args.time_frame,
        )
    workflow.send_letter(store, number, "delay")
    print(f"{number}: delay explanation recorded and sent (response projected by {args.until})")
    return 0


def _simple_action(
    args: argparse.Namespace, store: Store, runs: WorkflowRuns, action: str, by_chief: bool
) -> int:
    """Reopen, revoke (the Chief) or withdraw (for the requester), then bring the run in line."""
    number = args.case.upper()
    with store.unit_of_work() as s:
        case = get_case(s, number)
        actor = _chief(s, args.actor) if by_chief else Actor.requester(case.requester.email)
        steps.simple(s, case, action, actor, case.version, reason=args.reason)
        state = case.state
    _nudge(store, number, runs)
    print(f"{number}: {state}")
    return 0


def cmd_chief_action(args: argparse.Namespace, store: Store, runs: WorkflowRuns) -> int:
    return _simple_action(args, store, runs, args.command, by_chief=True)


def cmd_withdraw(args: argparse.Namespace, store: Store, runs: WorkflowRuns) -> int:
    return _simple_action(args, store, runs, "withdraw", by_chief=False)


def cmd_watch(args: argparse.Namespace, store: Store, runs: WorkflowRuns) -> int:
    from casework import workflow

    report = workflow.deadline_watch(store, args.day or dt.date.today())
    print(json.dumps(vars(report)))
    return 0


def cmd_recover(args: argparse.Namespace, store: Store, runs: WorkflowRuns) -> int:
    """Reschedule the case runs whose worker died; a live run is named and left alone."""
    while True:
        try:
            outcome = runs.recover(store)
        except WorkflowError as exc:
            if not args.watch:
                raise
            print(f"recover: {exc}", file=sys.stderr, flush=True)  # the server may come back
            time.sleep(5)
            continue
        for number in outcome.rescheduled:
            print(f"rescheduled {number}", flush=True)
        if not args.watch:
            for alive in outcome.alive:
                print(f"left alone (alive): {alive}")
            if not outcome.rescheduled:
                print("no case run needed rescheduling")
            return 0
        time.sleep(5)
