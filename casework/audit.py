"""Verify the stored histories (``casework verify-history``).

For every case: its hash chain (:mod:`casework.history`), that its last event is the head the
case row records, and that its state is where its last event left it. For every register of
the executive order: its hash chain and head (:mod:`casework.registers.chain`). For the
store: that every case number the counters issued is present, and that the ledger holds every
history event, access-log entry and register entry, in order, each with a valid MAC under the
key ring (:mod:`casework.ledger`). Checkpoints are checked by :mod:`casework.checkpoints`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import ledger
from casework.crypto import keyring
from casework.db import raw_rows
from casework.history import ChainBreak, head_breaks, verify_events
from casework.models import Case, CaseEvent, CaseNumberCounter
from casework.models_registers import REGISTER_MODELS
from casework.numbering import format_case_number
from casework.registers import chain as registers

_EVENT_COLUMNS = (
    CaseEvent.case_id,
    CaseEvent.seq,
    CaseEvent.action,
    CaseEvent.from_state,
    CaseEvent.to_state,
    CaseEvent.actor_id,
    CaseEvent.actor_name,
    CaseEvent.actor_role,
    CaseEvent.occurred_at,
    CaseEvent.reason,
    CaseEvent.notes,
    CaseEvent.outcome,
    CaseEvent.payload,
    CaseEvent.document_sha256,
    CaseEvent.prev_hash,
    CaseEvent.hash,
    CaseEvent.id,
)


class EventRecord(NamedTuple):
    """A history row as a plain tuple: far cheaper than ORM rows for 100,000s of events.
    Fields in the order of ``_EVENT_COLUMNS``."""

    case_id: int
    seq: int
    action: str
    from_state: str | None
    to_state: str
    actor_id: int | None
    actor_name: str
    actor_role: str
    occurred_at: dt.datetime
    reason: str | None
    notes: str | None
    outcome: str | None
    payload: dict[str, Any]
    document_sha256: str | None
    prev_hash: str
    hash: str
    id: int


@dataclass
class Verification:
    checked: int
    breaks: list[ChainBreak] = field(default_factory=list)
    #: Leaf hashes of the whole ledger in order (None when one case was checked).
    leaves: list[bytes] | None = None
    #: Register entries checked (none when one case was checked).
    register_entries: int = 0


def verify_store(session: Session, case_number: str | None = None) -> tuple[int, list[ChainBreak]]:
    """Check every case (or one case); return (cases checked, breaks found)."""
    result = verify(session, case_number)
    return result.checked, result.breaks


def verify(session: Session, case_number: str | None = None) -> Verification:
    cases_q = select(
        Case.id, Case.case_number, Case.history_head, Case.event_count, Case.state_.label("state")
    ).order_by(Case.id)
    events_q = select(*_EVENT_COLUMNS).order_by(CaseEvent.case_id, CaseEvent.seq, CaseEvent.id)
    if case_number is not None:
        cases_q = cases_q.where(Case.case_number == case_number.upper())
        events_q = events_q.join(Case, Case.id == CaseEvent.case_id).where(
            Case.case_number == case_number.upper()
        )
    conn = session.connection()  # Core rows: no ORM loading machinery
    heads = {row.id: row for row in conn.execute(cases_q).all()}
    if case_number is not None and not heads:
        return Verification(0)
    records = map(_event_record, raw_rows(session, events_q))
    by_case = {case_id: list(rows) for case_id, rows in groupby(records, key=itemgetter(0))}
    breaks: list[ChainBreak] = []
    events: dict[int, tuple[int | None, str]] = {}
    for case_id, head in heads.items():
        history = by_case.get(case_id, [])
        breaks.extend(_case_breaks(head, history))
        events.update((ev.id, (case_id, ev.hash)) for ev in history)
    for case_id in by_case.keys() - heads.keys():  # events of a case row that is gone
        events.update((ev.id, (case_id, ev.hash)) for ev in by_case[case_id])
    only = next(iter(heads)) if case_number is not None else None
    access = {i: (c, digest) for i, c, digest in ledger.access_hashes(session, only)}
    items: dict[str, dict[int, tuple[int | None, str]]] = {"event": events, "access": access}
    entries = 0
    if case_number is None:
        entries, register_breaks, register_items = registers.verify(session)
        breaks.extend(register_breaks)
        items.update(register_items)
    check = ledger.verify(session, keyring(), items, case_id=only)
    numbers = {case_id: head.case_number for case_id, head in heads.items()}
    if check.problems:
        seqs = {ev.id: (ev.case_id, ev.seq) for evs in by_case.values() for ev in evs}
        breaks.extend(_ledger_break(p, numbers, seqs) for p in check.problems)
    if case_number is None:
        breaks.extend(_missing_numbers(session, set(numbers.values())))
        return Verification(len(heads), breaks, check.leaves, entries)
    return Verification(len(heads), breaks)


_from_iso = dt.datetime.fromisoformat


def _event_record(row: Any) -> EventRecord:
    """A raw row as the event it stores: SQLite gives the moment and the payload as text."""
    values = list(row)
    if isinstance(values[8], str):
        values[8] = _from_iso(values[8])
    if isinstance(values[12], str):
        values[12] = json.loads(values[12]) if values[12] not in ("{}", "null") else {}
    return EventRecord._make(values)


def _case_breaks(head: Any, events: list[EventRecord]) -> list[ChainBreak]:
    breaks = verify_events(head.case_number, events)
    if not events:
        return breaks
    last = events[-1]
    breaks += head_breaks(
        head.case_number, events, head.history_head, head.event_count, owner="case"
    )
    if last.to_state != head.state:
        breaks.append(
            ChainBreak(
                head.case_number,
                None,
                f"the case is in state {head.state} but its history leaves it in "
                f"{last.to_state}: the state was changed outside the history",
                where="state",
            )
        )
    return breaks


def _ledger_break(
    problem: ledger.LedgerProblem, numbers: dict[int, str], seqs: dict[int, tuple[int, int]]
) -> ChainBreak:
    at = f"ledger position {problem.pos}: " if problem.pos is not None else ""
    case = (
        numbers.get(problem.case_id, f"(deleted case, id {problem.case_id})")
        if problem.case_id
        else "ledger"
    )
    if problem.kind == "event" and problem.ref_id in seqs:
        return ChainBreak(case, seqs[problem.ref_id][1], at + problem.problem)
    if problem.kind in REGISTER_MODELS and not problem.case_id:
        case = registers.label(problem.kind)
    if problem.kind is not None:
        label = "event" if problem.kind == "event" else ledger.LABELS.get(problem.kind, "entry")
        return ChainBreak(case, None, at + problem.problem, where=f"{label} id {problem.ref_id}")
    return ChainBreak(case, None, at + problem.problem, where="ledger")


def _missing_numbers(session: Session, present: set[str]) -> list[ChainBreak]:
    """Every number a counter handed out must belong to a case (a counter is incremented in
    the transaction that stores the case, so a gap means a deleted case)."""
    out = []
    for c in session.scalars(select(CaseNumberCounter)):
        for sequence in range(1, c.last + 1):
            number = format_case_number(c.prefix, c.visa_type, c.year, sequence)
            if number not in present:
                out.append(
                    ChainBreak(
                        number,
                        None,
                        "this case number was issued but the case is missing: it was deleted",
                        where="case",
                    )
                )
    return out
