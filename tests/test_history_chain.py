"""The hash chain notices an edited, deleted or reordered history event."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from casework.audit import verify_store
from casework.cli import main
from casework.db import Store
from casework.transitions import Actor, apply_transition
from tests.helpers import certifiers, load, new_case


def _case_with_history(store: Store) -> tuple[str, int]:
    number = new_case(store)
    with store.unit_of_work() as s:
        case = load(s, number)
        apply_transition(
            s, case, "assign", Actor.system(), case.version, assign_to=certifiers(s)[0]
        )
        apply_transition(s, case, "start_da_consultation", Actor.system(), case.version)
        apply_transition(s, case, "mark_delayed", _chief(s), case.version, reason="DA on leave")
        return number, case.id


def _chief(s):  # type: ignore[no-untyped-def]
    from tests.helpers import chief_actor

    return chief_actor(s)


def _drop_guards(store: Store) -> None:
    """Act as a database administrator who disables the append-only triggers."""
    with store.engine.begin() as conn:
        if store.engine.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER IF EXISTS case_events_append_only ON case_events"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS case_events_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS case_events_no_delete"))


def _tamper(store: Store, sql: str, **params: object) -> None:
    _drop_guards(store)
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_untouched_history_verifies(store: Store) -> None:
    number, _ = _case_with_history(store)
    checked, breaks = verify_store_session(store)
    assert checked == 1 and breaks == []


def verify_store_session(store: Store, number: str | None = None):  # type: ignore[no-untyped-def]
    with store.reading() as s:
        return verify_store(s, number)


def test_database_refuses_to_rewrite_history(store: Store) -> None:
    _case_with_history(store)
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text("UPDATE case_events SET reason = 'nothing happened' WHERE seq = 4"))
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text("DELETE FROM case_events WHERE seq = 4"))


def test_edited_event_is_detected(store: Store) -> None:
    number, case_id = _case_with_history(store)
    _tamper(
        store,
        "UPDATE case_events SET reason = 'no reason' WHERE case_id = :c AND seq = 4",
        c=case_id,
    )
    _, breaks = verify_store_session(store)
    assert [(b.case_number, b.seq) for b in breaks] == [(number, 4)]
    assert "content does not match its hash" in breaks[0].problem


def test_deleted_middle_event_is_detected(store: Store) -> None:
    number, case_id = _case_with_history(store)
    _tamper(store, "DELETE FROM case_events WHERE case_id = :c AND seq = 2", c=case_id)
    _, breaks = verify_store_session(store)
    assert {b.case_number for b in breaks} == {number}
    assert any("prev_hash does not match" in b.problem for b in breaks)


def test_deleted_last_event_is_detected(store: Store) -> None:
    number, case_id = _case_with_history(store)
    _tamper(store, "DELETE FROM case_events WHERE case_id = :c AND seq = 4", c=case_id)
    _, breaks = verify_store_session(store)
    assert len(breaks) == 1 and "events were deleted or added" in breaks[0].problem


def test_reordered_events_are_detected(store: Store) -> None:
    number, case_id = _case_with_history(store)
    _tamper(store, "UPDATE case_events SET seq = 99 WHERE case_id = :c AND seq = 2", c=case_id)
    _tamper(store, "UPDATE case_events SET seq = 2 WHERE case_id = :c AND seq = 3", c=case_id)
    _tamper(store, "UPDATE case_events SET seq = 3 WHERE case_id = :c AND seq = 99", c=case_id)
    _, breaks = verify_store_session(store)
    assert {b.seq for b in breaks} >= {2, 3}


def test_cli_verify_history_names_broken_case_and_event(
    sqlite_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    good = new_case(sqlite_store, incident={"police_report_numbers": ["OK-1"]})
    number, case_id = _case_with_history(sqlite_store)
    assert main(["verify-history"]) == 0
    _tamper(
        sqlite_store,
        "UPDATE case_events SET actor_name = 'Someone Else' WHERE case_id = :c AND seq = 3",
        c=case_id,
    )
    capsys.readouterr()
    assert main(["verify-history"]) == 1
    err = capsys.readouterr().err
    assert f"BROKEN {number}: event 3" in err and good not in err
    assert main(["verify-history", good]) == 0
