"""What the Mayor's record and the §4 report draw on besides the registers: the interpreter
need kept plain at intake (and filled by the migration from the encrypted record), the
languages of the letters sent, the access log's counts, and the ledger checkpoints that the
daily watch writes and the §4 report prints."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from alembic import command
from sqlalchemy import select

from casework import accesslog, checkpoints
from casework.cli import main
from casework.db import Store
from casework.migrate import alembic_config, upgrade
from casework.models import Case, Notification, utcnow
from casework.reports import records_report
from casework.reports.model import local_date
from casework.watch import run_watch
from tests.conftest import TODAY as RECEIVED  # the day tests.helpers.new_case receives on
from tests.helpers import new_case

# The agency's calendar day now (the record counts by local day; UTC's date differs at night).
TODAY = local_date(utcnow())


def _interpreter(store: Store) -> dict[str, bool | None]:
    with store.reading() as s:
        return dict(s.execute(select(Case.case_number, Case.interpreter_needed)).all())  # type: ignore[arg-type]


def test_interpreter_need_is_kept_plain_at_intake_and_filled_by_the_migration(
    sqlite_store: Store,
) -> None:
    needs = {
        new_case(sqlite_store, victim={"interpreter_needed": True}): True,
        new_case(
            sqlite_store,
            victim={"interpreter_needed": False},
            incident={"police_report_numbers": ["26-00002-OF"]},
        ): False,
        new_case(sqlite_store, incident={"police_report_numbers": ["26-00003-OF"]}): None,
    }
    assert _interpreter(sqlite_store) == needs
    # A store from before the column: the migration reads it out of the encrypted record.
    cfg = alembic_config(sqlite_store.url)
    with sqlite_store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "humansteps")
    upgrade(sqlite_store)
    assert _interpreter(sqlite_store) == needs
    # ... and the record counts them.
    report = records_report(sqlite_store, RECEIVED, RECEIVED, today=RECEIVED, suppress=False)
    need = report.section("interpreters").rows
    assert (need["needed"]["total"], need["not_needed"]["total"], need["not_stated"]["total"]) == (
        1, 1, 1
    )  # fmt: skip


def test_letters_by_language_and_the_access_log_counts_are_in_the_record(
    sqlite_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    number = new_case(sqlite_store)
    with sqlite_store.unit_of_work() as s:
        case_id = s.scalars(select(Case.id).where(Case.case_number == number)).one()
        for i, (kind, language) in enumerate(
            [
                ("acknowledgment", "en+es"),
                ("delay", "en+es"),
                ("certification", "en"),
                ("denial", "en+note"),
                ("reminder", "en"),
            ]  # fmt: skip
        ):
            s.add(
                Notification(
                    idempotency_key=f"test:{i}",
                    case_id=case_id,
                    kind=kind,
                    recipient="advocate@example.org",
                    sent_at=utcnow(),
                    language=language,
                )
            )
    for _ in range(2):
        assert main(["show", number]) == 0
    with sqlite_store.unit_of_work() as s:
        accesslog.record(
            s, who="portal", case_id=case_id, what="document 17 (packet) downloaded",
            why="portal document download",
        )  # fmt: skip
    capsys.readouterr()
    report = records_report(sqlite_store, TODAY, TODAY, today=TODAY, suppress=False)
    letters = report.section("certification_letters").rows
    assert {k: v["total"] for k, v in letters.items()} == {"en": 1, "en+es": 2, "en+note": 1}
    assert report.section("certification_letters").label("en+es") == "English and Spanish (es)"
    kinds = report.section("data_access_by_kind").rows
    assert kinds == {
        "victim identity and narrative shown": {"entries": 2},
        "document downloaded (packet)": {"entries": 1},
    }
    sources = report.section("data_access_by_source").rows
    assert sources == {"casework show": {"entries": 2}, "portal document download": {"entries": 1}}
    # Nobody is named: not the shell user, not the portal.
    text = json.dumps(report.figures())
    assert "(shell)" not in text and accesslog.local_user() not in text


def test_the_watch_writes_a_checkpoint_and_the_annual_report_prints_it(
    sqlite_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    new_case(sqlite_store)
    assert checkpoints.latest(sqlite_store.settings) is None
    run_watch(sqlite_store, TODAY)
    first = checkpoints.latest(sqlite_store.settings)
    assert first is not None and first.size >= 1
    year = str(TODAY.year - 1)
    code = main(["report", "annual", "--year", year, "--no-suppression", "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0 and json.loads(out)["ledger_checkpoint"] == first.summary
    # The next watch signs the grown ledger.
    new_case(sqlite_store, incident={"police_report_numbers": ["26-00009-OF"]})
    run_watch(sqlite_store, TODAY + dt.timedelta(days=1))
    assert len(list(sqlite_store.settings.checkpoints_dir.glob("checkpoint-*.txt"))) == 2
    latest = checkpoints.latest(sqlite_store.settings)
    assert latest is not None and latest.size > first.size
    assert main(["verify-history"]) == 0
    assert "ledger checked against the checkpoint" in capsys.readouterr().out
