"""index on event.date_end, so date ranges never scan the event table

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_event_end", "event", ["date_end", "id"])


def downgrade() -> None:
    op.drop_index("ix_event_end", table_name="event")
