"""tombstones: an article an editor deleted stays deleted when the same file, paste or feed entry comes
again (keyed like the article); a fetch counts the entries it skipped so. Deletions made before this
migration get their tombstones, unless the article has come back since.

Revision ID: 0013_tombstones
Revises: 0012_feed_redirects
Create Date: 2026-12-03
"""
import json

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0013_tombstones"
down_revision = "0012_feed_redirects"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tombstone",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("correction_id", sa.Integer(), nullable=False),
        sa.Column("editor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["correction_id"], ["correction.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_tombstone_correction_id", "tombstone", ["correction_id"])
    # a plain ADD COLUMN (batch mode would rebuild the table; see 0008)
    op.add_column("feedfetch", sa.Column("deleted", sa.Integer(), nullable=False, server_default="0"))
    _backfill(op.get_bind())


def _backfill(conn) -> None:
    """A tombstone for every deletion not undone, keyed as the article was (its record keeps the fields)."""
    from app.pipeline.reader import RawArticle
    import datetime as dt

    rows = conn.execute(sa.text("SELECT id, article_id, before, editor, created_at FROM correction "
                                "WHERE field = 'article' AND undone_at IS NULL ORDER BY id")).all()
    have = set(conn.execute(sa.text("SELECT key FROM article")).scalars())
    stones = {}
    for cid, article_id, before, editor, created_at in rows:
        kept = json.loads(before)
        key = RawArticle(kept["title"], dt.date.fromisoformat(kept["published"]), kept["body"], kept["outlet"],
                         kept["url"], kept["source"], kept["summary_only"]).key
        if key not in have:  # an article that came back (before deletions stuck) is left where it is
            stones[key] = {"key": key, "article_id": article_id, "correction_id": cid, "editor": editor,
                           "created_at": created_at}
    if stones:
        conn.execute(sa.text("INSERT INTO tombstone (key, article_id, correction_id, editor, created_at) "
                             "VALUES (:key, :article_id, :correction_id, :editor, :created_at)"), list(stones.values()))


def downgrade() -> None:
    op.drop_column("feedfetch", "deleted")  # ALTER TABLE DROP COLUMN (SQLite 3.35+)
    op.drop_index("ix_tombstone_correction_id", table_name="tombstone")
    op.drop_table("tombstone")
