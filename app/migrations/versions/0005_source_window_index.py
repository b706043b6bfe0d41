"""index on eventsource (type, date_end, date_start) for regrouping windows

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_source_type_end", "eventsource", ["type", "date_end", "date_start"])


def downgrade() -> None:
    op.drop_index("ix_source_type_end", table_name="eventsource")
