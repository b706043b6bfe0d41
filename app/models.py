"""Every table and read model, in families (Base, table, Read)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class ArticleBase(SQLModel):
    title: str
    published: dt.date = Field(index=True)
    outlet: str = ""
    url: str | None = None
    source: str = ""
    summary_only: bool = False


class Article(ArticleBase, table=True):
    """A loaded news article. Identity: its URL when known, else a hash of its normalised text."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True)
    content_hash: str
    body: str = Field(sa_column=Column(Text, nullable=False))
    ingested_at: dt.datetime = Field(default_factory=utcnow)


class EventBase(SQLModel):
    date: str  # TIMEX3 value: 2025-03-18, 2025-W11, 2025-03 ...
    date_start: dt.date
    date_end: dt.date
    precision: str  # day, week, weekend, month, quarter, season, year, interval
    approximate: bool = False
    type: str
    plover: str = ""
    cameo: str = ""
    title: str
    summary: str = ""


class Event(EventBase, table=True):
    """One real-world act, however many articles reported it."""

    __table_args__ = (
        Index("ix_event_date", "date_start", "id"),
        Index("ix_event_end", "date_end", "id"),  # date ranges: events still running after a 'from' date
        Index("ix_event_type_date", "type", "date_start", "id"),
        Index("ix_event_sources_date", "source_count", "date_start", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    slug: str = ""
    source_count: int = 0
    confidence: int = 0  # independent cues that carry it (see app.pipeline.events.cue_count)
    split_from: int | None = None
    hidden: bool = Field(default=False, sa_column_kwargs={"server_default": false()})  # hidden by an editor (a Correction): in no view, count or facet
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class EventSource(SQLModel, table=True):
    """An article's statement of an event: the verbatim sentence, its offsets, the rules that fired."""

    __table_args__ = (UniqueConstraint("article_id", "mention", name="uq_source_mention"),
                      # regrouping finds the sources of one type whose dates reach a window: sources spanning
                      # a month at most start at most a month before it (a bounded range of start days, for
                      # old dates as for new ones); the few wider ones are read apart
                      Index("ix_source_type_start", "type", "date_start", "date_end"),
                      Index("ix_source_wide", "type", "wide", "date_end", "date_start"))
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    article_id: int = Field(foreign_key="article.id", index=True, ondelete="CASCADE")
    sentence: str = Field(sa_column=Column(Text, nullable=False))
    start: int
    end: int
    rules: str = ""
    mention: str = ""  # start:type:core actors; identifies the mention across re-extractions
    type: str = ""
    initiator: str = ""
    date: str = ""
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    approximate: bool = False
    actors: str = ""  # slug:role,slug:role as extracted from this source
    topics: str = ""
    merge_reason: str = ""
    pinned: bool = False  # kept apart by an admin's split
    lock: str = ""  # sources with different locks never share an event
    wide: bool = Field(default=False, sa_column_kwargs={"server_default": false()})  # spans more than WINDOW_CAP_DAYS


class SplitLock(SQLModel, table=True):
    """An editor's split, keyed by what survives re-extraction: the article and the mention."""

    article_id: int = Field(foreign_key="article.id", primary_key=True, ondelete="CASCADE")
    mention: str = Field(primary_key=True)
    lock: str


class AdminSession(SQLModel, table=True):
    """A signed-in browser session: its id rides in the signed cookie, and signing out deletes the row,
    so a cookie copied before sign-out no longer works."""

    id: str = Field(primary_key=True)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Correction(SQLModel, table=True):
    """An editor's change, with who, when, before and after. Keyed like SplitLock by what survives
    re-extraction (the article and the mention of the event's first source), so `refresh_event` applies
    it again to whatever event holds that mention. An undone correction stays on record."""

    __table_args__ = (Index("ix_correction_mention", "article_id", "mention"),)
    id: int | None = Field(default=None, primary_key=True)
    article_id: int  # no foreign key: deleting an article is itself recorded here, and can be undone
    mention: str = ""  # '' for a whole article
    field: str  # type, date, title, actors, hidden, or article (deleted)
    before: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    after: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    editor: str
    created_at: dt.datetime = Field(default_factory=utcnow)
    undone_at: dt.datetime | None = None
    undone_by: str = ""


class Tombstone(SQLModel, table=True):
    """An article an editor deleted, under its key (Article.key: the URL when known, else the text's hash):
    loading that key again (a file, a paste, the API, a watched feed) skips it, so the deletion sticks.
    Undoing the deletion (its Correction) removes the tombstone. See app/tombstones.py."""

    key: str = Field(primary_key=True)
    article_id: int  # the deleted article's id (no foreign key: the row is gone)
    correction_id: int = Field(foreign_key="correction.id", index=True, ondelete="CASCADE")
    editor: str
    created_at: dt.datetime = Field(default_factory=utcnow)


class Actor(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True)
    name: str
    kind: str  # person, state, organisation
    role: str = ""
    aliases: str = ""
    discovered: bool = False  # found in an article by its title or form, not in the gazetteer
    state: str = ""  # slug of the state a person or body speaks for, when known


class EventActor(SQLModel, table=True):
    """Actor in an event, with a role; date copied in so (actor, date) walks need no join."""

    __table_args__ = (Index("ix_event_actor_timeline", "actor_id", "date_start", "event_id", "role"),)
    event_id: int = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    actor_id: int = Field(foreign_key="actor.id", primary_key=True)
    role: str = "mentioned"
    date_start: dt.date


class Topic(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True)
    name: str


class EventTopic(SQLModel, table=True):
    __table_args__ = (Index("ix_event_topic_timeline", "topic_id", "date_start", "event_id"),)
    event_id: int = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    topic_id: int = Field(foreign_key="topic.id", primary_key=True)
    date_start: dt.date


class FacetTotal(SQLModel, table=True):
    """Events per facet ('*' all, 'a:<actor id>', 't:<topic id>', 'y:<type>'), kept on every write:
    other '' is the facet's total, 'm:YYYY-MM' its events per month, another facet key the pair's; facet
    'p:<key>' holds the key's pairs per month (other 'YYYY-MM|<key>'), facet '<key>|<key>' a pair's triples."""

    facet: str = Field(primary_key=True)
    other: str = Field(primary_key=True, default="")
    n: int = 0


class DataVersion(SQLModel, table=True):
    """A counter every write bumps, so each app process knows when its cached counts are stale."""

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    # the longest event (date_end - date_start, days) ever stored: a date range then bounds date_start
    # on both sides, so its queries read an index range, not everything before the range's end
    max_span_days: int = 0


class Feed(SQLModel, table=True):
    """A feed the watcher follows: where, how often, and how its last fetches went."""

    __table_args__ = (Index("ix_feed_due", "enabled", "next_fetch_at"),)
    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True)
    title: str = ""
    added_by: str = ""
    interval_minutes: int = 30
    enabled: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)
    next_fetch_at: dt.datetime | None = None  # due when past; a claim pushes it ahead as a lease
    last_fetched_at: dt.datetime | None = None
    last_status: str = ""  # ok, not-modified, failed
    last_error: str = ""
    etag: str = ""
    last_modified: str = ""
    failures: int = 0  # consecutive; the backoff doubles with each
    disabled_reason: str = ""  # why the watcher turned it off (410 Gone, ...); empty when an editor paused it


class FeedFetch(SQLModel, table=True):
    """One fetch of a feed: its answer, and what its entries did to the database."""

    __table_args__ = (Index("ix_feedfetch_feed", "feed_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    feed_id: int = Field(foreign_key="feed.id", ondelete="CASCADE")
    started_at: dt.datetime
    duration_ms: int = 0
    status: str  # ok, not-modified, failed
    http_status: int | None = None
    reason: str = ""
    entries: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    deleted: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # entries an editor had deleted: skipped


class FeedItem(SQLModel, table=True):
    """An article a fetch added or changed."""

    fetch_id: int = Field(foreign_key="feedfetch.id", primary_key=True, ondelete="CASCADE")
    article_id: int = Field(foreign_key="article.id", primary_key=True, index=True, ondelete="CASCADE")
    status: str  # new, updated


# ---------------------------------------------------------------- read models (API)
class ActorRef(SQLModel):
    slug: str
    name: str
    kind: str = ""
    role: str = ""


class SourceRead(SQLModel):
    article_id: int
    title: str
    outlet: str
    published: dt.date
    url: str | None = None
    article_url: str = ""
    evidence: str
    start: int
    end: int
    rules: list[str] = []
    merge_reason: str = ""


class EventRead(SQLModel):
    id: int
    url: str
    date: str
    date_start: dt.date
    date_end: dt.date
    precision: str
    approximate: bool
    type: str
    type_label: str = ""
    plover: str
    cameo: str
    title: str
    actors: list[ActorRef]
    topics: list[str]
    source_count: int
    confidence: int = 0  # cues: trigger, own date, named initiator, named counterpart, +1 per further source
    sources: list[SourceRead]


class EventPage(SQLModel):
    events: list[EventRead]
    next: str | None = None
    total: int | None = None


class FacetCount(SQLModel):
    slug: str
    name: str
    count: int
    kind: str = ""
