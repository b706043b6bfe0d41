"""Shared fixtures: a fresh database and app per test, the seed corpus loaded once per session."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
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


def make_settings(path: Path, **kw) -> Settings:
    return Settings(database_url=f"sqlite:///{path}", seeds_dir=SEEDS, **kw)


def load(engine, paths) -> None:
    with Session(writer(engine)) as session:
        sync_lexicon(session)
        for raw in read_sources([str(p) for p in paths], 5_000_000):
            ingest_safely(session, raw)


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory) -> Path:
    """A SQLite file with the seed corpus, built once; tests copy it."""
    path = tmp_path_factory.mktemp("seeded") / "seeded.db"
    engine = make_engine(make_settings(path))
    init_db(engine)
    load(engine, [SEEDS])
    engine.dispose()
    return path


@pytest.fixture
def db_path(seeded_db, tmp_path) -> Path:
    path = tmp_path / "timeline.db"
    shutil.copy(seeded_db, path)
    return path


@pytest.fixture
def settings(db_path) -> Settings:
    return make_settings(db_path)


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
def admin_settings(db_path) -> Settings:
    return make_settings(db_path, admin_token=ADMIN_TOKEN, secret_key="test-secret")


@pytest.fixture
def admin_client(admin_settings):
    with TestClient(create_app(admin_settings)) as c:
        yield c


@pytest.fixture
def empty_engine(tmp_path):
    eng = make_engine(make_settings(tmp_path / "empty.db"))
    init_db(eng)
    yield eng
    eng.dispose()
