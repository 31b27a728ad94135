"""documents: the recorded signing official, signing policy, installed official forms

Revision ID: documents
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "documents"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("designees_may_sign", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("t_supervisor_email", sa.String(length=254), nullable=True))
    with op.batch_alter_table("signature_approvals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("signer_phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("signer_email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("officials", sa.JSON(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_signature_approvals_signer_id_people"), "people", ["signer_id"], ["id"]
        )
    op.create_table(
        "official_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visa_type", sa.String(length=1), nullable=False),
        sa.Column("edition", sa.String(length=10), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_official_forms")),
    )


def downgrade() -> None:
    op.drop_table("official_forms")
    with op.batch_alter_table("signature_approvals", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_signature_approvals_signer_id_people"), type_="foreignkey"
        )
        batch_op.drop_column("officials")
        batch_op.drop_column("signer_email")
        batch_op.drop_column("signer_phone")
        batch_op.drop_column("signer_id")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_column("t_supervisor_email")
        batch_op.drop_column("designees_may_sign")
