"""Which keys a store was written with, and the check every command makes before it reads or
writes: at least one key of the ring must be one the store knows (by its check value).

* A store that records no key and holds no case takes the ring's newest key (first use).
* ``CASEWORK_KEY="new,old"`` with ``old`` known: the store records ``new`` (a rotation
  begins); from then on data is written under ``new`` and read under either.
* Otherwise (missing key file, wrong ``CASEWORK_KEY``, a retired key alone) the command is
  refused with a message naming the key and where it was looked for; nothing is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.crypto import Keyring, KeyUnavailable, create_key_file, keyring
from casework.errors import CaseworkError
from casework.models import Case, KeyCheck

if TYPE_CHECKING:
    from casework.db import Store


class StoreNotReady(CaseworkError):
    """The database has no (or an older) case-store schema."""


def _state(session: Session) -> tuple[list[KeyCheck], int]:
    if not inspect(session.connection()).has_table("key_checks"):
        raise StoreNotReady(
            "the case store is not set up or is from an older version: run `casework init`"
        )
    rows = list(session.scalars(select(KeyCheck).order_by(KeyCheck.id)))
    cases = session.scalar(select(func.count()).select_from(Case)) or 0
    return rows, cases


def _verdict(ring: Keyring, rows: list[KeyCheck], cases: int, key_file: str) -> bool:
    """True when the newest key must be recorded; raises when the ring must be refused."""
    if not rows:
        if cases:
            raise KeyUnavailable(
                "the store holds cases but records no key check value: its key_checks table "
                "was emptied; restore the database from a backup"
            )
        return True
    known = {r.check_value: r for r in rows}
    active = [cv for cv in ring.check_values if cv in known and known[cv].retired_at is None]
    if active:
        return ring.check_values[0] not in known
    store_keys = ", ".join(r.check_value[:8] for r in rows if r.retired_at is None)
    retired = [known[cv] for cv in ring.check_values if cv in known]
    if retired:
        when = retired[0].retired_at
        raise KeyUnavailable(
            f"the key from {ring.source} (check value {retired[0].check_value[:8]}) was retired "
            f"by `casework keys rotate` on {when:%Y-%m-%d}; use the store's current key "
            f"(check value {store_keys}). Nothing was read or written"
        )
    raise KeyUnavailable(
        f"the key from {ring.source} (check value {ring.check_values[0][:8]}) is not a key "
        f"this store was written with (the store's key has check value {store_keys}). Set "
        f"CASEWORK_KEY to the store's key, or unset it to use the key file {key_file}. "
        "Nothing was read or written"
    )


def check_store(store: Store) -> None:
    """Refuse (:class:`KeyUnavailable`) unless the ring may read and write this store."""
    ring = keyring()
    key_file = str(store.settings.key_file)
    with store._sessions() as session:
        rows, cases = _state(session)
        record = _verdict(ring, rows, cases, key_file)
    if not record:
        return
    try:
        with store.raw_unit_of_work() as session:
            rows, cases = _state(session)  # again, under the write lock
            if _verdict(ring, rows, cases, key_file):
                session.add(KeyCheck(check_value=ring.check_values[0]))
    except IntegrityError:
        pass  # another process recorded it at the same time


def prepare_init(store: Store) -> str | None:
    """Before ``casework init`` migrates: make sure a key exists. A new key file is created
    only when there is no key at all and the store is empty (no case, no key recorded).
    Returns a note for the person (or None)."""
    try:
        keyring()
        return None
    except KeyUnavailable:
        settings = store.settings
        if _store_is_empty(store):
            create_key_file(settings.key_file)
            return (
                f"new encryption key written to {settings.key_file} (mode 0600): back it up "
                "outside this machine; without it the store cannot be read"
            )
        raise


def _store_is_empty(store: Store) -> bool:
    with store.engine.connect() as conn:
        tables = inspect(conn)
        if not tables.has_table("cases"):
            return True
        if tables.has_table("key_checks") and conn.scalar(
            select(func.count()).select_from(KeyCheck)
        ):
            return False
        return not conn.scalar(select(func.count()).select_from(Case))


def retire_all_but_newest(session: Session, ring: Keyring) -> int:
    """After a completed rotation: every other key the store knows is retired."""
    from casework.models import utcnow

    count = 0
    for row in session.scalars(select(KeyCheck).where(KeyCheck.retired_at.is_(None))):
        if row.check_value != ring.check_values[0]:
            row.retired_at = utcnow()
            count += 1
    return count
