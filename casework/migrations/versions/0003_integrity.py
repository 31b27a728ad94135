"""integrity: key check values, the sealed ledger, the access log, keyed status hashes

An existing store is migrated under its key (which must be available, as for any command):
the key check values of the keys that open its data are recorded, every case's hash chain is
checked (a store whose history is already broken is refused rather than sealed), every history
event goes into the ledger in the order it was written, with its MAC, and the status-lookup
hashes become keyed hashes.

Revision ID: integrity
Revises: 0001
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "integrity"
down_revision = "documents"
branch_labels = None
depends_on = None

APPEND_ONLY = ("ledger", "ledger_macs", "access_log")


def upgrade() -> None:
    op.create_table(
        "key_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_value", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_checks")),
        sa.UniqueConstraint("check_value", name=op.f("uq_key_checks_check_value")),
    )
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )
    op.create_table(
        "ledger",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("item_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ledger")),
        sa.UniqueConstraint("kind", "ref_id", name="uq_ledger_kind_ref"),
    )
    op.create_table(
        "ledger_macs",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"], ["key_checks.id"], name=op.f("fk_ledger_macs_key_id_key_checks")
        ),
        sa.PrimaryKeyConstraint("pos", "key_id", name=op.f("pk_ledger_macs")),
    )
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=254), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("what", sa.String(length=200), nullable=False),
        sa.Column("why", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_access_log_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_log_case_id"), ["case_id"], unique=False)
    with op.batch_alter_table("status_access", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digests_enc", sa.LargeBinary(), nullable=True))

    op.execute("INSERT INTO ledger_head (id, size) VALUES (1, 0)")
    _seal_existing_data()
    _append_only(APPEND_ONLY)


def downgrade() -> None:
    _drop_append_only(APPEND_ONLY)
    with op.batch_alter_table("status_access", schema=None) as batch_op:
        batch_op.drop_column("digests_enc")
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_log_case_id"))
        batch_op.drop_index(batch_op.f("ix_access_log_at"))
    op.drop_table("access_log")
    op.drop_table("ledger_macs")
    op.drop_table("ledger")
    op.drop_table("ledger_head")
    op.drop_table("key_checks")


# -- data -----------------------------------------------------------------------------------
_cases = sa.table(
    "cases",
    sa.column("id", sa.Integer),
    sa.column("case_number", sa.String),
    sa.column("victim_enc", sa.LargeBinary),
    sa.column("history_head", sa.String),
    sa.column("event_count", sa.Integer),
)
_event_columns = (
    "id", "case_id", "seq", "action", "from_state", "to_state", "actor_id", "actor_name",
    "actor_role", "occurred_at", "reason", "notes", "outcome", "payload", "document_sha256",
    "prev_hash", "hash",
)  # fmt: skip
_event_types: dict[str, Any] = {"payload": sa.JSON, "occurred_at": sa.DateTime(timezone=True)}
_events = sa.table("case_events", *(sa.column(c, _event_types.get(c)) for c in _event_columns))
_key_checks = sa.table(
    "key_checks",
    sa.column("id", sa.Integer),
    sa.column("check_value", sa.String),
    sa.column("recorded_at", sa.DateTime(timezone=True)),
)
_status = sa.table(
    "status_access",
    sa.column("id", sa.Integer),
    sa.column("token_hash", sa.String),
    sa.column("code_hash", sa.String),
    sa.column("digests_enc", sa.LargeBinary),
)


def _seal_existing_data() -> None:
    from casework import access, ledger
    from casework.crypto import KeyUnavailable, keyring
    from casework.errors import CaseworkError
    from casework.history import verify_events

    conn = op.get_bind()
    sample = conn.execute(sa.select(_cases.c.victim_enc).order_by(_cases.c.id).limit(1)).first()
    if sample is None:
        return  # an empty store: the first command records its key
    ring = keyring()  # raises, naming where the key is looked for
    opening = ring.opening_keys(sample.victim_enc)
    if not opening:
        raise KeyUnavailable(
            f"the key(s) from {ring.source} do not open this store's data; the migration "
            "needs the store's key"
        )
    now = dt.datetime.now(dt.UTC)
    for cv in opening:
        conn.execute(sa.insert(_key_checks).values(check_value=cv, recorded_at=now))
    key_id = conn.scalar(sa.select(_key_checks.c.id).where(_key_checks.c.check_value == opening[0]))
    secret = ring.derive_all(ledger.PURPOSE)[ring.check_values.index(opening[0])]

    heads = {r.id: r for r in conn.execute(sa.select(_cases))}
    rows = conn.execute(sa.select(_events).order_by(_events.c.case_id, _events.c.seq)).all()
    broken: list[str] = []
    for case_id, events in groupby(rows, key=lambda r: r.case_id):
        history = list(events)
        head = heads[case_id]
        broken.extend(str(b) for b in verify_events(head.case_number, history))
        if history[-1].hash != head.history_head or len(history) != head.event_count:
            broken.append(f"{head.case_number}: the case's head does not match its last event")
    if broken:
        raise CaseworkError(
            "the stored history is already broken, so the migration will not seal it:\n  "
            + "\n  ".join(broken[:20])
            + "\nrestore the database from a backup made before the damage and run "
            "`casework init` again"
        )
    entries: list[dict[str, Any]] = []
    macs: list[dict[str, Any]] = []
    for pos, ev in enumerate(sorted(rows, key=lambda r: r.id), start=1):
        leaf = ledger.leaf("event", ev.id, ev.case_id, ev.hash)
        entries.append(
            {"pos": pos, "kind": "event", "ref_id": ev.id, "case_id": ev.case_id, "item_hash": ev.hash}
        )  # fmt: skip
        macs.append({"pos": pos, "key_id": key_id, "mac": ledger.mac(secret, pos, leaf)})
    if entries:
        conn.execute(sa.table("ledger", *map(sa.column, entries[0])).insert(), entries)
        conn.execute(sa.table("ledger_macs", *map(sa.column, macs[0])).insert(), macs)
        op.execute(f"UPDATE ledger_head SET size = {len(entries)} WHERE id = 1")

    # Status hashes: the old unkeyed SHA-256 digests become the input of the keyed HMACs.
    for row in conn.execute(sa.select(_status)).all():
        conn.execute(
            sa.update(_status)
            .where(_status.c.id == row.id)
            .values(
                token_hash=access.keyed(ring.derive(access.TOKEN_PURPOSE), row.token_hash),
                code_hash=access.keyed(ring.derive(access.CODE_PURPOSE), row.code_hash),
                digests_enc=ring.encrypt_json({"token": row.token_hash, "code": row.code_hash}),
            )
        )


# -- append-only tables ---------------------------------------------------------------------
def _append_only(tables: tuple[str, ...]) -> None:
    """The database itself refuses UPDATE and DELETE on these tables (as on case_events)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION casework_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for table in tables:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION casework_append_only()"
            )
        return
    for table in tables:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
            )


def _drop_append_only(tables: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in tables:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS casework_append_only()")
        return
    for table in tables:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
