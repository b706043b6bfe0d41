"""facet totals per pair of facets and month, and per triple of facets, filled from the events stored

Revision ID: 0010_scale
Revises: 0008_corrections
Create Date: 2026-12-02
"""
from alembic import op

revision = "0010_scale"
down_revision = "0008_corrections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from app.timeline.tally import recount

    recount(op.get_bind())  # the same table, more rows: 'p:<key>' months per pair, '<key>|<key>' triples


def downgrade() -> None:
    # the extra rows stay: earlier code never reads them, and upgrading again recounts every row
    pass
