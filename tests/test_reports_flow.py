"""The annual-report job: stored files, the artifact table, one email to records staff
(through a real SMTP server), and the Prefect flow itself on a temporary Prefect server."""

from __future__ import annotations

import datetime as dt
import email
import json
import re
import socket
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from casework import checkpoints
from casework.db import Store
from casework.reports.delivery import email_annual, previous_year, store_annual, table_rows
from tests.disclosure import HIDDEN
from tests.report_scenario import build_scenario, expected_annual


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
    folder = sqlite_store.settings.checkpoints_dir
    assert not list(folder.glob("checkpoint-*.txt"))
    stored = store_annual(sqlite_store, 2024, produced_on=dt.date(2025, 1, 15))
    assert set(stored.files) == {"pdf", "html", "csv", "json"}
    # The job signed a checkpoint of the ledger first, and the report prints it.
    written = list(folder.glob("checkpoint-*.txt"))
    assert len(written) == 1
    latest = checkpoints.latest(sqlite_store.settings)
    assert latest is not None and latest.size > 0
    assert stored.report.checkpoint == latest.summary
    pdf_text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(stored.files["pdf"]).pages
    )
    assert latest.summary in pdf_text and "Integrity of the history counted" in pdf_text
    assert json.loads(stored.files["json"].read_text())["ledger_checkpoint"] == latest.summary
    for path in stored.files.values():
        assert path.parent == sqlite_store.settings.home / "reports" / "releases" / "annual-2024"
        assert path.exists() and not path.with_name(path.name + ".part").exists()
    data = json.loads(stored.files["json"].read_text())
    want = expected_annual(sc, 2024)["statutory"]
    figures = data["certifications"]["figures"]["statutory"]
    for item, cells in want.items():
        assert figures[item]["total"] == cells["total"]  # the §4 figures are exact
        for col in ("U", "T"):
            assert figures[item][col] == cells[col] or figures[item][col] in HIDDEN
    rows = table_rows(stored.report)
    assert [r["figure"] for r in rows] == [
        "1. Individuals who requested certification",
        "2. Certification forms completed and signed",
        "3. Requests denied",
    ]
    assert rows[0]["Together: the figure to report"] == str(want["individuals_requested"]["total"])
    # A re-run finds the release: the same files, unchanged.
    again = store_annual(sqlite_store, 2024, produced_on=dt.date(2025, 2, 1))
    assert again.files == stored.files and again.report.produced_on == dt.date(2025, 1, 15)

    assert email_annual(sqlite_store, stored) is True
    assert email_annual(sqlite_store, stored) is False  # a re-run never mails twice
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert msg["To"] == "records@npd.example.org"
    assert msg["Subject"] == "G.L. c. 258F annual report for 2024"
    names = sorted(str(p.get_filename()) for p in msg.walk() if p.get_filename())
    assert names == [
        "c258f-annual-report-2024.csv",
        "c258f-annual-report-2024.html",
        "c258f-annual-report-2024.pdf",
    ]
    body = next(
        p for p in msg.walk() if p.get_content_type() == "text/plain" and not p.get_filename()
    )
    text = body.get_payload(decode=True).decode()  # type: ignore[union-attr]
    signed = want["forms_signed"]["total"]
    assert f"2. Certification forms completed and signed: {signed}\r\n" in text
    assert f"Ledger checkpoint when the report was made: {latest.summary}" in text
    for v in sc.victims:
        assert v.family_name not in text


@pytest.mark.prefect
def test_flow_runs_on_a_temporary_prefect_server(sqlite_store: Store, inbox: Inbox) -> None:
    from prefect.client.orchestration import get_client
    from prefect.testing.utilities import prefect_test_harness

    from flows.annual_report import annual_report

    sc = build_scenario(sqlite_store, 20, seed=11)
    with prefect_test_harness(server_startup_timeout=90):
        paths = annual_report(year=2025)
        assert annual_report(year=2025) == paths  # a second run: same files, no second email

        async def artifact() -> Any:
            async with get_client() as client:
                return await client.read_latest_artifacts()

        import asyncio

        latest = asyncio.run(artifact())
    pdf = Path(paths["pdf"])
    text = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(pdf).pages).split())
    assert "Northampton Police Department" in text and "The figures to report for 2025" in text
    # Each figure to report closes its row (after its counting basis and the U, T columns).
    rows = re.split(r" [123]\. (?:Individuals|Certification forms|Requests denied)", text)
    rows[-1] = rows[-1].split(" Requests received in 2025")[0]
    want = expected_annual(sc, 2025)["statutory"]
    totals = [want[k]["total"] for k in ("individuals_requested", "forms_signed", "denied")]
    assert [int(r.split()[-1]) for r in rows[1:]] == totals
    assert len(inbox.messages) == 1
    keys = [a.key for a in latest]
    assert "c258f-annual-report-2025" in keys
