"""Settings come from TIMELINE_* variables; the SQLite engine is set up as documented."""
from __future__ import annotations

from sqlalchemy import text

from app.config import Settings
from app.db import make_engine


def test_defaults(monkeypatch):
    for k in ("TIMELINE_DATABASE_URL", "TIMELINE_HOST", "TIMELINE_PORT", "TIMELINE_ADMIN_TOKEN"):
        monkeypatch.delenv(k, raising=False)
    s = Settings(_env_file=None)
    assert (s.database_url, s.host, s.port, str(s.seeds_dir)) == ("sqlite:///data/timeline.db", "127.0.0.1", 8000, "seeds")
    assert not s.writes_enabled


def test_environment(monkeypatch):
    monkeypatch.setenv("TIMELINE_PORT", "9001")
    monkeypatch.setenv("TIMELINE_ADMIN_TOKEN", "secret")
    s = Settings(_env_file=None)
    assert s.port == 9001 and s.writes_enabled and s.admin_token.get_secret_value() == "secret"


def test_sqlite_pragmas_and_folder_created_on_demand(tmp_path):
    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'sub' / 'x.db'}", _env_file=None))
    with engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert c.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    assert (tmp_path / "sub").is_dir()


def test_the_suite_runs_on_the_backend_it_names(engine):
    """make test runs the suite once without TIMELINE_TEST_POSTGRES_URL (SQLite) and once with it."""
    import os

    from tests.conftest import backend

    assert engine.dialect.name == backend() == ("postgresql" if os.environ.get("TIMELINE_TEST_POSTGRES_URL") else "sqlite")
