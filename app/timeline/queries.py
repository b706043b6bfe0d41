"""Read side: the events page, facet counts, the density histogram, single events, actors, articles."""
from __future__ import annotations

import datetime as dt
import re
import threading
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field, replace

from sqlalchemy import and_, false, func, literal_column, or_, select, text
from sqlalchemy.orm import Session, aliased

from app.lexicon import load_lexicon
from app.models import Actor, Article, Event, EventActor, EventSource, EventTopic, FacetTotal, Topic
from app.timeline import kept, tally
from app.timeline.days import shift
from app.timeline.filters import Filters, decode_cursor, encode_cursor


@dataclass
class SourceView:
    id: int
    article_id: int
    title: str
    outlet: str
    published: dt.date
    url: str | None
    sentence: str
    start: int
    end: int
    rules: list[str]
    merge_reason: str


@dataclass
class EventView:
    """An event with what a card or a page shows of it."""

    id: int
    date: str
    date_start: dt.date
    date_end: dt.date
    precision: str
    approximate: bool
    type: str
    plover: str
    cameo: str
    title: str
    slug: str
    source_count: int
    confidence: int = 0
    actors: list[dict] = field(default_factory=list)
    topics: list[dict] = field(default_factory=list)
    sources: list[SourceView] = field(default_factory=list)
    hidden: bool = False

    @property
    def path(self) -> str:
        return f"/events/{self.id}-{self.slug}" if self.slug else f"/events/{self.id}"

    @property
    def type_label(self) -> str:
        t = load_lexicon().types.get(self.type)
        return t.label if t else self.type

    @property
    def date_label(self) -> str:
        return date_label(self.date, self.date_start, self.date_end, self.precision, self.approximate)

    @property
    def core_actors(self) -> list[dict]:
        return [a for a in self.actors if a["role"] != "mentioned"]


@dataclass
class Page:
    events: list[EventView]
    next_cursor: str | None
    total: int


@dataclass
class Bucket:
    start: dt.date
    end: dt.date
    count: int


def date_label(value: str, start: dt.date, end: dt.date, precision: str, approximate: bool) -> str:
    """'18 Mar 2025', 'week of 10 Mar 2025', 'Feb 2025', 'approx. 18 Mar 2025'."""
    day = lambda d: f"{d.day} {d:%b %Y}"  # noqa: E731
    if precision == "day":
        label = day(start)
    elif precision == "week":
        label = f"week of {day(start)}"
    elif precision == "weekend":
        label = f"weekend of {day(start)}"
    elif precision == "month":
        label = f"{start:%b %Y}"
    elif precision == "quarter":
        label = f"Q{(start.month - 1) // 3 + 1} {start.year}"
    elif precision == "season":
        label = {"SP": "spring", "SU": "summer", "FA": "autumn", "WI": "winter"}.get(value[-2:], "") + f" {start.year}"
    elif precision == "year":
        label = str(start.year)
    else:
        label = f"between {day(start)} and {day(end)}"
    return f"approx. {label}" if approximate else label


# ---------------------------------------------------------------- filtering
def _ids(session: Session, model, slugs: tuple[str, ...]) -> list[int]:
    if not slugs:
        return []
    found = cached(session, ("ids", model.__name__), lambda: dict(session.execute(select(model.slug, model.id)).all()))
    return [found.get(s, -1) for s in slugs]


def fts_query(q: str) -> str:
    """User text -> an FTS5 query of quoted terms (all must match); never FTS syntax errors."""
    terms = re.findall(r"\w+", q, flags=re.UNICODE)
    return " ".join(f'"{t}"' for t in terms[:12])


def conditions(session: Session, f: Filters, skip: str = "", facet_driven: bool = False) -> list:
    """The WHERE conditions of a filtered view, leaving out one facet (for its own counts). Events hidden by
    an editor have no facet rows, so a view with an actor or topic (or walking one: facet_driven) leaves
    them out already; any other view says so."""
    conds = []
    if not facet_driven and not (f.actors and skip != "actor") and not (f.topics and skip != "topic"):
        conds.append(Event.hidden == false())
    if skip != "actor":
        for actor_id in _ids(session, Actor, f.actors):
            conds.append(Event.id.in_(select(EventActor.event_id).where(EventActor.actor_id == actor_id,
                                                                        EventActor.role != "mentioned")))
    if skip != "topic":
        for topic_id in _ids(session, Topic, f.topics):
            conds.append(Event.id.in_(select(EventTopic.event_id).where(EventTopic.topic_id == topic_id)))
    if f.types and skip != "type":
        conds.append(Event.type.in_(f.types))
    if f.date_from:
        # an event overlaps [from, to] when it ends on or after `from`; it cannot start earlier than
        # `from` minus the longest span stored, which lets the date index read a bounded range
        conds.append(Event.date_end >= f.date_from)
        conds.append(Event.date_start >= shift(f.date_from, -max_span(session)))
    if f.date_to:
        conds.append(Event.date_start <= f.date_to)
    if f.min_sources:
        conds.append(Event.source_count >= f.min_sources)
    if f.q:
        conds.append(_text_condition(session, f.q))
    return conds


def _text_condition(session: Session, q: str):
    """Titles and quotes (full text), or an actor whose name or alias is the text (accents and case aside)."""
    named = [a["id"] for a in named_in_search(session, q)]
    if session.get_bind().dialect.name == "sqlite":
        match = fts_query(q)
        if not match:
            return literal_column("1") == 1
        cond = Event.id.in_(text("SELECT rowid FROM event_fts WHERE event_fts MATCH :fts").bindparams(fts=match))
    else:
        cond = text("event.search @@ plainto_tsquery('english', :pgq)").bindparams(pgq=q)
    if named:
        cond = or_(cond, Event.id.in_(select(EventActor.event_id).where(EventActor.actor_id.in_(named))))
    return cond


def normalise(value: str) -> str:
    """Casefolded, accents stripped, punctuation as spaces: 'Zelenskiy', 'zelénskiy' and 'ZELENSKIY' agree."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", bare))


def _actor_names(session: Session) -> list[dict]:
    """Every actor with its normalised name and aliases (Actor.aliases is '|'-separated), kept per data version."""
    def build() -> list[dict]:
        rows = session.execute(select(Actor.id, Actor.slug, Actor.name, Actor.kind, Actor.aliases)).all()
        return [{"id": i, "slug": slug, "name": name, "kind": kind,
                 "keys": tuple(dict.fromkeys(k for k in (normalise(name), normalise(slug.replace("-", " ")),
                                                         *(normalise(x) for x in (aliases or "").split("|"))) if k))}
                for i, slug, name, kind, aliases in rows]
    return cached(session, ("actor-names",), build)


def find_actors(session: Session, q: str, limit: int = 10, exact: bool = False) -> list[dict]:
    """Actors by name or alias: exact matches first, then names with a word starting with the text, then
    names containing it; ties by number of events. exact=True keeps only exact matches."""
    needle = normalise(q)
    if not needle:
        return []
    ranked = []
    for a in _actor_names(session):
        rank = min((0 if k == needle else 1 if (" " + k).find(" " + needle) >= 0 else 2 if needle in k else 3)
                   for k in a["keys"])
        if rank < (1 if exact else 3):
            ranked.append((rank, a))
    if not ranked:
        return []
    events = totals(session, tally.ALL)
    ranked.sort(key=lambda ra: (ra[0], -events.get(f"a:{ra[1]['id']}", 0), ra[1]["name"]))
    return [dict(a, count=events.get(f"a:{a['id']}", 0), exact=rank == 0) for rank, a in ranked[:limit]]


def named_in_search(session: Session, q: str) -> list[dict]:
    """The actors a text search also matched (their name or an alias is the whole text, accents and case
    aside), each with alias=True when the text is not in their display name (as 'Zelenskiy' is not in
    'Volodymyr Zelensky'): the cards mark them, and the page says which name the text is."""
    needle = normalise(q).split()

    def in_name(name: str) -> bool:
        words = normalise(name).split()
        return all(any(w.startswith(t) for w in words) for t in needle)
    return [dict(a, alias=not in_name(a["name"])) for a in find_actors(session, q, exact=True)] if needle else []


def _driver(session: Session, f: Filters):
    """The facet table a filtered page walks in date order (an actor's or a topic's timeline), if any."""
    if f.actors:
        return EventActor, EventActor.actor_id == _ids(session, Actor, f.actors[:1])[0], f.without_first("actors")
    if f.topics:
        return EventTopic, EventTopic.topic_id == _ids(session, Topic, f.topics[:1])[0], f.without_first("topics")
    return None, None, f


def events_page(session: Session, f: Filters, size: int = 50) -> Page:
    """One page of the filtered timeline with its events loaded."""
    ids, nxt = page_ids(session, f, size)
    return Page(load_events(session, ids), nxt, count_events(session, f))


def page_ids(session: Session, f: Filters, size: int = 50) -> tuple[list[int], str | None]:
    """The ids of one page of the filtered timeline and the next page's cursor, by keyset, walking
    the most selective index: an actor's or topic's timeline (the facet tables carry the date), else
    the events' date or type index."""
    table, match, rest = _driver(session, f)
    simple = not rest.active if table is not None else len(f.types) <= 1 and not replace(f, types=()).active
    if simple:
        rows = _walk(session, f, table, size)
    elif f.q:
        rows = _page_of_ordered(session, f, size)
    else:
        rows = _walk_filtered(session, f, table, match, rest, size)
    more = len(rows) > size
    rows = rows[:size]
    nxt = encode_cursor(_as_date(rows[-1][1]), rows[-1][0]) if more and rows else None
    return [r[0] for r in rows], nxt


WALKS = {  # one index each; {cmp} is the keyset condition, {dir} the order
    "actor": "SELECT event_id, date_start FROM eventactor WHERE actor_id = ? AND role != 'mentioned'{cmp} "
             "ORDER BY date_start {dir}, event_id {dir} LIMIT ?",
    "topic": "SELECT event_id, date_start FROM eventtopic WHERE topic_id = ?{cmp} "
             "ORDER BY date_start {dir}, event_id {dir} LIMIT ?",
    "type": "SELECT id, date_start FROM event WHERE type = ? AND NOT hidden{cmp} ORDER BY date_start {dir}, id {dir} LIMIT ?",
    "all": "SELECT id, date_start FROM event WHERE NOT hidden{cmp} ORDER BY date_start {dir}, id {dir} LIMIT ?",
}


def _walk(session: Session, f: Filters, table, size: int) -> list[tuple]:
    """A page of a view with one facet at most: one fixed statement through the driver (the ORM and
    the SQL compiler cost more than the query itself on this path, which every timeline request takes)."""
    if table is EventActor:
        kind, params = "actor", [_ids(session, Actor, f.actors[:1])[0]]
    elif table is EventTopic:
        kind, params = "topic", [_ids(session, Topic, f.topics[:1])[0]]
    elif f.types:
        kind, params = "type", [f.types[0]]
    else:
        kind, params = "all", []
    cmp = ""
    if f.cursor:
        d, i = decode_cursor(f.cursor)
        day = d.isoformat() if session.get_bind().dialect.name == "sqlite" else d
        id_col = "id" if kind in ("type", "all") else "event_id"
        op = "<" if f.order == "desc" else ">"
        cmp = f" AND (date_start {op} ? OR (date_start = ? AND {id_col} {op} ?))"
        params += [day, day, i]
    sql = WALKS[kind].format(cmp=cmp, dir="DESC" if f.order == "desc" else "ASC")
    return raw_rows(session, sql, params + [size + 1])


def raw_rows(session: Session, sql: str, params=()) -> list[tuple]:
    """Rows of a fixed statement written with ? placeholders, run by the driver on the session's connection."""
    conn = session.connection()
    if conn.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    cur = conn.connection.dbapi_connection.cursor()
    try:
        cur.execute(sql, tuple(params))
        return cur.fetchall()
    finally:
        cur.close()


def _page_of_ordered(session: Session, f: Filters, size: int) -> list[tuple]:
    """A page of a text view. No index gives full-text matches in date order, so a view's matches are
    sorted once per data version, kept as (day << 32 | id) keys, and each page is a bisection."""
    def compute() -> array:
        rows = session.execute(select(Event.date_start, Event.id).where(*conditions(session, f))).all()
        return array("q", sorted(_as_date(d).toordinal() << 32 | i for d, i in rows))

    keys = cached(session, ("ordered", f.cache_key), compute, store=ORDERED)
    if f.order == "desc":
        end = bisect_left(keys, _cursor_key(f.cursor)) if f.cursor else len(keys)
        chosen = reversed(keys[max(0, end - size - 1):end])
    else:
        begin = bisect_right(keys, _cursor_key(f.cursor)) if f.cursor else 0
        chosen = keys[begin:begin + size + 1]
    return [(k & 0xFFFFFFFF, dt.date.fromordinal(k >> 32)) for k in chosen]


def _cursor_key(cursor: str) -> int:
    d, i = decode_cursor(cursor)
    return d.toordinal() << 32 | i


def _walk_filtered(session: Session, f: Filters, table, match, rest: Filters, size: int) -> list[tuple]:
    """A page of a view with more filters: the driver's timeline joined to the other facets by key (each
    join a primary-key lookup), and to the event row for types, dates, sources and text."""
    desc = f.order == "desc"
    if table is None:
        date_col, id_col, q = Event.date_start, Event.id, select(Event.id, Event.date_start)
        q = q.where(*conditions(session, f))
    else:
        date_col, id_col = table.date_start, table.event_id
        q = select(table.event_id, table.date_start).where(match)
        if table is EventActor:
            q = q.where(EventActor.role != "mentioned")
        for actor_id in _ids(session, Actor, rest.actors):
            other = aliased(EventActor)
            q = q.join(other, and_(other.event_id == table.event_id, other.actor_id == actor_id, other.role != "mentioned"))
        for topic_id in _ids(session, Topic, rest.topics):
            other = aliased(EventTopic)
            q = q.join(other, and_(other.event_id == table.event_id, other.topic_id == topic_id))
        others = conditions(session, replace(rest, actors=(), topics=()), facet_driven=True)
        if others:
            q = q.join(Event, Event.id == table.event_id).where(*others)
    if f.cursor:
        d, i = decode_cursor(f.cursor)
        q = q.where(or_(date_col < d, and_(date_col == d, id_col < i)) if desc else
                    or_(date_col > d, and_(date_col == d, id_col > i)))
    order = (date_col.desc(), id_col.desc()) if desc else (date_col.asc(), id_col.asc())
    return session.execute(q.order_by(*order).limit(size + 1)).all()


def count_events(session: Session, f: Filters) -> int:
    """How many events a view holds: read from the facet totals when it filters on one facet at most, else
    from the totals and bounded walks (kept.py), else (text, minimum sources) counted once per data version."""
    key = total_key(session, f)
    if key is not None:
        return totals(session, key).get("", 0)
    def compute() -> int:
        n = kept.count(session, f)
        return count_live(session, f) if n is None else n
    return cached(session, ("count", f.cache_key), compute)


def count_live(session: Session, f: Filters) -> int:
    return session.execute(select(func.count()).select_from(Event).where(*conditions(session, f))).scalar_one()


def total_key(session: Session, f: Filters) -> str | None:
    """The facet-totals key of a view that filters on one actor, topic or type at most ('*' for none);
    None when it needs more (dates, text, two facets)."""
    if f.date_from or f.date_to or f.q or f.min_sources or len(f.types) > 1:
        return None
    keys = [f"a:{i}" for i in _ids(session, Actor, f.actors)] + [f"t:{i}" for i in _ids(session, Topic, f.topics)] + \
        [f"y:{t}" for t in f.types]
    return keys[0] if len(keys) == 1 else tally.ALL if not keys else None


def totals(session: Session, key: str) -> dict[str, int]:
    """A facet's row of the totals table: its total (''), months ('m:YYYY-MM') and pairs (other keys)."""
    return cached(session, ("totals", key), lambda: dict(session.execute(
        select(FacetTotal.other, FacetTotal.n).where(FacetTotal.facet == key, FacetTotal.n > 0)).all()))


_MISSING = object()


class LRU:
    """A bounded least-recently-used map, safe across the threads of one process."""

    def __init__(self, size: int):
        self.size, self.data, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.data.get(key, _MISSING)
            if value is not _MISSING:
                self.data.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)


_CACHE = LRU(512)  # per view: counts, facet lists, histograms, rendered panels
ORDERED = LRU(16)  # text views: their events in date order, as packed keys (a few MB for 300,000 events)


def data_version(session: Session) -> int:
    """The database's write counter, read once per session (a request)."""
    if "data_version" not in session.info:
        rows = raw_rows(session, "SELECT version, max_span_days FROM dataversion WHERE id = 1")
        session.info["data_version"], session.info["max_span"] = rows[0] if rows else (0, 0)
    return session.info["data_version"]


def max_span(session: Session) -> int:
    """The longest event stored, in days (an upper bound kept by every write)."""
    data_version(session)
    return session.info["max_span"]


_LOCKS: dict = {}
_LOCKS_GUARD = threading.Lock()


def cached(session: Session, key, compute, store: LRU = _CACHE):
    """Facet counts, totals and histograms per view, kept until the data changes (any write bumps the
    version). Concurrent requests for the same cold view wait for one computation instead of repeating it."""
    full = (str(session.get_bind().url), data_version(session), key)
    hit = store.get(full)
    if hit is not _MISSING:
        return hit
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(full, threading.Lock())
    with lock:
        value = store.get(full)
        if value is _MISSING:
            value = compute()
            store.put(full, value)
    with _LOCKS_GUARD:
        _LOCKS.pop(full, None)
    return value


PER_EVENT = LRU(20_000)


def per_event(session: Session, kind, ids: list[int], build) -> list:
    """Something derived from each event (a rendered card, its JSON), kept per event and data version:
    build(missing ids) -> {id: value} runs only for the events not kept yet. Values in the order of ids."""
    scope = (str(session.get_bind().url), data_version(session), kind)
    found = {i: PER_EVENT.get((scope, i)) for i in ids}
    missing = [i for i, v in found.items() if v is _MISSING]
    if missing:
        for i, value in build(missing).items():
            PER_EVENT.put((scope, i), value)
            found[i] = value
    return [found[i] for i in ids if found[i] is not _MISSING]


def all_events(session: Session, f: Filters, limit: int = 100_000) -> list[EventView]:
    """Every event of a view (for exports), in the view's order."""
    conds = conditions(session, f)
    order = (Event.date_start.desc(), Event.id.desc()) if f.order == "desc" else (Event.date_start.asc(), Event.id.asc())
    ids = session.execute(select(Event.id).where(*conds).order_by(*order).limit(limit)).scalars().all()
    return load_events(session, list(ids))


def load_events(session: Session, ids: list[int], sources: bool = True) -> list[EventView]:
    """Events by id, in the given order, with actors, topics and sources (plain column reads, no ORM objects)."""
    if not ids:
        return []
    e = Event.__table__.c
    rows = {r.id: r for r in session.execute(
        select(e.id, e.date, e.date_start, e.date_end, e.precision, e.approximate, e.type, e.plover, e.cameo,
               e.title, e.slug, e.source_count, e.confidence, e.hidden).where(e.id.in_(ids)))}
    actors: dict[int, list[dict]] = defaultdict(list)
    ea, a = EventActor.__table__.c, Actor.__table__.c
    for event_id, slug, name, kind, role in session.execute(
            select(ea.event_id, a.slug, a.name, a.kind, ea.role).join_from(EventActor, Actor, a.id == ea.actor_id)
            .where(ea.event_id.in_(ids))):
        actors[event_id].append({"slug": slug, "name": name, "kind": kind, "role": role})
    topics: dict[int, list[dict]] = defaultdict(list)
    et, t = EventTopic.__table__.c, Topic.__table__.c
    for event_id, slug, name in session.execute(
            select(et.event_id, t.slug, t.name).join_from(EventTopic, Topic, t.id == et.topic_id).where(et.event_id.in_(ids))):
        topics[event_id].append({"slug": slug, "name": name})
    srcs: dict[int, list[SourceView]] = defaultdict(list)
    if sources:
        es, ar = EventSource.__table__.c, Article.__table__.c
        for r in session.execute(
                select(es.id, es.event_id, ar.id.label("article_id"), ar.title, ar.outlet, ar.published, ar.url,
                       es.sentence, es.start, es.end, es.rules, es.merge_reason)
                .join_from(EventSource, Article, ar.id == es.article_id)
                .where(es.event_id.in_(ids)).order_by(ar.published, es.id)):
            srcs[r.event_id].append(SourceView(r.id, r.article_id, r.title, r.outlet, _as_date(r.published), r.url,
                                               r.sentence, r.start, r.end, [x for x in r.rules.split(",") if x],
                                               r.merge_reason))
    rank = {"initiator": 0, "counterpart": 1, "mentioned": 2}
    out = []
    for i in ids:
        r = rows.get(i)
        if r is None:
            continue
        out.append(EventView(r.id, r.date, _as_date(r.date_start), _as_date(r.date_end), r.precision, bool(r.approximate),
                             r.type, r.plover, r.cameo, r.title, r.slug, r.source_count, r.confidence,
                             sorted(actors[i], key=lambda x: rank.get(x["role"], 3)), topics[i], srcs[i], bool(r.hidden)))
    return out


# ---------------------------------------------------------------- facets and density
def facet_counts(session: Session, f: Filters, kind: str, limit: int = 60) -> list[dict]:
    """Counts per actor, topic or type under every other active filter."""
    return cached(session, ("facet", kind, limit, f.cache_key), lambda: _facet_counts(session, f, kind, limit))


def _facet_counts_from_totals(session: Session, key: str, kind: str, limit: int) -> list[dict]:
    return _facet_list(session, totals(session, key), kind, limit)


def _facet_list(session: Session, row: dict[str, int], kind: str, limit: int) -> list[dict]:
    """Facet values with their counts from a row of counts per facet key (other keys ignored)."""
    prefix = {"actor": "a:", "topic": "t:", "type": "y:"}[kind]
    if kind == "type":
        types = load_lexicon().types
        found = [{"slug": k[2:], "name": types[k[2:]].label if k[2:] in types else k[2:], "count": n}
                 for k, n in row.items() if k.startswith(prefix) and n]
    else:
        names = _names(session, Actor if kind == "actor" else Topic)
        found = [dict(names[int(k[2:])], count=n) for k, n in row.items()
                 if k.startswith(prefix) and n and int(k[2:]) in names]
    found.sort(key=lambda x: (-x["count"], x["name"]))
    return found[:limit] if kind != "type" else found


def _names(session: Session, model) -> dict[int, dict]:
    if model is Actor:
        return cached(session, ("names", "actor"), lambda: {
            i: {"slug": s, "name": n, "kind": k} for i, s, n, k in session.execute(select(Actor.id, Actor.slug, Actor.name, Actor.kind))})
    return cached(session, ("names", "topic"), lambda: {
        i: {"slug": s, "name": n, "kind": ""} for i, s, n in session.execute(select(Topic.id, Topic.slug, Topic.name))})


def _facet_counts(session: Session, f: Filters, kind: str, limit: int) -> list[dict]:
    def grouped(g: Filters, n: int) -> list[dict]:
        key = total_key(session, g)
        if key is not None:
            return _facet_counts_from_totals(session, key, kind, n)
        row = kept.per_value(session, g, {"actor": "a:", "topic": "t:", "type": "y:"}[kind])
        return _grouped_live(session, g, kind, n) if row is None else _facet_list(session, row, kind, n)
    return combined(session, f, kind, limit, grouped, lambda g: count_events(session, g))


def facet_counts_live(session: Session, f: Filters, kind: str, limit: int) -> list[dict]:
    """facet_counts counted from the events alone (what the totals must agree with)."""
    return combined(session, f, kind, limit, lambda g, n: _grouped_live(session, g, kind, n),
                    lambda g: count_live(session, g))


def combined(session: Session, f: Filters, kind: str, limit: int, grouped, count) -> list[dict]:
    """The combining rule, applied to counts: actors and topics narrow (an event must have every one chosen),
    types widen (an event may be of any type chosen), kinds combine by AND. Each value's count is the total
    of the view its link leads to: adding the value when it is off, removing it when it is on.
    grouped(view, limit) gives a view's events per value of the facet; count(view) a view's total."""
    if kind == "type":
        return _type_counts(f, grouped(replace(f, types=()), 0))
    chosen = getattr(f, kind + "s")
    found = grouped(f, limit + len(chosen))
    names = _names(session, Actor if kind == "actor" else Topic)
    by_slug = {v["slug"]: v for v in names.values()}
    on = [dict(by_slug.get(v) or {"slug": v, "name": f.label(kind, v), "kind": ""},
               count=count(replace(f, **{kind + "s": tuple(c for c in chosen if c != v)}))) for v in chosen]
    return on + [x for x in found if x["slug"] not in chosen][:limit]


def _type_counts(f: Filters, rows: list[dict]) -> list[dict]:
    """Types widen, so a view's total is the sum of its types' counts under the other filters (rows)."""
    base = {r["slug"]: r for r in rows}
    for t in f.types:
        base.setdefault(t, {"slug": t, "name": f.label("type", t), "count": 0})
    counts = {slug: r["count"] for slug, r in base.items()}
    chosen = sum(counts[t] for t in f.types)

    def after_click(t: str) -> int:
        if t not in f.types:
            return chosen + counts[t] if f.types else counts[t]
        rest = [x for x in f.types if x != t]
        return sum(counts[x] for x in rest) if rest else sum(counts.values())
    out = [dict(r, count=after_click(slug)) for slug, r in base.items()]
    return sorted(out, key=lambda x: (x["slug"] not in f.types, -x["count"], x["name"]))


def _grouped_live(session: Session, f: Filters, kind: str, limit: int) -> list[dict]:
    """The view's events per value of a facet (every filter applied), counted from the events."""
    conds = conditions(session, f)
    filtered = select(Event.id).where(*conds)
    if kind == "type":
        # grouped by an expression: SQLite then narrows by the filters' index instead of walking the whole
        # type index to avoid a sort
        etype = Event.type.concat("").label("t")
        rows = session.execute(select(etype, func.count()).where(*conds).group_by(etype)).all()
        types = load_lexicon().types
        return sorted(({"slug": t, "name": types[t].label if t in types else t, "count": n} for t, n in rows),
                      key=lambda x: (-x["count"], x["name"]))
    link, model, key = (EventActor, Actor, EventActor.actor_id) if kind == "actor" else (EventTopic, Topic, EventTopic.topic_id)
    q = select(model.slug, model.name, func.count()).join(link, key == model.id)
    if conds:
        q = q.where(link.event_id.in_(filtered))
    if kind == "actor":
        q = q.where(EventActor.role != "mentioned").add_columns(Actor.kind)
    rows = session.execute(q.group_by(model.id).order_by(func.count().desc(), model.name).limit(limit)).all()
    return [{"slug": r[0], "name": r[1], "count": r[2], "kind": r[3] if len(r) > 3 else ""} for r in rows]


def histogram(session: Session, f: Filters) -> tuple[str, list[Bucket]]:
    """Events per day, week or month (chosen by the span) for the current filters."""
    return cached(session, ("histogram", f.cache_key), lambda: _histogram(session, f))


def _histogram(session: Session, f: Filters) -> tuple[str, list[Bucket]]:
    key = total_key(session, f)
    if key is not None:
        months = sorted((k[2:], n) for k, n in totals(session, key).items() if k.startswith("m:"))
        if not months:
            return "month", []
        first, last = (dt.date.fromisoformat(m + "-01") for m in (months[0][0], months[-1][0]))
        if (last.year - first.year) * 12 + last.month - first.month >= 14:  # spans > 370 days: months, as below
            return "month", [Bucket(d, _period_end("month", d), n) for d, n in
                             ((dt.date.fromisoformat(m + "-01"), n) for m, n in months)]
    per_month = kept.months(session, f)
    return histogram_live(session, f) if per_month is None else _histogram_kept(session, f, per_month)


def _histogram_kept(session: Session, f: Filters, per_month) -> tuple[str, list[Bucket]]:
    """histogram_live's strip from the view's events per month (kept.months): months when the events span
    more than 370 days, else the days between the first and the last event, walked (a year at most)."""
    if not per_month:
        return "month", []
    first, last = (dt.date.fromisoformat(m + "-01") for m in (min(per_month), max(per_month)))
    unit = "month"
    if (last - _period_end("month", first)).days <= 370:  # the exact first and last days decide
        lo = min(kept.events_between(session, f, first, _period_end("month", first)))
        hi = max(kept.events_between(session, f, last, _period_end("month", last)))
        span = (hi - lo).days
        unit = "day" if span <= 62 else "week" if span <= 370 else "month"
    if unit == "month":
        return unit, [Bucket(d, _period_end("month", d), n) for d, n in
                      sorted((dt.date.fromisoformat(m + "-01"), n) for m, n in per_month.items())]
    start = (lambda d: d) if unit == "day" else (lambda d: shift(d, -d.weekday()))
    counted = Counter(start(d) for d in kept.events_between(session, f, lo, hi))
    return unit, [Bucket(d, _period_end(unit, d), n) for d, n in sorted(counted.items())]


def histogram_live(session: Session, f: Filters) -> tuple[str, list[Bucket]]:
    conds = conditions(session, f)
    lo, hi = session.execute(select(func.min(Event.date_start), func.max(Event.date_start)).where(*conds)).one()
    if lo is None:
        return "month", []
    lo, hi = _as_date(lo), _as_date(hi)
    span = (hi - lo).days
    unit = "day" if span <= 62 else "week" if span <= 370 else "month"
    dialect = session.get_bind().dialect.name
    period = _period(unit, dialect)
    rows = session.execute(select(period.label("p"), func.count()).where(*conds).group_by(text("p")).order_by(text("p"))).all()
    buckets = []
    for p, n in rows:
        start = _as_date(p)
        buckets.append(Bucket(start, _period_end(unit, start), n))
    return unit, buckets


def _as_date(v) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def _period(unit: str, dialect: str):
    if dialect == "sqlite":
        if unit == "day":
            return Event.date_start
        if unit == "week":
            return func.date(Event.date_start, "weekday 0", "-6 days")
        return func.strftime("%Y-%m-01", Event.date_start)
    return func.date_trunc(unit, Event.date_start)


def _period_end(unit: str, start: dt.date) -> dt.date:
    if unit == "day":
        return start
    if unit == "week":
        return shift(start, 6)
    nxt = shift(start.replace(day=28), 4).replace(day=1)
    return shift(nxt, -1) if nxt > start else dt.date.max


# ---------------------------------------------------------------- single pages
def get_event(session: Session, event_id: int) -> EventView | None:
    found = load_events(session, [event_id])
    return found[0] if found else None


def related_events(session: Session, ev: EventView, days: int = 14, limit: int = 10) -> list[EventView]:
    """Events sharing a core actor within ±days."""
    slugs = tuple(a["slug"] for a in ev.core_actors)
    ids = _ids(session, Actor, slugs)
    if not ids:
        return []
    lo, hi = shift(ev.date_start, -days), shift(ev.date_start, days)
    rows = session.execute(
        select(EventActor.event_id, func.count().label("n")).where(
            EventActor.actor_id.in_(ids), EventActor.role != "mentioned", EventActor.date_start.between(lo, hi),
            EventActor.event_id != ev.id)
        .group_by(EventActor.event_id).order_by(text("n DESC"), EventActor.event_id).limit(limit)).all()
    related = load_events(session, [r[0] for r in rows], sources=False)
    return sorted(related, key=lambda e: (e.date_start, e.id))


def get_actor(session: Session, slug: str) -> Actor | None:
    return session.execute(select(Actor).where(Actor.slug == slug)).scalar_one_or_none()


def counterparts(session: Session, actor: Actor, limit: int = 12) -> list[dict]:
    """The actors that most often take part in an event with this one; each count is the number of events
    of the pair's view (both actors taking part, as the timeline filters them)."""
    f = Filters(actors=(actor.slug,))
    return [{"slug": a["slug"], "name": a["name"], "count": a["count"], "url": f.toggle("actors", a["slug"])}
            for a in facet_counts(session, f, "actor", limit + 1) if a["slug"] != actor.slug][:limit]


def get_article(session: Session, article_id: int) -> Article | None:
    return session.get(Article, article_id)


def article_sources(session: Session, article_id: int) -> list[tuple[EventSource, EventView]]:
    sources = session.execute(select(EventSource).where(EventSource.article_id == article_id)
                              .order_by(EventSource.start)).scalars().all()
    events = {e.id: e for e in load_events(session, list({s.event_id for s in sources}), sources=False)}
    return [(s, events[s.event_id]) for s in sources if s.event_id in events]


def slug_labels(session: Session, f: Filters) -> dict:
    """Names for the slugs a view filters on, so chips read 'Vladimir Putin', not 'vladimir-putin'."""
    labels = {}
    if f.actors:
        labels.update({("actor", s): n for s, n in session.execute(select(Actor.slug, Actor.name).where(Actor.slug.in_(f.actors)))})
    if f.topics:
        labels.update({("topic", s): n for s, n in session.execute(select(Topic.slug, Topic.name).where(Topic.slug.in_(f.topics)))})
    types = load_lexicon().types
    labels.update({("type", t): types[t].label for t in f.types if t in types})
    return labels


def event_history(session: Session, event_id: int) -> list:
    """Editors' corrections recorded against this event's sources, oldest first (undone ones too)."""
    from app.pipeline.corrections import history

    sources = session.execute(select(EventSource.article_id, EventSource.mention).where(EventSource.event_id == event_id)).all()
    return history(session, sources)
