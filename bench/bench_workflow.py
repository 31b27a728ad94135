"""Workflow on the local stack: resume-to-next-state, cases per minute, runner processes while
cases wait at a human step (goals: no process per waiting case; resume -> next state < 3 s).

Resume -> next state (median, p90) is printed per step beside the figures of the last run of
this bench, read from bench/bench_workflow.last.json, which a run with ``--save`` replaces (with the
parameters and ``git describe`` of the code measured). The figures first recorded there are
those of commit d2f62ae, before the human steps were redesigned, with
``--cases 8 --waiting 20 --sample 8``.

    .venv/bin/python bench/bench_workflow.py [--cases 10] [--waiting 60] [--inflight 2]
        [--sample 10] [--store sqlite|pg] [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]
        [--executor runner|workers] [--imports-only] [--save]

First, the flow-run process's imports: ``import flows.certification`` beside a bare ``import
prefect``, each in fresh processes of the same run (median of 5), beside issue 16's baseline
(2.7 s of imports before the flow body). Then resume -> next state with the local runner
(``--executor runner``, poll 1 s) or with two ``python -m flows.worker`` processes of the
production recipe (``--executor workers``: Prefect server with basic auth, process work pool,
``prefect deploy --all``, PREFECT_WORKER_QUERY_SECONDS=1), beside issue 16's baseline median
of 4.65 s; the goal is a median of at most 2.5 s.

Every flow run (the first one, and one per resume) starts a fresh ``python -m prefect.engine``
process (about 4 s of imports on 2 cores), so a case costs four process starts and the stack
manages roughly 8-20 runs a minute on 2 cores (8 measured on a shared, loaded machine). The
defaults (10 cases, 60 waiting: about 110 runs) are sized to finish within about 15 minutes;
``--cases 100 --waiting 1000`` is about 1,400 runs, i.e. one to three hours.

Assembles the stack the way ``tests/workflow_stack.py`` does (Prefect server, ``python -m
flows.serve`` as the runner, an SMTP sink on loopback, ``casework init`` + demo roster), except
that the Prefect server runs on a throwaway PostgreSQL database (created here, dropped WITH
(FORCE) at the end). The case store is SQLite in a temp ``CASEWORK_HOME`` by default, or a
second throwaway PostgreSQL database with ``--store pg``.

Phases:
  idle     the runner's process tree right after it started serving.
  drive    ``--cases`` cases, each submitted and driven with scripted valid answers through
           DA consultation -> certifier review -> Chief approval -> delivered, at most
           ``--inflight`` cases under way at a time (the runner also caps concurrent runs at
           ``CASEWORK_RUNNER_LIMIT``, default 4). Measures resume -> next state recorded in the case
           store (polled every 50 ms), and cases completed per minute.
  waiting  ``--waiting`` more cases submitted (same pacing) until each is suspended at the DA
           consultation; then the runner's process tree again, and resume -> next state for a
           sample of them with all the others still waiting.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
HUMAN = ("da_consultation", "certifier_review", "awaiting_signature")
CODE_RE = re.compile(r"action code for this step: ([A-Z0-9]{4}(?:-[A-Z0-9]{4})+)")
SUBJECT_RE = re.compile(r"^(\S+): .* \(due \d{4}-\d{2}-\d{2}\)$")  # "NPD-U-2026-0002: review ..."
LAST_RUN = Path(__file__).with_name("bench_workflow.last.json")
ISSUE_IMPORT_S = 2.7  # issue 16: the flow-run process's imports before the flow body
ISSUE_RESUME_MEDIAN_S = 4.65  # issue 16: resume -> next state, median
GOAL_MEDIAN_S = 2.5
POLL = 0.05  # the case store, for resume -> next state
API_POLL = 0.5  # the Prefect API, for runs that suspended
TREE_POLL = 2.0  # /proc, for the runner's peak


# -- databases and processes --------------------------------------------------------------------


@contextmanager
def throwaway_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL database named ``prefix_<random>``, dropped WITH (FORCE) afterwards.
    Yields its name."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        "postgresql+psycopg://" + admin_url.split("://", 1)[1], isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def db_url(admin_url: str, driver: str, name: str) -> str:
    return f"postgresql+{driver}://" + admin_url.split("://", 1)[1].rsplit("/", 1)[0] + "/" + name


def process_tree(root: int) -> tuple[int, float, dict[str, int]]:
    """(processes, total RSS in MB, count by command) of ``root`` and all its descendants,
    read from /proc (psutil is not installed)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    todo, seen = [root], []
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo.extend(children.get(pid, []))
    rss_kb = 0
    kinds: dict[str, int] = {}
    for pid in seen:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        m = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        rss_kb += int(m.group(1)) if m else 0
        label = " ".join(c.decode(errors="replace") for c in cmd[1:3] if c) or "?"
        kinds[label] = kinds.get(label, 0) + 1
    return len(seen), rss_kb / 1024, kinds


def tree_line(label: str, root: int) -> tuple[int, float]:
    n, mb, kinds = process_tree(root)
    what = ", ".join(f"{v} x {k}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
    print(f"  {label:<34} {n:5d} processes {mb:9.1f} MB RSS   ({what})")
    return n, mb


# -- the stack ----------------------------------------------------------------------------------


@dataclass
class Bench:
    stack: Any  # tests.workflow_stack.Stack
    server: Any  # casework.localstack.Process
    client: Any  # prefect SyncPrefectClient
    store_kind: str
    codes: dict[tuple[str, str], str] = field(default_factory=dict)
    _seen_mail: int = 0

    def refresh_codes(self) -> None:
        msgs = self.stack.sink.handler.messages
        with self.stack.sink.handler._lock:
            new = msgs[self._seen_mail :]
            self._seen_mail = len(msgs)
        for m in new:
            subject = SUBJECT_RE.search(str(m["Subject"]))
            if not subject:
                continue
            part = m.get_body(preferencelist=("plain",))
            found = CODE_RE.search(part.get_content() if part is not None else "")
            if found:
                for to in str(m["To"]).split(","):
                    self.codes[(to.strip(), subject.group(1))] = found.group(1)

    def code(self, who: str, number: str) -> str | None:
        if (who, number) not in self.codes:
            self.refresh_codes()
        return self.codes.get((who, number))


@contextmanager
def local_stack(admin_url: str, store_kind: str, keep: bool) -> Iterator[Bench]:
    from casework.db import Store
    from casework.localstack import start_prefect_server, start_runner
    from casework.mailsink import MailSink
    from casework.migrate import upgrade
    from casework.setup_data import load_demo
    from tests.workflow_stack import Stack

    with ExitStack() as es:
        base = Path(tempfile.mkdtemp(prefix="bench_workflow_"))
        if not keep:
            es.callback(shutil.rmtree, base, ignore_errors=True)
        logs = base / "logs"
        logs.mkdir()
        prefect_db = es.enter_context(throwaway_database(admin_url, "bench_prefect"))
        print(f"Prefect server database: PostgreSQL {prefect_db} (throwaway)")
        casework_env = {
            "CASEWORK_HOME": str(base / "casework"),
            "CASEWORK_KEY": Fernet.generate_key().decode(),
            "CASEWORK_SMTP_HOST": "127.0.0.1",
            "CASEWORK_PORTAL_URL": "http://127.0.0.1:8080",
        }
        if store_kind == "pg":
            store_db = es.enter_context(throwaway_database(admin_url, "bench_casework"))
            casework_env["CASEWORK_DATABASE_URL"] = db_url(admin_url, "psycopg", store_db)
            print(f"case store: PostgreSQL {store_db} (throwaway)")
        else:
            os.environ.pop("CASEWORK_DATABASE_URL", None)
            print(f"case store: SQLite {base / 'casework' / 'casework.sqlite'}")
        print(f"logs: {logs}" + ("" if keep else " (removed at the end; --keep to keep)"))
        sink = MailSink(port=0).start()
        es.callback(sink.stop)
        casework_env["CASEWORK_SMTP_PORT"] = str(sink.port)
        os.environ.update(casework_env)
        t = time.perf_counter()
        server, env = start_prefect_server(
            base / "prefect", logs, database_url=db_url(admin_url, "asyncpg", prefect_db)
        )
        es.callback(server.stop)
        env.update(casework_env)
        if store_kind != "pg":
            env.pop("CASEWORK_DATABASE_URL", None)
        print(f"Prefect server healthy after {time.perf_counter() - t:.1f} s")
        store = Store()
        es.callback(store.dispose)
        upgrade(store)
        with store.unit_of_work() as s:
            load_demo(s)
        t = time.perf_counter()
        runner = start_runner(env, logs)
        print(f"runner serving after {time.perf_counter() - t:.1f} s")
        stack = Stack(store, sink, env, logs, runner, db_url(admin_url, "psycopg", prefect_db))
        es.callback(lambda: stack.runner.stop())

        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL, temporary_settings

        es.enter_context(
            temporary_settings(
                updates={
                    PREFECT_API_URL: env["PREFECT_API_URL"],
                    PREFECT_UI_URL: env["PREFECT_UI_URL"],
                }
            )
        )
        client = es.enter_context(get_client(sync_client=True))
        yield Bench(stack, server, client, store_kind)


@contextmanager
def workers_stack(admin_url: str, store_kind: str, keep: bool) -> Iterator[Bench]:
    """The production recipe of tests/production.py (PostgreSQL for Prefect and the case
    store, basic auth, work pool, ``prefect deploy --all``) with two workers polling every 1 s."""
    from casework.db import Store
    from tests.production import production
    from tests.workflow_stack import Stack

    with ExitStack() as es:
        base = Path(tempfile.mkdtemp(prefix="bench_workers_"))
        if not keep:
            es.callback(shutil.rmtree, base, ignore_errors=True)
        prod = production(es, base, holds=False)
        for name in ("worker-a", "worker-b"):
            prod.start_worker(name)
        print(f"two workers (PREFECT_WORKER_QUERY_SECONDS=1), case store {prod.store_url}")
        for key in ("CASEWORK_HOME", "CASEWORK_DATABASE_URL", "CASEWORK_KEY"):
            os.environ[key] = prod.env[key]
        store = Store()
        es.callback(store.dispose)
        runner = prod.workers["worker-a"]
        stack = Stack(store, prod.sink, prod.env, prod.logs, runner, prod.prefect_db)

        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

        es.enter_context(
            temporary_settings(
                updates={
                    PREFECT_API_URL: prod.env["PREFECT_API_URL"],
                    PREFECT_API_AUTH_STRING: prod.env["PREFECT_API_AUTH_STRING"],
                }
            )
        )
        client = es.enter_context(get_client(sync_client=True))
        yield Bench(stack, prod.server, client, "pg")


# -- driving cases ------------------------------------------------------------------------------


@dataclass
class Tracked:
    number: str
    run_id: str | None = None
    started: float = 0.0
    resumed: float | None = None  # when the last resume was sent
    from_state: str | None = None  # the state it was sent in
    answered: int = 0  # human steps answered
    attempt_seen: int = 0  # the case's step attempt when the answer was sent
    stop_after: int = 3  # answer this many steps, then done
    suspended_at: float | None = None  # first time seen suspended at the DA consultation
    done_at: float | None = None
    error: str | None = None
    last_change: float = 0.0


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)  # by state resumed from
    to_delivered: list[float] = field(default_factory=list)  # Chief's resume -> delivered
    to_suspended: list[float] = field(default_factory=list)  # start -> suspended at DA
    peak: tuple[int, float] = (0, 0.0)
    resume_errors: int = 0


def store_rows(bench: Bench, numbers: list[str]) -> dict[str, tuple[str, int, str | None, str]]:
    from sqlalchemy import select

    from casework.models import Case, Person

    out = {}
    with bench.stack.store.reading() as s:
        for i in range(0, len(numbers), 500):
            q = (
                select(Case.case_number, Case.state_, Case.step_attempt, Case.flow_run_id, Person.email)
                .outerjoin(Person, Person.id == Case.assigned_certifier_id)
                .where(Case.case_number.in_(numbers[i : i + 500]))
            )  # fmt: skip
            for number, state, attempt, run_id, email in s.execute(q):
                out[number] = (state, attempt, run_id, email or "")
    return out


def paused_runs(bench: Bench, run_ids: list[str]) -> dict[str, tuple[str, str]]:
    """run id -> (state type, pause key) for the given runs."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    out = {}
    for i in range(0, len(run_ids), 200):
        chunk = [UUID(r) for r in run_ids[i : i + 200]]
        runs = bench.client.read_flow_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=chunk)), limit=len(chunk)
        )
        for run in runs:
            st = run.state
            out[str(run.id)] = (
                st.type.value if st else "?",
                (st.state_details.pause_key or "") if st else "",
            )
    return out


def answer_for(state: str, who: str, code: str) -> dict[str, Any]:
    from tests.workflow_stack import CHIEF, TODAY, certify_answer, da_answer

    if state == "da_consultation":
        return da_answer(who, code)
    if state == "certifier_review":
        return certify_answer(who, code)
    return {
        "acting_as": CHIEF,
        "action_code": code,
        "decision": "approve",
        "reviewed_draft": True,
        "signature_date": TODAY.isoformat(),
        "signer_title": "Chief of Police",
    }


def submit_case(bench: Bench, report: str) -> Tracked:
    from casework.intake.service import submit
    from flows.launch import start_certification
    from tests.workflow_stack import EXAMPLES, TODAY, example_request

    raw = example_request(incident={"police_report_numbers": [report]})
    number = submit(bench.stack.store, raw, base_dir=EXAMPLES, received=TODAY).case_number
    t = Tracked(number, started=time.perf_counter())
    t.run_id = start_certification(bench.stack.store, number)
    t.last_change = t.started
    return t


def drive(
    bench: Bench,
    label: str,
    stats: Stats,
    *,
    count: int = 0,
    steps: int = 3,
    inflight: int = 4,
    existing: list[Tracked] | None = None,
    stuck_after: float = 300,
) -> tuple[list[Tracked], float]:
    """Submit ``count`` new cases (or take ``existing``) and answer ``steps`` human steps of
    each (0: until suspended at the DA consultation), at most ``inflight`` at a time.
    Returns the cases and the elapsed seconds."""
    from prefect.flow_runs import resume_flow_run

    from flows.launch import FINAL

    queue = list(existing or [])
    total = len(queue) if existing else count
    active: list[Tracked] = []
    finished: list[Tracked] = []
    submitted = 0
    t0 = last_print = time.perf_counter()
    last_api = last_tree = 0.0
    n, mb = 0, 0.0
    while len(finished) < total:
        now = time.perf_counter()
        while len(active) < inflight and (submitted < total):
            if existing:
                t = queue.pop(0)
                t.last_change, t.done_at = now, None
            else:
                t = submit_case(bench, f"BENCH-{uuid.uuid4().hex[:10].upper()}")
            t.stop_after = steps
            active.append(t)
            submitted += 1
        rows = store_rows(bench, [t.number for t in active])
        waiting_on_run = []
        for t in active:
            state, attempt, run_id, who = rows[t.number]
            t.run_id = run_id or t.run_id
            if t.resumed is not None:
                if state != t.from_state:
                    now = time.perf_counter()
                    stats.latencies.setdefault(t.from_state or "?", []).append(now - t.resumed)
                    t.resumed, t.answered, t.last_change = None, t.answered + 1, now
                    if t.answered >= t.stop_after and state != "certified":
                        t.done_at = now
                elif attempt != t.attempt_seen:
                    t.error = f"answer refused in {state} (attempt {attempt})"
            if t.resumed is None and t.done_at is None and t.error is None:
                if state == "delivered":
                    t.done_at = time.perf_counter()
                    stats.to_delivered.append(t.done_at - t.last_change)
                elif (
                    state in HUMAN
                    and t.answered < t.stop_after
                    or (t.stop_after == 0 and state == "da_consultation")
                ):
                    waiting_on_run.append((t, state, attempt, who))
        if waiting_on_run and now - last_api >= API_POLL:
            last_api = now
            runs = paused_runs(bench, [t.run_id for t, *_ in waiting_on_run if t.run_id])
            for t, state, attempt, who in waiting_on_run:
                kind, key = runs.get(t.run_id or "", ("?", ""))
                if kind in FINAL:
                    t.error = f"run {kind} in {state}"
                    continue
                if kind != "PAUSED" or not key.endswith(f"-{attempt}"):
                    continue
                if t.suspended_at is None:
                    t.suspended_at = time.perf_counter()
                    stats.to_suspended.append(t.suspended_at - t.started)
                if t.stop_after == 0:
                    t.done_at = t.suspended_at
                    continue
                from tests.workflow_stack import CHIEF

                actor = CHIEF if state == "awaiting_signature" else who
                code = bench.code(actor, t.number)
                if code is None:
                    continue
                t.from_state, t.attempt_seen = state, attempt
                t.resumed = time.perf_counter()
                try:
                    resume_flow_run(UUID(t.run_id), run_input=answer_for(state, actor, code))
                except Exception as exc:  # noqa: BLE001 - count and carry on
                    t.resumed = None
                    if "schema not found" in str(exc):
                        continue  # PAUSED a moment before the form is saved: try again
                    stats.resume_errors += 1
                    print(f"    resume {t.number} at {state}: {exc!r}")
                    continue
                bench.codes.pop((actor, t.number), None)  # the next step mails a new code
        now = time.perf_counter()
        for t in active:
            if t.done_at is None and t.error is None and now - t.last_change > stuck_after:
                t.error = f"no progress for {stuck_after:.0f} s in {rows[t.number][0]}"
        for t in [t for t in active if t.done_at is not None or t.error is not None]:
            if t.error:
                print(f"    {t.number}: {t.error}")
            active.remove(t)
            finished.append(t)
        if now - last_tree >= TREE_POLL:
            last_tree = now
            n, mb, _ = process_tree(bench.stack.runner.proc.pid)
            stats.peak = (max(stats.peak[0], n), max(stats.peak[1], mb))
        if now - last_print > 15:
            ok = sum(1 for t in finished if t.error is None)
            print(
                f"  [{label}] {now - t0:6.0f} s: {ok}/{total} done, {len(active)} under way, "
                f"{len(finished) - ok} failed; runner tree {n} processes {mb:.0f} MB"
            )
            last_print = now
        time.sleep(POLL)
    return finished, time.perf_counter() - t0


def breakdown(bench: Bench, cases: list[Tracked]) -> None:
    """Where a resume's time goes, from the runs' state histories (Prefect's timestamps)."""
    parts: dict[str, list[float]] = {}
    for t in cases:
        if not t.run_id:
            continue
        states = bench.client.read_flow_run_states(UUID(t.run_id))
        states.sort(key=lambda st: st.timestamp)
        for i, st in enumerate(states):
            if st.name != "Resuming":
                continue
            marks = {"resumed": st.timestamp}
            for nxt in states[i + 1 :]:
                if nxt.name == "Pending" and "pending" not in marks:
                    marks["pending"] = nxt.timestamp
                elif nxt.type.value == "RUNNING" and "running" not in marks:
                    marks["running"] = nxt.timestamp
                elif nxt.type.value in ("PAUSED", "COMPLETED") and "running" in marks:
                    marks["ended"] = nxt.timestamp
                    break
            for label, a, b in (
                ("resumed -> Pending (runner picks the run up)", "resumed", "pending"),
                ("Pending -> Running (new process starts)", "pending", "running"),
                ("Running -> suspended/completed (flow body)", "running", "ended"),
            ):
                if a in marks and b in marks:
                    parts.setdefault(label, []).append((marks[b] - marks[a]).total_seconds())
    for label, xs in parts.items():
        print(f"    {label:<46} median {statistics.median(xs):5.2f} s  p90 {pct(xs, 90):5.2f} s")


def settle(root: int, timeout: float = 60) -> None:
    """Until no flow-run process is left under the runner (suspended runs end theirs)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process_tree(root)[0] > 1:
        time.sleep(1)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * (len(xs) - 1))))]


def figures(xs: list[float]) -> dict[str, float]:
    return {"n": len(xs), "median": round(statistics.median(xs), 3), "p90": round(pct(xs, 90), 3)}


def latency_lines(
    stats: Stats, last: dict[str, Any] | None = None, goal: float = 3.0
) -> dict[str, Any]:
    """Resume -> next state per step, beside the same figures of the last run of this bench."""
    every = [x for xs in stats.latencies.values() for x in xs]
    out: dict[str, Any] = {}
    for state in (*HUMAN, "ALL"):
        xs = every if state == "ALL" else stats.latencies.get(state, [])
        if not xs:
            continue
        now = out[state] = figures(xs)
        before = (last or {}).get(state)
        then = (
            f"   last run: median {before['median']:5.2f} s  p90 {before['p90']:5.2f} s"
            f" ({now['median'] - before['median']:+.2f} s, {now['p90'] - before['p90']:+.2f} s)"
            if before
            else "   last run: -"
        )
        label = "ALL resumes" if state == "ALL" else f"resume at {state}"
        print(
            f"  {label:<30} -> next state: n={now['n']:4d} median {now['median']:5.2f} s  "
            f"p90 {now['p90']:5.2f} s{then}"
        )
    if every:
        print(
            f"  goal < {goal:.0f} s (judged on the p90 of all): "
            + ("MET" if pct(every, 90) < goal else "NOT MET")
        )
    return out


def _code_version() -> str:
    import subprocess

    out = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    )
    return out.stdout.strip() or "unknown"


def load_last_run() -> dict[str, Any]:
    try:
        return dict(json.loads(LAST_RUN.read_text()))
    except (OSError, ValueError):
        return {}


def save_run(record: dict[str, Any]) -> None:
    LAST_RUN.write_text(json.dumps(record, indent=2) + "\n")


def import_seconds(statement: str, runs: int = 5) -> list[float]:
    """Wall time of ``statement`` in fresh interpreters (what a flow-run process pays)."""
    import subprocess

    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    out = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        )
        out.append(float(done.stdout.strip().splitlines()[-1]))
    return out


#: what the flow-run process needs of Prefect whatever the flow: the engine and what a flow uses
PREFECT_ENGINE = (
    "import prefect, prefect.engine, prefect.flows, prefect.artifacts, prefect.flow_runs,"
    " prefect.runtime, prefect.client.orchestration"
)


def imported_modules(statement: str) -> dict[str, int]:
    """Module -> its own import time (us), from ``python -X importtime``."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    out = {}
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            out[parts[2].strip()] = int(parts[0])
    return out


def import_lines() -> dict[str, float]:
    bare = statistics.median(import_seconds("import prefect"))
    flow = statistics.median(import_seconds("import flows.certification"))
    print("\n== flow-run process imports (median of 5 fresh processes each)")
    print(f"  import prefect (bare):        {bare:5.2f} s")
    print(
        f"  import flows.certification:   {flow:5.2f} s  ({flow - bare:+.2f} s over bare prefect;"
        f" issue 16 baseline {ISSUE_IMPORT_S:.1f} s)"
    )
    engine = imported_modules(PREFECT_ENGINE)
    ours = {m: us for m, us in imported_modules("import flows.certification").items()}
    extra = {m: us for m, us in ours.items() if m not in engine}
    heavy = ("reportlab", "pypdf", "PIL", "jinja2", "pikepdf", "matplotlib", "fastapi")
    loaded = sorted({m.split(".")[0] for m in ours} & set(heavy))
    print(
        f"  beyond Prefect's engine: {len(extra)} modules, {sum(extra.values()) / 1e6:.2f} s of "
        f"their own import time (-X importtime); of {', '.join(heavy)}: "
        + (", ".join(loaded) if loaded else "none loaded")
    )
    return {
        "prefect": round(bare, 3),
        "flows.certification": round(flow, 3),
        "beyond_engine": round(sum(extra.values()) / 1e6, 3),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10, help="cases driven to delivery")
    ap.add_argument("--waiting", type=int, default=60, help="cases left waiting (suspended)")
    ap.add_argument("--inflight", type=int, default=2, help="cases under way at a time")
    ap.add_argument("--sample", type=int, default=10, help="resumes timed with W waiting")
    ap.add_argument("--store", choices=("sqlite", "pg"), default="sqlite")
    ap.add_argument("--admin-url", default=ADMIN_URL)
    ap.add_argument("--keep", action="store_true", help="keep the temp folder (logs)")
    ap.add_argument(
        "--executor",
        choices=("runner", "workers"),
        default="runner",
        help="the local runner (poll 1 s) or two workers of the production recipe (poll 1 s)",
    )
    ap.add_argument("--imports-only", action="store_true", help="only the import figures")
    ap.add_argument(
        "--save",
        action="store_true",
        help="replace the figures printed as 'last run' with this run's (on a quiet machine)",
    )
    args = ap.parse_args()
    bench_t0 = time.perf_counter()
    print(
        f"N={args.cases} cases to delivery, W={args.waiting} waiting, inflight={args.inflight}, "
        f"{os.cpu_count()} CPUs; runner: python -m flows.serve (serve() without limit; "
        f"PREFECT_RUNNER_POLL_FREQUENCY=1); load average "
        + " ".join(f"{x:.1f}" for x in os.getloadavg())
        + " (other processes on this machine skew every figure)"
    )
    last = load_last_run()
    params = {
        k: getattr(args, k) for k in ("cases", "waiting", "inflight", "sample", "store", "executor")
    }
    if last:
        same = (
            "same parameters"
            if last.get("params") == params
            else f"parameters {last.get('params')}"
        )
        print(f"last run of this bench: {last.get('when')}, {last.get('code')}, {same}")
    record: dict[str, Any] = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "code": _code_version(),
        "params": params,
    }
    record["imports"] = import_lines()
    if args.imports_only:
        return 0
    stack = workers_stack if args.executor == "workers" else local_stack
    with stack(args.admin_url, args.store, args.keep) as bench:
        runner_pid, server_pid = bench.stack.runner.proc.pid, bench.server.proc.pid
        time.sleep(3)
        print("\n== idle")
        idle = tree_line("runner tree, idle", runner_pid)
        idle_server = tree_line("server tree, idle", server_pid)

        print(f"\n== drive: {args.cases} cases submit -> delivered")
        stats = Stats()
        done, secs = drive(bench, "drive", stats, count=args.cases, inflight=args.inflight)
        ok = [t for t in done if t.error is None]
        print(
            f"  {len(ok)}/{len(done)} delivered in {secs:.1f} s: {len(ok) / secs * 60:.1f} cases/min"
        )
        cycle = [t.done_at - t.started for t in ok if t.done_at is not None]
        if cycle:
            print(
                f"  one case submit -> delivered: median {statistics.median(cycle):.1f} s "
                f"(with {args.inflight} under way)"
            )
        if stats.to_suspended:
            print(
                f"  start -> suspended at DA: median {statistics.median(stats.to_suspended):.1f} s"
            )
        if stats.to_delivered:
            print(f"  certified -> delivered: median {statistics.median(stats.to_delivered):.1f} s")
        record["drive"] = latency_lines(stats, last.get("drive"))
        every = [x for xs in stats.latencies.values() for x in xs]
        if every:
            median = statistics.median(every)
            print(
                f"  {args.executor}: resume -> next state median {median:.2f} s, p90 "
                f"{pct(every, 90):.2f} s; issue 16 baseline median {ISSUE_RESUME_MEDIAN_S:.2f} s; "
                f"goal median <= {GOAL_MEDIAN_S} s: "
                + ("MET" if median <= GOAL_MEDIAN_S else "NOT MET")
            )
        print("  where a resume's time goes (Prefect state timestamps):")
        breakdown(bench, ok[:50])
        print(f"  runner tree peak: {stats.peak[0]} processes, {stats.peak[1]:.0f} MB")
        if stats.resume_errors:
            print(f"  resume errors: {stats.resume_errors}")

        waiting_ok: list[Tracked] = []
        if args.waiting:
            print(f"\n== waiting: {args.waiting} cases submitted until suspended at the DA step")
            wstats = Stats()
            waiting, secs = drive(
                bench, "waiting", wstats, count=args.waiting, steps=0, inflight=args.inflight
            )
            waiting_ok = [t for t in waiting if t.error is None]
            print(
                f"  {len(waiting_ok)}/{args.waiting} suspended in {secs:.1f} s "
                f"({len(waiting_ok) / secs * 60:.1f}/min; start -> suspended median "
                f"{statistics.median(wstats.to_suspended):.1f} s)"
            )
            settle(runner_pid)
            w = tree_line(f"runner tree, {len(waiting_ok)} waiting", runner_pid)
            ws = tree_line(f"server tree, {len(waiting_ok)} waiting", server_pid)
            print(
                f"  runner vs idle: {w[0] - idle[0]:+d} processes, {w[1] - idle[1]:+.1f} MB; "
                f"server vs idle: {ws[1] - idle_server[1]:+.1f} MB -> "
                f"'no process per waiting case' {'MET' if w[0] - idle[0] <= 0 else 'NOT MET'}"
            )
            sample = waiting_ok[: args.sample]
            if sample:
                print(f"\n== resume with {len(waiting_ok)} waiting: {len(sample)} DA answers")
                sstats = Stats()
                drive(bench, "sample", sstats, existing=sample, steps=1, inflight=1)
                record["waiting"] = latency_lines(sstats, last.get("waiting"))
                breakdown(bench, sample)
    if args.save:
        save_run(record)
        print(f"figures saved to {LAST_RUN.name} (the next run prints them as 'last run')")
    else:
        print(f"figures not saved (--save replaces {LAST_RUN.name}, the baseline printed)")
    print(
        f"\nbench took {time.perf_counter() - bench_t0:.0f} s; load average at the end "
        + " ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
