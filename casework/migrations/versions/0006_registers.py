"""registers: the executive order's registers (detainers, unlicensed-operator stops, language
services), each an append-only hash chain in the ledger; cases.interpreter_needed

The registers start empty (their heads at the genesis hash). ``cases.interpreter_needed`` is
filled from each request's encrypted victim record, so an existing store is migrated under
its key (which must be available, as for any command); an empty store needs none.

Revision ID: registers
Revises: i18n
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "registers"
down_revision = "humansteps"
branch_labels = None
depends_on = None

REGISTERS = ("detainer", "stop", "language")
ENTRY_TABLES = ("detainer_register", "stop_register", "language_register")
GENESIS = "0" * 64


def _chain_columns(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=254), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("seq", name=op.f(f"uq_{table}_seq")),
    ]


def upgrade() -> None:
    op.create_table(
        "register_heads",
        sa.Column("register", sa.String(length=20), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("register", name=op.f("pk_register_heads")),
    )
    op.create_table(
        "detainer_register",
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("form", sa.String(length=8), nullable=False),
        sa.Column("booking_number", sa.String(length=40), nullable=False),
        sa.Column("criminal_charge", sa.Text(), nullable=True),
        sa.Column("warrant_court", sa.String(length=200), nullable=True),
        sa.Column("warrant_number", sa.String(length=80), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_by_name", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        *_chain_columns("detainer_register"),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["people.id"], name=op.f("fk_detainer_register_decided_by_id_people")
        ),
    )
    op.create_table(
        "stop_register",
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("incident_number", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("authority", sa.String(length=300), nullable=True),
        sa.Column("offered_opportunity", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        *_chain_columns("stop_register"),
    )
    op.create_table(
        "language_register",
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=24), nullable=False),
        sa.Column("context", sa.String(length=40), nullable=False),
        sa.Column("wait_minutes", sa.Integer(), nullable=True),
        *_chain_columns("language_register"),
    )
    for table, column in (
        ("detainer_register", "received_on"),
        ("stop_register", "occurred_on"),
        ("language_register", "occurred_on"),
    ):
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)
    heads = sa.table(
        "register_heads",
        sa.column("register", sa.String),
        sa.column("head", sa.String),
        sa.column("count", sa.Integer),
    )
    op.bulk_insert(heads, [{"register": r, "head": GENESIS, "count": 0} for r in REGISTERS])
    _append_only(ENTRY_TABLES)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("interpreter_needed", sa.Boolean(), nullable=True))
    _fill_interpreter_needed()


def downgrade() -> None:
    # Not in batch mode: SQLite (3.35+) drops the column in place, where a batch would copy
    # the cases table, which every other table refers to.
    op.drop_column("cases", "interpreter_needed")
    _drop_append_only(ENTRY_TABLES)
    for table, column in (
        ("detainer_register", "received_on"),
        ("stop_register", "occurred_on"),
        ("language_register", "occurred_on"),
    ):
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
    for table in (*ENTRY_TABLES, "register_heads"):
        op.drop_table(table)


_cases = sa.table(
    "cases",
    sa.column("id", sa.Integer),
    sa.column("victim_enc", sa.LargeBinary),
    sa.column("interpreter_needed", sa.Boolean),
)


def _fill_interpreter_needed() -> None:
    """Copy ``interpreter_needed`` out of each request's encrypted victim record."""
    from casework.crypto import keyring

    conn = op.get_bind()
    if conn.execute(sa.select(_cases.c.id).limit(1)).first() is None:
        return  # an empty store: no key needed
    ring = keyring()  # raises, naming where the key is looked for
    last = 0
    while True:
        rows = conn.execute(
            sa.select(_cases.c.id, _cases.c.victim_enc)
            .where(_cases.c.id > last)
            .order_by(_cases.c.id)
            .limit(2000)
        ).all()
        if not rows:
            return
        found = [
            (row.id, ring.decrypt_json(row.victim_enc).get("interpreter_needed")) for row in rows
        ]
        for value in (True, False):
            ids = [i for i, v in found if v is value]
            if ids:
                conn.execute(
                    sa.update(_cases).where(_cases.c.id.in_(ids)).values(interpreter_needed=value)
                )
        last = rows[-1].id


# -- append-only tables (the trigger function on PostgreSQL is the integrity revision's) ----
def _append_only(tables: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "postgresql":
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
        return
    for table in tables:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
