"""Hash chains: each case's history, and each register of the executive order.

Each link's ``hash`` is SHA-256 over a canonical JSON serialisation of its
content plus the previous link's hash (``prev_hash``; the first link of a chain
chains from :data:`GENESIS`). Editing, deleting or reordering any link breaks
the chain at that point, which :func:`verify_chain` reports. A case's events are
one chain (:func:`event_hash`, :func:`verify_events`); a register's entries are
another (:mod:`casework.registers.chain`), made and checked by the same functions
(:func:`link_bytes`, :func:`verify_chain`, :func:`head_breaks`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

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


def link_bytes(version: str, chain: str, seq: int, content: Sequence[Any], prev_hash: str) -> bytes:
    """The canonical form of one link of any chain: a JSON array of the format ``version``,
    the chain's name (a case number, a register), the position, the content fields in a fixed
    order, and the previous link's hash."""
    return _ENCODE([version, chain, seq, *content, prev_hash]).encode()


def sorted_json(value: dict[str, Any]) -> str:
    """A JSON object as one text with sorted keys (how a payload enters a link)."""
    return _ENCODE_SORTED(value) if value else "{}"


def canonical_bytes(case_number: str, event: EventLike, prev_hash: str) -> bytes:
    """A JSON array in :data:`CANONICAL_FIELDS` order; the payload with sorted keys."""
    content = (
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
        sorted_json(event.payload),
        event.document_sha256,
    )
    return link_bytes("v1", case_number, event.seq, content, prev_hash)


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


class Link(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


L = TypeVar("L", bound=Link)


def verify_chain(
    chain: str,
    links: Sequence[L],
    digest: Callable[[L, str], str],
    *,
    noun: str = "event",
    empty_is_broken: bool = True,
) -> list[ChainBreak]:
    """Check one chain's links (in stored order) against ``digest(link, prev_hash)``; return
    every break found. Breaks name the link as "``noun`` N" (event 3, entry 12)."""
    breaks: list[ChainBreak] = []
    prev = GENESIS
    if not links:
        if not empty_is_broken:
            return []
        problem = "no history events" if noun == "event" else f"no {noun}s"
        return [ChainBreak(chain, None, problem, where="history" if noun != "event" else None)]

    def brk(seq: int, problem: str) -> ChainBreak:
        return ChainBreak(chain, seq, problem, where=None if noun == "event" else f"{noun} {seq}")

    for position, link in enumerate(links, start=1):
        if link.seq != position:
            breaks.append(brk(link.seq, f"out of sequence: expected {noun} {position}"))
        if link.prev_hash != prev:
            breaks.append(brk(link.seq, f"prev_hash does not match the {noun} before it"))
        if digest(link, link.prev_hash) != link.hash:
            breaks.append(brk(link.seq, "content does not match its hash"))
        prev = link.hash
    return breaks


def head_breaks(
    chain: str, links: Sequence[Link], head: str, count: int, *, owner: str, noun: str = "event"
) -> list[ChainBreak]:
    """The chain's last link and length against what its owner row records (a case, a
    register), so that a deleted last link, or links added after it, are noticed too."""
    last_hash = links[-1].hash if links else GENESIS
    if last_hash == head and len(links) == count:
        return []
    last_seq = links[-1].seq if links else None
    nouns = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return [
        ChainBreak(
            chain,
            last_seq,
            f"the {owner} records {count} {nouns} ending in {head[:12]}..., the history has "
            f"{len(links)}: {nouns} were deleted or added",
            where=None if noun == "event" else "history",
        )
    ]


def verify_events(case_number: str, events: Sequence[EventLike]) -> list[ChainBreak]:
    """Check one case's events (in stored order); return every break found."""
    return verify_chain(
        case_number, events, lambda ev, prev: event_hash(case_number, ev, prev), noun="event"
    )


def verify_many(chains: Iterable[tuple[str, Sequence[EventLike]]]) -> list[ChainBreak]:
    out: list[ChainBreak] = []
    for number, events in chains:
        out.extend(verify_events(number, events))
    return out
