"""``casework keys rotate``: move everything to the newest key of the ring, in one run that
can be interrupted and run again (each step skips what is already under the newest key and
commits in batches).

Run it with ``CASEWORK_KEY="new,old"``. It re-encrypts every encrypted column (every
``*_enc`` column of the schema) and every attachment and document file, recomputes the
duplicate-detection digests, the person keys (the §4 count of individuals) and the
status-lookup HMACs, and adds the newest key's MAC to
every ledger entry whose MAC under an older key verifies (an entry whose MAC does not verify
is reported and left unsealed: a rotation never launders a forged entry). When nothing was
left out, the older keys are retired: from then on the newest key alone reads and verifies
everything, and a retired key alone is refused.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import LargeBinary, Table, delete, exists, select, update
from sqlalchemy.orm import Session

from casework import access, accesslog, ledger
from casework.blobs import attachment_blobs, document_blobs
from casework.crypto import Keyring, keyring
from casework.db import Store
from casework.keys import retire_all_but_newest
from casework.models import Base, Case, DedupeKey, Incident, LedgerEntry, LedgerMac, StatusAccess

BATCH = 500
Progress = Callable[[str], None]


@dataclass
class Rotation:
    values: int = 0
    files: int = 0
    cases: int = 0
    status_rows: int = 0
    macs: int = 0
    retired: int = 0
    problems: list[str] = field(default_factory=list)


def rotate(store: Store, progress: Progress = lambda _: None) -> Rotation:
    ring = keyring()
    store.check_keys()  # records the newest key
    out = Rotation()
    with store.unit_of_work() as s:
        accesslog.record(
            s,
            who=accesslog.local_user(),
            case_id=None,
            what="every encrypted value re-encrypted under a new key",
            why="casework keys rotate",
        )
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if column.name.endswith("_enc") and isinstance(column.type, LargeBinary):
                out.values += _rotate_column(store, ring, table, column.name)
    progress(f"{out.values} encrypted value(s) re-encrypted")
    for blobs in (attachment_blobs(store, ring), document_blobs(store, ring)):
        out.files += sum(blobs.reencrypt(digest) for digest in blobs.digests())
    progress(f"{out.files} file(s) re-encrypted")
    out.cases = _rekey_dedupe(store, ring)
    progress(f"duplicate-detection digests and person keys of {out.cases} case(s) recomputed")
    out.status_rows = _rekey_status(store, ring)
    progress(f"{out.status_rows} status-lookup hash(es) recomputed")
    out.macs = _seal_ledger(store, ring, out.problems)
    progress(f"ledger entries sealed under the new key: {out.macs}")
    if not out.problems:
        with store.unit_of_work() as s:
            out.retired = retire_all_but_newest(s, ring)
    return out


def _rotate_column(store: Store, ring: Keyring, table: Table, name: str) -> int:
    pk = next(iter(table.primary_key.columns))
    col = table.c[name]
    done, last = 0, None
    while True:
        with store.unit_of_work() as s:
            stmt = select(pk, col).order_by(pk).limit(BATCH)
            if last is not None:
                stmt = stmt.where(pk > last)
            rows = s.execute(stmt).all()
            for key, token in rows:
                if token is None or ring.is_current(token):
                    continue
                s.execute(
                    update(table).where(pk == key).values({name: ring.reencrypt(token, name)})
                )
                done += 1
        if len(rows) < BATCH:
            return done
        last = rows[-1][0]


def _rekey_dedupe(store: Store, ring: Keyring) -> int:
    done, last = 0, 0
    while True:
        with store.unit_of_work() as s:
            cases = s.execute(
                select(Case.id, Case.visa_type, Case.victim_enc, Case.person_key)
                .where(Case.id > last)
                .order_by(Case.id)
                .limit(BATCH)
            ).all()
            for case_id, visa, victim_enc, person_key in cases:
                done += _rekey_case(s, ring, case_id, visa, victim_enc, person_key)
        if len(cases) < BATCH:
            return done
        last = cases[-1][0]


def _rekey_case(
    s: Session, ring: Keyring, case_id: int, visa: str, victim_enc: bytes, person_key: str | None
) -> int:
    v = ring.decrypt_json(victim_enc)
    person = ring.person_key(v)
    if person != person_key:
        s.execute(update(Case).where(Case.id == case_id).values(person_key=person))
    numbers = [n for rn in s.scalars(select(Incident.report_numbers).where(Incident.case_id == case_id)) for n in rn]  # fmt: skip
    wanted = {
        ring.keyed_hash(visa, v["family_name"], v["given_name"], v["date_of_birth"], n)
        for n in numbers
    }
    have = set(s.scalars(select(DedupeKey.key).where(DedupeKey.case_id == case_id)))
    if wanted == have:
        return int(person != person_key)
    s.execute(delete(DedupeKey).where(DedupeKey.case_id == case_id, DedupeKey.key.not_in(wanted)))
    s.add_all(DedupeKey(key=k, case_id=case_id) for k in wanted - have)
    return 1


def _rekey_status(store: Store, ring: Keyring) -> int:
    done = 0
    with store.unit_of_work() as s:
        for row in s.scalars(select(StatusAccess).where(StatusAccess.digests_enc.is_not(None))):
            assert row.digests_enc is not None
            digests = ring.decrypt_json(row.digests_enc)
            token_hash = access.keyed(ring.derive(access.TOKEN_PURPOSE), digests["token"])
            if row.token_hash == token_hash and ring.is_current(row.digests_enc):
                continue
            access.seal(row, ring, digests["token"], digests["code"])
            done += 1
    return done


def _seal_ledger(store: Store, ring: Keyring, problems: list[str]) -> int:
    done, after = 0, 0
    while True:
        with store.unit_of_work() as s:
            current = ledger.current_key_id(s, ring)
            keys = dict(ledger.key_secrets(s, ring))
            secret = keys[current]
            missing = (
                select(LedgerEntry)
                .where(
                    LedgerEntry.pos > after,
                    ~exists().where(LedgerMac.pos == LedgerEntry.pos, LedgerMac.key_id == current),
                )
                .order_by(LedgerEntry.pos)
                .limit(BATCH)
            )
            entries = list(s.scalars(missing))
            old = {
                (m.pos, m.key_id): m.mac
                for m in s.scalars(
                    select(LedgerMac).where(LedgerMac.pos.in_([e.pos for e in entries]))
                )
            }
            for e in entries:
                leaf = ledger.leaf(e.kind, e.ref_id, e.case_id, e.item_hash)
                if not any(
                    hmac.compare_digest(old[(e.pos, k)], ledger.mac(sec, e.pos, leaf))
                    for k, sec in keys.items()
                    if (e.pos, k) in old
                ):
                    problems.append(
                        f"ledger entry {e.pos} has no valid MAC under any key of the ring: "
                        "not sealed (run `casework verify-history`)"
                    )
                    continue
                s.add(LedgerMac(pos=e.pos, key_id=current, mac=ledger.mac(secret, e.pos, leaf)))
                done += 1
        if len(entries) < BATCH:
            return done
        after = entries[-1].pos
