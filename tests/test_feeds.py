"""Watched feeds against a local HTTP server: new entries, 304s, entries updated in place, bad feeds
backing off, two watchers sharing a database, the footer's freshness line and the Atom twin."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import threading
import time

import feedparser
import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, text
from sqlmodel import Session, select

from app.db import make_engine, writer
from app.feeds import WatchOptions, add_feed, next_delay, run_due
from app.main import create_app
from app.models import Article, Feed, FeedFetch, FeedItem, utcnow
from tests.conftest import ROOT, make_settings
from tests.feedserver import FeedServer, Route, rss

OPTS = WatchOptions(timeout=0.5, max_bytes=200_000, max_redirects=3)
T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.timezone.utc)
SENTENCES = [
    "Emmanuel Macron spoke by phone with Olaf Scholz on Sunday about the war in Ukraine, the Elysee said.",
    "Keir Starmer met Friedrich Merz in Berlin on Monday to discuss defence spending.",
    "Recep Tayyip Erdogan spoke by phone with Volodymyr Zelensky on Tuesday, his office said.",
    "Narendra Modi met Xi Jinping in Beijing on Wednesday, the foreign ministry said.",
    "Antonio Guterres spoke by phone with Sergei Lavrov on Thursday about grain exports.",
]


def entry(server: FeedServer, n: int, body: str | None = None) -> dict:
    return {"link": server.url(f"/news/{n}"), "title": f"Story {n}", "date": "2026-11-30",
            "body": body or SENTENCES[n % len(SENTENCES)]}


@pytest.fixture
def server():
    s = FeedServer()
    yield s
    s.close()


def publish(server: FeedServer, path: str, items: list[dict], version: str) -> None:
    server.routes[path] = Route(rss(f"Wire {path}", items), etag=f'"{path}-{version}"')


def feed_id(engine, url: str) -> int:
    with Session(engine) as s:
        return s.exec(select(Feed.id).where(Feed.url == url)).one()


def watched(engine, *urls: str, interval: int = 10) -> list[int]:
    with Session(engine) as s:
        return [add_feed(s, u, interval_minutes=interval, added_by="test").id for u in urls]


def articles_from(engine, server: FeedServer) -> list[tuple[str, str]]:
    with Session(engine) as s:
        return sorted(s.exec(select(Article.key, Article.body).where(Article.key.like(server.base + "/news/%"))).all())


def fetches(engine, fid: int) -> list[FeedFetch]:
    with Session(engine) as s:
        return list(s.exec(select(FeedFetch).where(FeedFetch.feed_id == fid).order_by(FeedFetch.id)).all())


def test_a_feed_gains_two_entries_between_polls_and_exactly_two_articles_appear(empty_engine, server):
    publish(server, "/wire.xml", [entry(server, n) for n in range(3)], "v1")
    [fid] = watched(empty_engine, server.url("/wire.xml"))
    first = run_due(empty_engine, OPTS, now=T0)
    assert [(o.status, o.counts["new"]) for o in first] == [("ok", 3)]
    publish(server, "/wire.xml", [entry(server, n) for n in range(5)], "v2")
    assert run_due(empty_engine, OPTS, now=T0 + dt.timedelta(minutes=5)) == []  # not due yet
    second = run_due(empty_engine, OPTS, now=T0 + dt.timedelta(minutes=10))
    assert [(o.status, o.entries, o.counts) for o in second] == \
        [("ok", 5, {"new": 2, "updated": 0, "unchanged": 3, "failed": 0})]
    keys = [k for k, _ in articles_from(empty_engine, server)]
    assert keys == sorted(server.url(f"/news/{n}") for n in range(5))
    with Session(empty_engine) as s:
        last = fetches(empty_engine, fid)[-1]
        added = s.exec(select(Article.key).join(FeedItem, FeedItem.article_id == Article.id)
                       .where(FeedItem.fetch_id == last.id)).all()
    assert sorted(added) == [server.url("/news/3"), server.url("/news/4")]
    assert server.last("/wire.xml").headers.get("User-Agent", "").startswith("diplomatic-timeline-watcher/")


@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_a_304_answer_fetches_nothing(empty_engine, server, validator):
    stamp = "Mon, 30 Nov 2026 10:00:00 GMT"
    route = Route(rss("Wire", [entry(server, 0), entry(server, 1)]), **{validator: '"v1"' if validator == "etag" else stamp})
    server.routes["/cond.xml"] = route
    [fid] = watched(empty_engine, server.url("/cond.xml"))
    run_due(empty_engine, OPTS, now=T0)
    before = articles_from(empty_engine, server)
    second = run_due(empty_engine, OPTS, now=T0 + dt.timedelta(minutes=10))
    sent = server.last("/cond.xml").headers
    assert (sent.get("If-None-Match"), sent.get("If-Modified-Since")) == \
        (('"v1"', None) if validator == "etag" else (None, stamp))
    assert [(o.status, o.http_status, o.entries) for o in second] == [("not-modified", 304, 0)]
    assert articles_from(empty_engine, server) == before and len(before) == 2
    log = fetches(empty_engine, fid)
    assert [(f.status, f.new, f.updated, f.unchanged) for f in log] == [("ok", 2, 0, 0), ("not-modified", 0, 0, 0)]
    with Session(empty_engine) as s:
        assert s.exec(select(func.count()).select_from(FeedItem).where(FeedItem.fetch_id == log[1].id)).one() == 0


def test_an_entry_updated_in_place_is_reextracted_not_doubled(empty_engine, server):
    publish(server, "/live.xml", [entry(server, 0), entry(server, 1)], "v1")
    watched(empty_engine, server.url("/live.xml"))
    run_due(empty_engine, OPTS, now=T0)
    changed = SENTENCES[3]
    publish(server, "/live.xml", [entry(server, 0), entry(server, 1, body=changed)], "v2")
    [out] = run_due(empty_engine, OPTS, now=T0 + dt.timedelta(minutes=10))
    assert out.counts == {"new": 0, "updated": 1, "unchanged": 1, "failed": 0}
    rows = articles_from(empty_engine, server)
    assert [k for k, _ in rows] == [server.url("/news/0"), server.url("/news/1")]
    assert dict(rows)[server.url("/news/1")] == changed
    with Session(empty_engine) as s:
        sentences = s.execute(text("SELECT s.sentence FROM eventsource s JOIN article a ON a.id = s.article_id "
                                   "WHERE a.key = :k"), {"k": server.url("/news/1")}).scalars().all()
    assert sentences and set(sentences) == {changed}  # the old body's events are gone, the new one's are there
    assert [st for _, st in out.items] == ["updated"]


def test_a_failing_feed_backs_off_while_another_keeps_its_interval(empty_engine, server):
    publish(server, "/good.xml", [entry(server, 0)], "v1")
    server.routes["/bad.xml"] = Route(b"oops", status=500, content_type="text/plain")
    good, bad = watched(empty_engine, server.url("/good.xml"), server.url("/bad.xml"), interval=10)
    polled = {good: [], bad: []}
    for step in range(0, 80, 10):  # the clock moves 10 minutes at a time for 80 minutes
        for o in run_due(empty_engine, OPTS, now=T0 + dt.timedelta(minutes=step)):
            polled[o.feed_id].append(step)
    assert polled[good] == [0, 10, 20, 30, 40, 50, 60, 70]
    assert polled[bad] == [0, 20, 60]  # waits 20, then 40, then 80 minutes
    with Session(empty_engine) as s:
        g, b = s.get(Feed, good), s.get(Feed, bad)
        assert (g.last_status, g.failures, g.last_error) == ("not-modified", 0, "")  # 304s after the first
        assert (b.last_status, b.failures) == ("failed", 3) and "HTTP 500" in b.last_error
        assert b.next_fetch_at == T0 + dt.timedelta(minutes=60 + 80)


def test_a_feed_answering_410_gone_is_disabled_and_an_editor_can_resume_it(empty_engine, server):
    from app.feeds import set_enabled

    server.routes["/gone.xml"] = Route(b"gone", status=410, content_type="text/plain")
    publish(server, "/fine.xml", [entry(server, 0)], "v1")
    gone, fine = watched(empty_engine, server.url("/gone.xml"), server.url("/fine.xml"))
    outcomes = {o.feed_id: o for o in run_due(empty_engine, OPTS, now=T0)}
    assert (outcomes[gone].status, outcomes[gone].http_status, outcomes[gone].reason) == ("failed", 410, "410 Gone")
    assert "feed disabled" in outcomes[gone].line() and "; next " not in outcomes[gone].line()
    with Session(empty_engine) as s:
        g = s.get(Feed, gone)
        assert (g.enabled, g.disabled_reason, g.last_status, g.last_error) == (False, "410 Gone", "failed", "410 Gone")
        assert s.get(Feed, fine).enabled
    assert [f.reason for f in fetches(empty_engine, gone)] == ["410 Gone; feed disabled (an editor can resume it)"]
    for days in (1, 2, 30):  # never asked again, while the other feed keeps its schedule
        assert [o.feed_id for o in run_due(empty_engine, OPTS, now=T0 + dt.timedelta(days=days))] == [fine]
    assert server.count("/gone.xml") == 1
    with Session(writer(empty_engine)) as s:
        set_enabled(s, gone, True)
    with Session(empty_engine) as s:
        g = s.get(Feed, gone)
        assert (g.enabled, g.disabled_reason, g.failures, g.next_fetch_at) == (True, "", 0, None)
    publish(server, "/gone.xml", [entry(server, 1)], "v1")  # it came back after all
    back = {o.feed_id: o for o in run_due(empty_engine, OPTS, now=T0 + dt.timedelta(days=31))}[gone]
    assert (back.feed_id, back.status, back.counts["new"]) == (gone, "ok", 1)


@pytest.mark.parametrize("code, location", [(301, "absolute"), (308, "relative")])
def test_a_permanent_redirect_moves_the_feed_to_its_new_url(empty_engine, server, code, location):
    new = server.url("/new.xml")
    server.routes["/old.xml"] = Route(location=new if location == "absolute" else "/new.xml", redirect=code)
    publish(server, "/new.xml", [entry(server, 0)], "v1")
    [fid] = watched(empty_engine, server.url("/old.xml"))
    [out] = run_due(empty_engine, OPTS, now=T0)
    note = f"moved permanently (HTTP {code}) to {new}; the feed now uses that URL"
    assert (out.status, out.counts["new"]) == ("ok", 1) and note in out.line()
    with Session(empty_engine) as s:
        f = s.get(Feed, fid)
        assert (f.url, f.enabled, f.etag, f.last_error) == (new, True, '"/new.xml-v1"', "")
    assert [(f.status, f.reason) for f in fetches(empty_engine, fid)] == [("ok", note)]
    [again] = run_due(empty_engine, OPTS, now=T0 + dt.timedelta(minutes=10))
    assert (again.url, again.status, again.note) == (new, "not-modified", "")  # the new URL's ETag, asked there
    assert (server.count("/old.xml"), server.count("/new.xml")) == (1, 2)


@pytest.mark.parametrize("code", [302, 307])
def test_a_temporary_redirect_keeps_the_feeds_url(empty_engine, server, code):
    old = server.url("/old.xml")
    server.routes["/old.xml"] = Route(location="/today.xml", redirect=code)
    publish(server, "/today.xml", [entry(server, 0)], "v1")
    [fid] = watched(empty_engine, old)
    for minutes in (0, 10):
        [out] = run_due(empty_engine, OPTS, now=T0 + dt.timedelta(minutes=minutes))
        assert out.status in ("ok", "not-modified") and out.note == ""
    with Session(empty_engine) as s:
        assert s.get(Feed, fid).url == old
    assert (server.count("/old.xml"), server.count("/today.xml")) == (2, 2)


def test_a_permanent_redirect_then_a_temporary_one_moves_the_feed_as_far_as_the_permanent_one(empty_engine, server):
    server.routes["/a.xml"] = Route(location="/b.xml", redirect=301)
    server.routes["/b.xml"] = Route(location="/c.xml", redirect=302)
    publish(server, "/c.xml", [entry(server, 0)], "v1")
    [fid] = watched(empty_engine, server.url("/a.xml"))
    run_due(empty_engine, OPTS, now=T0)
    run_due(empty_engine, OPTS, now=T0 + dt.timedelta(minutes=10))
    with Session(empty_engine) as s:
        assert s.get(Feed, fid).url == server.url("/b.xml")
    assert [server.count(p) for p in ("/a.xml", "/b.xml", "/c.xml")] == [1, 2, 2]


@pytest.mark.parametrize("target", [Route(b"down", status=503, content_type="text/plain"),
                                    Route(b"<!doctype html><html><body>Moved</body></html>", content_type="text/html")])
def test_a_permanent_redirect_to_a_failing_url_keeps_the_feeds_url(empty_engine, server, target):
    old = server.url("/old.xml")
    server.routes["/old.xml"] = Route(location="/broken", redirect=301)
    server.routes["/broken"] = target
    [fid] = watched(empty_engine, old)
    [out] = run_due(empty_engine, OPTS, now=T0)
    assert out.status == "failed" and out.note == ""
    with Session(empty_engine) as s:
        assert (s.get(Feed, fid).url, s.get(Feed, fid).failures) == (old, 1)


def test_a_permanent_redirect_to_a_url_another_feed_watches_disables_the_duplicate(empty_engine, server):
    old, new = server.url("/old.xml"), server.url("/new.xml")
    server.routes["/old.xml"] = Route(location=new, redirect=301)
    publish(server, "/new.xml", [entry(server, 0)], "v1")
    dup, kept = watched(empty_engine, old, new)
    outcomes = {o.feed_id: o for o in run_due(empty_engine, OPTS, now=T0)}
    why = f"moved permanently to {new}, which feed {kept} already watches"
    assert outcomes[dup].status == "ok" and f"moved permanently (HTTP 301) to {new}, which feed {kept} already " \
        "watches; feed disabled" in outcomes[dup].line()
    with Session(empty_engine) as s:
        d, k = s.get(Feed, dup), s.get(Feed, kept)
        assert (d.url, d.enabled, d.disabled_reason, d.last_error) == (old, False, why, why)
        assert (k.url, k.enabled, k.disabled_reason) == (new, True, "")
    assert [f.reason for f in fetches(empty_engine, dup)] == \
        [f"moved permanently (HTTP 301) to {new}, which feed {kept} already watches; feed disabled (an editor can "
         "remove it)"]
    assert len(articles_from(empty_engine, server)) == 1  # the entry both brought is one article
    assert [o.feed_id for o in run_due(empty_engine, OPTS, now=T0 + dt.timedelta(minutes=10))] == [kept]
    assert (server.count("/old.xml"), server.count("/new.xml")) == (1, 3)  # the duplicate's fetch, then two of its own


def test_a_url_another_feed_takes_between_the_check_and_the_commit_keeps_the_old_url(empty_engine, server,
                                                                                    monkeypatch):
    import app.feeds as feeds

    old, new = server.url("/old.xml"), server.url("/new.xml")
    server.routes["/old.xml"] = Route(location=new, redirect=301)
    publish(server, "/new.xml", [entry(server, 0)], "v1")
    [moving] = watched(empty_engine, old)
    with Session(empty_engine) as s:  # watched already, but the check does not see it (as if added a moment later)
        taker = add_feed(s, new, interval_minutes=10).id
        s.exec(select(Feed).where(Feed.id == taker)).one().next_fetch_at = T0 + dt.timedelta(days=1)
        s.commit()
    monkeypatch.setattr(feeds, "watched_by", lambda ws, url, but: None)
    [out] = run_due(empty_engine, OPTS, now=T0)
    note = f"moved permanently (HTTP 301) to {new}, which another feed took meanwhile; the old URL kept"
    assert (out.status, out.counts["new"], out.note) == ("ok", 1, note)
    with Session(empty_engine) as s:
        assert (s.get(Feed, moving).url, s.get(Feed, moving).enabled) == (old, True)
    assert [(f.status, f.new, f.reason) for f in fetches(empty_engine, moving)] == [("ok", 1, note)]


@pytest.mark.parametrize("interval, failures, minutes", [
    (10, 0, 10), (10, 1, 20), (10, 2, 40), (10, 5, 320), (10, 30, 24 * 60), (3000, 1, 3000),
])
def test_backoff_doubles_and_is_capped(interval, failures, minutes):
    assert next_delay(interval, failures, dt.timedelta(hours=24)) == dt.timedelta(minutes=minutes)


BAD = {
    "timeout": (Route(rss("slow", []), delay=1.5), "timed out"),
    "server error": (Route(b"no", status=500, content_type="text/plain"), "HTTP 500"),
    "html": (Route(b"<!doctype html><html><body><p>Subscribe!</p></body></html>", content_type="text/html"),
             "an HTML page, not an RSS or Atom feed"),
    "html served as xml": (Route(b"<!doctype html><html><body><p>Hi</p></body></html>", content_type="application/xml"),
                           "an HTML page"),
    "huge, streamed": (Route(huge=2_000_000), "too large (over 200,000 bytes)"),
    "huge, declared": (Route(b"x" * 300_000), "too large (300,000 bytes"),
    "redirect loop": (Route(location="/loop"), "too many redirects"),
    "not a feed": (Route(b"just some words", content_type="text/plain"), "malformed feed"),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_feed_is_marked_failing_with_its_reason_and_others_are_fetched(empty_engine, server, kind):
    route, reason = BAD[kind]
    server.routes["/loop"] = route
    publish(server, "/fine.xml", [entry(server, 0)], "v1")
    bad, fine = watched(empty_engine, server.url("/loop"), server.url("/fine.xml"))
    outcomes = {o.feed_id: o for o in run_due(empty_engine, OPTS, now=T0)}
    assert outcomes[bad].status == "failed" and reason in outcomes[bad].reason
    assert (outcomes[fine].status, outcomes[fine].counts["new"]) == ("ok", 1)
    with Session(empty_engine) as s:
        b = s.get(Feed, bad)
        assert (b.last_status, b.failures) == ("failed", 1) and reason in b.last_error
        assert b.next_fetch_at == T0 + dt.timedelta(minutes=20)
        assert s.get(Feed, fine).next_fetch_at == T0 + dt.timedelta(minutes=10)
    if kind == "redirect loop":
        assert server.count("/loop") == OPTS.max_redirects + 1


def test_two_watchers_fetch_each_due_feed_once(empty_url, server):
    """Two watchers (threads, each with its own engine and connections) poll the same database at once."""
    paths = [f"/w{n}.xml" for n in range(8)]
    for n, p in enumerate(paths):
        publish(server, p, [entry(server, n)], "v1")
        server.routes[p].delay = 0.15  # a slow server widens the window in which both could take a feed
    engines = [make_engine(make_settings(empty_url)) for _ in range(2)]
    from app.db import init_db

    init_db(engines[0])
    ids = watched(engines[0], *(server.url(p) for p in paths))
    start, results = threading.Barrier(2), [[], []]

    def watcher(i: int) -> None:
        start.wait()
        results[i] = run_due(engines[i], OPTS, now=T0)

    threads = [threading.Thread(target=watcher, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [server.count(p) for p in paths] == [1] * len(paths)
    assert sorted(o.feed_id for r in results for o in r) == sorted(ids)
    assert all(results), "both watchers took part"
    assert [len(fetches(engines[0], i)) for i in ids] == [1] * len(ids)
    assert len(articles_from(engines[0], server)) == len(paths)  # one entry each, a link of its own
    for e in engines:
        e.dispose()


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, at: dt.datetime):
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, minutes: float) -> None:
        self.at += dt.timedelta(minutes=minutes)


def test_a_lease_runs_from_its_claim_and_the_next_fetch_from_its_fetch_not_from_the_round_start(
        empty_engine, server, monkeypatch):
    """A round of slow feeds outlasts the 15-minute lease: each fetch here takes 10 minutes of the clock.
    The second feed is claimed 10 minutes into the round; 10 minutes later (20 into the round, while
    it is still being fetched) a second watcher must not be able to take it."""
    import app.feeds as feeds

    publish(server, "/first.xml", [entry(server, 0)], "v1")
    publish(server, "/second.xml", [entry(server, 1)], "v1")
    first, second = watched(empty_engine, server.url("/first.xml"), server.url("/second.xml"), interval=60)
    clock, real, taken = FakeClock(T0), feeds.fetch, {}

    def slow_fetch(http, url, etag, last_modified, opts):
        clock.advance(10)
        if url.endswith("/second.xml"):  # 20 minutes into the round, the second feed still in flight
            taken["mid-fetch"] = feeds.claim(empty_engine, clock(), opts)
        return real(http, url, etag, last_modified, opts)

    monkeypatch.setattr(feeds, "fetch", slow_fetch)
    outcomes = run_due(empty_engine, OPTS, clock=clock)
    assert taken == {"mid-fetch": None}, "a second watcher took a feed that was being fetched"
    assert [(o.feed_id, o.status) for o in outcomes] == [(first, "ok"), (second, "ok")]
    assert server.count("/second.xml") == 1
    with Session(empty_engine) as s:  # each next fetch an interval after that fetch, not after the round began
        assert s.get(Feed, first).next_fetch_at == T0 + dt.timedelta(minutes=10 + 60)
        assert s.get(Feed, second).next_fetch_at == T0 + dt.timedelta(minutes=20 + 60)
    assert [o.next_fetch_at for o in outcomes] == [T0 + dt.timedelta(minutes=70), T0 + dt.timedelta(minutes=80)]


def _when(check, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_two_watcher_processes_fetch_each_feed_once_per_due_period(empty_engine, empty_url, server, tmp_path):
    """Two `timeline watch` processes on one database (PostgreSQL: row locks; SQLite: the claim takes the
    write lock first): in each due period every feed is requested once at the local server, and both
    watchers take part. One feed is slow: while one watcher fetches it the other finishes the rest and
    starts new rounds, which must leave it alone."""
    paths = [f"/p{n}.xml" for n in range(12)]
    for n, p in enumerate(paths):
        publish(server, p, [entry(server, n)], "v1")
        server.routes[p].delay = 0.2  # 2.4 s of fetching: both watchers are polling while it lasts
    server.routes[paths[0]].delay = 3.0  # still in flight at one watcher when the other starts new rounds
    ids = watched(empty_engine, *(server.url(p) for p in paths))
    with Session(empty_engine) as s:  # paused until both watchers are connected
        s.execute(text("UPDATE feed SET enabled = false"))
        s.commit()
    logs = [tmp_path / f"watcher-{i}.log" for i in range(2)]
    procs = []
    for i, log_path in enumerate(logs):
        env = {**os.environ, "TIMELINE_DATABASE_URL": empty_url, "PGAPPNAME": f"watcher-{i}"}
        env.pop("TIMELINE_ADMIN_TOKEN", None)
        with open(log_path, "w") as log_file:
            procs.append(subprocess.Popen([str(ROOT / ".venv/bin/timeline"), "watch", "--every", "0.1",
                                           "--timeout", "5"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                          stdout=log_file, stderr=subprocess.STDOUT))

    def sql(query: str, **params):
        with Session(empty_engine) as s:
            rows = s.execute(text(query), params).all()
            s.commit()
            return rows

    def fetched() -> list[int]:
        counted = dict(sql("SELECT feed_id, count(*) FROM feedfetch GROUP BY feed_id"))
        return [counted.get(i, 0) for i in ids]

    try:
        _when(lambda: all("watching feeds" in path.read_text() for path in logs), what="both watchers to start")
        sql("UPDATE feed SET enabled = true RETURNING id")  # all due at once
        for period in (1, 2):
            _when(lambda: min(fetched()) >= period, what=f"every feed fetched in period {period}")
            time.sleep(1.0)  # room for a second fetch of any feed to show
            assert [server.count(p) for p in paths] == [period] * len(paths), f"period {period}"
            assert fetched() == [period] * len(ids)
            if period == 1:  # all due again
                sql("UPDATE feed SET next_fetch_at = :t RETURNING id", t=utcnow() - dt.timedelta(seconds=1))
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    lines = [[ln for ln in path.read_text().splitlines() if " feed " in ln] for path in logs]
    assert all(lines), "both watchers took part"
    assert sum(map(len, lines)) == 2 * len(paths)
    assert [p.returncode for p in procs] == [0, 0]


def test_new_events_from_a_watched_feed_appear_in_the_atom_twin_and_the_footer(engine, settings, server):
    publish(server, "/diplo.xml", [entry(server, 0), entry(server, 2)], "v1")
    [fid] = watched(engine, server.url("/diplo.xml"))
    with TestClient(create_app(settings)) as c:
        before = c.get("/", headers={"accept": "text/html"}).text
        run_due(engine, OPTS, now=T0)
        with Session(engine) as s:
            new_events = set(s.execute(text(
                "SELECT DISTINCT s.event_id FROM eventsource s JOIN feeditem i ON i.article_id = s.article_id "
                "JOIN feedfetch f ON f.id = i.fetch_id WHERE f.feed_id = :f"), {"f": fid}).scalars())
            macron = set(s.execute(text(
                "SELECT DISTINCT s.event_id FROM eventsource s JOIN feeditem i ON i.article_id = s.article_id "
                "JOIN eventactor ea ON ea.event_id = s.event_id JOIN actor a ON a.id = ea.actor_id "
                "WHERE a.slug = 'emmanuel-macron' AND ea.role <> 'mentioned'")).scalars())  # as the actor filter counts
        assert new_events and macron and macron < new_events
        for view, expected in (("/events.atom", new_events), ("/events.atom?actor=emmanuel-macron", macron)):
            atom = feedparser.parse(c.get(view).content)
            ids = {int(e.id.rsplit("/events/", 1)[1].split("-")[0]) for e in atom.entries}
            assert expected <= ids, view
        page = lxml.html.fromstring(c.get("/", headers={"accept": "text/html"}).text)
    line = page.cssselect("footer .freshness")[0]
    assert line.cssselect("a")[0].get("href") == f"/feeds/{fid}"
    assert line.cssselect("a")[0].text_content() == "Wire /diplo.xml"
    assert "Newest article arrived" in line.text_content() and line.cssselect("time")[0].get("datetime")
    old = lxml.html.fromstring(before).cssselect("footer .freshness")[0].text_content()
    assert "from feed" not in old and "Newest article arrived" in old  # the seeds were loaded by hand


def test_the_footer_says_nothing_about_an_empty_database(empty_url):
    with TestClient(create_app(make_settings(empty_url))) as c:
        page = lxml.html.fromstring(c.get("/", headers={"accept": "text/html"}).text)
    assert page.cssselect("footer .freshness") == []


def test_a_feed_that_trips_a_bug_is_marked_failing_and_the_others_go_on(empty_engine, server, monkeypatch):
    import app.feeds as feeds

    real = feeds.entries

    def buggy(body, content_type, url, limit):
        if url.endswith("/bug.xml"):
            raise RuntimeError("parser bug")
        return real(body, content_type, url, limit)

    monkeypatch.setattr(feeds, "entries", buggy)
    publish(server, "/bug.xml", [entry(server, 0)], "v1")
    publish(server, "/fine.xml", [entry(server, 1)], "v1")
    bug, fine = watched(empty_engine, server.url("/bug.xml"), server.url("/fine.xml"))
    outcomes = {o.feed_id: o for o in run_due(empty_engine, OPTS, now=T0)}
    assert (outcomes[bug].status, outcomes[bug].reason) == ("failed", "internal error: RuntimeError: parser bug")
    assert outcomes[fine].counts["new"] == 1
    with Session(empty_engine) as s:
        assert (s.get(Feed, bug).failures, s.get(Feed, bug).next_fetch_at) == (1, T0 + dt.timedelta(minutes=20))


def test_watch_polls_in_rounds_until_stopped(empty_engine, server):
    from app.feeds import watch

    publish(server, "/round.xml", [entry(server, 0)], "v1")
    [fid] = watched(empty_engine, server.url("/round.xml"))
    stop = threading.Event()
    t = threading.Thread(target=watch, args=(empty_engine, OPTS, 0.05, stop))
    t.start()
    for _ in range(200):
        if fetches(empty_engine, fid):
            break
        threading.Event().wait(0.05)
    stop.set()
    t.join(timeout=10)
    assert not t.is_alive()
    assert [(f.status, f.new) for f in fetches(empty_engine, fid)] == [("ok", 1)]  # not due again for 10 minutes
