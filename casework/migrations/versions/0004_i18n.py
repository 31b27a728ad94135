"""notifications.language: the languages of each email sent (language-access record)

Revision ID: i18n
Revises: integrity
"""

import sqlalchemy as sa
from alembic import op

revision = "i18n"
down_revision = "integrity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("language", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("language")
