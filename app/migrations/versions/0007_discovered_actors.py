"""actor.discovered and actor.state: actors found in the text by their title or form, and whom they speak for;
event.confidence: how many independent cues carry an event (recomputed by `timeline reextract`)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE (SQLite >= 3.35 and PostgreSQL): a batch copy of actor would break eventactor's keys
    op.add_column("actor", sa.Column("discovered", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("actor", sa.Column("state", sa.String(), nullable=False, server_default=""))
    op.add_column("event", sa.Column("confidence", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.execute("ALTER TABLE event DROP COLUMN confidence")
    op.execute("ALTER TABLE actor DROP COLUMN state")
    op.execute("ALTER TABLE actor DROP COLUMN discovered")
