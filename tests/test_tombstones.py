"""Deletions stick: an article an editor deleted leaves a tombstone under its key (its URL, else its
text's hash), so loading it again (the same file by `timeline ingest`, a watched feed fetching the same
entry, a paste, the JSON API) skips it and says so; undoing the deletion clears the tombstone."""
from __future__ import annotations

import datetime as dt
import re

import lxml.html
import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import func, text
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.config import get_settings
from app.db import alembic_config, init_db, make_engine, writer
from app.feeds import run_due
from app.main import create_app
from app.models import Article, Correction, FeedFetch, Tombstone
from tests.conftest import ADMIN_TOKEN, make_settings
from tests.test_cli import summary
from tests.test_feeds import OPTS, T0, entry, fetches, publish, server, watched  # noqa: F401 (fixture)
from tests.web.test_admin import login

runner = CliRunner()
HTML = {"accept": "text/html"}
FILE = "date 2025-03-19 Trump and Putin speak\nDonald Trump and Vladimir Putin held a phone call on Tuesday, the Kremlin said.\n"


@pytest.fixture
def editor(empty_url, monkeypatch):
    """An empty database the CLI writes to (TIMELINE_DATABASE_URL) and an editor's web client on it."""
    monkeypatch.setenv("TIMELINE_DATABASE_URL", empty_url)
    get_settings.cache_clear()
    with TestClient(create_app(make_settings(empty_url, admin_token=ADMIN_TOKEN, secret_key="test-secret"))) as c:
        c.csrf = login(c)
        yield c
    get_settings.cache_clear()


def article_ids(client_or_engine) -> list[int]:
    engine = client_or_engine.app.state.engine if hasattr(client_or_engine, "app") else client_or_engine
    with Session(engine) as s:
        return list(s.exec(select(Article.id).order_by(Article.id)).all())


def delete(c, article_id: int) -> None:
    r = c.post(f"/articles/{article_id}/delete", data={"csrf": c.csrf, "editor": "Ana"}, follow_redirects=False)
    assert r.status_code == 303


def undo_last_deletion(c) -> None:
    log = lxml.html.fromstring(c.get("/corrections", headers=HTML).text)
    action = log.cssselect("form[action^='/corrections/']")[0].get("action")
    assert c.post(action, data={"csrf": c.csrf, "editor": "Ana"}, follow_redirects=False).status_code == 303


def test_the_same_file_ingested_again_after_a_deletion_is_skipped_until_the_deletion_is_undone(editor, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "call.txt").write_text(FILE)
    (folder / "other.txt").write_text("date 2025-03-20 Talks\nMarco Rubio met Sergei Lavrov in Riyadh on Tuesday.\n")
    assert runner.invoke(cli, ["ingest", str(folder)]).exit_code == 0
    ids = article_ids(editor)
    assert len(ids) == 2
    with Session(editor.app.state.engine) as s:
        call = s.exec(select(Article).where(Article.title == "Trump and Putin speak")).one()
        call_id, call_key = call.id, call.key
    delete(editor, call_id)
    with Session(editor.app.state.engine) as s:
        stone = s.get(Tombstone, call_key)
        assert stone and stone.article_id == call_id and stone.editor == "Ana"

    again = runner.invoke(cli, ["ingest", str(folder)])
    assert again.exit_code == 0, again.output
    out = " ".join(again.output.split())
    assert (summary(out)["new"], summary(out)["unchanged"], summary(out)["articles"]) == (0, 1, 1)
    assert "1 article skipped: an editor deleted it" in out and "call.txt" in out
    assert article_ids(editor) == [i for i in ids if i != call_id]
    assert editor.get("/events.json?actor=donald-trump").json()["total"] == 0

    undo_last_deletion(editor)
    with Session(editor.app.state.engine) as s:
        assert s.exec(select(func.count()).select_from(Tombstone)).one() == 0
    assert editor.get("/events.json?actor=donald-trump").json()["total"] == 1
    third = summary(runner.invoke(cli, ["ingest", str(folder)]).output)
    assert (third["new"], third["unchanged"], third["articles"]) == (0, 2, 2)


def test_a_bulk_load_skips_deleted_articles_too(editor, tmp_path):
    (tmp_path / "call.txt").write_text(FILE)
    assert runner.invoke(cli, ["ingest", str(tmp_path)]).exit_code == 0
    [aid] = article_ids(editor)
    delete(editor, aid)  # the database is empty of articles again, so --bulk may load into it
    bulk = runner.invoke(cli, ["ingest", "--bulk", str(tmp_path)])
    assert bulk.exit_code == 0, bulk.output
    assert "1 article skipped: an editor deleted it" in " ".join(bulk.output.split())
    assert article_ids(editor) == []


def test_a_watched_feed_fetching_a_deleted_entry_again_skips_it(editor, server):  # noqa: F811
    engine = editor.app.state.engine
    publish(server, "/wire.xml", [entry(server, 0), entry(server, 1)], "v1")
    [fid] = watched(engine, server.url("/wire.xml"))
    assert [o.counts["new"] for o in run_due(engine, OPTS, now=T0)] == [2]
    with Session(engine) as s:
        doomed = s.exec(select(Article.id).where(Article.key == server.url("/news/1"))).one()
    delete(editor, doomed)

    publish(server, "/wire.xml", [entry(server, 0), entry(server, 1), entry(server, 2)], "v2")
    [out] = run_due(engine, OPTS, now=T0 + dt.timedelta(minutes=10))
    assert out.status == "ok" and out.counts == {"new": 1, "updated": 0, "unchanged": 1, "failed": 0}
    assert out.deleted == 1 and "1 skipped (deleted by an editor)" in out.line()
    with Session(engine) as s:
        keys = set(s.exec(select(Article.key)).all())
    assert keys == {server.url("/news/0"), server.url("/news/2")}
    assert fetches(engine, fid)[-1].deleted == 1
    shown = " ".join(lxml.html.fromstring(editor.get(f"/feeds/{fid}", headers=HTML).text).text_content().split())
    assert "1 skipped (deleted by an editor)" in shown

    undo_last_deletion(editor)
    publish(server, "/wire.xml", [entry(server, 0), entry(server, 1), entry(server, 2)], "v3")
    [out] = run_due(engine, OPTS, now=T0 + dt.timedelta(minutes=20))
    assert out.deleted == 0 and out.counts["unchanged"] == 3  # the undo restored it; the feed finds it unchanged


def test_a_paste_or_the_api_says_the_article_was_deleted(editor):
    form = {"csrf": editor.csrf, "headline": "", "published": "", "outlet": "", "url": "", "body": FILE, "action": "save"}
    assert editor.post("/ingest", data=form).status_code == 200
    [aid] = article_ids(editor)
    delete(editor, aid)
    page = lxml.html.fromstring(editor.post("/ingest", data=form).text)
    saved = " ".join(page.cssselect("[role=status]")[0].text_content().split())
    assert "not loaded: an editor deleted this article" in saved and page.cssselect("[role=status] a[href='/corrections']")
    assert article_ids(editor) == []
    api = editor.post("/api/v1/articles", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                      json={"title": "Trump and Putin speak", "published": "2025-03-19",
                            "body": FILE.split("\n", 1)[1]})
    assert api.status_code == 409  # the pasted text less its first line: the same text, so the same key
    with Session(editor.app.state.engine) as s:
        key = s.exec(select(Tombstone.key)).one()
    assert key.startswith("sha256:")
    assert article_ids(editor) == []


def test_the_json_api_refuses_a_deleted_url(editor):
    body = {"title": "Trump and Putin speak", "published": "2025-03-19", "url": "https://example.org/call",
            "body": "Donald Trump and Vladimir Putin held a phone call on Tuesday, the Kremlin said."}
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    aid = editor.post("/api/v1/articles", headers=auth, json=body).json()["article_id"]
    delete(editor, aid)
    again = editor.post("/api/v1/articles", headers=auth, json={**body, "body": body["body"] + " Talks went on."})
    assert again.status_code == 409 and "deleted" in again.json()["detail"]
    assert article_ids(editor) == []


def test_the_migration_gives_earlier_deletions_their_tombstones(empty_url):
    engine = make_engine(make_settings(empty_url))
    init_db(engine)
    with Session(writer(engine)) as s:
        from app.pipeline.reader import make_article
        raw = make_article("t", "Old", "2025-03-19", "Putin spoke.", "Wire", "https://example.org/old")
        s.add(Correction(article_id=41, field="article", after="deleted", editor="Ana",
                         before='{"title": "Old", "outlet": "Wire", "url": "https://example.org/old", "source": "t", '
                                '"summary_only": false, "body": "Putin spoke.", "published": "2025-03-19"}'))
        s.add(Correction(article_id=42, field="article", after="deleted", editor="Bo", undone_at=dt.datetime(2025, 4, 1, tzinfo=dt.timezone.utc),
                         before='{"title": "Back", "outlet": "", "url": "https://example.org/back", "source": "t", '
                                '"summary_only": false, "body": "x", "published": "2025-03-19"}'))
        s.commit()
    with writer(engine).begin() as conn:
        conn.execute(text("DELETE FROM tombstone"))
        command.downgrade(alembic_config(conn), "0012_feed_redirects")
    init_db(engine)
    with Session(engine) as s:
        stones = s.exec(select(Tombstone)).all()
    assert [(t.key, t.article_id, t.editor) for t in stones] == [(raw.key, 41, "Ana")]
    engine.dispose()


def test_every_way_of_loading_articles_goes_through_the_tombstones():
    """Outside the pipeline itself, nothing stores an article but app/tombstones.py (bulk loads filter
    against tombstones.keys first)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "app"
    direct = [str(p.relative_to(root)) for p in root.rglob("*.py")
              if "pipeline" not in p.parts and p.name != "tombstones.py"
              and re.search(r"\bingest_(?:safely|article)\b", p.read_text())]
    assert direct == []
    assert "tombstones.keys" in (root / "cli.py").read_text()
