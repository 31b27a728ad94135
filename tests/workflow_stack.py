"""A running workflow stack for end-to-end tests (Prefect server, served deployments in a
runner subprocess, SMTP sink on loopback, SQLite case store), and helpers to drive cases."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, inspect, text

from casework.db import Store
from casework.intake.service import submit
from casework.localstack import Process, start_prefect_server, start_runner, wait_for
from casework.mailsink import MailSink
from casework.migrate import upgrade
from casework.setup_data import load_demo
from casework.views import get_case, history
from tests.conftest import _PG_REASON, EXAMPLES, PG_ADMIN_URL, example_request

TODAY = dt.date.today()
#: The history of a U case from submission to delivery, every step answered once.
DELIVERED_U_ACTIONS = [
    "submit",
    "assign",
    "record_document",  # the DA memo
    "start_da_consultation",
    "record_da_consultation",
    "recommend_certification",
    "approve_signature",
    "record_document",  # the form, the cover letter and the packet
    "record_document",
    "record_document",
    "deliver",
]


REPO = Path(__file__).resolve().parents[1]
CRASHPOINTS = Path(__file__).resolve().parent / "crashpoints"


@dataclass
class Stack:
    store: Store
    sink: MailSink
    env: dict[str, str]
    logs: Path
    runner: Process
    prefect_db: str  # Prefect's database, as a synchronous SQLAlchemy URL (for scans)

    def restart_runner(self, **extra_env: str) -> None:
        self.runner.stop()
        self.runner = start_runner({**self.env, **extra_env}, self.logs, cwd=REPO)


def running_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Everything started is stopped again, whatever failed on the way."""
    from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL, temporary_settings

    base = tmp_path_factory.mktemp("stack")
    logs = base / "logs"
    logs.mkdir()
    casework_env = {
        "CASEWORK_HOME": str(base / "casework"),
        "CASEWORK_KEY": Fernet.generate_key().decode(),
        "CASEWORK_SMTP_HOST": "127.0.0.1",
        "CASEWORK_PORTAL_URL": "http://127.0.0.1:8080",
    }
    saved = {k: os.environ.get(k) for k in (*casework_env, "CASEWORK_SMTP_PORT")}
    with ExitStack() as cleanup:
        cleanup.callback(_restore, saved)
        sink = MailSink(port=0, folder=base / "mail").start()
        cleanup.callback(sink.stop)
        casework_env["CASEWORK_SMTP_PORT"] = str(sink.port)
        os.environ.update(casework_env)
        async_url, sync_url = _prefect_database(cleanup, base / "prefect")
        server, env = start_prefect_server(base / "prefect", logs, database_url=async_url, cwd=REPO)
        cleanup.callback(server.stop)
        env.update(casework_env)
        env.pop("CASEWORK_DATABASE_URL", None)
        store = Store()
        cleanup.callback(store.dispose)
        upgrade(store)
        with store.unit_of_work() as s:
            load_demo(s)
        runner = start_runner(env, logs, cwd=REPO)
        the_stack = Stack(store, sink, env, logs, runner, sync_url)
        cleanup.callback(lambda: the_stack.runner.stop())
        cleanup.enter_context(
            temporary_settings(
                updates={
                    PREFECT_API_URL: env["PREFECT_API_URL"],
                    PREFECT_UI_URL: env["PREFECT_UI_URL"],
                }
            )
        )
        yield the_stack


def _prefect_database(cleanup: ExitStack, home: Path) -> tuple[str | None, str]:
    """(URL for the server, URL to read it) of a throwaway PostgreSQL database for Prefect's
    server when PostgreSQL answers; else SQLite in ``home`` (the server's default). A SQLite
    server can answer "database is locked" to a resume under load (PrefectHQ/prefect#10188);
    the Prefect UI then shows "Oops. Something went wrong." and the browser test would fail."""
    if _PG_REASON is not None:
        return None, f"sqlite:///{home / 'prefect.db'}"
    name = f"prefect_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    cleanup.callback(drop)
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    return url.replace("+psycopg", "+asyncpg"), url


def _restore(saved: dict[str, str | None]) -> None:
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One stack for the workflow, crash and Prefect UI tests (a server start is ~15 s)."""
    yield from running_stack(tmp_path_factory)


# -- helpers ----------------------------------------------------------------------------------


def case_info(stack: Stack, number: str) -> dict[str, Any]:
    with stack.store.reading() as s:
        c = get_case(s, number)
        return {
            "state": c.state,
            "attempt": c.step_attempt,
            "refusal": c.last_refusal,
            "events": c.event_count,
            "run": c.flow_run_id,
        }


def run_state(number: str, stack: Stack) -> Any:
    from prefect.client.orchestration import get_client

    run_id = case_info(stack, number)["run"]
    if not run_id:
        return None
    with get_client(sync_client=True) as client:
        return client.read_flow_run(UUID(run_id))


def wait_waiting(stack: Stack, number: str, state: str, timeout: float = 90) -> Any:
    """Until the case is in ``state`` and its run is suspended on the step's current key with
    its form saved (the state turns PAUSED a moment before the form is stored)."""

    def ready() -> Any:
        info = case_info(stack, number)
        run = run_state(number, stack)
        if info["state"] != state or run is None or not run.state.is_paused():
            return None
        key = run.state.state_details.pause_key or ""
        if not key.endswith(f"-{info['attempt']}"):
            return None
        if run.state.state_details.run_input_keyset is None:
            return run  # waits for the requester: no form
        return run if f"suspended-{key}-schema" in run_inputs(stack, number) else None

    return wait_for(ready, timeout, f"{number} waiting at {state}")


def wait_state(stack: Stack, number: str, state: str, timeout: float = 90) -> None:
    wait_for(
        lambda: case_info(stack, number)["state"] == state, timeout, f"{number} to reach {state}"
    )


def resume(stack: Stack, number: str, answer: dict[str, Any]) -> None:
    from prefect.flow_runs import resume_flow_run

    resume_flow_run(UUID(case_info(stack, number)["run"]), run_input=answer)


def mails_to(stack: Stack, address: str, number: str) -> list[EmailMessage]:
    return [m for m in stack.sink.messages if address in m["To"] and number in m["Subject"]]


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


CODE_LINE = re.compile(r"action code for this step: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b")


def code_for(stack: Stack, address: str, number: str, after: int = 0) -> str:
    """The newest action code mailed to ``address`` for the case (among mails ``after`` on)."""

    def latest() -> str | None:
        for m in reversed(mails_to(stack, address, number)[after:]):
            found = CODE_LINE.search(body(m))
            if found:
                return found.group(1)
        return None

    return wait_for(latest, 30, f"an action code mailed to {address}")


def run_inputs(stack: Stack, number: str) -> dict[str, Any]:
    """The case run's inputs stored in Prefect (form schemas, descriptions, answers), by key."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        rows = client.filter_flow_run_input(
            UUID(case_info(stack, number)["run"]), key_prefix="", limit=1000, exclude_keys=set()
        )
    return {r.key: json.loads(r.value) for r in rows}


def waiting_form(stack: Stack, number: str) -> tuple[str, dict[str, Any]]:
    """(case file, JSON schema) of the form the case's run waits on now. The case file is the
    description of the form's first field (the dialog's own description, the summary, must
    start with the same reason when an answer was refused)."""
    run = run_state(number, stack)
    key = run.state.state_details.pause_key
    inputs = run_inputs(stack, number)
    schema = inputs[f"suspended-{key}-schema"]
    case_file = next(iter(schema["properties"].values()))["description"]
    summary = inputs[f"suspended-{key}-description"]
    reason = case_file.split("\n", 1)[0]
    assert summary.startswith(reason) if reason.startswith("**Not accepted") else True
    return case_file, schema


def prefect_tables(stack: Stack) -> str:
    """Every row of every table of Prefect's database, as text (for what must not be there)."""
    engine = create_engine(stack.prefect_db)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            return "\n".join(
                str(tuple(row)) for n in names for row in conn.execute(text(f'SELECT * FROM "{n}"'))
            )
    finally:
        engine.dispose()


def plain(markdown: str) -> str:
    """The text a reader sees, backslash escapes undone (for substring checks)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def refused(stack: Stack, number: str, attempts_before: int, timeout: float = 60) -> str:
    wait_for(lambda: case_info(stack, number)["attempt"] > attempts_before, timeout, "the refusal")
    return str(case_info(stack, number)["refusal"])


def new_case(stack: Stack, report: str, raw: dict[str, Any] | None = None, **changes: Any) -> str:
    from flows.launch import start_certification

    raw = raw or example_request(incident={"police_report_numbers": [report]}, **changes)
    number = submit(stack.store, raw, base_dir=EXAMPLES, received=TODAY).case_number
    start_certification(stack.store, number)
    return number


def assignee(stack: Stack, number: str) -> str:
    with stack.store.reading() as s:
        c = get_case(s, number)
        assert c.assigned_certifier is not None
        return c.assigned_certifier.email


CHIEF = "chief@npd.example.org"


def da_answer(who: str, code: str, **over: Any) -> dict[str, Any]:
    return {
        "acting_as": who,
        "action_code": code,
        "consulted_name": "ADA Thomas Greene",
        "consulted_on": TODAY.isoformat(),
        "position": "supports",
        "notes": "",
        **over,
    }


def certify_answer(who: str, code: str, **over: Any) -> dict[str, Any]:
    return {
        "acting_as": who,
        "action_code": code,
        "decision": "certify",
        "qualifying_activities": ["domestic_violence", "felonious_assault", "stalking"],
        "activity_dates": "2024-06-14, 2024-07-02",
        "statutory_citations": "M.G.L. c. 265 s. 13M\nM.G.L. c. 265 s. 15A",
        "description": "Assault with a knife at the apartment; later stalking at work.",
        "known_injuries": "Laceration to the left forearm.",
        "possesses_information": True,
        "has_been_helpful": True,
        "is_being_helpful": True,
        "likely_to_be_helpful": True,
        "helpfulness_narrative": "She called 911 and gave a recorded statement the same night.",
        **over,
    }


def through_da(stack: Stack, number: str) -> str:
    wait_waiting(stack, number, "da_consultation")
    who = assignee(stack, number)
    resume(stack, number, da_answer(who, code_for(stack, who, number)))
    wait_waiting(stack, number, "certifier_review")
    return who


def actions(stack: Stack, number: str) -> list[str]:
    with stack.store.reading() as s:
        return [r["action"] for r in history(s, get_case(s, number))]


def chief_answer(stack: Stack, number: str, **fields: Any) -> dict[str, Any]:
    """The Chief's answer to the signature step, with the code mailed for it."""
    return {"acting_as": CHIEF, "action_code": code_for(stack, CHIEF, number), **fields}


def approval(stack: Stack, number: str) -> dict[str, Any]:
    return chief_answer(
        stack,
        number,
        decision="approve",
        reviewed_draft=True,
        signature_date=TODAY.isoformat(),
        signer_title="Chief of Police",
    )
