"""Hash chain over each case's history.

Each event's ``hash`` is SHA-256 over a canonical JSON serialisation of its
content plus the previous event's hash (``prev_hash``; the first event of a case
chains from :data:`GENESIS`). Editing, deleting or reordering any event breaks
the chain at that point, which :func:`verify_events` reports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

GENESIS = "0" * 64


class EventLike(Protocol):
    """Read-only view of a history event: an ORM row, a Core row tuple or a test double."""

    @property
    def seq(self) -> int: ...
    @property
    def action(self) -> str: ...
    @property
    def from_state(self) -> str | None: ...
    @property
    def to_state(self) -> str: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def actor_name(self) -> str: ...
    @property
    def actor_role(self) -> str: ...
    @property
    def occurred_at(self) -> dt.datetime: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def notes(self) -> str | None: ...
    @property
    def outcome(self) -> str | None: ...
    @property
    def payload(self) -> dict[str, Any]: ...
    @property
    def document_sha256(self) -> str | None: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


def utc_text(moment: dt.datetime) -> str:
    """One text form for a moment, whatever the database gave back (naive = UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_ENCODE_SORTED = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode
#: Field order of the canonical form (version 1). Changing it breaks every stored chain.
CANONICAL_FIELDS = (
    "v1", "case", "seq", "action", "from", "to", "actor_id", "actor", "role", "at",
    "reason", "notes", "outcome", "payload", "document_sha256", "prev",
)  # fmt: skip


def canonical_bytes(case_number: str, event: EventLike, prev_hash: str) -> bytes:
    """A JSON array in :data:`CANONICAL_FIELDS` order; the payload with sorted keys."""
    payload = event.payload
    return _ENCODE(
        [
            "v1",
            case_number,
            event.seq,
            event.action,
            event.from_state,
            event.to_state,
            event.actor_id,
            event.actor_name,
            event.actor_role,
            utc_text(event.occurred_at),
            event.reason,
            event.notes,
            event.outcome,
            _ENCODE_SORTED(payload) if payload else "{}",
            event.document_sha256,
            prev_hash,
        ]
    ).encode()


def event_hash(case_number: str, event: EventLike, prev_hash: str) -> str:
    return hashlib.sha256(canonical_bytes(case_number, event, prev_hash)).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    case_number: str
    seq: int | None
    problem: str
    where: str | None = None  # instead of "event N" / "history" (e.g. "access-log entry 7")

    def __str__(self) -> str:
        where = self.where or (f"event {self.seq}" if self.seq is not None else "history")
        return f"{self.case_number}: {where}: {self.problem}"


def verify_events(case_number: str, events: Sequence[EventLike]) -> list[ChainBreak]:
    """Check one case's events (in stored order); return every break found."""
    breaks: list[ChainBreak] = []
    prev = GENESIS
    if not events:
        return [ChainBreak(case_number, None, "no history events")]
    for position, ev in enumerate(events, start=1):
        if ev.seq != position:
            breaks.append(
                ChainBreak(case_number, ev.seq, f"out of sequence: expected event {position}")
            )
        if ev.prev_hash != prev:
            breaks.append(
                ChainBreak(case_number, ev.seq, "prev_hash does not match the event before it")
            )
        if event_hash(case_number, ev, ev.prev_hash) != ev.hash:
            breaks.append(ChainBreak(case_number, ev.seq, "content does not match its hash"))
        prev = ev.hash
    return breaks


def verify_many(chains: Iterable[tuple[str, Sequence[EventLike]]]) -> list[ChainBreak]:
    out: list[ChainBreak] = []
    for number, events in chains:
        out.extend(verify_events(number, events))
    return out
