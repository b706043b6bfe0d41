"""dataversion.max_span_days: the longest event stored, so date ranges read a bounded index range

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dataversion") as batch:
        batch.add_column(sa.Column("max_span_days", sa.Integer(), nullable=False, server_default="0"))
    span = ("max(julianday(date_end) - julianday(date_start))" if op.get_bind().dialect.name == "sqlite"
            else "max(date_end - date_start)")
    op.execute(f"UPDATE dataversion SET max_span_days = (SELECT coalesce(CAST({span} AS INTEGER), 0) FROM event)")


def downgrade() -> None:
    with op.batch_alter_table("dataversion") as batch:
        batch.drop_column("max_span_days")
