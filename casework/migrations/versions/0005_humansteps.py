"""human steps: action codes that expire, count wrong attempts and can be voided; the typed
values of a refused answer (encrypted) for the step's next ask

Codes stored before this revision were unkeyed SHA-256 digests: they are voided here (the
Chief reissues a code with ``casework reissue-code``), so no unkeyed hash stays usable.

Revision ID: humansteps
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "humansteps"
down_revision = "i18n"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refused_answer_enc", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("action_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("issue_no", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE action_codes SET expires_at = created_at, "
        "voided_at = CASE WHEN used_at IS NULL THEN CURRENT_TIMESTAMP END"
    )
    with op.batch_alter_table("action_codes", schema=None) as batch_op:
        batch_op.alter_column(
            "expires_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.alter_column("issue_no", existing_type=sa.Integer(), server_default=None)
        batch_op.alter_column("attempts", existing_type=sa.Integer(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("action_codes", schema=None) as batch_op:
        batch_op.drop_column("voided_at")
        batch_op.drop_column("last_attempt_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("issue_no")
        batch_op.drop_column("expires_at")
    # Dropped in place (SQLite >= 3.35): recreating ``cases`` would break the foreign keys
    # that point at it.
    with op.batch_alter_table("cases", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("refused_answer_enc")
