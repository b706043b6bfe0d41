"""Write routes need the admin token; forms need CSRF; with no token configured, writes answer 403."""
from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import text

from app.main import create_app
from tests.conftest import ADMIN_TOKEN

ARTICLE = {"title": "Trump and Putin speak", "published": "2025-03-19",
           "body": "Donald Trump and Vladimir Putin held a phone call on Tuesday, the Kremlin said.", "outlet": "Wire",
           "url": "https://example.org/new"}


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(c) -> str:
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"token": ADMIN_TOKEN, "csrf": token, "next": "/ingest"}, follow_redirects=False)
    assert r.status_code == 303
    return csrf_of(c.get("/ingest").text)


def all_routes(routes, prefix: str = ""):
    """Every endpoint of the app, walking into included routers."""
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            yield from all_routes(inner.routes, prefix + r.include_context.prefix)
        elif isinstance(r, APIRoute):
            yield prefix + r.path, r.methods


def test_every_non_get_route_refuses_without_authentication(admin_client, client):
    routes = [(p, m) for p, m in all_routes(create_app().routes) if m - {"GET", "HEAD"}]
    assert {p for p, _ in routes} == {"/login", "/logout", "/ingest", "/api/v1/articles", "/events/{event_id}/split",
                                      "/feeds", "/feeds/{feed_id}/pause", "/feeds/{feed_id}/resume", "/feeds/{feed_id}/remove",
                                      "/events/{event_id}/correct", "/events/{event_id}/hide",
                                      "/articles/{article_id}/delete", "/corrections/{correction_id}/undo"}
    for path, methods in routes:
        path = re.sub(r"\{\w+\}", "1", path)
        for method in methods - {"GET", "HEAD"}:
            open_resp = client.request(method, path, data={"csrf": "x"})
            assert open_resp.status_code == 403, (method, path)  # writes disabled: no token configured
            locked = admin_client.request(method, path, data={"csrf": "x", "token": "wrong"})
            assert locked.status_code in (401, 403), (method, path, locked.status_code)


def test_with_no_token_the_page_says_how_to_enable_writes(client):
    r = client.get("/ingest", headers={"accept": "text/html"})
    assert r.status_code == 403 and "TIMELINE_ADMIN_TOKEN" in r.text


def test_api_upload_with_bearer_token(admin_client):
    assert admin_client.post("/api/v1/articles", json=ARTICLE).status_code == 401
    bad = admin_client.post("/api/v1/articles", json=ARTICLE, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    ok = admin_client.post("/api/v1/articles", json=ARTICLE, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert ok.status_code == 201 and ok.json()["status"] == "new" and ok.json()["events"] >= 1
    again = admin_client.post("/api/v1/articles", json=ARTICLE, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert again.json()["status"] == "unchanged"
    invalid = admin_client.post("/api/v1/articles", json={**ARTICLE, "published": "2025-02-30"},
                                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert invalid.status_code == 422


def test_login_with_wrong_token_fails(admin_client):
    token = csrf_of(admin_client.get("/login").text)
    r = admin_client.post("/login", data={"token": "wrong", "csrf": token})
    assert r.status_code == 401


def stored_articles(engine, title: str) -> list[tuple]:
    """(id, published, outlet) of the articles stored under a title, read with plain SQL."""
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text("SELECT id, published, outlet FROM article WHERE title = :t"), {"t": title})]


def article_count(engine) -> int:
    with engine.connect() as c:
        return c.execute(text("SELECT count(*) FROM article")).scalar_one()


def assert_reports_the_call(client, engine, article_id: int) -> None:
    """The stored article is a source of a Trump-Putin call on 18 March, as the event's JSON shows."""
    with engine.connect() as c:
        event_ids = set(c.execute(text("SELECT event_id FROM eventsource WHERE article_id = :a"), {"a": article_id}).scalars())
    assert event_ids
    events = [client.get(f"/events/{i}.json").json() for i in sorted(event_ids)]
    calls = [e for e in events if e["type"] == "call" and e["date"] == "2025-03-18"]
    assert len(calls) == 1, events
    assert {"donald-trump", "vladimir-putin"} <= {a["slug"] for a in calls[0]["actors"]}
    assert article_id in {s["article_id"] for s in calls[0]["sources"]}


def test_paste_preview_then_save(admin_client, engine):
    csrf = login(admin_client)
    headline = "Pasted call, admin test"
    form = {"csrf": csrf, "headline": headline, "published": "2025-03-19", "outlet": "Wire", "url": "",
            "body": "Donald Trump and Vladimir Putin held a phone call on Tuesday, the Kremlin said."}
    before = article_count(engine)
    preview = admin_client.post("/ingest", data={**form, "action": "preview"})
    assert preview.status_code == 200 and "Review before saving" in preview.text and "phone call" in preview.text
    assert stored_articles(engine, headline) == [] and article_count(engine) == before  # a preview stores nothing
    saved = admin_client.post("/ingest", data={**form, "action": "save"})
    assert saved.status_code == 200 and "Saved" in saved.text
    [(article_id, published, outlet)] = stored_articles(engine, headline)
    assert (str(published)[:10], outlet) == ("2025-03-19", "Wire") and article_count(engine) == before + 1
    assert_reports_the_call(admin_client, engine, article_id)


def test_upload_files_and_bad_files(admin_client, engine):
    csrf = login(admin_client)
    headline = "Uploaded call, admin test"
    good = f"date 2025-03-19 {headline}\nTrump and Putin spoke by phone on Tuesday.\n".encode()
    files = [("files", ("good.txt", good, "text/plain")), ("files", ("bad.txt", b"no date here\n", "text/plain"))]
    before = article_count(engine)
    r = admin_client.post("/ingest", data={"csrf": csrf, "action": "save"}, files=files)
    assert r.status_code == 200 and "bad.txt" in r.text and "missing date" in r.text and "Saved" in r.text
    [(article_id, published, _)] = stored_articles(engine, headline)
    assert str(published)[:10] == "2025-03-19" and article_count(engine) == before + 1  # the bad file stored nothing
    assert_reports_the_call(admin_client, engine, article_id)


def test_wrong_csrf_is_refused(admin_client):
    login(admin_client)
    r = admin_client.post("/ingest", data={"csrf": "forged", "action": "save", "body": "x", "published": "2025-03-19"})
    assert r.status_code == 403


def test_admin_can_split_an_event(admin_client):
    csrf = login(admin_client)
    events = admin_client.get("/events.json?min_sources=2").json()["events"]
    assert events, "the seed corpus has events reported by several articles"
    ev = events[0]
    page = admin_client.get(ev["url"].replace("http://testserver", ""), headers={"accept": "text/html"}).text
    source_ids = re.findall(r'name="source" value="(\d+)"', page)
    r = admin_client.post(f"/events/{ev['id']}/split", data={"csrf": csrf, "source": source_ids[:1]}, follow_redirects=False)
    assert r.status_code == 303
    after = admin_client.get(f"/events/{ev['id']}.json").json()
    assert after["source_count"] == ev["source_count"] - 1


@pytest.mark.parametrize("next_url,expected", [("/ingest", "/ingest"), ("//evil.example", "/"), ("https://evil.example", "/")])
def test_login_redirects_only_to_local_paths(admin_client, next_url, expected):
    token = csrf_of(admin_client.get("/login").text)
    r = admin_client.post("/login", data={"token": ADMIN_TOKEN, "csrf": token, "next": next_url}, follow_redirects=False)
    assert r.headers["location"] == expected
