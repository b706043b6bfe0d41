"""The engine (SQLite by default, PostgreSQL by URL), schema set-up and the session dependency."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

from app import models  # noqa: F401  (registers the tables)
from app.config import Settings

FTS_TABLE = "event_fts"


def make_engine(settings: Settings) -> Engine:
    """An engine for the configured URL; SQLite gets WAL, a busy timeout and foreign keys."""
    url = make_url(settings.database_url)
    if url.drivername.startswith("sqlite"):
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # one pooled connection per thread of the request thread pool (40), so none is opened per request
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None},
                               pool_size=40, max_overflow=10)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    event.listen(engine, "begin", _postgres_begin)
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn) -> None:
    """Writers take the write lock up front (BEGIN IMMEDIATE), so two ingests queue instead of failing."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("immediate") else "BEGIN")


def _postgres_begin(conn) -> None:
    """Writers queue on one advisory lock, as SQLite's BEGIN IMMEDIATE makes them queue there."""
    if conn.get_execution_options().get("immediate"):
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727002)")


def writer(engine: Engine) -> Engine:
    """The same engine, with transactions that start as writers."""
    return engine.execution_options(immediate=True)


MIGRATIONS = Path(__file__).parent / "migrations"
UNMODELLED = {"search", "ix_event_search"}  # full-text objects the migrations make by hand


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """What Alembic compares: every modelled object, not the full-text search ones."""
    return not (name in UNMODELLED or (name or "").startswith(FTS_TABLE))


def alembic_config(connection=None):
    """Alembic's configuration for this app, bound to a connection when given."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def init_db(engine: Engine) -> None:
    """Bring the schema to the newest migration (Alembic owns the schema)."""
    from alembic import command

    with writer(engine).begin() as conn:
        command.upgrade(alembic_config(conn), "head")

