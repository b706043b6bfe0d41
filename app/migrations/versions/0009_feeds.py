"""watched feeds: feed, feedfetch (one row a fetch), feeditem (the articles a fetch added or changed)

Revision ID: 0009_feeds
Revises: 0007
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0009_feeds"
down_revision = "0007"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", S(), nullable=False),
        sa.Column("title", S(), nullable=False),
        sa.Column("added_by", S(), nullable=False),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("next_fetch_at", T(), nullable=True),
        sa.Column("last_fetched_at", T(), nullable=True),
        sa.Column("last_status", S(), nullable=False),
        sa.Column("last_error", S(), nullable=False),
        sa.Column("etag", S(), nullable=False),
        sa.Column("last_modified", S(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )
    with op.batch_alter_table("feed") as batch:
        batch.create_index("ix_feed_due", ["enabled", "next_fetch_at"], unique=False)
    op.create_table(
        "feedfetch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("started_at", T(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("status", S(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("reason", S(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["feed_id"], ["feed.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("feedfetch") as batch:
        batch.create_index("ix_feedfetch_feed", ["feed_id", "id"], unique=False)
    op.create_table(
        "feeditem",
        sa.Column("fetch_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("status", S(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["fetch_id"], ["feedfetch.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("fetch_id", "article_id"),
    )
    with op.batch_alter_table("feeditem") as batch:
        batch.create_index(batch.f("ix_feeditem_article_id"), ["article_id"], unique=False)


def downgrade() -> None:
    op.drop_table("feeditem")
    op.drop_table("feedfetch")
    op.drop_table("feed")
