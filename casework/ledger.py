"""The database-wide ledger: every history event and access-log entry of every case, and every
register entry, in commit order, each sealed with a MAC under a secret from the key ring.

Each case's events already form a hash chain (:mod:`casework.history`), but an unkeyed chain
can be recomputed by anyone who can write the database. The ledger adds what they cannot
forge or hide:

* position ``pos`` (1, 2, 3, ... with no gap) of every item, handed out under a lock on the
  one-row ``ledger_head`` table when the transaction commits, so the order is the commit order;
* a leaf hash binding the item's kind, row id, case and content hash (RFC 6962 leaf);
* ``HMAC-SHA256(keyring().derive("ledger"), pos || leaf)`` in ``ledger_macs``, one row per key
  (a rotation appends the newest key's MACs; nothing is ever updated);
* the Merkle tree head over the leaves, which :mod:`casework.checkpoints` signs.

Items are appended by session hooks (:func:`install`), so every ``CaseEvent``,
``AccessLogEntry`` and register entry (:data:`KINDS`) that is committed through the ORM is in
the ledger, whoever wrote it.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from hashlib import sha256 as _sha256
from typing import Any

from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from casework.accesslog import content_hash, entry_hash
from casework.crypto import Keyring, KeyUnavailable, keyring
from casework.db import raw_rows
from casework.models import AccessLogEntry, CaseEvent, KeyCheck, LedgerEntry, LedgerHead, LedgerMac
from casework.models_registers import REGISTER_MODELS

PURPOSE = "ledger"
#: Session.info key of the dict (check value -> key_checks.id) a Store shares between sessions.
KEY_IDS = "casework.key_ids"
_PENDING = "casework.ledger.pending"


def leaf(kind: str, ref_id: int, case_id: int | None, item_hash: str) -> bytes:
    """The RFC 6962 leaf hash (SHA-256 of 0x00 || data) of one ledger entry."""
    data = f"\x00casework-ledger-v1\x1f{kind}\x1f{ref_id}\x1f{case_id or 0}\x1f{item_hash}"
    return _sha256(data.encode()).digest()


def mac(secret: bytes, pos: int, leaf_hash: bytes) -> str:
    return hmac.digest(secret, pos.to_bytes(8, "big") + leaf_hash, "sha256").hex()


#: What the ledger holds, by model: its kind (at most 10 characters) and its words.
KINDS: dict[type[Any], str] = {
    CaseEvent: "event",
    AccessLogEntry: "access",
    **{model: name for name, model in REGISTER_MODELS.items()},
}
LABELS = {
    "event": "history event",
    "access": "access-log entry",
    **{name: f"{name} register entry" for name in REGISTER_MODELS},
}
_TRACKED = tuple(KINDS)


def describe(item: Any) -> tuple[str, int, int | None, str]:
    """(kind, row id, case id, content hash) of an item the ledger holds."""
    kind = KINDS[type(item)]
    if kind == "access":
        return kind, item.id, item.case_id, entry_hash(item)
    return kind, item.id, getattr(item, "case_id", None), item.hash


# -- appending ------------------------------------------------------------------------------
def install(factory: sessionmaker[Session]) -> None:
    """Append every committed event and access-log entry of ``factory``'s sessions."""
    event.listen(factory, "after_flush", _collect)
    event.listen(factory, "before_commit", _append_pending)
    event.listen(factory, "after_rollback", _forget)


def _collect(session: Session, _context: Any) -> None:
    new = [o for o in session.new if isinstance(o, _TRACKED)]
    if new:
        session.info.setdefault(_PENDING, []).extend(new)


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _append_pending(session: Session) -> None:
    session.flush()
    items = session.info.pop(_PENDING, None)
    if not items:
        return
    # Rows a rolled-back savepoint took away are no longer persistent.
    kept = [o for o in items if inspect(o).persistent]
    if kept:
        append(session, [describe(o) for o in kept])


def current_key_id(session: Session, ring: Keyring) -> int:
    key_id = session.scalar(
        select(KeyCheck.id).where(
            KeyCheck.check_value == ring.check_values[0], KeyCheck.retired_at.is_(None)
        )
    )
    if key_id is None:
        raise KeyUnavailable(
            f"the store does not record the newest key from {ring.source}; "
            "open the store through casework.db.Store, which checks the key ring first"
        )
    return key_id


def append(session: Session, items: list[tuple[str, int, int | None, str]]) -> None:
    """Give ``items`` the next positions and their MACs (in the caller's transaction; the
    head row stays locked until it commits)."""
    ring = keyring()
    cache = session.info.get(KEY_IDS)  # shared by a Store's sessions
    key_id = cache.get(ring.check_values[0]) if cache is not None else None
    if key_id is None:
        key_id = current_key_id(session, ring)
        if cache is not None:
            cache[ring.check_values[0]] = key_id
    secret = _secret(ring)  # HKDF once per key ring, not per commit
    # One statement takes the head row's lock (PostgreSQL; SQLite holds the write lock) and
    # hands out the positions.
    end = session.execute(
        update(LedgerHead)
        .where(LedgerHead.id == 1)
        .values(size=LedgerHead.size + len(items))
        .returning(LedgerHead.size)
    ).scalar_one()
    size = end - len(items)
    rows, macs = [], []
    for pos, (kind, ref_id, case_id, item_hash) in enumerate(items, start=size + 1):
        rows.append(
            {"pos": pos, "kind": kind, "ref_id": ref_id, "case_id": case_id, "item_hash": item_hash}
        )
        macs.append(
            {"pos": pos, "key_id": key_id, "mac": mac(secret, pos, leaf(kind, ref_id, case_id, item_hash))}
        )  # fmt: skip
    session.execute(insert(LedgerEntry), rows)
    session.execute(insert(LedgerMac), macs)


@lru_cache(maxsize=8)
def _secret(ring: Keyring) -> bytes:
    return ring.derive(PURPOSE)


# -- verifying ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LedgerProblem:
    pos: int | None
    kind: str | None
    ref_id: int | None
    case_id: int | None
    problem: str


@dataclass
class LedgerCheck:
    size: int
    leaves: list[bytes]
    problems: list[LedgerProblem]


def key_secrets(session: Session, ring: Keyring) -> list[tuple[int, bytes]]:
    """(key id, ledger secret) for each key of the ring the store knows, newest first."""
    ids = {cv: key_id for cv, key_id in session.execute(select(KeyCheck.check_value, KeyCheck.id))}
    secrets = ring.derive_all(PURPOSE)
    return [(ids[cv], s) for cv, s in zip(ring.check_values, secrets, strict=True) if cv in ids]


def verify(
    session: Session,
    ring: Keyring,
    items: dict[str, dict[int, tuple[int | None, str]]],
    *,
    case_id: int | None = None,
) -> LedgerCheck:
    """Check the ledger against what the database holds: ``items`` maps each kind (``event``,
    ``access``, a register) to a map of row id to (case id, content hash). With ``case_id``,
    only that case's entries (positions are then not contiguous)."""
    keys = key_secrets(session, ring)
    entries_q = select(
        LedgerEntry.pos, LedgerEntry.kind, LedgerEntry.ref_id, LedgerEntry.case_id,
        LedgerEntry.item_hash,
    ).order_by(LedgerEntry.pos)  # fmt: skip
    macs_q = select(LedgerMac.pos, LedgerMac.key_id, LedgerMac.mac).where(
        LedgerMac.key_id.in_([k for k, _ in keys])
    )
    if case_id is not None:
        entries_q = entries_q.where(LedgerEntry.case_id == case_id)
        macs_q = macs_q.join(LedgerEntry, LedgerEntry.pos == LedgerMac.pos).where(
            LedgerEntry.case_id == case_id
        )
    by_key: dict[int, dict[int, str]] = {key_id: {} for key_id, _ in keys}
    for pos, key_id, value in raw_rows(session, macs_q):
        by_key[key_id][pos] = value
    sealed = [(secret, by_key[key_id]) for key_id, secret in keys]
    problems: list[LedgerProblem] = []
    leaves: list[bytes] = []
    remaining = {kind: dict(rows) for kind, rows in items.items()}
    digest, compare = hmac.digest, hmac.compare_digest
    next_pos = 1
    for pos, kind, ref_id, item_case, item_hash in raw_rows(session, entries_q):
        if case_id is None and pos != next_pos:
            gap = (
                f"position {next_pos}" if pos == next_pos + 1 else f"positions {next_pos}-{pos - 1}"
            )
            problems.append(
                LedgerProblem(next_pos, None, None, None, f"ledger {gap} missing: entries were deleted")
            )  # fmt: skip
        next_pos = pos + 1
        leaf_hash = leaf(kind, ref_id, item_case, item_hash)
        leaves.append(leaf_hash)
        problem = None
        for secret, macs in sealed:  # the newest key that sealed this entry decides
            stored = macs.get(pos)
            if stored is not None:
                if not compare(
                    stored, digest(secret, pos.to_bytes(8, "big") + leaf_hash, "sha256").hex()
                ):
                    problem = "its MAC does not match: the entry was rewritten without the key"
                break
        else:
            problem = "it has no MAC under the configured key(s)"
        found = remaining.get(kind, {}).pop(ref_id, None)
        if found is None:
            problem = (
                problem
                or f"the {LABELS.get(kind, kind)} it records (id {ref_id}) is missing: it was deleted"
            )
        elif found != (item_case, item_hash):
            problem = (
                problem
                or f"the {LABELS[kind]} differs from what the ledger sealed: it was rewritten"
            )
        if problem:
            problems.append(LedgerProblem(pos, kind, ref_id, item_case, problem))
    for kind, rest in remaining.items():
        for ref_id, (item_case, _) in rest.items():
            problems.append(
                LedgerProblem(None, kind, ref_id, item_case,
                              f"the {LABELS[kind]} is not in the ledger: it was added outside the system")
            )  # fmt: skip
    size = next_pos - 1
    if case_id is None:
        head = session.scalar(select(LedgerHead.size).where(LedgerHead.id == 1))
        if head != size:
            problems.append(
                LedgerProblem(None, None, None, None,
                              f"the ledger head records {head} entries, the ledger holds {size}")
            )  # fmt: skip
    return LedgerCheck(size, leaves, problems)


def access_hashes(
    session: Session, case_id: int | None = None
) -> Iterable[tuple[int, int | None, str]]:
    """(id, case id, content hash) of every access-log entry (of one case)."""
    stmt = select(
        AccessLogEntry.id, AccessLogEntry.at, AccessLogEntry.who, AccessLogEntry.case_id,
        AccessLogEntry.what, AccessLogEntry.why,
    )  # fmt: skip
    if case_id is not None:
        stmt = stmt.where(AccessLogEntry.case_id == case_id)
    for row in session.connection().execute(stmt):
        yield row.id, row.case_id, content_hash(*row)
