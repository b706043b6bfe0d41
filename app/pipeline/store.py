"""Idempotent writes: articles, their event sources, and the events they group into.

The only pipeline module that touches the database. One transaction per article: an article
is stored whole with its sources, or not at all.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, func, insert, null, text, true, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.lexicon import load_lexicon, slugify
from app.models import Actor, Article, Event, EventActor, EventSource, EventTopic, SplitLock, Topic, utcnow
from app.pipeline.dates import precision as value_precision
from app.pipeline.events import EventCandidate, Role, covering_value, cue_count, extract_events, make_title
from app.pipeline.merge import (Report, event_interval, group_reports_blocked, is_same_act, majority_roles,
                                merge_reason)
from app.pipeline import corrections
from app.pipeline.reader import RawArticle
from app.timeline import tally

WINDOW_CAP_DAYS = 31


@dataclass(frozen=True)
class IngestResult:
    status: str  # new, updated, unchanged
    article_id: int
    events: int = 0


def extract(raw: RawArticle) -> list[EventCandidate]:
    """The events of one article (the extractor the store uses)."""
    return extract_events(raw.body, raw.published)


def sync_lexicon(session: Session) -> None:
    """Make the Actor and Topic tables hold every lexicon entry."""
    lex = load_lexicon()
    have = set(session.exec(select(Actor.slug)).all())
    for a in lex.actors.values():
        if a.slug not in have:
            session.add(Actor(slug=a.slug, name=a.name, kind=a.kind, role=a.role, state=a.affiliation or "",
                              aliases="|".join(a.aliases + a.demonyms + a.metonyms)))
    have_topics = set(session.exec(select(Topic.name)).all())
    for name in lex.topics:
        if name not in have_topics:
            session.add(Topic(slug=slugify(name), name=name))
    session.commit()


def mention_key(c: EventCandidate) -> str:
    """What identifies a mention across re-extractions: sentence, type, core actors and date (one
    sentence may state two acts of one type by the same actors: 'met on Friday, their first meeting since 2019')."""
    return f"{c.start}:{c.type}:{'+'.join(sorted(c.core_actors))}:{c.date}"


def ensure_actors(conn, candidates: list[EventCandidate]) -> None:
    """Discovered actors get rows of their own, like the gazetteer's (which sync_lexicon writes)."""
    wanted = {r.slug: r for c in candidates for r in c.actors if r.discovered}
    if not wanted:
        return
    have = set(conn.execute(select(Actor.slug).where(Actor.slug.in_(list(wanted)))).scalars())
    rows = [{"slug": slug, "name": r.name, "kind": r.kind, "role": "", "aliases": "|".join(r.aliases),
             "discovered": True, "state": r.state} for slug, r in wanted.items() if slug not in have]
    if rows:
        conn.execute(insert(Actor), rows)


def ingest_article(session: Session, raw: RawArticle) -> IngestResult:
    """Store one article and its events; the same article twice changes nothing."""
    session.flush()
    conn = session.connection()
    existing = conn.execute(select(Article.id, Article.content_hash).where(Article.key == raw.key)).first()
    if existing and existing.content_hash == raw.content_hash:
        return IngestResult("unchanged", existing.id)
    candidates = extract(raw)
    pending = Regroup()
    values = {"title": raw.title, "published": raw.published, "outlet": raw.outlet, "url": raw.url, "source": raw.source,
              "summary_only": raw.summary_only, "body": raw.body, "content_hash": raw.content_hash,
              "ingested_at": utcnow()}
    if existing:
        article_id = existing.id
        _drop_sources(session, article_id, pending)
        conn.execute(update(Article).where(Article.id == article_id).values(**values))
    else:
        article_id = conn.execute(insert(Article).values(key=raw.key, **values).returning(Article.id)).scalar_one()
    ensure_actors(conn, candidates)
    _add_sources(session, article_id, raw.key, candidates, pending)
    recluster(session, pending)
    bump_version(session)
    session.commit()
    return IngestResult("updated" if existing else "new", article_id, len(candidates))


def ingest_safely(session: Session, raw: RawArticle) -> IngestResult:
    """ingest_article, where another process storing the same article first counts as unchanged."""
    try:
        return ingest_article(session, raw)
    except IntegrityError:
        session.rollback()
        again = session.exec(select(Article).where(Article.key == raw.key)).first()
        if again is None:
            raise
        return IngestResult("unchanged", again.id)


# ---------------------------------------------------------------- regrouping (every write but a bulk load)
#
# Grouping is a function of the set of sources (merge.group_reports_blocked, as a bulk load computes it),
# and it splits along the connected parts of the same-act graph: two sources are linked when merge's
# sweep would compare them (one type, a shared actor, overlapping dates) and they state the same act.
# A write changes some sources; only the parts that hold them, or held the ones it removed, can group
# differently. `recluster` finds those parts whole (from the changed sources, reading the sources whose
# dates reach theirs, again from each source found), groups them and writes only what changed, through
# SQLAlchemy Core and executemany: sources that move, events whose sources changed, their facets, search
# rows and totals. Whatever the order of the writes, the result is the bulk load's.

SOURCE_COLUMNS = ["id", "event_id", "article_id", "sentence", "start", "end", "rules", "mention", "type", "initiator",
                  "date", "date_start", "date_end", "approximate", "actors", "topics", "merge_reason", "pinned", "lock",
                  "wide"]
EVENT_FIELDS = ["date", "date_start", "date_end", "precision", "approximate", "type", "plover", "cameo", "title", "slug",
                "summary", "source_count", "confidence", "hidden"]


class Loaded:
    """A source while regrouping: a row of eventsource (id set), or a new one (id 0, no event yet)."""

    __slots__ = (*SOURCE_COLUMNS, "akey", "_report")

    def __init__(self, akey: str, **values):
        for k in SOURCE_COLUMNS:
            setattr(self, k, values[k])
        self.akey = akey
        self._report = None

    @property
    def report(self) -> Report:
        if self._report is None:
            self._report = _report(self, self.akey)
        return self._report

    @property
    def rkey(self) -> tuple:
        return (self.akey, self.mention)

    def keys(self) -> frozenset:
        """The actors merge's sweep lists it under (its core actors, or else its initiator)."""
        return self.report.core or frozenset({self.initiator})


@dataclass
class Regroup:
    """What one write changed, for `recluster`: new sources (not yet stored), sources removed (already
    deleted), stored sources to regroup (ids), events whose sources changed outside recluster."""

    new: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    seeds: set = field(default_factory=set)
    dirty: set = field(default_factory=set)


_S = EventSource.__table__
_A = Article.__table__
_E = Event.__table__
_SOURCE_SELECT = select(*(_S.c[k] for k in SOURCE_COLUMNS), _A.c.key).join_from(_S, _A, _A.c.id == _S.c.article_id)
# while regrouping, stored sources are read without their articles' keys (the join was most of a read's cost;
# linking never needs them), and _parts fills the keys in for the sources it keeps
_KEYLESS_SELECT = select(*(_S.c[k] for k in SOURCE_COLUMNS), null())


def _loaded(rows) -> list[Loaded]:
    out = []
    for row in rows:
        values = dict(zip(SOURCE_COLUMNS, row))
        values["approximate"], values["pinned"], values["wide"] = bool(values["approximate"]), bool(values["pinned"]), \
            bool(values["wide"])
        out.append(Loaded(row[-1], **values))
    return out


def _drop_sources(session: Session, article_id: int, pending: Regroup | None = None) -> Regroup:
    """Delete an article's sources; their events and the sources they grouped with are regrouped by recluster."""
    pending = pending or Regroup()
    conn = session.connection()
    old = _loaded(conn.execute(_SOURCE_SELECT.where(_S.c.article_id == article_id)))
    pending.removed += old
    pending.dirty |= {s.event_id for s in old}  # those that keep other sources change too
    if old:
        conn.execute(delete(EventSource).where(EventSource.article_id == article_id))
    return pending


def _add_sources(session: Session, article_id: int, article_key: str, candidates: list[EventCandidate],
                 pending: Regroup) -> Regroup:
    """The article's new sources, held for recluster (which gives them events and stores them)."""
    if not candidates:
        return pending
    locks = dict(session.connection().execute(select(SplitLock.mention, SplitLock.lock)
                                              .where(SplitLock.article_id == article_id)).all())
    for c in candidates:
        mention = mention_key(c)
        pending.new.append(Loaded(
            article_key, id=0, event_id=0, article_id=article_id, sentence=c.evidence, start=c.start, end=c.end,
            rules=",".join(c.rules), mention=mention, type=c.type, initiator=c.initiator or "", date=c.date,
            date_start=c.date_start, date_end=c.date_end, approximate=c.approximate,
            actors=",".join(f"{r.slug}:{r.role}" for r in c.actors), topics="|".join(c.topics), merge_reason="",
            pinned=mention in locks, lock=locks.get(mention, ""), wide=is_wide(c)))
    return pending


def _report(s, article_key: str) -> Report:
    core = frozenset(a.split(":")[0] for a in s.actors.split(",") if a and not a.endswith(":mentioned"))
    return Report((article_key, s.mention), s.type, s.date_start, s.date_end, s.approximate,
                  s.initiator, core, frozenset(t for t in s.topics.split("|") if t), s.lock)


def is_wide(c) -> bool:
    """A source spanning more than a regrouping window (found apart: its start can be long before a window)."""
    return (c.date_end - c.date_start).days > WINDOW_CAP_DAYS


def _reach_conditions(etype: str, lo: dt.date, hi: dt.date) -> list[tuple]:
    """Sources of one type whose dates reach into [lo, hi], as two bounded index ranges: sources of a month
    at most start within a month before lo; wider ones (few) are read by their end."""
    floor = lo - dt.timedelta(days=WINDOW_CAP_DAYS) if lo > dt.date.min + dt.timedelta(days=WINDOW_CAP_DAYS) else dt.date.min
    return [(EventSource.type == etype, EventSource.date_start >= floor, EventSource.date_start <= hi,
             EventSource.date_end >= lo),
            (EventSource.type == etype, EventSource.wide == true(), EventSource.date_end >= lo,
             EventSource.date_start <= hi)]


def _reaching(session: Session, etype: str, lo: dt.date, hi: dt.date) -> list[tuple[EventSource, str]]:
    """Sources of one type whose dates reach into [lo, hi] (ORM objects, with their articles' keys)."""
    rows = []
    for cond in _reach_conditions(etype, lo, hi):
        rows += session.exec(select(EventSource, Article.key).join(Article, Article.id == EventSource.article_id)
                             .where(*cond)).all()
    unique = {s.id: (s, key) for s, key in rows}  # a wide source may also start inside the first range
    return sorted(unique.values(), key=lambda sk: sk[0].id)


def _linked(a: Report, b: Report) -> bool:
    """An edge of the same-act graph, as group_reports_blocked's sweep finds it."""
    return (a.type == b.type and a.start <= b.end and b.start <= a.end
            and bool((a.core or {a.initiator}) & (b.core or {b.initiator})) and is_same_act(a, b))


class _Reach:
    """Stored sources read while regrouping, each once (by id). A source is only ever linked to sources of
    its type that share one of its keys (`Loaded.keys`) and whose dates overlap its own, so sources are read
    by (type, key, date range), the key tested in SQL (a superset: `_linked` decides), and the ranges
    already read are remembered per (type, key)."""

    def __init__(self, conn):
        self.conn = conn
        self.by_id: dict[int, Loaded] = {}
        self.by_key: dict[tuple[str, str], dict[int, Loaded]] = {}
        self.read: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = {}
        self.events_read: set[int] = set()
        self.memo: dict[tuple, list[Loaded]] = {}

    def _keep(self, rows) -> list[Loaded]:
        out = []
        for s in _loaded(rows):
            out.append(self.by_id.setdefault(s.id, s))
        return out

    def _covered(self, tk: tuple[str, str], lo: dt.date, hi: dt.date) -> bool:
        """Whether ranges already read cover [lo, hi] (days are discrete: [a, b] and [b + 1, c] cover [a, c])."""
        for a, b in sorted(self.read.get(tk, ())):
            if a > lo:
                return False
            if b >= lo:
                if b >= hi:
                    return True
                lo = b + dt.timedelta(days=1)
        return False

    def fetch(self, windows) -> None:
        """Read every source of type t listed under key k whose dates reach [lo, hi], for each (t, k, lo, hi)
        given: the ranges of one type joined where they overlap (their keys with them), one statement per
        100 joined ranges."""
        out: list[tuple[str, dt.date, dt.date, set]] = []
        for t, k, a, b in sorted((w for w in set(windows) if not self._covered(w[:2], *w[2:])),
                                 key=lambda w: (w[0], w[2], w[3], w[1])):
            if out and out[-1][0] == t and a <= out[-1][2]:
                out[-1] = (t, out[-1][1], max(b, out[-1][2]), out[-1][3] | {k})
            else:
                out.append((t, a, b, {k}))
        sqlite = self.conn.dialect.name == "sqlite"
        mark = "?" if sqlite else "%s"
        for i in range(0, len(out), 100):
            part = out[i:i + 100]
            terms, params = [], []
            for j, (t, a, b, keys) in enumerate(part):
                keyed = " OR ".join(["s.actors LIKE ? ESCAPE '\\' OR s.initiator = ?"] * len(keys))
                listed = [x for k in sorted(keys) for x in (_like(k), k)]
                lo, hi = (a.isoformat(), b.isoformat()) if sqlite else (a, b)
                floor = a - dt.timedelta(days=WINDOW_CAP_DAYS) if a > dt.date.min + dt.timedelta(days=WINDOW_CAP_DAYS) \
                    else dt.date.min
                if (b - floor).days < 400:  # each start day sought apart: no scan over a month of other days
                    days = ", ".join(f"'{floor + dt.timedelta(days=n)}'" for n in range((b - floor).days + 1))
                    terms.append(_REACH_SQL[0].format(days=days, keyed=keyed))
                    params += [j, t, lo, *listed]
                else:
                    terms.append(_REACH_SQL[1].format(keyed=keyed))
                    params += [j, t, floor.isoformat() if sqlite else floor, hi, lo, *listed]
                terms.append(_REACH_SQL[2].format(keyed=keyed))
                params += [j, t, True, lo, hi, *listed]
            sql = " UNION ALL ".join(terms)
            rows = self.conn.exec_driver_sql(sql if sqlite else sql.replace("?", "%s"), tuple(params)).fetchall()
            for s, row in zip(self._keep(_typed(row[1:]) for row in rows), rows):
                t, _, _, keys = part[row[0]]
                for k in keys:  # listed under one of them at least (a superset of each key's: _linked decides)
                    self.by_key.setdefault((t, k), {})[s.id] = s
            for t, a, b, keys in part:
                for k in keys:
                    self.read.setdefault((t, k), []).append((a, b))

    def around(self, s) -> list[Loaded]:
        """Stored sources that may be linked to s: of its type, sharing a key, dates overlapping. (Remembered:
        many sources of a part share type, keys and dates, and once a range is read for a key, later reads
        only add sources outside it or, under the other keys of a joined range, more of the superset.)"""
        keys = s.keys()
        memo = (s.type, keys, s.date_start, s.date_end)
        if memo in self.memo:
            return self.memo[memo]
        self.fetch([(s.type, k, s.date_start, s.date_end) for k in keys])
        found: dict[int, Loaded] = {}
        for k in keys:
            for o in self.by_key.get((s.type, k), {}).values():
                if o.date_start <= s.date_end and o.date_end >= s.date_start:
                    found[o.id] = o
        self.memo[memo] = out = list(found.values())
        return out

    def by_ids(self, ids) -> list[Loaded]:
        missing = sorted(set(ids) - set(self.by_id))
        if missing:
            self._keep(self.conn.execute(_KEYLESS_SELECT.where(_S.c.id.in_(missing))))
        return [self.by_id[i] for i in ids if i in self.by_id]

    def short_events(self, held: dict[int, int]) -> set[int]:
        """The events that have more stored sources than `held` counts (those not read whole already)."""
        ids = sorted(set(held) - self.events_read)
        if not ids:
            return set()
        counts = self.conn.execute(select(_S.c.event_id, func.count()).where(_S.c.event_id.in_(ids))
                                   .group_by(_S.c.event_id)).all()
        return {e for e, n in counts if n > held[e]}

    def of_events(self, event_ids) -> list[Loaded]:
        """Every stored source of these events."""
        missing = sorted(set(event_ids) - self.events_read)
        if missing:
            self._keep(self.conn.execute(_KEYLESS_SELECT.where(_S.c.event_id.in_(missing))))
            self.events_read |= set(missing)
        wanted = set(event_ids)
        return [s for s in self.by_id.values() if s.event_id in wanted]


_SELECTED = ", ".join(f's."{c}"' for c in SOURCE_COLUMNS)
# _reach_conditions as driver SQL, for sources listed under some keys (or a few more: their actors hold 'key:'):
# read on every write, where SQLAlchemy's statement building cost more than the query
_REACH_SQL = (
    # sources of a month at most, their start days listed (ISO literals made here from dates)
    f"SELECT CAST(? AS INTEGER) AS q, {_SELECTED}, NULL FROM eventsource s "
    "WHERE s.type = ? AND s.date_start IN ({days}) AND s.date_end >= ? AND ({keyed})",
    # the same over a range of start days, for a range too long to list
    f"SELECT CAST(? AS INTEGER) AS q, {_SELECTED}, NULL FROM eventsource s "
    "WHERE s.type = ? AND s.date_start >= ? AND s.date_start <= ? AND s.date_end >= ? AND ({keyed})",
    # wider sources, by their end
    f"SELECT CAST(? AS INTEGER) AS q, {_SELECTED}, NULL FROM eventsource s "
    "WHERE s.type = ? AND s.wide = ? AND s.date_end >= ? AND s.date_start <= ? AND ({keyed})")


def _like(key: str) -> str:
    """A LIKE pattern for actors lists holding 'key:' (a superset of those listing key as an actor)."""
    return "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ":%"


_DATE_AT = (SOURCE_COLUMNS.index("date_start"), SOURCE_COLUMNS.index("date_end"))


def _typed(row) -> tuple:
    """A driver row of _SELECTED as SQLAlchemy would give it (SQLite holds dates as ISO text)."""
    row = list(row)
    for i in _DATE_AT:
        if isinstance(row[i], str):
            row[i] = dt.date.fromisoformat(row[i][:10])
    return tuple(row)


def _parts(reach: _Reach, pending: Regroup) -> dict[tuple, Loaded]:
    """The sources of every part of the same-act graph that the write touched, whole."""
    reach.fetch([(s.type, k, s.date_start, s.date_end) for s in pending.new + pending.removed for k in s.keys()])
    queue = list(pending.new)
    for r in pending.removed:  # the parts its removal may have cut: from each of its neighbours
        queue += [o for o in reach.around(r) if _linked(r.report, o.report)]
    queue += reach.by_ids(pending.seeds) + reach.of_events(pending.dirty)
    members: dict[tuple, Loaded] = {}
    while queue:
        while queue:  # breadth first: the sources a level needs read in one statement
            level = {}
            for s in queue:
                if _node(s) not in members:
                    level.setdefault(_node(s), s)
            members.update(level)
            reach.fetch([(s.type, k, s.date_start, s.date_end) for s in level.values() for k in s.keys()])
            queue = [o for s in level.values() for o in reach.around(s)
                     if _node(o) not in members and _linked(s.report, o.report)]
        # every source of an event regrouped is regrouped with it (so in a database grouped as a bulk load
        # groups, this finds none)
        held: dict[int, int] = {}
        for s in members.values():
            if s.event_id:
                held[s.event_id] = held.get(s.event_id, 0) + 1
        short = reach.short_events(held)  # counted on the index: the sources are read only where some are missing
        queue = [o for o in reach.of_events(short) if _node(o) not in members] if short else []
    wanted = sorted({s.article_id for s in members.values() if s.akey is None})
    if wanted:
        keys = dict(reach.conn.execute(select(Article.id, Article.key).where(Article.id.in_(wanted))).all())
        for s in members.values():
            if s.akey is None:
                s.akey, s._report = keys[s.article_id], None  # its report again, with its key
    return {s.rkey: s for s in members.values()}


def _node(s: Loaded):
    """A source's identity while regrouping: its id, or the object itself for a new one."""
    return s.id or ("new", id(s))


def recluster(session: Session, pending: Regroup) -> None:
    """Regroup the sources a write touched into events, order-independently, and store what changed."""
    session.flush()
    conn = session.connection()
    reach = _Reach(conn)
    members = _parts(reach, pending)
    ordered = sorted(members.values(), key=lambda s: (s.id == 0, s.id, s.rkey))
    before: dict[int, set] = {}
    for s in ordered:
        if s.event_id:
            before.setdefault(s.event_id, set()).add(s.rkey)
    used: set[int] = set()
    plans = []  # (event id or None, sources, group, changed)
    moves = []
    for group in group_reports_blocked([s.report for s in ordered]):
        sources = [members[r.key] for r in group]
        keep = min((s.event_id for s in sources if s.event_id and s.event_id not in used), default=None)
        if keep is not None:
            used.add(keep)
        changed = keep is None or keep in pending.dirty or before.get(keep) != {s.rkey for s in sources}
        plans.append((keep, sources, group, changed))
        for s, why in zip(sources, merge_reason(group)):
            if s.id and (s.event_id != keep or s.merge_reason != why):
                moves.append(s)
            s.merge_reason = why
    orphans = (set(before) | pending.dirty) - used
    refreshed = [p for p in plans if p[3]]
    # what the events recomputed and deleted hold now; their totals are taken away (as tally.note would)
    old = _stored(conn, [p[0] for p in refreshed if p[0] is not None] + sorted(orphans))
    session.flush()
    totals = session.info.setdefault("facet_totals", Counter())
    for ev, actors, topics in old.values():
        if not ev["hidden"]:
            tally.add(totals, ev["type"], ev["date_start"], [a for a, (role, _) in actors.items() if role != "mentioned"],
                      list(topics), -1)

    lex = load_lexicon()
    correction_rows = corrections.live_rows(session, {s.article_id for _, sources, _, _ in refreshed for s in sources})
    fields = [corrections.apply(session, sources, summarize(sources, lex, group), correction_rows)
              for _, sources, group, _ in refreshed]
    now = utcnow()
    new = [(i, f) for i, (p, f) in enumerate(zip(refreshed, fields)) if p[0] is None]
    ids = [p[0] for p in refreshed]
    if new:
        rows = [{**{k: f[k] for k in EVENT_FIELDS}, "created_at": now, "updated_at": now} for _, f in new]
        made = conn.execute(insert(Event).returning(Event.id, sort_by_parameter_order=True), rows).scalars().all()
        for (i, _), event_id in zip(new, made):
            ids[i] = event_id
    event_of = {id(sources): event_id for (_, sources, _, _), event_id in zip(refreshed, ids)}
    for keep, sources, _, _ in plans:
        event_id = keep if keep is not None else event_of[id(sources)]
        for s in sources:
            s.event_id = event_id
    if moves:
        conn.execute(update(EventSource).where(EventSource.id == bindparam("_id"))
                     .values(event_id=bindparam("_event"), merge_reason=bindparam("_why")),
                     [{"_id": s.id, "_event": s.event_id, "_why": s.merge_reason} for s in moves])
    if pending.new:
        conn.execute(insert(EventSource), [{k: getattr(s, k) for k in SOURCE_COLUMNS if k != "id"} for s in pending.new])
    _delete_events(conn, orphans)
    _write_events(conn, ids, fields, [sources for _, sources, _, _ in refreshed], old, now, totals)
    if fields:
        note_span(conn, max((f["date_end"] - f["date_start"]).days for f in fields))


def _stored(conn, ids: list[int]) -> dict[int, tuple[dict, dict, dict]]:
    """Stored events: {id: (their EVENT_FIELDS, {actor id: (role, date_start)}, {topic id: date_start})}."""
    if not ids:
        return {}
    ea, et = EventActor.__table__, EventTopic.__table__
    out = {row[0]: (dict(zip(EVENT_FIELDS, row[1:])), {}, {})
           for row in conn.execute(select(_E.c.id, *(_E.c[k] for k in EVENT_FIELDS)).where(_E.c.id.in_(ids)))}
    for event_id, actor_id, role, day in conn.execute(select(ea.c.event_id, ea.c.actor_id, ea.c.role, ea.c.date_start)
                                                      .where(ea.c.event_id.in_(ids))):
        out[event_id][1][actor_id] = (role, day)
    for event_id, topic_id, day in conn.execute(select(et.c.event_id, et.c.topic_id, et.c.date_start)
                                                .where(et.c.event_id.in_(ids))):
        out[event_id][2][topic_id] = day
    return out


def _write_events(conn, ids: list[int], fields: list[dict], groups: list[list], old: dict, now, totals: Counter) -> None:
    """Store the recomputed events: for those that existed, only the columns, actors and topics that changed
    (updated_at always); search rows rewritten; their totals added (as tally.note would read them back)."""
    slugs = sorted({slug for f in fields for slug, _ in f["roles"]})
    names = sorted({name for f in fields for name in f["topics"]})
    actor_ids = dict(conn.execute(select(Actor.slug, Actor.id).where(Actor.slug.in_(slugs))).all()) if slugs else {}
    topic_ids = dict(conn.execute(select(Topic.name, Topic.id).where(Topic.name.in_(names))).all()) if names else {}
    updates: dict[tuple, list[dict]] = {}
    actors_gone, actors_new, topics_gone, topics_new = [], [], [], []
    for event_id, f in zip(ids, fields):
        actors = [(actor_ids[slug], role) for slug, role in f["roles"] if slug in actor_ids]
        topics = [topic_ids[name] for name in f["topics"] if name in topic_ids]
        want_actors = {a: (role, f["date_start"]) for a, role in actors}
        want_topics = {t: f["date_start"] for t in topics}
        had_actors, had_topics = ({}, {}) if event_id not in old else old[event_id][1:]
        if event_id in old:
            ev = old[event_id][0]
            cols = tuple(k for k in EVENT_FIELDS if ev[k] != f[k])
            updates.setdefault(cols, []).append({"_id": event_id, "_updated_at": now, **{"_" + k: f[k] for k in cols}})
        if len(want_actors) < len(actors) or len(want_topics) < len(topics):
            # an actor or topic twice (an editor's list): everything rewritten, and the insert fails as it did
            actors_gone += [{"e": event_id, "a": a} for a in had_actors]
            topics_gone += [{"e": event_id, "t": t} for t in had_topics]
            actors_new += [(event_id, a, role, f["date_start"]) for a, role in actors]
            topics_new += [(event_id, t, f["date_start"]) for t in topics]
        else:
            actors_gone += [{"e": event_id, "a": a} for a, v in had_actors.items() if want_actors.get(a) != v]
            actors_new += [(event_id, a, *v) for a, v in want_actors.items() if had_actors.get(a) != v]
            topics_gone += [{"e": event_id, "t": t} for t, v in had_topics.items() if want_topics.get(t) != v]
            topics_new += [(event_id, t, v) for t, v in want_topics.items() if had_topics.get(t) != v]
        if not f["hidden"]:
            tally.add(totals, f["type"], f["date_start"], [a for a, role in actors if role != "mentioned"], topics, +1)
    for cols, rows in updates.items():
        conn.execute(update(Event).where(Event.id == bindparam("_id"))
                     .values(**{k: bindparam("_" + k) for k in cols}, updated_at=bindparam("_updated_at")), rows)
    if actors_gone:
        conn.execute(text("DELETE FROM eventactor WHERE event_id = :e AND actor_id = :a"), actors_gone)
    if topics_gone:
        conn.execute(text("DELETE FROM eventtopic WHERE event_id = :e AND topic_id = :t"), topics_gone)
    if actors_new:
        conn.execute(insert(EventActor), [dict(zip(("event_id", "actor_id", "role", "date_start"), r)) for r in actors_new])
    if topics_new:
        conn.execute(insert(EventTopic), [dict(zip(("event_id", "topic_id", "date_start"), r)) for r in topics_new])
    if conn.dialect.name == "sqlite" and ids:
        stored = [i for i in ids if i in old]
        if stored:
            conn.execute(text("DELETE FROM event_fts WHERE rowid = :id"), [{"id": i} for i in stored])
        conn.execute(text("INSERT INTO event_fts(rowid, title, evidence) VALUES (:id, :t, :e)"),
                     [{"id": i, "t": f["title"], "e": "\n".join(s.sentence for s in group)}
                      for i, f, group in zip(ids, fields, groups)])


def _delete_events(conn, gone: set[int]) -> None:
    """Events left without sources (their totals already taken away)."""
    if not gone:
        return
    ids = sorted(gone)
    conn.execute(delete(EventActor).where(EventActor.event_id.in_(ids)))
    conn.execute(delete(EventTopic).where(EventTopic.event_id.in_(ids)))
    if conn.dialect.name == "sqlite":
        conn.execute(text("DELETE FROM event_fts WHERE rowid = :id"), [{"id": i} for i in ids])
    conn.execute(delete(Event).where(Event.id.in_(ids)))


def summarize(sources: list, lex=None, reports: list[Report] | None = None) -> dict:
    """An event's fields from its sources (objects with EventSource's attributes) and their reports."""
    lex = lex or load_lexicon()
    reports = reports or [_report(s, str(s.article_id)) for s in sources]
    # ties (the first source's quote, role order, equally frequent topics) are broken by the sources'
    # content, never by their ids or the order they arrived in: bulk and one-by-one loads agree
    sources = sorted(sources, key=source_order)
    start, end, approximate = event_interval(reports)
    best = next(s for s in sources if s.date_start == start and s.date_end == end)
    roles = majority_roles([[tuple(a.split(":")) for a in s.actors.split(",") if a] for s in sources])
    topics = [t for t, _ in Counter(t for s in sources for t in s.topics.split("|") if t).most_common()]
    etype = lex.types[sources[0].type]
    date = best.date if value_precision(best.date) != "unknown" else covering_value(start, end)
    precision = value_precision(date) if value_precision(date) != "unknown" else "interval"
    if "date.consequence" in (best.rules or ""):
        precision = "interval"
    title = make_title(etype.slug, [Role(s, r) for s, r in roles], topics, lex)
    return {"date": date, "date_start": start, "date_end": end, "approximate": approximate, "precision": precision,
            "type": etype.slug, "plover": etype.plover, "cameo": etype.cameo, "title": title,
            "slug": slugify(title)[:80], "summary": sources[0].sentence,
            "source_count": len({s.article_id for s in sources}), "roles": roles, "topics": topics,
            "confidence": _confidence(sources)}


def _confidence(sources: list) -> int:
    """The best-carried mention's cues, plus one for each further article that reports the act."""
    best = max(cue_count(s.rules.split(","), [tuple(a.split(":")) for a in s.actors.split(",") if a]) for s in sources)
    return best + len({s.article_id for s in sources}) - 1


def source_order(s) -> tuple:
    """A total order of an event's sources by what they say (ids and arrival order play no part)."""
    return (s.date_start, s.date_end, s.sentence, s.mention, s.date, s.actors, s.topics, s.rules, s.initiator)


def refresh_event(session: Session, event_id: int) -> None:
    """Recompute an event's date, actors, topics, title and counts from all its sources."""
    event = session.get(Event, event_id)
    sources = session.exec(select(EventSource).where(EventSource.event_id == event_id)).all()
    if event is None or not sources:
        return
    fields = corrections.apply(session, sources, summarize(sources))  # editors' corrections outlive re-extraction
    tally.note(session, [event_id], -1)
    for k, v in fields.items():
        if k not in ("roles", "topics"):
            setattr(event, k, v)
    event.updated_at = utcnow()
    session.add(event)
    _write_facets(session, event, fields["roles"], fields["topics"])
    tally.note(session, [event_id], +1)
    note_span(session, (event.date_end - event.date_start).days)
    _fts_write(session, event, sources)


def _write_facets(session: Session, event: Event, roles: list[tuple[str, str]], topics: list[str]) -> None:
    session.execute(delete(EventActor).where(EventActor.event_id == event.id))
    session.execute(delete(EventTopic).where(EventTopic.event_id == event.id))
    actor_ids = dict(session.exec(select(Actor.slug, Actor.id).where(Actor.slug.in_([s for s, _ in roles]))).all())
    for slug, role in roles:
        if slug in actor_ids:
            session.add(EventActor(event_id=event.id, actor_id=actor_ids[slug], role=role, date_start=event.date_start))
    topic_ids = dict(session.exec(select(Topic.name, Topic.id).where(Topic.name.in_(topics))).all())
    for name in topics:
        if name in topic_ids:
            session.add(EventTopic(event_id=event.id, topic_id=topic_ids[name], date_start=event.date_start))


def _fts_write(session: Session, event: Event, sources: list[EventSource]) -> None:
    if session.get_bind().dialect.name != "sqlite":
        return
    session.execute(text("DELETE FROM event_fts WHERE rowid = :id"), {"id": event.id})
    session.execute(text("INSERT INTO event_fts(rowid, title, evidence) VALUES (:id, :t, :e)"),
                    {"id": event.id, "t": event.title, "e": "\n".join(s.sentence for s in sources)})


def reextract_all(session: Session) -> tuple[int, int]:
    """Run extraction again over every stored article (after a lexicon change)."""
    n_articles = n_events = 0
    for article_id in session.exec(select(Article.id).order_by(Article.id)).all():
        article = session.get(Article, article_id)
        raw = RawArticle(article.title, article.published, article.body, article.outlet, article.url, article.source)
        pending = _drop_sources(session, article.id)
        candidates = extract(raw)
        ensure_actors(session.connection(), candidates)
        _add_sources(session, article.id, article.key, candidates, pending)
        recluster(session, pending)
        bump_version(session)
        session.commit()
        n_articles += 1
        n_events += len(candidates)
    return n_articles, n_events


def split_event(session: Session, event_id: int, source_ids: list[int]) -> int:
    """Move the chosen sources to a new event and keep the two apart from now on."""
    sources = session.exec(select(EventSource).where(EventSource.event_id == event_id)).all()
    moving = [s for s in sources if s.id in set(source_ids)]
    staying = [s for s in sources if s.id not in set(source_ids)]
    if not moving or not staying:
        raise ValueError("choose some, but not all, of the event's sources to split off")
    old = session.get(Event, event_id)
    new = Event(date=old.date, date_start=old.date_start, date_end=old.date_end, precision=old.precision,
                type=old.type, title=old.title, split_from=event_id)
    session.add(new)
    session.flush()
    tally.note(session, [new.id], +1)
    for group, lock in ((staying, f"split-{event_id}-a"), (moving, f"split-{event_id}-b")):
        for s in group:
            s.lock, s.pinned = lock, True
            if s in moving:
                s.event_id = new.id
            session.add(s)
            session.merge(SplitLock(article_id=s.article_id, mention=s.mention, lock=lock))
    session.flush()
    recluster(session, Regroup(seeds={s.id for s in sources}, dirty={event_id, new.id}))
    bump_version(session)
    session.commit()
    return new.id


BUMP = "UPDATE dataversion SET version = version + 1 WHERE id = 1"


def note_span(conn, days: int) -> None:
    """Raise the stored longest event span if this one is longer (it never shrinks: an upper bound)."""
    conn.execute(text("UPDATE dataversion SET max_span_days = :d WHERE id = 1 AND max_span_days < :d"), {"d": days})


def bump_version(session: Session) -> None:
    """Write the pending facet totals and tell every app process that cached counts are stale."""
    tally.flush(session)
    session.connection().execute(text(BUMP))


def counts(session: Session) -> dict[str, int]:
    return {
        "articles": session.exec(select(func.count()).select_from(Article)).one(),
        "events": session.exec(select(func.count()).select_from(Event)).one(),
        "sources": session.exec(select(func.count()).select_from(EventSource)).one(),
    }


def is_empty(session: Session) -> bool:
    return session.exec(select(Article.id).limit(1)).first() is None



# ---------------------------------------------------------------- bulk loading
@dataclass
class SourceRow:
    """A source held in memory during a bulk load (EventSource's attributes, without the ORM)."""

    article_id: int
    sentence: str
    start: int
    end: int
    rules: str
    mention: str
    type: str
    initiator: str
    date: str
    date_start: dt.date
    date_end: dt.date
    approximate: bool
    actors: str
    topics: str
    lock: str = ""
    event_id: int = 0
    merge_reason: str = ""
    wide: bool = False


def _source_rows(article_id: int, candidates: list[EventCandidate]) -> list[SourceRow]:
    rows, seen = [], set()
    for c in candidates:
        mention = mention_key(c)
        if mention in seen:
            continue
        seen.add(mention)
        rows.append(SourceRow(article_id, c.evidence, c.start, c.end, ",".join(c.rules), mention, c.type,
                              c.initiator or "", c.date, c.date_start, c.date_end, c.approximate,
                              ",".join(f"{r.slug}:{r.role}" for r in c.actors), "|".join(c.topics), wide=is_wide(c)))
    return rows


class BusyError(RuntimeError):
    """Another process holds the database's write lock."""


def bulk_ingest(engine, items, workers: int = 2, batch: int = 2000, on_error=None) -> dict[str, int]:
    """First load of many articles into an empty database: extract in parallel, insert in batches
    (executemany), group the sources into events at the end. Same result as ingesting one by one.

    Memory stays bounded whatever the size of the load: sources are staged in a temporary table as their
    articles arrive, then read back in order of type and date and grouped one block of overlapping dates
    at a time (reports of different types or of dates that do not overlap are never the same act).

    The whole load is one transaction, the write lock taken first: killed at any point it leaves the
    database as it was (a re-run then loads everything), and a second load at the same time waits
    for the lock (PostgreSQL) or gives up with BusyError (SQLite's busy timeout), then finds the
    database no longer empty and refuses. Items that are errors count as failed; on_error(where, reason)
    hears of articles whose extraction failed."""
    from multiprocessing import get_context

    from sqlalchemy.exc import OperationalError

    from app.db import writer

    with Session(writer(engine)) as session:
        sync_lexicon(session)
    tally = {"new": 0, "unchanged": 0, "failed": 0, "events": 0}
    t0 = time.perf_counter()
    with get_context("fork").Pool(workers) as pool:  # forked before the load's connection is opened
        try:
            with writer(engine).begin() as conn:
                if conn.execute(select(Article.id).limit(1)).first() is not None:
                    raise ValueError("bulk loading needs an empty database; use ingest without --bulk to add articles")
                _stage_table(conn)
                extracted = pool.imap(_extract_or_error, map(_plain, items), chunksize=64)
                _bulk_articles(conn, extracted, tally, batch, on_error)
                tally["read_extract_s"] = round(time.perf_counter() - t0, 1)
                tally["events"] = _bulk_events(conn)
                conn.exec_driver_sql(f"DROP TABLE {STAGE}")
        except OperationalError as exc:
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                raise BusyError("another process is writing to the database; try again when it has finished") from None
            raise
    tally["total_s"] = round(time.perf_counter() - t0, 1)
    return tally


STAGE = "bulk_stage"  # a temporary table: the load's sources, before they have events
STAGED = [f for f in SourceRow.__dataclass_fields__ if f not in ("event_id", "merge_reason")]


def _stage_table(conn) -> None:
    kinds = {"article_id": "INTEGER", "start": "INTEGER", "end": "INTEGER", "approximate": "BOOLEAN",
             "wide": "BOOLEAN", "date_start": "DATE", "date_end": "DATE"}
    cols = ", ".join(f"{_quote(c)} {kinds.get(c, 'TEXT')}" for c in STAGED)
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {STAGE} ({cols})")


def _bulk_articles(conn, extracted, tally: dict, batch: int, on_error) -> None:
    """Insert the articles as their extractions arrive, and stage their sources."""
    seen: set[str] = set()
    pending: list[tuple[RawArticle, list[EventCandidate]]] = []
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    stage_sql = f"INSERT INTO {STAGE} ({', '.join(map(_quote, STAGED))}) VALUES ({', '.join([mark] * len(STAGED))})"

    def flush() -> None:
        rows = [{"key": r.key, "content_hash": r.content_hash, "title": r.title, "published": r.published,
                 "outlet": r.outlet, "url": r.url, "source": r.source, "summary_only": r.summary_only,
                 "body": r.body, "ingested_at": utcnow()} for r, _ in pending]
        ids = conn.execute(insert(Article).returning(Article.id, sort_by_parameter_order=True), rows).scalars().all()
        ensure_actors(conn, [c for _, candidates in pending for c in candidates])
        iso = conn.dialect.name == "sqlite"  # dates as ISO text there, as SQLAlchemy stores them
        staged = [tuple(v.isoformat() if iso and isinstance(v, dt.date) else v for v in (getattr(s, k) for k in STAGED))
                  for article_id, (_, candidates) in zip(ids, pending) for s in _source_rows(article_id, candidates)]
        if staged:
            conn.exec_driver_sql(stage_sql, staged)
        pending.clear()

    for item in extracted:
        if isinstance(item, tuple) and item and item[0] in ("error", "read error"):
            tally["failed"] += 1
            if item[0] == "error" and on_error:
                on_error(item[1], item[2])
            continue
        raw, candidates = item
        if raw.key in seen:
            tally["unchanged"] += 1
            continue
        seen.add(raw.key)
        pending.append((raw, candidates))
        tally["new"] += 1
        if len(pending) >= batch:
            flush()
    if pending:
        flush()


def _staged_blocks(conn):
    """The staged sources with their articles' keys, in blocks: one type, dates overlapping in a chain, in
    order of type and start day (so the memory a block takes is what its dates hold, not the load)."""
    cols = ", ".join(f"s.{_quote(c)}" for c in STAGED)
    rows = conn.exec_driver_sql(  # a server-side cursor for this statement only (PostgreSQL)
        f"SELECT {cols}, a.key FROM {STAGE} s JOIN article a ON a.id = s.article_id "
        f"ORDER BY s.type, s.date_start, s.date_end, s.article_id, s.mention",
        execution_options={"stream_results": True, "yield_per": 5000})
    block: list[tuple[SourceRow, str]] = []
    last_type, reach = None, None
    for row in rows:
        source = _unstaged(row[:-1])
        if block and (source.type != last_type or source.date_start > reach):
            yield block
            block, reach = [], None
        block.append((source, row[-1]))
        last_type = source.type
        reach = source.date_end if reach is None else max(reach, source.date_end)
    if block:
        yield block


def _unstaged(row) -> SourceRow:
    v = dict(zip(STAGED, row))
    for k in ("date_start", "date_end"):
        v[k] = v[k] if isinstance(v[k], dt.date) else dt.date.fromisoformat(str(v[k])[:10])
    for k in ("approximate", "wide"):
        v[k] = bool(v[k])
    return SourceRow(**v)


def _plain(item):
    """What crosses to a worker process: an article, or a read error as plain data ("read error", where, reason)."""
    if isinstance(item, RawArticle):
        return item
    return ("read error", str(getattr(item, "where", "")), str(getattr(item, "reason", item)))


def _extract_or_error(item):
    """In a worker: the article and its events, or ("error", where, reason); never an exception object,
    which may not survive pickling back."""
    if not isinstance(item, RawArticle):
        return item
    try:
        return item, extract(item)
    except Exception as exc:  # noqa: BLE001 - reported as a failed article, the load goes on
        return ("error", item.source, f"{type(exc).__name__}: {exc}")


BULK_COLUMNS = {
    "event": ["id", "date", "date_start", "date_end", "precision", "approximate", "type", "plover", "cameo", "title",
              "slug", "summary", "source_count", "confidence", "created_at", "updated_at"],
    "eventsource": [*SourceRow.__dataclass_fields__, "pinned"],
    "eventactor": ["event_id", "actor_id", "role", "date_start"],
    "eventtopic": ["event_id", "topic_id", "date_start"],
}


def _bulk_events(conn) -> int:
    """Group the staged sources into events, block by block, and write events, sources, facets, totals and
    the search index in chunks.

    The database is empty of events, so event ids are numbered here and rows go in through the driver's
    executemany (SQLAlchemy's per-row parameter handling was a third of this step)."""
    lex = load_lexicon()
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    sql = {t: f"INSERT INTO {t} ({', '.join(map(_quote, cols))}) VALUES ({', '.join([mark] * len(cols))})"
           for t, cols in BULK_COLUMNS.items()}
    totals: Counter = Counter()
    actor_ids = dict(conn.execute(select(Actor.slug, Actor.id)).all())
    topic_ids = dict(conn.execute(select(Topic.name, Topic.id)).all())
    next_id = (conn.execute(select(func.max(Event.id))).scalar() or 0) + 1
    first_id, max_span = next_id, 0
    now = utcnow()
    if conn.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # as SQLAlchemy stores it there
    rows: dict[str, list[tuple]] = {t: [] for t in BULK_COLUMNS}
    fts_rows: list[tuple] = []

    def write_rows() -> None:
        for table, values in rows.items():
            if values:
                conn.exec_driver_sql(sql[table], values)
                values.clear()
        if conn.dialect.name == "sqlite" and fts_rows:
            conn.exec_driver_sql("INSERT INTO event_fts(rowid, title, evidence) VALUES (?, ?, ?)", fts_rows)
        fts_rows.clear()

    for block in _staged_blocks(conn):  # read from the staging table as the events are written
        reports = [_report(s, key) for s, key in block]
        source_of = {r.key: s for r, (s, _) in zip(reports, block)}
        for group in group_reports_blocked(reports):
            event_id, next_id = next_id, next_id + 1
            members = [source_of[r.key] for r in group]
            # the group's reports carry article keys where refresh_event's carry ids; an event's
            # fields never depend on them (event_interval's ties are between equal intervals)
            f = summarize(members, lex, group)
            rows["event"].append((event_id, f["date"], f["date_start"], f["date_end"], f["precision"],
                                  f["approximate"], f["type"], f["plover"], f["cameo"], f["title"], f["slug"],
                                  f["summary"], f["source_count"], f["confidence"], now, now))
            for m, why in zip(members, merge_reason(group)):
                m.event_id, m.merge_reason = event_id, why
                rows["eventsource"].append(tuple(getattr(m, k) for k in SourceRow.__dataclass_fields__) + (False,))
            core = set()
            for slug, role in f["roles"]:
                if slug in actor_ids:
                    rows["eventactor"].append((event_id, actor_ids[slug], role, f["date_start"]))
                    if role != "mentioned":
                        core.add(actor_ids[slug])
            topics = [topic_ids[t] for t in f["topics"] if t in topic_ids]
            rows["eventtopic"] += [(event_id, t, f["date_start"]) for t in topics]
            fts_rows.append((event_id, f["title"], "\n".join(m.sentence for m in members)))
            tally.add(totals, f["type"], f["date_start"], core, topics)
            max_span = max(max_span, (f["date_end"] - f["date_start"]).days)
        if len(rows["event"]) >= 5000:
            write_rows()
        if len(totals) >= 500_000:  # upserts add up: the totals go out in parts
            tally.write(conn, totals)
            totals.clear()
    write_rows()
    if conn.dialect.name == "postgresql" and next_id > first_id:
        conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('event', 'id'), (SELECT max(id) FROM event))")
    tally.write(conn, totals)
    if next_id > first_id:
        note_span(conn, max_span)
    conn.execute(text(BUMP))
    return next_id - first_id


def _quote(column: str) -> str:
    return f'"{column}"'
