"""editors' corrections (who, when, before, after; kept across re-extraction) and hidden events

Revision ID: 0008_corrections
Revises: 0007_sessions
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0008_corrections"
down_revision = "0007_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("mention", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False, server_default=""),
        sa.Column("after", sa.Text(), nullable=False, server_default=""),
        sa.Column("editor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("undone_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("undone_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_correction_mention", "correction", ["article_id", "mention"])
    # a plain ADD COLUMN: batch mode would copy and drop the event table, and on SQLite (foreign keys on)
    # dropping it cascades to every source and facet row
    op.add_column("event", sa.Column("hidden", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("event", "hidden")  # ALTER TABLE DROP COLUMN (SQLite 3.35+), for the same reason
    op.drop_index("ix_correction_mention", table_name="correction")
    op.drop_table("correction")
