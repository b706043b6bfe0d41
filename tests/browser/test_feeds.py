"""The /feeds page in Chromium: an editor signs in, adds a feed, pauses it and resumes it; then the
watcher fetches it and the footer names it. The page passes an axe-core audit."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.db import make_engine
from app.feeds import WatchOptions, run_due
from app.models import Feed
from tests.browser.conftest import DOCS, serious_violations, serve
from tests.conftest import ADMIN_TOKEN, drop_database, make_settings, new_database
from tests.feedserver import FeedServer, Route, rss


@pytest.fixture(scope="module")
def editor_server(seeded_db):
    """A live server with writes enabled, over its own copy of the seeded database."""
    db = new_database("feeds_live", template=seeded_db)
    settings = make_settings(db, admin_token=ADMIN_TOKEN, secret_key="browser-secret")
    engine = make_engine(settings)
    with serve(settings) as url:
        yield url, engine
    engine.dispose()
    drop_database(db)


@pytest.fixture
def wire():
    s = FeedServer()
    s.routes["/wire.xml"] = Route(rss("Browser Wire", [{
        "link": s.url("/story"), "title": "Macron calls Scholz", "date": "2026-11-30",
        "body": "Emmanuel Macron spoke by phone with Olaf Scholz on Sunday, the Elysee said."}]), etag='"1"')
    yield s
    s.close()


@pytest.fixture
def site(editor_server) -> str:
    """These pages talk to a server with an admin token (the conftest's page checks them against it)."""
    return editor_server[0]


def sign_in(page: Page) -> None:
    page.goto(page.base + "/feeds")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(page.base + "/feeds")


def test_an_editor_adds_and_pauses_a_feed_and_the_watcher_fills_the_footer(page: Page, editor_server, wire):
    _, engine = editor_server
    sign_in(page)
    page.get_by_label("Feed URL (RSS or Atom)").fill(wire.url("/wire.xml"))
    page.get_by_label("Fetch every (minutes)").fill("15")
    page.get_by_role("button", name="Watch").click()
    row = page.locator("table.feeds tbody tr", has_text=wire.url("/wire.xml"))
    expect(row.locator("td.state")).to_have_text("watching")
    with Session(engine) as s:
        feed = s.exec(select(Feed).where(Feed.url == wire.url("/wire.xml"))).one()
    assert (feed.interval_minutes, feed.enabled, feed.added_by) == (15, True, "editor (web)")

    row.get_by_role("button", name="Pause").click()
    expect(row.locator("td.state")).to_have_text("paused")
    with Session(engine) as s:
        assert s.get(Feed, feed.id).enabled is False
    assert run_due(engine, WatchOptions(timeout=2)) == [] and wire.count("/wire.xml") == 0  # paused: not fetched

    row.get_by_role("button", name="Resume").click()
    expect(row.locator("td.state")).to_have_text("watching")
    [out] = run_due(engine, WatchOptions(timeout=2), now=dt.datetime.now(dt.timezone.utc))
    assert (out.status, out.counts["new"]) == ("ok", 1)
    page.goto(page.base + "/")
    footer = page.locator("footer .freshness")
    expect(footer).to_contain_text("Newest article arrived")
    footer.get_by_role("link", name="Browser Wire").click()
    page.wait_for_url(page.base + f"/feeds/{feed.id}")
    expect(page.locator("ol.fetches li.fetch.ok").first).to_contain_text("1 new")
    expect(page.locator("ol.fetches a", has_text="Macron calls Scholz")).to_have_count(1)


def test_feeds_page_accessibility(browser, editor_server):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(editor_server[0] + "/feeds")
    assert serious_violations(page) == []
    page.screenshot(path=str(DOCS / "feeds.png"), full_page=False)
    context.close()
