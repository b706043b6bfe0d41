"""Watched feeds: fetch each due feed politely, ingest its new entries through the reader and the
store (as `timeline ingest` does), and back off feeds that fail.

Fetching is a conditional GET (ETag / Last-Modified) with a polite User-Agent, one time limit for
the whole fetch, a size limit enforced while streaming and a redirect limit. Several watchers can
share one database: a watcher claims a due feed in a short transaction (FOR UPDATE SKIP LOCKED on
PostgreSQL, BEGIN IMMEDIATE on SQLite) that pushes its next fetch ahead by a lease, so no other
watcher takes that feed while it is being fetched; recording the result sets the real next fetch.
Both are measured from the clock as it reads at that moment (at the claim, at the record), never
from the start of the round: a round of many slow feeds may run longer than the lease.

A feed that answers 410 Gone is disabled with that reason. After a permanent redirect (301, 308)
the feed is asked at the new URL from then on, unless another feed already watches that URL: the
duplicate is then disabled (it keeps its old URL and says why). Temporary redirects change nothing.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

from sqlalchemy import delete, or_
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.db import writer
from app.models import Article, Feed, FeedFetch, FeedItem, utcnow
from app.pipeline.reader import RawArticle, ReadError, clean_line, decode, read_bytes, sniff
from app.timeline.context import plural

if TYPE_CHECKING:  # httpx is imported where it is used: the web app imports this module and needs no HTTP client
    import httpx

log = logging.getLogger("timeline.watch")

USER_AGENT = ("diplomatic-timeline-watcher/0.1 (self-hosted news timeline; conditional GET, "
              "at most one fetch per feed per interval)")
MIN_INTERVAL, MAX_INTERVAL = 5, 7 * 24 * 60  # minutes
Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class WatchOptions:
    """How the watcher fetches: limits and manners."""

    timeout: float = 20.0  # seconds for the whole fetch (connect, each read, and all reads together)
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    lease: dt.timedelta = dt.timedelta(minutes=15)  # a claimed feed is nobody else's for this long
    max_backoff: dt.timedelta = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Fetched:
    """What one GET brought: a body, 'not modified', or a failure with its reason."""

    status: str  # ok, not-modified, failed
    http_status: int | None = None
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    reason: str = ""
    disable: str = ""  # turn the feed off, for this reason (410 Gone: it will not come back)
    moved_to: str = ""  # where permanent redirects (301, 308) from the feed's URL lead: its URL from now on
    moved_by: int = 0  # the last of those redirects' status


@dataclass(frozen=True)
class Claimed:
    """A feed a watcher holds for one fetch."""

    id: int
    url: str
    title: str
    interval_minutes: int
    failures: int
    etag: str
    last_modified: str


@dataclass
class Outcome:
    """One fetch as recorded: its answer and what its entries did."""

    feed_id: int
    url: str
    status: str
    http_status: int | None = None
    reason: str = ""
    entries: int = 0
    counts: dict = field(default_factory=lambda: {"new": 0, "updated": 0, "unchanged": 0, "failed": 0})
    items: list[tuple[int, str]] = field(default_factory=list)  # (article id, new | updated)
    deleted: int = 0  # entries skipped because an editor deleted their article (app/tombstones.py)
    duration_ms: int = 0
    next_fetch_at: dt.datetime | None = None
    note: str = ""  # what the fetch did to the feed itself (disabled it, ...), for the log line and the fetch log
    disabled: bool = False

    def line(self) -> str:
        """The log line of this fetch."""
        c = self.counts
        answer = f"HTTP {self.http_status}" if self.http_status else "no answer"
        what = f"{self.entries} entries: {c['new']} new, {c['updated']} updated, {c['unchanged']} unchanged, " \
               f"{c['failed']} failed" + (f", {self.deleted} skipped (deleted by an editor)" if self.deleted else "") \
            if self.status == "ok" else self.reason or self.status
        note = f"; {self.note}" if self.note else ""
        nxt = f"; next {self.next_fetch_at:%Y-%m-%d %H:%M:%S}Z" if self.next_fetch_at and not self.disabled else ""
        return f"feed {self.feed_id} {self.url} {self.status} ({answer}) {what}{note}; {self.duration_ms} ms{nxt}"

    def logged_reason(self) -> str:
        """The reason kept in the feed's fetch log: why it failed, and what it did to the feed."""
        return "; ".join(r for r in (self.reason, self.note) if r)


# ---------------------------------------------------------------- fetching and parsing (no database)
def client(opts: WatchOptions) -> httpx.Client:
    """An HTTP client with the watcher's manners and limits."""
    import httpx

    return httpx.Client(follow_redirects=True, max_redirects=opts.max_redirects, timeout=opts.timeout,
                        headers={"User-Agent": opts.user_agent, "Accept": "application/rss+xml, application/atom+xml, "
                                 "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"})


PERMANENT = (301, 308)


def moved(r: httpx.Response) -> tuple[str, int]:
    """Where the permanent redirects that begin a chain lead (the URL to ask from now on), and the
    last one's status; ("", 0) when the first redirect is temporary (302, 303, 307) or there is none.
    In 301 -> 302 -> feed the feed has moved to the 302's URL, which only lends its answer for now."""
    hops = [h.url for h in r.history] + [r.url]
    to, by = "", 0
    for i, h in enumerate(r.history):
        if h.status_code not in PERMANENT:
            break
        to, by = str(hops[i + 1]), h.status_code
    return to, by


def fetch(http: httpx.Client, url: str, etag: str, last_modified: str, opts: WatchOptions) -> Fetched:
    """A conditional GET of a feed, streamed so a huge body is cut off at the size limit."""
    import httpx

    headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
    deadline = time.monotonic() + opts.timeout
    try:
        with http.stream("GET", url, headers=headers) as r:
            to, by = moved(r)
            if r.status_code == 304:
                return Fetched("not-modified", 304, etag=etag, last_modified=last_modified, moved_to=to, moved_by=by)
            if r.status_code == 410:  # gone for good: asking again will not bring it back
                return Fetched("failed", 410, reason="410 Gone", disable="410 Gone")
            if r.status_code >= 400:
                return Fetched("failed", r.status_code, reason=f"HTTP {r.status_code} {r.reason_phrase}".strip())
            size = int(r.headers.get("content-length") or 0)
            if size > opts.max_bytes:
                return Fetched("failed", r.status_code, reason=f"too large ({size:,} bytes; the limit is {opts.max_bytes:,})")
            chunks, got = [], 0
            for chunk in r.iter_bytes():
                got += len(chunk)
                if got > opts.max_bytes:
                    return Fetched("failed", r.status_code, reason=f"too large (over {opts.max_bytes:,} bytes)")
                if time.monotonic() > deadline:
                    return Fetched("failed", r.status_code, reason=f"timed out after {opts.timeout:g} s")
                chunks.append(chunk)
            return Fetched("ok", r.status_code, b"".join(chunks), r.headers.get("content-type", ""),
                           r.headers.get("etag", ""), r.headers.get("last-modified", ""), moved_to=to, moved_by=by)
    except httpx.TooManyRedirects:
        return Fetched("failed", reason=f"too many redirects (more than {opts.max_redirects}; a loop?)")
    except httpx.TimeoutException:
        return Fetched("failed", reason=f"timed out after {opts.timeout:g} s")
    except httpx.HTTPError as exc:
        return Fetched("failed", reason=f"could not fetch: {type(exc).__name__}: {exc}")


def entries(body: bytes, content_type: str, url: str, limit: int) -> tuple[list[RawArticle], list[ReadError]]:
    """The articles of a feed body; raises ReadError when the body is not a feed at all."""
    try:
        head = decode(body[:4096], url)
    except ReadError:
        head = ""
    kind = sniff(head)
    if kind != "feed" and (kind == "html" or "html" in content_type.lower()):
        raise ReadError(url, "an HTML page, not an RSS or Atom feed")
    articles, errors = [], []
    for item in read_bytes(body, url, ".xml", limit):
        (errors if isinstance(item, ReadError) else articles).append(item)
    whole = [e for e in errors if e.where == url]
    if whole and not articles:
        raise whole[0]
    return articles, errors


def next_delay(interval_minutes: int, failures: int, max_backoff: dt.timedelta) -> dt.timedelta:
    """The wait before the next fetch: the interval, doubled for each consecutive failure, capped."""
    return min(dt.timedelta(minutes=interval_minutes) * (2 ** min(failures, 20)), max(max_backoff,
               dt.timedelta(minutes=interval_minutes)))


# ---------------------------------------------------------------- the watcher's use of the database
def _claim_engine(engine: Engine) -> Engine:
    # SQLite has no row locks: the claim takes the write lock up front, so two claims queue
    return writer(engine) if engine.dialect.name == "sqlite" else engine


def claim(engine: Engine, now: dt.datetime, opts: WatchOptions, due_by: dt.datetime | None = None) -> Claimed | None:
    """Take the most overdue enabled feed (due by `due_by`, default now), if any, and hold it for the
    lease from `now`, the time of this claim."""
    due_by = now if due_by is None else due_by
    with Session(_claim_engine(engine)) as s:
        feed = s.exec(select(Feed).where(Feed.enabled, or_(Feed.next_fetch_at.is_(None), Feed.next_fetch_at <= due_by))
                      .order_by(Feed.next_fetch_at.asc().nulls_first(), Feed.id).limit(1)
                      .with_for_update(skip_locked=True)).first()
        if feed is None:
            return None
        held = Claimed(feed.id, feed.url, feed.title, feed.interval_minutes, feed.failures, feed.etag, feed.last_modified)
        feed.next_fetch_at = now + opts.lease
        s.add(feed)
        s.commit()
        return held


def _ingest(engine: Engine, articles: list[RawArticle], out: Outcome) -> None:
    from app import tombstones

    with Session(writer(engine)) as ws:
        for raw in articles:
            try:
                result = tombstones.ingest(ws, raw)
            except Exception as exc:  # noqa: BLE001 - one bad entry must not stop the feed
                ws.rollback()
                out.counts["failed"] += 1
                log.warning("feed %s entry %s failed: %s: %s", out.feed_id, raw.source, type(exc).__name__, exc)
                continue
            if result.status == tombstones.DELETED:
                out.deleted += 1
                continue
            out.counts[result.status] += 1
            if result.status != "unchanged":
                out.items.append((result.article_id, result.status))


def poll(engine: Engine, feed: Claimed, http: httpx.Client, opts: WatchOptions, clock: Clock = utcnow) -> Outcome:
    """Fetch one claimed feed, ingest what is new or changed, record the fetch and the next one (the
    interval measured from when the fetch is recorded)."""
    started, t0 = clock(), time.monotonic()
    got = fetch(http, feed.url, feed.etag, feed.last_modified, opts)
    out = Outcome(feed.id, feed.url, got.status, got.http_status, got.reason)
    title = feed.title
    if got.status == "ok":
        try:
            articles, errors = entries(got.body, got.content_type, feed.url, opts.max_bytes)
        except ReadError as exc:
            out.status, out.reason = "failed", exc.reason
        else:
            out.entries = len(articles) + len([e for e in errors if e.where != feed.url])
            out.counts["failed"] += out.entries - len(articles)
            if not title and (title := next((a.outlet for a in articles if a.outlet), "")):
                _name(engine, feed.id, title)  # before the articles, so the footer never shows the feed unnamed
            _ingest(engine, articles, out)
    out.duration_ms = int((time.monotonic() - t0) * 1000)
    _record(engine, feed, got, out, started, clock(), opts, title)
    return out


def _name(engine: Engine, feed_id: int, title: str) -> None:
    with Session(writer(engine)) as ws:
        row = ws.get(Feed, feed_id)
        if row is not None and not row.title:
            row.title = title[:300]
            ws.add(row)
            ws.commit()


def _record(engine: Engine, feed: Claimed, got: Fetched, out: Outcome, started: dt.datetime, now: dt.datetime,
            opts: WatchOptions, title: str) -> None:
    try:
        _write(engine, feed, got, out, started, now, opts, title)
    except IntegrityError:  # another feed took the URL this one moved to, between the check and the commit
        if not got.moved_to:
            raise
        out.note = f"moved permanently (HTTP {got.moved_by}) to {got.moved_to}, which another feed took meanwhile; " \
                   "the old URL kept"
        _write(engine, feed, replace(got, moved_to="", moved_by=0), out, started, now, opts, title)


def _write(engine: Engine, feed: Claimed, got: Fetched, out: Outcome, started: dt.datetime, now: dt.datetime,
           opts: WatchOptions, title: str) -> None:
    with Session(writer(engine)) as ws:
        row = ws.get(Feed, feed.id)
        if row is None:  # removed while it was being fetched
            return
        failed = out.status == "failed"
        row.failures = row.failures + 1 if failed else 0
        out.next_fetch_at = now + next_delay(row.interval_minutes, row.failures, opts.max_backoff)
        row.next_fetch_at, row.last_fetched_at, row.last_status = out.next_fetch_at, started, out.status
        row.last_error = out.reason if failed else ""
        row.title = row.title or title
        if got.status == "ok" and not failed:
            row.etag, row.last_modified = got.etag, got.last_modified
        if got.disable:
            _disable(row, got.disable, out)
        elif got.moved_to and not failed and got.moved_to != row.url:
            _move(ws, row, got, out)
        fetch_row = FeedFetch(feed_id=feed.id, started_at=started, duration_ms=out.duration_ms, status=out.status,
                              http_status=out.http_status, reason=out.logged_reason(), entries=out.entries,
                              deleted=out.deleted, **out.counts)
        ws.add_all([row, fetch_row])
        ws.flush()
        ws.add_all([FeedItem(fetch_id=fetch_row.id, article_id=a, status=st) for a, st in dict(out.items).items()])
        ws.commit()


def _disable(row: Feed, reason: str, out: Outcome, note: str = "feed disabled (an editor can resume it)") -> None:
    """The watcher turns a feed off; an editor can resume it (set_enabled clears the reason)."""
    row.enabled, row.disabled_reason, row.last_error = False, reason[:1000], reason[:1000]
    out.disabled, out.note = True, note


def watched_by(ws: Session, url: str, but: int) -> int | None:
    """The feed other than `but` that watches `url`, if any."""
    return ws.exec(select(Feed.id).where(Feed.url == url, Feed.id != but)).first()


def _move(ws: Session, row: Feed, got: Fetched, out: Outcome) -> None:
    """After a permanent redirect the feed is asked at its new URL, unless another feed already
    watches that URL: then this one, a duplicate, is disabled and keeps its old URL."""
    try:
        to = check_url(got.moved_to)
    except ValueError as exc:
        out.note = f"moved permanently (HTTP {got.moved_by}) to a URL not taken: {exc}"
        return
    other = watched_by(ws, to, row.id)
    if other is not None:
        why = f"moved permanently to {to}, which feed {other} already watches"
        _disable(row, why, out, f"moved permanently (HTTP {got.moved_by}) to {to}, which feed {other} already "
                                "watches; feed disabled (an editor can remove it)")
        return
    row.url = to
    out.note = f"moved permanently (HTTP {got.moved_by}) to {to}; the feed now uses that URL"


def run_due(engine: Engine, opts: WatchOptions = WatchOptions(), now: dt.datetime | None = None,
            stop: threading.Event | None = None, clock: Clock | None = None) -> list[Outcome]:
    """Fetch every feed that was due when the round began (each once), logging one line per fetch.

    `clock` is read at each claim (the lease runs from it) and each record (the next fetch runs from
    it); `now` stands for a clock stopped at that time (tests); by default the real time."""
    from app.pipeline.store import sync_lexicon

    if clock is None:
        clock = utcnow if now is None else (lambda: now)
    began = clock()
    done: list[Outcome] = []
    with Session(writer(engine)) as ws:
        sync_lexicon(ws)
    with client(opts) as http:
        while not (stop and stop.is_set()) and (feed := claim(engine, clock(), opts, due_by=began)) is not None:
            try:
                out = poll(engine, feed, http, opts, clock)
            except Exception as exc:  # noqa: BLE001 - a feed that trips a bug must not stop the others
                log.exception("feed %s %s: %s", feed.id, feed.url, exc)
                out = Outcome(feed.id, feed.url, "failed", reason=f"internal error: {type(exc).__name__}: {exc}")
                at = clock()
                _record(engine, feed, Fetched("failed"), out, at, at, opts, feed.title)
            (log.warning if out.status == "failed" else log.info)("%s", out.line())
            done.append(out)
    return done


def watch(engine: Engine, opts: WatchOptions, every: float, stop: threading.Event) -> None:
    """Poll due feeds until stopped, looking for due feeds every `every` seconds."""
    while not stop.is_set():
        try:
            run_due(engine, opts, stop=stop)
        except Exception:  # noqa: BLE001 - the database may be away for a while: try again next round
            log.exception("watcher round failed; trying again in %g s", every)
        stop.wait(every)


# ---------------------------------------------------------------- editing feeds
def check_url(url: str) -> str:
    """A feed URL: http(s) with a host; raises ValueError saying what is wrong."""
    url = url.strip()
    if any(c.isspace() or not c.isprintable() for c in url):  # NUL and other control characters, spaces
        raise ValueError("a feed URL holds no spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("a feed URL starts with http:// or https:// and names a host")
    if len(url) > 2000:
        raise ValueError("that URL is too long (over 2,000 characters)")
    return url


def add_feed(session: Session, url: str, title: str = "", interval_minutes: int = 30, added_by: str = "") -> Feed:
    """A new enabled feed, due at once; ValueError for a bad URL or interval or one already watched."""
    url = check_url(url)
    if not MIN_INTERVAL <= interval_minutes <= MAX_INTERVAL:
        raise ValueError(f"the interval is between {MIN_INTERVAL} minutes and {MAX_INTERVAL // 1440} days")
    if session.exec(select(Feed).where(Feed.url == url)).first():
        raise ValueError(f"{url} is already watched")
    feed = Feed(url=url, title=clean_line(title)[:300], interval_minutes=interval_minutes,
                added_by=clean_line(added_by)[:100])  # no control characters (PostgreSQL text holds no NUL)
    session.add(feed)
    session.commit()
    session.refresh(feed)
    return feed


def find_feed(session: Session, key: str | int) -> Feed | None:
    """A feed by id or URL."""
    if isinstance(key, int) or str(key).isdigit():
        return session.get(Feed, int(key))
    return session.exec(select(Feed).where(Feed.url == str(key).strip())).first()


def set_enabled(session: Session, feed_id: int, enabled: bool) -> Feed | None:
    """Pause or resume a feed (an editor's choice: the watcher's reason for turning it off is cleared);
    a resumed feed is due at once."""
    feed = session.get(Feed, feed_id)
    if feed is not None:
        feed.enabled, feed.disabled_reason = enabled, ""
        if enabled:
            feed.next_fetch_at, feed.failures = None, 0
        session.add(feed)
        session.commit()
        session.refresh(feed)
    return feed


def remove_feed(session: Session, feed_id: int) -> bool:
    """Forget a feed and its fetch log; the articles it brought stay."""
    feed = session.get(Feed, feed_id)
    if feed is None:
        return False
    fetches = select(FeedFetch.id).where(FeedFetch.feed_id == feed_id)
    session.execute(delete(FeedItem).where(FeedItem.fetch_id.in_(fetches)))
    session.execute(delete(FeedFetch).where(FeedFetch.feed_id == feed_id))
    session.delete(feed)
    session.commit()
    return True


def list_feeds(session: Session) -> list[Feed]:
    return list(session.exec(select(Feed).order_by(Feed.id)).all())


def recent_fetches(session: Session, feed_id: int, limit: int = 20) -> list[tuple[FeedFetch, list[tuple[str, int, str]]]]:
    """A feed's latest fetches, newest first, each with the articles it added or changed (status, id, title)."""
    fetches = session.exec(select(FeedFetch).where(FeedFetch.feed_id == feed_id)
                           .order_by(FeedFetch.id.desc()).limit(limit)).all()
    items: dict[int, list] = {f.id: [] for f in fetches}
    if items:
        for fid, status, aid, atitle in session.execute(
                select(FeedItem.fetch_id, FeedItem.status, Article.id, Article.title)
                .join(Article, Article.id == FeedItem.article_id)
                .where(FeedItem.fetch_id.in_(list(items))).order_by(Article.id)):
            items[fid].append((status, aid, atitle))
    return [(f, items[f.id]) for f in fetches]


def feed_name(feed: Feed) -> str:
    return feed.title or urlsplit(feed.url).hostname or feed.url


# ---------------------------------------------------------------- freshness (the footer)
@dataclass(frozen=True)
class Freshness:
    """When the newest article arrived, and from which feed (none when it was added by hand)."""

    arrived: dt.datetime
    article_id: int
    feed_id: int | None = None
    feed_title: str = ""

    def ago(self, now: dt.datetime | None = None) -> str:
        seconds = max(0, int(((now or utcnow()) - self.arrived).total_seconds()))
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
            if seconds >= size:
                return plural(seconds // size, unit) + " ago"
        return "just now"


def freshness(session: Session) -> Freshness | None:
    """The newest article (highest id: the last one added) and the feed whose fetch brought it."""
    newest = session.execute(select(Article.id, Article.ingested_at).order_by(Article.id.desc()).limit(1)).first()
    if newest is None:
        return None
    feed = session.execute(
        select(Feed.id, Feed.title, Feed.url).join(FeedFetch, FeedFetch.feed_id == Feed.id)
        .join(FeedItem, FeedItem.fetch_id == FeedFetch.id).where(FeedItem.article_id == newest.id)
        .order_by(FeedFetch.id.desc()).limit(1)).first()
    arrived = newest.ingested_at if newest.ingested_at.tzinfo else newest.ingested_at.replace(tzinfo=dt.timezone.utc)
    if feed is None:
        return Freshness(arrived, newest.id)
    return Freshness(arrived, newest.id, feed.id, feed.title or urlsplit(feed.url).hostname or feed.url)
