"""A history no insider can rewrite: each way of tampering with a copy of the database (its
append-only triggers dropped, as a database administrator could) is named by verify-history,
including a chain rehashed without the key; checkpoints catch events cut off the end."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from casework import accesslog
from casework.audit import verify_store
from casework.cli import main
from casework.db import Store
from casework.history import event_hash
from casework.transitions import Actor, apply_transition
from tests.helpers import certifiers, chief_actor, load, new_case

HISTORY_TABLES = ("case_events", "ledger", "ledger_macs", "access_log")


def _case_with_history(store: Store, report: str = "24-01187-OF") -> tuple[str, int]:
    number = new_case(store, incident={"police_report_numbers": [report]})
    with store.unit_of_work() as s:
        case = load(s, number)
        apply_transition(
            s, case, "assign", Actor.system(), case.version, assign_to=certifiers(s)[0]
        )
        apply_transition(s, case, "start_da_consultation", Actor.system(), case.version)
        apply_transition(
            s, case, "mark_delayed", chief_actor(s), case.version, reason="DA on leave"
        )
        accesslog.record(s, who="tester", case_id=case.id, what="looked", why="test")
        return number, case.id


def _drop_guards(store: Store) -> None:
    """Act as a database administrator who disables the append-only triggers."""
    with store.engine.begin() as conn:
        for table in HISTORY_TABLES:
            if store.engine.dialect.name == "postgresql":
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
            else:
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))


def _sql(store: Store, *statements: str, **params: object) -> None:
    with store.engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql), params)


def _rehash(store: Store, case_id: int, *, ledger_too: bool) -> None:
    """Recompute the case's unkeyed hash chain (and the ledger's copies): what anyone who can
    write the database can do without the key."""
    with store.engine.begin() as conn:
        number = conn.execute(
            text("SELECT case_number FROM cases WHERE id = :c"), {"c": case_id}
        ).scalar_one()
        rows = conn.execute(
            text("SELECT * FROM case_events WHERE case_id = :c ORDER BY seq"), {"c": case_id}
        ).all()
        prev = "0" * 64
        for row in rows:
            ev = _Event(row)
            new = event_hash(number, ev, prev)
            conn.execute(
                text("UPDATE case_events SET prev_hash = :p, hash = :h WHERE id = :i"),
                {"p": prev, "h": new, "i": row.id},
            )
            if ledger_too:
                conn.execute(
                    text("UPDATE ledger SET item_hash = :h WHERE kind = 'event' AND ref_id = :i"),
                    {"h": new, "i": row.id},
                )
            prev = new
        conn.execute(
            text("UPDATE cases SET history_head = :h WHERE id = :c"), {"h": prev, "c": case_id}
        )


class _Event:
    def __init__(self, row: object):
        import datetime as dt
        import json

        self.__dict__.update(row._mapping)  # type: ignore[attr-defined]
        if isinstance(self.occurred_at, str):
            self.occurred_at = dt.datetime.fromisoformat(self.occurred_at)
        if isinstance(self.payload, str):
            self.payload = json.loads(self.payload)

    def __getattr__(self, name: str) -> object:
        raise AttributeError(name)


def _swap_ledger_entries(store: Store, case_id: int) -> None:
    """Swap the ledger positions of the case's events 2 and 3."""
    with store.engine.begin() as conn:
        a, b = conn.execute(
            text(
                "SELECT l.pos FROM ledger l JOIN case_events e ON l.kind = 'event' AND l.ref_id = e.id"
                " WHERE e.case_id = :c AND e.seq IN (2, 3) ORDER BY e.seq"
            ),
            {"c": case_id},
        ).scalars()
        for sql, params in (
            ("UPDATE ledger SET pos = -1 WHERE pos = :a", {"a": a}),
            ("UPDATE ledger SET pos = :a WHERE pos = :b", {"a": a, "b": b}),
            ("UPDATE ledger SET pos = :b WHERE pos = -1", {"b": b}),
        ):
            conn.execute(text(sql), params)


def _breaks(store: Store) -> list[str]:
    with store.reading() as s:
        return [str(b) for b in verify_store(s)[1]]


def test_untouched_history_verifies(store: Store) -> None:
    _case_with_history(store)
    with store.reading() as s:
        checked, breaks = verify_store(s)
    assert checked == 1 and breaks == []


def test_database_refuses_to_rewrite_history(store: Store) -> None:
    _case_with_history(store)
    column = {"case_events": "seq", "ledger": "pos", "ledger_macs": "mac", "access_log": "who"}
    for table in HISTORY_TABLES:
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(f"UPDATE {table} SET {column[table]} = {column[table]}"))
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(f"DELETE FROM {table}"))


Tamper = Callable[[Store, int], None]

TAMPERING: dict[str, tuple[Tamper, list[str]]] = {
    "edited event": (
        lambda st, c: _sql(st, "UPDATE case_events SET reason = 'no reason' WHERE case_id = :c AND seq = 4", c=c),
        ["{n}: event 4: content does not match its hash"],
    ),
    "deleted middle event": (
        lambda st, c: _sql(st, "DELETE FROM case_events WHERE case_id = :c AND seq = 2", c=c),
        ["{n}: event 3: prev_hash does not match", "{n}: event id", "is missing: it was deleted"],
    ),
    "last event deleted, head moved back": (
        lambda st, c: _sql(
            st,
            "UPDATE cases SET history_head = (SELECT hash FROM case_events WHERE case_id = :c AND seq = 3),"
            " event_count = 3, state = 'da_consultation' WHERE id = :c",
            "DELETE FROM case_events WHERE case_id = :c AND seq = 4",
            c=c,
        ),
        ["{n}: event id", "the history event it records", "is missing: it was deleted"],
    ),
    "reordered events": (
        lambda st, c: _sql(
            st,
            "UPDATE case_events SET seq = 99 WHERE case_id = :c AND seq = 2",
            "UPDATE case_events SET seq = 2 WHERE case_id = :c AND seq = 3",
            "UPDATE case_events SET seq = 3 WHERE case_id = :c AND seq = 99",
            c=c,
        ),
        ["{n}: event 2: content does not match its hash", "{n}: event 3: content does not match"],
    ),
    "state set outside the history": (
        lambda st, c: _sql(st, "UPDATE cases SET state = 'certified' WHERE id = :c", c=c),
        ["{n}: state: the case is in state certified but its history leaves it in da_consultation"],
    ),
    "deleted case": (
        lambda st, c: _sql(
            st,
            *(
                f"DELETE FROM {t} WHERE case_id = :c"
                for t in ("case_events", "access_log", "incidents", "helpfulness_claims",
                          "attachments", "dedupe_keys", "family_members")
            ),  # fmt: skip
            "DELETE FROM cases WHERE id = :c",
            c=c,
        ),
        ["{n}: case: this case number was issued but the case is missing", "(deleted case, id"],
    ),
    "actor changed, chain rehashed without the key": (
        lambda st, c: (
            _sql(st, "UPDATE case_events SET actor_name = 'Someone Else' WHERE case_id = :c AND seq = 3", c=c),
            _rehash(st, c, ledger_too=True),
        ),
        ["{n}: event 3: ledger position", "its MAC does not match: the entry was rewritten without the key"],
    ),
    "actor changed, chain rehashed, ledger left alone": (
        lambda st, c: (
            _sql(st, "UPDATE case_events SET actor_name = 'Someone Else' WHERE case_id = :c AND seq = 3", c=c),
            _rehash(st, c, ledger_too=False),
        ),
        ["{n}: event 3: ledger position", "differs from what the ledger sealed"],
    ),
    "ledger entries swapped": (
        lambda st, c: _swap_ledger_entries(st, c),
        ["{n}: event 2: ledger position", "{n}: event 3: ledger position", "its MAC does not match"],
    ),
    "access-log entry edited": (
        lambda st, c: _sql(st, "UPDATE access_log SET who = 'nobody' WHERE case_id = :c", c=c),
        ["{n}: access-log entry id", "differs from what the ledger sealed"],
    ),
    "access-log entry deleted": (
        lambda st, c: _sql(st, "DELETE FROM access_log WHERE case_id = :c", c=c),
        ["{n}: access-log entry id", "is missing: it was deleted"],
    ),
    "event added outside the system": (
        lambda st, c: _sql(
            st,
            "INSERT INTO case_events (case_id, seq, action, from_state, to_state, actor_id, actor_name,"
            " actor_role, occurred_at, reason, notes, outcome, payload, document_sha256, prev_hash, hash)"
            " SELECT case_id, 5, action, from_state, to_state, actor_id, actor_name, actor_role,"
            " occurred_at, reason, notes, outcome, payload, document_sha256, hash, hash"
            " FROM case_events WHERE case_id = :c AND seq = 4",
            c=c,
        ),
        ["{n}: event 5: content does not match its hash", "is not in the ledger: it was added outside the system"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("way", list(TAMPERING))
def test_each_way_of_tampering_is_named(store: Store, way: str) -> None:
    _case_with_history(store, "OK-1")  # an untouched case beside it
    number, case_id = _case_with_history(store)
    assert _breaks(store) == []
    _drop_guards(store)
    tamper, expected = TAMPERING[way]
    tamper(store, case_id)
    found = _breaks(store)
    joined = "\n".join(found)
    for fragment in expected:
        assert fragment.format(n=number) in joined, (way, found)
    assert not any(b.startswith("NPD-U-2026-0001") for b in found), found  # the untouched case


def test_cli_verify_history_names_broken_case_and_event(
    sqlite_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    good, _ = _case_with_history(sqlite_store, "OK-1")
    number, case_id = _case_with_history(sqlite_store)
    assert main(["verify-history"]) == 0
    _drop_guards(sqlite_store)
    _sql(
        sqlite_store,
        "UPDATE case_events SET actor_name = 'Someone Else' WHERE case_id = :c AND seq = 3",
        c=case_id,
    )
    _rehash(sqlite_store, case_id, ledger_too=True)
    capsys.readouterr()
    assert main(["verify-history"]) == 1
    err = capsys.readouterr().err
    assert f"BROKEN {number}: event 3: " in err and "MAC does not match" in err and good not in err
    assert main(["verify-history", good]) == 0
    assert main(["verify-history", number]) == 1


def _cut_off_last_events(store: Store, case_id: int, keep: int) -> None:
    """Remove the case's events after ``keep`` and every trace of them: the ledger's tail and
    MACs, the ledger head, the case's head, count and state. Consistent without a checkpoint."""
    with store.engine.begin() as conn:
        positions = (
            conn.execute(
                text(
                    "SELECT l.pos FROM ledger l JOIN case_events e ON e.id = l.ref_id AND l.kind = 'event'"
                    " WHERE e.case_id = :c AND e.seq > :k"
                ),
                {"c": case_id, "k": keep},
            )
            .scalars()
            .all()
        )
        size = conn.execute(text("SELECT size FROM ledger_head")).scalar_one()
        assert sorted(positions) == list(range(size - len(positions) + 1, size + 1))  # the tail
        kept = conn.execute(
            text("SELECT hash, to_state FROM case_events WHERE case_id = :c AND seq = :k"),
            {"c": case_id, "k": keep},
        ).one()
        for sql in (
            "DELETE FROM ledger_macs WHERE pos > :s",
            "DELETE FROM ledger WHERE pos > :s",
            "UPDATE ledger_head SET size = :s",
        ):
            conn.execute(text(sql), {"s": size - len(positions)})
        conn.execute(
            text("DELETE FROM case_events WHERE case_id = :c AND seq > :k"),
            {"c": case_id, "k": keep},
        )
        conn.execute(
            text("UPDATE cases SET history_head = :h, event_count = :k, state = :st WHERE id = :c"),
            {"h": kept.hash, "k": keep, "st": kept.to_state, "c": case_id},
        )  # fmt: skip


def test_a_checkpoint_catches_events_cut_off_the_end(
    sqlite_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number, case_id = _case_with_history(sqlite_store)
    with sqlite_store.unit_of_work() as s:
        case = load(s, number)
        apply_transition(
            s, case, "assign", chief_actor(s), case.version, assign_to=certifiers(s)[1]
        )
        apply_transition(s, case, "mark_delayed", chief_actor(s), case.version, reason="again")
    assert main(["checkpoint"]) == 0
    kept = tmp_path / "kept-elsewhere.txt"
    shutil.copy(sorted(sqlite_store.settings.checkpoints_dir.glob("checkpoint-*.txt"))[-1], kept)

    _drop_guards(sqlite_store)
    _cut_off_last_events(sqlite_store, case_id, keep=4)  # the reassignment and delay are gone
    assert _breaks(sqlite_store) == []  # consistent: only a checkpoint can tell
    capsys.readouterr()
    assert main(["verify-history"]) == 1
    err = capsys.readouterr().err
    assert "BROKEN checkpoint:" in err and "entries were cut off" in err

    for f in sqlite_store.settings.checkpoints_dir.glob("checkpoint-*.txt"):
        f.unlink()  # the insider also deletes the checkpoints on this machine
    assert main(["verify-history"]) == 0
    assert main(["verify-history", "--checkpoint", str(kept)]) == 1
    assert "entries were cut off" in capsys.readouterr().err
    assert main(["checkpoint"]) == 0  # (a new one may be signed for what is there now)


def test_a_checkpoint_catches_a_rewritten_ledger(
    sqlite_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    number, case_id = _case_with_history(sqlite_store)
    assert main(["checkpoint"]) == 0
    _drop_guards(sqlite_store)
    _sql(sqlite_store, "UPDATE ledger SET item_hash = :h WHERE pos = 2", h="0" * 64)
    capsys.readouterr()
    assert main(["verify-history"]) == 1
    err = capsys.readouterr().err
    assert "no longer match the checkpoint" in err
    assert main(["checkpoint"]) == 1  # signing would hide it: refused
    assert "no checkpoint written" in capsys.readouterr().err


def test_a_forged_checkpoint_is_refused(
    sqlite_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _case_with_history(sqlite_store)
    assert main(["checkpoint"]) == 0
    original = sorted(sqlite_store.settings.checkpoints_dir.glob("checkpoint-*.txt"))[-1]
    forged = tmp_path / "forged.txt"
    forged.write_text(original.read_text().replace("\n5\n", "\n4\n", 1))
    capsys.readouterr()
    assert main(["verify-history", "--checkpoint", str(forged)]) == 1
    assert "does not verify" in capsys.readouterr().err
