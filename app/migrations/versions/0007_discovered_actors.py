"""actor.discovered and actor.state: actors found in the text by their title or form, and whom they speak for

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
    with op.batch_alter_table("actor") as batch:
        batch.add_column(sa.Column("discovered", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("state", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("actor") as batch:
        batch.drop_column("state")
        batch.drop_column("discovered")
