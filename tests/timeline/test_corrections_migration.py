"""Migration 0008 (corrections, hidden events) keeps every row of a loaded database, both ways: rebuilding the
event table on SQLite would cascade to its sources and facets."""
from __future__ import annotations

from alembic import command
from sqlalchemy import text

from app.db import alembic_config, init_db, make_engine, writer
from tests.conftest import SEEDS, load, make_settings

TABLES = ("event", "eventsource", "eventactor", "eventtopic", "facettotal")


def counts(engine) -> dict:
    with engine.connect() as c:
        return {t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def test_down_and_up_again_keeps_every_row(empty_url):
    engine = make_engine(make_settings(empty_url))
    init_db(engine)
    load(engine, sorted(SEEDS.glob("*.txt"))[:4])
    before = counts(engine)
    assert before["eventsource"] and before["eventactor"]
    with writer(engine).begin() as conn:
        command.downgrade(alembic_config(conn), "0006")
    assert counts(engine) == before
    init_db(engine)
    assert counts(engine) == before
    engine.dispose()
