"""facet totals kept on write (counts, pairs, months), filled from the events already stored

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "facettotal",
        sa.Column("facet", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("other", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("facet", "other"),
    )
    from app.timeline.tally import recount

    recount(op.get_bind())


def downgrade() -> None:
    op.drop_table("facettotal")
