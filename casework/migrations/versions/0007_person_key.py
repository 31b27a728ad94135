"""person key: cases.person_key, a keyed digest of the victim's names and date of birth

The §4 count of individuals reads it instead of decrypting every victim record of the
year. An existing store is filled under its key (which must be available, as for any
command); an empty store needs none. A case whose key is missing or was made under an
older key is still counted correctly: the report decrypts that case's record.

Revision ID: personkey
Revises: registers
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "personkey"
down_revision = "registers"
branch_labels = None
depends_on = None

_cases = sa.table(
    "cases",
    sa.column("id", sa.Integer),
    sa.column("victim_enc", sa.LargeBinary),
    sa.column("person_key", sa.String),
)


def upgrade() -> None:
    op.add_column("cases", sa.Column("person_key", sa.String(length=80), nullable=True))
    _fill_person_keys()


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later), not a batch copy of the table:
    # the tables that refer to ``cases`` would refuse the copy's DROP TABLE.
    op.drop_column("cases", "person_key")


def _fill_person_keys() -> None:
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
        conn.execute(
            sa.update(_cases).where(_cases.c.id == sa.bindparam("cid")),
            [
                {"cid": row.id, "person_key": ring.person_key(ring.decrypt_json(row.victim_enc))}
                for row in rows
            ],
        )
        last = rows[-1].id
