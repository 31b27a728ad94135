"""index case_events by action and time, for the reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_case_events_action_occurred_at", "case_events", ["action", "occurred_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_case_events_action_occurred_at", table_name="case_events")
