"""The production recipe of the README, run: a Prefect server on PostgreSQL with basic auth, the
process work pool, ``prefect --no-prompt deploy --all``, two workers, the case store on
PostgreSQL. One case goes from submission to delivery; one worker is killed (SIGKILL, with
its flow-run process) while it makes the documents, and the other worker finishes the case
without anyone running a command: no event and no email twice.

Also here, against the same real server: what a command prints when the credentials are
missing (HTTP 401) or the server does not answer.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from casework.audit import verify_store
from casework.db import Store
from casework.localstack import wait_for
from casework.mailsink import free_port
from casework.views import get_case, history
from tests.conftest import _PG_REASON, EXAMPLES, require_or_skip
from tests.production import Production, production

pytestmark = [pytest.mark.prefect, pytest.mark.postgres]
CHIEF = "chief@npd.example.org"
CODE = re.compile(r"action code for this step: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b")


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production]:
    if _PG_REASON is not None:
        require_or_skip(_PG_REASON)
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    with ExitStack() as cleanup, pytest.MonkeyPatch.context() as env:
        the_prod = production(cleanup, tmp_path_factory.mktemp("production"))
        for key in ("CASEWORK_HOME", "CASEWORK_DATABASE_URL", "CASEWORK_KEY"):
            env.setenv(key, the_prod.env[key])  # this process reads the same case store
        cleanup.enter_context(
            temporary_settings(
                updates={
                    PREFECT_API_URL: the_prod.env["PREFECT_API_URL"],
                    PREFECT_API_AUTH_STRING: the_prod.env["PREFECT_API_AUTH_STRING"],
                }
            )
        )
        yield the_prod


def _store(prod: Production) -> Store:
    return Store()


def _case(store: Store, number: str) -> dict[str, Any]:
    with store.reading() as s:
        c = get_case(s, number)
        return {"state": c.state, "events": c.event_count, "assignee": c.assigned_certifier}


def _assignee(store: Store, number: str) -> str:
    with store.reading() as s:
        person = get_case(s, number).assigned_certifier
        assert person is not None
        return person.email


def _code(prod: Production, to: str, number: str, seen: set[str]) -> str:
    """The newest action code mailed to ``to`` for the case that was not used yet."""

    def fresh() -> str | None:
        for m in reversed(prod.sink.messages):
            if to in m["To"] and number in m["Subject"]:
                part = m.get_body(preferencelist=("plain",))
                found = CODE.search(part.get_content() if part is not None else "")
                if found and found.group(1) not in seen:
                    return found.group(1)
        return None

    code = wait_for(fresh, 120, f"an action code mailed to {to}")
    seen.add(code)
    return str(code)


def _wait_state(store: Store, number: str, state: str, timeout: float = 180) -> None:
    wait_for(lambda: _case(store, number)["state"] == state, timeout, f"{number} at {state}")


def _resume(prod: Production, number: str, answer: str, who: str, code: str) -> str:
    """``casework resume``, as the README prints it; retried while the run is not yet
    suspended on the step (the step's email goes out a moment before the form is saved)."""

    def attempt() -> str | None:
        out = prod.casework(
            "resume", number, "--input", f"examples/answers/{answer}", "--as", who,
            "--code", code, "--wait", "120", check=False,
        )  # fmt: skip
        return None if "not waiting for an answer" in out else out

    return str(wait_for(attempt, 60, f"{number} to take the {answer} answer", every=1))


def test_two_workers_one_killed_mid_step_the_other_finishes(prod: Production) -> None:
    store = _store(prod)
    try:
        _the_recipe(prod, store)
    finally:
        store.dispose()


def _the_recipe(prod: Production, store: Store) -> None:
    # the deployment reads CASEWORK_CODE_DIR on the worker when a run starts
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("certification-request/certification-request")
    pulled = json.dumps(deployment.pull_steps)
    assert "/nowhere" not in pulled and "CASEWORK_CODE_DIR" in pulled, pulled
    for name in ("worker-a", "worker-b"):
        prod.start_worker(name)
    out = prod.casework("submit", str(EXAMPLES / "request-u-domestic-violence.json"))
    assert "workflow run" in out and "started" in out
    number = out.strip().splitlines()[-1]
    seen: set[str] = set()
    _wait_state(store, number, "da_consultation")
    who = _assignee(store, number)
    assert f"{number}: certifier_review" in _resume(
        prod, number, "da-consultation.json", who, _code(prod, who, number, seen)
    )
    assert f"{number}: awaiting_signature" in _resume(
        prod, number, "review-certify.json", who, _code(prod, who, number, seen)
    )
    # the worker that makes the documents is killed there, with its flow-run process
    (prod.hold_dir / "documents").touch()
    assert f"{number}: certified" in _resume(
        prod, number, "signature-approve.json", CHIEF, _code(prod, CHIEF, number, seen)
    )
    reached = prod.hold_dir / "documents.reached"
    wait_for(reached.exists, 120, "a worker to reach the documents step")
    flow_pid = int(reached.read_text())
    victim = prod.worker_of(flow_pid)
    prod.kill_worker(victim, flow_pid)
    (prod.hold_dir / "documents").unlink()  # the survivor passes the point
    survivor = next(n for n in prod.workers if n != victim)
    # nobody runs a command from here on: the survivor's watchdog hears the silence
    _wait_state(store, number, "delivered", timeout=300)
    assert f"rescheduled {number}" in (prod.logs / f"{survivor}.log").read_text()
    with store.reading() as s:
        rows = history(s, get_case(s, number))
    acts = Counter(r["action"] for r in rows)
    assert acts["deliver"] == 1 and acts["approve_signature"] == 1
    assert acts["record_document"] == len({r["document_sha256"] for r in rows} - {None})
    assert all(n == 1 for a, n in acts.items() if a != "record_document"), acts
    kinds = Counter((m["To"], m["Subject"]) for m in prod.sink.messages if number in m["Subject"])
    assert all(n == 1 for n in kinds.values()), kinds
    assert any(
        "packet.pdf" in (p.get_filename() or "")
        for m in prod.sink.messages
        if number in m["Subject"]
        for p in m.iter_attachments()
    )
    with store.reading() as s:
        assert verify_store(s, number) == (1, [])


def test_missing_credentials_is_one_line(prod: Production) -> None:
    """The real server with basic auth, asked without PREFECT_API_AUTH_STRING: HTTP 401."""
    env = {k: v for k, v in prod.env.items() if k != "PREFECT_API_AUTH_STRING"}
    out = prod.casework("recover", env=env, check=False)
    lines = out.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out, out
    assert "HTTP 401" in lines[0] and "PREFECT_API_AUTH_STRING" in lines[0], out


def test_an_unreachable_server_is_one_line(prod: Production) -> None:
    dead = f"http://127.0.0.1:{free_port()}/api"
    out = prod.casework("recover", env={**prod.env, "PREFECT_API_URL": dead}, check=False)
    lines = out.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out, out
    assert f"cannot reach the Prefect API at {dead}" in lines[0], out


def test_a_malformed_answer_is_one_line(prod: Production, tmp_path: Path) -> None:
    bad = tmp_path / "answer.json"
    bad.write_text('{"acting_as": "kliu@npd.example.org", ')
    out = prod.casework("resume", "NPD-U-2026-0001", "--input", str(bad), check=False)
    lines = out.strip().splitlines()
    assert len(lines) == 1 and "not valid JSON" in lines[0] and "Traceback" not in out, out
