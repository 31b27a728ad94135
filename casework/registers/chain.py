"""Each register's hash chain: the case history's mechanism, applied to register entries.

An entry's hash is :func:`casework.history.link_bytes` over the register's name, its
position, when and by whom it was recorded, its fields (in ``FIELDS`` order) and the
previous entry's hash; the register's ``register_heads`` row keeps the chain's head and
length, as a case row does for its history. :func:`append` is the lower half of the door
(:func:`casework.registers.door.record` checks the policy first); :func:`verify` checks every
chain with :func:`casework.history.verify_chain` and :func:`~casework.history.head_breaks`, and
hands the entries to the ledger check (``casework verify-history``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.errors import CaseworkError
from casework.history import ChainBreak, head_breaks, link_bytes, utc_text, verify_chain
from casework.models import utcnow
from casework.models_registers import REGISTER_MODELS, RegisterHead

VERSION = "register-v1"
NOUN = "entry"


def label(register: str) -> str:
    """How a register is named in a break (``detainer register``)."""
    return f"{register} register"


def _text(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return utc_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def content(entry: Any, fields: Sequence[str]) -> list[Any]:
    """What an entry's hash covers besides its position and the previous hash."""
    return [
        utc_text(entry.recorded_at),
        entry.recorded_by,
        entry.source,
        *(_text(getattr(entry, f)) for f in fields),
    ]


def entry_hash(register: str, entry: Any, prev_hash: str) -> str:
    fields = REGISTER_MODELS[register].FIELDS
    data = link_bytes(VERSION, register, entry.seq, content(entry, fields), prev_hash)
    return hashlib.sha256(data).hexdigest()


def append(
    session: Session,
    register: str,
    entries: Sequence[Any],
    *,
    who: str,
    source: str,
    at: dt.datetime | None = None,
) -> None:
    """Append ``entries`` (new rows of the register's model) to its chain, in the caller's
    transaction. The head row is locked until the transaction ends (PostgreSQL; SQLite's
    writers are serialised), so concurrent appends take turns and never fork the chain."""
    head = session.scalars(
        select(RegisterHead).where(RegisterHead.register == register).with_for_update()
    ).one_or_none()
    if head is None:
        raise CaseworkError(
            f"the store has no {label(register)}: run `casework init` to migrate the database"
        )
    prev, seq = head.head, head.count
    now = at or utcnow()
    for entry in entries:
        seq += 1
        entry.seq, entry.recorded_at, entry.recorded_by = seq, now, who[:254]
        entry.source, entry.prev_hash = source[:40], prev
        entry.hash = entry_hash(register, entry, prev)
        prev = entry.hash
    head.head, head.count = prev, seq
    session.add_all(entries)
    session.flush()


class _Row(NamedTuple):
    """An entry as read back for checking (plain values, no ORM)."""

    id: int
    seq: int
    prev_hash: str
    hash: str
    values: dict[str, Any]

    def __getattr__(self, name: str) -> Any:  # recorded_at, recorded_by, fields
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


Items = dict[str, dict[int, tuple[int | None, str]]]


def verify(session: Session) -> tuple[int, list[ChainBreak], Items]:
    """Check every register's chain and head: (entries checked, breaks, and per register each
    entry's id and hash, for the ledger check)."""
    breaks: list[ChainBreak] = []
    items: Items = {}
    checked = 0
    heads = {h.register: h for h in session.scalars(select(RegisterHead))}
    for register, model in REGISTER_MODELS.items():
        columns = ["recorded_at", "recorded_by", "source", *model.FIELDS]
        stmt = select(
            model.id, model.seq, model.prev_hash, model.hash, *(getattr(model, c) for c in columns)
        ).order_by(model.seq, model.id)
        rows = [
            _Row(r[0], r[1], r[2], r[3], dict(zip(columns, r[4:], strict=True)))
            for r in session.execute(stmt)
        ]
        checked += len(rows)
        items[register] = {r.id: (None, r.hash) for r in rows}
        name = label(register)

        def digest(row: _Row, prev: str, register: str = register) -> str:
            return entry_hash(register, row, prev)

        breaks += verify_chain(name, rows, digest, noun=NOUN, empty_is_broken=False)
        head = heads.get(register)
        if head is None:
            breaks.append(
                ChainBreak(name, None, "its head row is missing: it was deleted", where="head")
            )
            continue
        breaks += head_breaks(name, rows, head.head, head.count, owner="register", noun=NOUN)
    return checked, breaks, items
