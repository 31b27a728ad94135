"""The annual-report job: stored files, the artifact table, one email to records staff
(through a real SMTP server), and the Prefect flow itself on a temporary Prefect server."""

from __future__ import annotations

import datetime as dt
import email
import json
import socket
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from casework.db import Store
from casework.reports.delivery import email_annual, previous_year, store_annual, table_rows
from casework.reports.suppress import SUPPRESSED
from tests.test_reports_figures import build_scenario, expected_annual


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    box = Inbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CASEWORK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CASEWORK_SMTP_PORT", str(port))
    try:
        yield box
    finally:
        controller.stop()


def test_previous_year() -> None:
    assert previous_year(dt.date(2026, 1, 15)) == 2025


def test_store_and_email_once(sqlite_store: Store, inbox: Inbox) -> None:
    sc = build_scenario(sqlite_store, 40, seed=7)
    stored = store_annual(sqlite_store, 2024, produced_on=dt.date(2025, 1, 15))
    assert set(stored.files) == {"pdf", "csv", "json"}
    for path in stored.files.values():
        assert path.parent == sqlite_store.settings.home / "reports" / "annual"
        assert path.exists() and not path.with_name(path.name + ".part").exists()
    data = json.loads(stored.files["json"].read_text())
    want = expected_annual(sc, 2024)
    for item, cells in want.items():
        assert (
            data["figures"]["figures"][item]["total"] == cells["total"]
        )  # the §4 totals are exact
        for col in ("U", "T"):
            assert data["figures"]["figures"][item][col] in (cells[col], SUPPRESSED)
    rows = table_rows(stored.report)
    assert [r["figure"] for r in rows] == [
        "Individuals who requested certification",
        "Certification forms completed and signed",
        "Requests denied",
    ]
    assert rows[0]["Together"] == str(want["individuals_requested"]["total"])

    assert email_annual(sqlite_store, stored) is True
    assert email_annual(sqlite_store, stored) is False  # a re-run never mails twice
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert msg["To"] == "records@npd.example.org"
    assert msg["Subject"] == "G.L. c. 258F annual report for 2024"
    names = sorted(str(p.get_filename()) for p in msg.walk() if p.get_filename())
    assert names == ["c258f-annual-report-2024.csv", "c258f-annual-report-2024.pdf"]
    body = next(
        p for p in msg.walk() if p.get_content_type() == "text/plain" and not p.get_filename()
    )
    text = body.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert f"Together {want['forms_signed']['total']}" in text
    for v in sc.victims:
        assert v.family_name not in text


@pytest.mark.prefect
def test_flow_runs_on_a_temporary_prefect_server(sqlite_store: Store, inbox: Inbox) -> None:
    from prefect.client.orchestration import get_client
    from prefect.testing.utilities import prefect_test_harness

    from flows.annual_report import annual_report

    build_scenario(sqlite_store, 20, seed=11)
    with prefect_test_harness(server_startup_timeout=90):
        paths = annual_report(year=2025)
        assert annual_report(year=2025) == paths  # a second run: same files, no second email

        async def artifact() -> Any:
            async with get_client() as client:
                return await client.read_latest_artifacts()

        import asyncio

        latest = asyncio.run(artifact())
    pdf = Path(paths["pdf"])
    assert PdfReader(pdf).pages[0].extract_text()
    assert len(inbox.messages) == 1
    keys = [a.key for a in latest]
    assert "c258f-annual-report-2025" in keys
