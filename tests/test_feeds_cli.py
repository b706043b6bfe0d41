"""`timeline feeds add|list|remove` and `timeline watch --once`, through Typer's CliRunner."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import app
from app.config import get_settings
from app.db import make_engine
from app.models import Article, Feed
from tests.conftest import make_settings
from tests.feedserver import FeedServer, Route, rss

runner = CliRunner()


@pytest.fixture
def db_env(empty_url, monkeypatch):
    monkeypatch.setenv("TIMELINE_DATABASE_URL", empty_url)
    get_settings.cache_clear()
    yield empty_url
    get_settings.cache_clear()


@pytest.fixture
def server():
    s = FeedServer()
    yield s
    s.close()


def rows(url: str, model, *cols):
    engine = make_engine(make_settings(url))
    with Session(engine) as s:
        found = s.exec(select(*cols) if cols else select(model)).all()
    engine.dispose()
    return found


@pytest.mark.parametrize("command", [["feeds", "add"], ["feeds", "list"], ["feeds", "remove"], ["watch"]])
def test_feed_commands_have_help(command):
    r = runner.invoke(app, [*command, "--help"])
    assert r.exit_code == 0 and "Usage" in r.output


def test_add_list_remove(db_env):
    added = runner.invoke(app, ["feeds", "add", "https://example.org/world.rss", "--title", "World", "--interval", "15",
                                "--by", "desk"])
    assert added.exit_code == 0, added.output
    assert [(f.url, f.title, f.interval_minutes, f.added_by, f.enabled) for f in rows(db_env, Feed)] == \
        [("https://example.org/world.rss", "World", 15, "desk", True)]
    again = runner.invoke(app, ["feeds", "add", "https://example.org/world.rss"])
    assert again.exit_code == 1 and "already watched" in again.output
    bad = runner.invoke(app, ["feeds", "add", "ftp://example.org/x", "--interval", "15"])
    assert bad.exit_code == 1 and "http:// or https://" in bad.output
    listed = runner.invoke(app, ["feeds", "list"]).stdout.splitlines()
    assert [line.split("\t") for line in listed] == \
        [["1", "watching", "every 15 min", "never fetched", "https://example.org/world.rss"]]
    gone = runner.invoke(app, ["feeds", "remove", "https://example.org/world.rss"])
    assert gone.exit_code == 0 and rows(db_env, Feed) == []
    assert runner.invoke(app, ["feeds", "remove", "1"]).exit_code == 1


def test_watch_once_ingests_and_logs_one_line_per_fetch(db_env, server):
    items = [{"link": server.url("/a"), "title": "A", "date": "2026-11-30",
              "body": "Emmanuel Macron spoke by phone with Olaf Scholz on Sunday, the Elysee said."}]
    server.routes["/ok.xml"] = Route(rss("Desk wire", items), etag='"1"')
    server.routes["/down.xml"] = Route(b"down", status=503, content_type="text/plain")
    for path in ("/ok.xml", "/down.xml"):
        assert runner.invoke(app, ["feeds", "add", server.url(path)]).exit_code == 0
    r = runner.invoke(app, ["watch", "--once", "--timeout", "2"])
    assert r.exit_code == 1  # one feed failed
    lines = [ln for ln in r.stderr.splitlines() if " feed " in ln]
    assert len(lines) == 2
    assert any("/ok.xml ok (HTTP 200) 1 entries: 1 new" in ln for ln in lines)
    assert any("/down.xml failed (HTTP 503)" in ln for ln in lines)
    assert rows(db_env, None, Article.key) == [server.url("/a")]
    assert {f.url: f.title for f in rows(db_env, Feed)}[server.url("/ok.xml")] == "Desk wire"  # the feed's own title
    listed = runner.invoke(app, ["feeds", "list"]).stdout
    assert "failing x1" in listed and "HTTP 503" in listed


def test_a_feed_gone_for_good_is_listed_as_disabled_with_its_reason(db_env, server):
    server.routes["/gone.xml"] = Route(b"gone", status=410, content_type="text/plain")
    assert runner.invoke(app, ["feeds", "add", server.url("/gone.xml"), "--interval", "15"]).exit_code == 0
    r = runner.invoke(app, ["watch", "--once", "--timeout", "2"])
    assert r.exit_code == 1
    assert any("/gone.xml failed (HTTP 410) 410 Gone; feed disabled" in ln for ln in r.stderr.splitlines())
    [line] = runner.invoke(app, ["feeds", "list"]).stdout.splitlines()
    fields = line.split("\t")
    assert fields[1] == "disabled: 410 Gone" and fields[3].endswith("failed (410 Gone)")
    assert runner.invoke(app, ["watch", "--once", "--timeout", "2"]).exit_code == 0  # nothing due: not asked again
    assert server.count("/gone.xml") == 1
