"""feed.disabled_reason: why the watcher turned a feed off (410 Gone; moved permanently to a URL
another feed already watches); empty for a feed an editor paused

Revision ID: 0012_feed_redirects
Revises: 0010_scale
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0012_feed_redirects"
down_revision = "0010_scale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN (batch mode would rebuild the table; see 0008)
    op.add_column("feed", sa.Column("disabled_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                    server_default=""))


def downgrade() -> None:
    op.drop_column("feed", "disabled_reason")  # ALTER TABLE DROP COLUMN (SQLite 3.35+)
