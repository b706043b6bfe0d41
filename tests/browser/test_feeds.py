"""The /feeds page in Chromium: an editor signs in, adds a feed, pauses it and resumes it; then the
watcher fetches it and the footer names it. The page passes an axe-core audit."""
from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import uvicorn
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.db import make_engine
from app.feeds import WatchOptions, run_due
from app.main import create_app
from app.models import Feed
from tests.browser.test_browser import AXE, DOCS
from tests.conftest import ADMIN_TOKEN, drop_database, make_settings, new_database
from tests.feedserver import FeedServer, Route, rss


@pytest.fixture(scope="module")
def editor_server(seeded_db):
    """A live server with writes enabled, over its own copy of the seeded database."""
    db = new_database("feeds_live", template=seeded_db)
    settings = make_settings(db, admin_token=ADMIN_TOKEN, secret_key="browser-secret")
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    engine = make_engine(settings)
    yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}", engine
    engine.dispose()
    server.should_exit = True
    thread.join(timeout=10)
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
def page(page: Page, editor_server):
    problems: list[str] = []
    base = editor_server[0]
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: problems.append(f"third-party request: {r.url}")
            if not r.url.startswith(base) and not r.url.startswith("data:") else None)
    page.base = base
    yield page
    assert problems == []


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
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    page.screenshot(path=str(DOCS / "feeds.png"), full_page=False)
    context.close()
