"""Shared fixtures: a fresh database and app per test, the seed corpus loaded once per session.

The suite runs on SQLite by default, and on PostgreSQL when TIMELINE_TEST_POSTGRES_URL names a
server (`.ci/run` starts a throwaway cluster): each test then gets its own database, copied from a
seeded template database.
"""
from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.config import Settings
from app.db import init_db, make_engine, writer
from app.main import create_app
from app.pipeline.reader import read_sources
from app.pipeline.store import ingest_safely, sync_lexicon

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = Path(os.environ.get("TIMELINE_SHARED_DIR", ROOT.parent / "shared"))
ADMIN_TOKEN = "test-admin-token-123"
POSTGRES = os.environ.get("TIMELINE_TEST_POSTGRES_URL", "")
SQLITE_DIR = Path(tempfile.mkdtemp(prefix="timeline-tests-"))
_names = itertools.count()


def backend() -> str:
    return "postgresql" if POSTGRES else "sqlite"


def new_database(name: str, template: str | None = None) -> str:
    """An empty (or template-copied) database of the test backend; returns its URL."""
    unique = f"tl_{name}_{os.getpid()}_{next(_names)}"
    if not POSTGRES:
        path = SQLITE_DIR / f"{unique}.db"
        if template:
            shutil.copy(make_url(template).database, path)
        return f"sqlite:///{path}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{unique}"' + (f' TEMPLATE "{make_url(template).database}"' if template else "")))
    admin.dispose()
    return make_url(POSTGRES).set(database=unique).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    if POSTGRES:
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()


def make_settings(url: str, **kw) -> Settings:
    return Settings(database_url=url, seeds_dir=SEEDS, _env_file=None, **kw)


def load(engine, paths) -> None:
    with Session(writer(engine)) as session:
        sync_lexicon(session)
        for raw in read_sources([str(p) for p in paths], 5_000_000):
            ingest_safely(session, raw)


@pytest.fixture(scope="session")
def seeded_db() -> str:
    """A database with the seed corpus, built once; tests get copies."""
    url = new_database("seeded")
    engine = make_engine(make_settings(url))
    init_db(engine)
    load(engine, [SEEDS])
    engine.dispose()
    yield url
    drop_database(url)


@pytest.fixture
def db_url(seeded_db) -> str:
    url = new_database("test", template=seeded_db)
    yield url
    drop_database(url)


@pytest.fixture
def settings(db_url) -> Settings:
    return make_settings(db_url)


@pytest.fixture
def engine(settings):
    eng = make_engine(settings)
    init_db(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine):
    with Session(writer(engine)) as s:
        yield s


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def admin_settings(db_url) -> Settings:
    return make_settings(db_url, admin_token=ADMIN_TOKEN, secret_key="test-secret")


@pytest.fixture
def admin_client(admin_settings):
    with TestClient(create_app(admin_settings)) as c:
        yield c


@pytest.fixture
def empty_url():
    url = new_database("empty")
    yield url
    drop_database(url)


@pytest.fixture
def empty_engine(empty_url):
    eng = make_engine(make_settings(empty_url))
    init_db(eng)
    yield eng
    eng.dispose()
