"""facet totals per pair of facets and month, and per triple of facets, filled from the events stored;
sources marked wide (more than a month), regrouping windows read by start day

Revision ID: 0010_scale
Revises: 0008_corrections
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_scale"
down_revision = "0008_corrections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from app.timeline.tally import recount

    # a plain ADD COLUMN (batch mode would rebuild the table; see 0008)
    op.add_column("eventsource", sa.Column("wide", sa.Boolean(), nullable=False, server_default=sa.false()))
    span = ("julianday(date_end) - julianday(date_start)" if op.get_bind().dialect.name == "sqlite"
            else "date_end - date_start")
    op.execute(f"UPDATE eventsource SET wide = ({span} > 31) WHERE {span} > 31")  # store.WINDOW_CAP_DAYS
    op.create_index("ix_source_type_start", "eventsource", ["type", "date_start", "date_end"])
    op.create_index("ix_source_wide", "eventsource", ["type", "wide", "date_end", "date_start"])
    op.drop_index("ix_source_type_end", table_name="eventsource")
    recount(op.get_bind())  # the same table, more rows: 'p:<key>' months per pair, '<key>|<key>' triples


def downgrade() -> None:
    op.create_index("ix_source_type_end", "eventsource", ["type", "date_end", "date_start"])
    op.drop_index("ix_source_wide", table_name="eventsource")
    op.drop_index("ix_source_type_start", table_name="eventsource")
    op.drop_column("eventsource", "wide")  # ALTER TABLE DROP COLUMN (SQLite 3.35+)
    # the extra totals rows stay: earlier code never reads them, and upgrading again recounts every row
