"""Alembic owns the schema: the migrations produce exactly what the models describe."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from app.db import init_db, make_engine
from alembic.script import ScriptDirectory

from app.db import alembic_config, include_object
from tests.conftest import make_settings


def test_models_and_migrations_agree(empty_url):
    engine = make_engine(make_settings(empty_url))
    init_db(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_is_idempotent(empty_url):
    engine = make_engine(make_settings(empty_url))
    init_db(engine)
    init_db(engine)
    with engine.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert MigrationContext.configure(conn).get_current_revision() == head == "0013_tombstones"
    engine.dispose()
