"""The /feeds pages: anyone reads, editors add, pause, resume and remove (signed in, CSRF-checked)."""
from __future__ import annotations

import datetime as dt

import lxml.html
import pytest
from sqlmodel import Session, select

from app.feeds import WatchOptions, add_feed, run_due
from app.models import Feed
from tests.conftest import ADMIN_TOKEN
from tests.feedserver import FeedServer, Route, rss

HTML = {"accept": "text/html"}


def tree(resp) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(resp.text)


def sign_in(c) -> str:
    csrf = tree(c.get("/login", headers=HTML)).cssselect("input[name=csrf]")[0].get("value")
    r = c.post("/login", data={"token": ADMIN_TOKEN, "csrf": csrf, "next": "/feeds"}, follow_redirects=False)
    assert r.status_code == 303
    return tree(c.get("/feeds", headers=HTML)).cssselect("form[action='/feeds'] input[name=csrf]")[0].get("value")


def feeds_in(engine) -> list[tuple[str, str, int, bool]]:
    with Session(engine) as s:
        return [(f.url, f.title, f.interval_minutes, f.enabled) for f in s.exec(select(Feed).order_by(Feed.id))]


def state_cells(resp) -> dict[str, str]:
    return {row.get("id"): row.cssselect("td.state")[0].text_content().strip()
            for row in tree(resp).cssselect("table.feeds tbody tr")}


def test_an_editor_adds_pauses_resumes_and_removes_a_feed(admin_client, engine):
    csrf = sign_in(admin_client)
    r = admin_client.post("/feeds", data={"csrf": csrf, "url": "https://example.org/a.rss", "title": "Desk A",
                                          "interval": "15"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/feeds#feed-1"
    assert feeds_in(engine) == [("https://example.org/a.rss", "Desk A", 15, True)]
    assert state_cells(admin_client.get("/feeds", headers=HTML)) == {"feed-1": "watching"}
    assert admin_client.post("/feeds/1/pause", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert feeds_in(engine)[0][3] is False
    page = admin_client.get("/feeds", headers=HTML)
    assert state_cells(page) == {"feed-1": "paused"}
    assert [b.text_content() for b in tree(page).cssselect("#feed-1 button")] == ["Resume", "Remove"]
    admin_client.post("/feeds/1/resume", data={"csrf": csrf})
    assert feeds_in(engine)[0][3] is True
    assert admin_client.post("/feeds/1/remove", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert feeds_in(engine) == []
    assert admin_client.post("/feeds/1/pause", data={"csrf": csrf}).status_code == 404


@pytest.mark.parametrize("form, message", [
    ({"url": "javascript:alert(1)"}, "http:// or https://"),
    ({"url": "https://example.org/b.rss", "interval": "1"}, "between 5 minutes"),
    ({"url": "https://example.org/dup.rss"}, "already watched"),
])
def test_a_bad_feed_form_says_why_and_keeps_what_was_typed(admin_client, engine, form, message):
    csrf = sign_in(admin_client)
    admin_client.post("/feeds", data={"csrf": csrf, "url": "https://example.org/dup.rss"})
    r = admin_client.post("/feeds", data={"csrf": csrf, "interval": "30", **form}, headers=HTML)
    assert r.status_code == 400
    page = tree(r)
    assert message in page.cssselect("[role=alert]")[0].text_content()
    assert page.cssselect("input#url")[0].get("value") == form["url"]
    assert len(feeds_in(engine)) == 1


@pytest.mark.parametrize("bad", ["https://example.org/a\x00.rss", "https://example.org/a b.rss", "https://exa\x07mple.org/"])
def test_a_feed_url_with_control_characters_or_spaces_is_refused(admin_client, engine, bad):
    """PostgreSQL text cannot hold NUL: refused with a message, never a 500 (issue 16)."""
    csrf = sign_in(admin_client)
    r = admin_client.post("/feeds", data={"csrf": csrf, "url": bad, "title": "T\x00itle"}, headers=HTML)
    assert r.status_code == 400
    assert "no spaces or control characters" in tree(r).cssselect("[role=alert]")[0].text_content()
    assert feeds_in(engine) == []


def test_a_feed_title_keeps_no_control_characters(admin_client, engine):
    csrf = sign_in(admin_client)
    r = admin_client.post("/feeds", data={"csrf": csrf, "url": "https://example.org/n.rss", "title": "Desk\x00 \x1bN"},
                          follow_redirects=False)
    assert r.status_code == 303
    assert feeds_in(engine) == [("https://example.org/n.rss", "Desk N", 30, True)]


def test_writes_need_a_signed_in_editor_and_the_csrf_token(admin_client, client, engine):
    assert client.post("/feeds", data={"url": "https://example.org/x.rss"}).status_code == 403  # writes disabled
    assert admin_client.post("/feeds", data={"url": "https://example.org/x.rss"}).status_code == 401
    sign_in(admin_client)
    r = admin_client.post("/feeds", data={"csrf": "forged", "url": "https://example.org/x.rss"})
    assert r.status_code == 403 and feeds_in(engine) == []


def test_readers_see_the_list_but_no_forms(client, engine):
    with Session(engine) as s:
        add_feed(s, "https://example.org/c.rss", "Desk C")
    page = tree(client.get("/feeds", headers=HTML))
    assert [a.text_content() for a in page.cssselect("table.feeds a")] == ["Desk C"]
    assert page.cssselect("form") == [] and "TIMELINE_ADMIN_TOKEN" in page.cssselect(".notice")[0].text_content()


def test_a_feed_page_shows_its_last_fetches_and_what_they_added(client, engine):
    server = FeedServer()
    try:
        items = [{"link": server.url(f"/s{n}"), "title": f"Story {n}", "date": "2026-11-30",
                  "body": f"Keir Starmer met Friedrich Merz in Berlin on Monday, report {n}."} for n in range(2)]
        server.routes["/f.xml"] = Route(rss("Desk D", items), etag='"1"')
        with Session(engine) as s:
            fid = add_feed(s, server.url("/f.xml"), interval_minutes=10).id
        t0 = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
        run_due(engine, WatchOptions(timeout=2), now=t0)
        server.routes["/f.xml"] = Route(b"gone", status=500, content_type="text/plain")
        run_due(engine, WatchOptions(timeout=2), now=t0 + dt.timedelta(minutes=10))
    finally:
        server.close()
    page = tree(client.get(f"/feeds/{fid}", headers=HTML))
    assert page.cssselect("h1")[0].text_content() == "Desk D"  # the feed's own title, taken on the first fetch
    fetched = page.cssselect("ol.fetches > li")
    assert [li.get("class") for li in fetched] == ["fetch failed", "fetch ok"]  # newest first
    assert "HTTP 500" in fetched[0].text_content()
    assert [a.text_content() for a in fetched[1].cssselect("ul a")] == ["Story 0", "Story 1"]
    assert all(a.get("href").startswith("/articles/") for a in fetched[1].cssselect("ul a"))
    assert "failing (1 failure in a row)" in page.cssselect("dd.state")[0].text_content()
    assert client.get("/feeds/999", headers=HTML).status_code == 404


def test_a_feed_gone_for_good_shows_why_and_an_editor_resumes_it(admin_client, engine):
    server = FeedServer()
    try:
        server.routes["/g.xml"] = Route(b"gone", status=410, content_type="text/plain")
        with Session(engine) as s:
            fid = add_feed(s, server.url("/g.xml"), "Desk G", interval_minutes=10).id
        run_due(engine, WatchOptions(timeout=2), now=dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc))
    finally:
        server.close()
    csrf = sign_in(admin_client)
    page = admin_client.get("/feeds", headers=HTML)
    row = tree(page).cssselect(f"#feed-{fid}")[0]
    assert "410 Gone" in row.text_content() and state_cells(page)[f"feed-{fid}"] == "disabled: 410 Gone"
    assert [b.text_content() for b in row.cssselect("button")] == ["Resume", "Remove"]
    log = tree(admin_client.get(f"/feeds/{fid}", headers=HTML)).cssselect("ol.fetches > li")
    assert [li.get("class") for li in log] == ["fetch failed"]
    assert "410 Gone; feed disabled (an editor can resume it)" in log[0].cssselect(".reason")[0].text_content()
    admin_client.post(f"/feeds/{fid}/resume", data={"csrf": csrf})
    with Session(engine) as s:
        f = s.get(Feed, fid)
        assert (f.enabled, f.disabled_reason, f.next_fetch_at) == (True, "", None)


def test_a_feed_page_shows_a_permanent_redirect_in_its_fetch_log(client, engine):
    server = FeedServer()
    try:
        items = [{"link": server.url("/s"), "title": "Story", "date": "2026-11-30",
                  "body": "Keir Starmer met Friedrich Merz in Berlin on Monday."}]
        server.routes["/old.xml"] = Route(location="/new.xml", redirect=301)
        server.routes["/new.xml"] = Route(rss("Desk M", items))
        with Session(engine) as s:
            fid = add_feed(s, server.url("/old.xml"), interval_minutes=10).id
        run_due(engine, WatchOptions(timeout=2), now=dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc))
        new = server.url("/new.xml")
    finally:
        server.close()
    page = tree(client.get(f"/feeds/{fid}", headers=HTML))
    assert page.cssselect("dl.feed-meta dd a")[0].get("href") == new
    [fetched] = page.cssselect("ol.fetches > li")
    assert fetched.get("class") == "fetch ok"
    assert fetched.cssselect(".reason")[0].text_content() == \
        f"moved permanently (HTTP 301) to {new}; the feed now uses that URL"
    assert new in tree(client.get("/feeds", headers=HTML)).cssselect(f"#feed-{fid} small")[0].text_content()
