"""Concurrent submissions on SQLite and PostgreSQL, with threads and with separate processes:
every distinct request is stored, one case per identity, every attachment exportable and
intact; a submitting process killed at any point leaves a whole case or nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from casework.audit import verify_store
from casework.blobs import BlobStore, sweep_orphans
from casework.db import Store
from casework.export import export_attachments
from casework.intake.service import SubmitResult, submit
from casework.models import Attachment, Case
from tests.conftest import EXAMPLES, TODAY, example_request

ROOT = Path(__file__).resolve().parents[1]
HOLD = Path(__file__).resolve().parent / "hold"
PDFS = ("police-report-24-01187.pdf", "victim-statement.pdf")


def distinct(n: int) -> list[dict[str, Any]]:
    """Different victims, each request with the same two PDFs."""
    return [
        example_request(
            victim={"given_name": f"Ana{i}"}, incident={"police_report_numbers": [f"C-{i:04d}"]}
        )
        for i in range(n)
    ]


def identical(n: int) -> list[dict[str, Any]]:
    return [example_request() for _ in range(n)]


def without_files(n: int) -> list[dict[str, Any]]:
    return [dict(r, attachments=[]) for r in distinct(n)]


def _cases(store: Store) -> list[Case]:
    with store.reading() as s:
        return list(s.scalars(select(Case).order_by(Case.id)))


def assert_whole(store: Store, expected_cases: int, tmp_path: Path) -> None:
    """The store holds exactly ``expected_cases`` whole cases: history verifies, every case
    number is distinct, every attachment exports intact."""
    cases = _cases(store)
    assert len(cases) == expected_cases
    assert len({c.case_number for c in cases}) == expected_cases
    with store.reading() as s:
        checked, breaks = verify_store(s)
    assert checked == expected_cases and breaks == [], breaks
    originals = {name: (EXAMPLES / name).read_bytes() for name in PDFS}
    for case in cases:
        out = tmp_path / "export" / case.case_number
        result = export_attachments(store, case.case_number, out, who="test", why="test")
        assert result.problems == []
        for path in result.written:
            assert path.read_bytes() == originals[path.name]


def run_threads(store: Store, requests: list[dict[str, Any]]) -> list[SubmitResult]:
    barrier = threading.Barrier(len(requests))
    results: list[SubmitResult | BaseException] = [None] * len(requests)  # type: ignore[list-item]

    def one(i: int) -> None:
        barrier.wait()
        try:
            results[i] = submit(store, requests[i], base_dir=EXAMPLES, received=TODAY)
        except BaseException as exc:  # noqa: BLE001 - reported below
            results[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    return results  # type: ignore[return-value]


SCENARIOS: dict[str, tuple[Callable[[int], list[dict[str, Any]]], int]] = {
    # name: (requests, how many cases they make, out of 10)
    "distinct requests sharing one PDF": (distinct, 10),
    "identical requests": (identical, 1),
    "distinct requests without files": (without_files, 10),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_concurrent_threads(store: Store, scenario: str, tmp_path: Path) -> None:
    make, cases = SCENARIOS[scenario]
    results = run_threads(store, make(10))
    assert sum(r.created for r in results) == cases
    assert len({r.case_number for r in results}) == cases
    assert_whole(store, cases, tmp_path)


# -- separate processes ---------------------------------------------------------------------
def _cli_env(store: Store, hold: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["CASEWORK_DATABASE_URL"] = store.url
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if hold:
        env["PYTHONPATH"] = f"{HOLD}{os.pathsep}{env['PYTHONPATH']}"
        env["CW_TEST_HOLD"] = hold
    return env


def _write_request(folder: Path, name: str, raw: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for pdf in PDFS:
        if not (folder / pdf).exists():
            shutil.copy(EXAMPLES / pdf, folder / pdf)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(raw))
    return path


def _submit_cmd(path: Path) -> list[str]:
    return [sys.executable, "-m", "casework.cli", "submit", "--no-flow", "--received",
            TODAY.isoformat(), str(path)]  # fmt: skip


def test_concurrent_processes(store: Store, tmp_path: Path) -> None:
    """Eight `casework submit` processes released at once: four distinct requests sharing the
    same PDFs and four copies of one other request make five cases."""
    requests = distinct(4) + identical(4)
    paths = [_write_request(tmp_path / "req", f"r{i}", r) for i, r in enumerate(requests)]
    gate = tmp_path / "gate"
    gate.mkdir()
    env = _cli_env(store, f"barrier:{gate}")
    procs = [
        subprocess.Popen(_submit_cmd(p), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for p in paths
    ]
    deadline = time.monotonic() + 120
    while len(list(gate.glob("ready-*"))) < len(procs) and time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            break
        time.sleep(0.02)
    (gate / "go").touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err.decode()
        assert b"Traceback" not in err
    numbers = [out.decode().split()[-1] for out, _ in outputs]
    assert len(set(numbers[:4])) == 4 and len(set(numbers[4:])) == 1
    assert sum(b"duplicates an existing case" in out for out, _ in outputs) == 3
    assert_whole(store, 5, tmp_path)


# -- killed at each point -------------------------------------------------------------------
KILL_POINTS = (
    "blob-before-rename",
    "after-first-blob",
    "mid-transaction",
    "before-commit",
    "after-commit",
)


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_killed_submission_leaves_a_whole_case_or_nothing(
    sqlite_store: Store, tmp_path: Path, point: str
) -> None:
    _kill_and_check(sqlite_store, tmp_path, point)


@pytest.mark.postgres
@pytest.mark.parametrize("point", ["mid-transaction", "before-commit"])
def test_a_killed_submission_on_postgresql(pg_store: Store, tmp_path: Path, point: str) -> None:
    _kill_and_check(pg_store, tmp_path, point)


def _kill_and_check(store: Store, tmp_path: Path, point: str) -> None:
    path = _write_request(tmp_path / "req", "r", example_request())
    killed = subprocess.run(
        _submit_cmd(path), env=_cli_env(store, f"kill:{point}"), capture_output=True, timeout=120
    )
    assert killed.returncode == -9, killed.stderr.decode()
    cases = _cases(store)
    assert len(cases) == (1 if point == "after-commit" else 0)
    assert_whole(store, len(cases), tmp_path)
    with store.reading() as s:  # no attachment row without its file
        for att in s.scalars(select(Attachment)):
            BlobStore(store.settings.attachments_dir).get(att.sha256)
    with store.reading() as s:
        referenced = set(s.scalars(select(Attachment.sha256)))
    files = {p.name for p in store.settings.attachments_dir.rglob("*") if p.is_file()}
    swept = sweep_orphans(store, older_than=dt.timedelta(0))  # what no case references
    assert {p.name for p in swept.removed} == files - referenced
    if point == "blob-before-rename":
        assert any(p.name.startswith(".incoming-") for p in swept.removed)
    assert_whole(store, len(cases), tmp_path)  # the sweep took nothing a case needs

    again = subprocess.run(_submit_cmd(path), env=_cli_env(store), capture_output=True, timeout=120)
    assert again.returncode == 0, again.stderr.decode()
    assert (b"duplicates an existing case" in again.stdout) == (point == "after-commit")
    assert_whole(store, 1, tmp_path)
    with store.reading() as s:
        assert s.scalar(select(func.count()).select_from(Attachment)) == 2


def test_concurrent_api_submissions(store: Store, tmp_path: Path) -> None:
    """Twelve clients post distinct requests sharing the same PDFs at once: every one is
    answered 201 (none 500) and stored whole."""
    from fastapi.testclient import TestClient

    from casework.portal.app import create_app
    from tests.test_portal_support import api_submit, example_pdfs, make_config

    app = create_app(store, make_config(send_email=False))
    requests = distinct(12)
    barrier = threading.Barrier(len(requests))
    answers: list[int] = []

    def one(raw: dict[str, Any]) -> None:
        with TestClient(app, base_url="http://127.0.0.1:8080") as client:
            barrier.wait()
            answers.append(api_submit(client, raw, example_pdfs()).status_code)

    threads = [threading.Thread(target=one, args=(r,)) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [201] * 12
    assert_whole(store, 12, tmp_path)
