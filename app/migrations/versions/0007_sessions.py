"""adminsession: signed-in browser sessions kept server-side, so signing out ends a copied cookie too

Revision ID: 0007_sessions
Revises: 0009_feeds
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0007_sessions"
down_revision = "0009_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "adminsession",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("adminsession")
