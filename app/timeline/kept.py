"""Counts, facet lists and density strips of a view from the kept totals (app/timeline/tally.py) and bounded
index walks, never by counting every event of the view.

A view is a conjunction of facet keys (its actors and topics, and one of its types: types widen, so a view
with types is the sum of one such view per type) and a date range. Without a date range, a view of up to
three keys reads its count from one row and a view of up to two keys its facet lists from one row family
(pairs, triples). With a date range, the whole months inside it come from the monthly totals (per key and
per pair of keys) and only the events starting in its partial months (from the longest event's span
before it) are walked through an index: a few weeks of events whatever the size of the data. Views beyond
that (three keys with a facet list, a density strip or dates; four keys) walk the rarest key's timeline
within the range. Text and minimum-sources views are not answered here (None): queries.py counts them.
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter

from sqlalchemy import exists, false, select
from sqlalchemy.orm import Session

from app.models import Actor, Event, EventActor, EventTopic, FacetTotal, Topic
from app.timeline import tally
from app.timeline.days import shift
from app.timeline.filters import Filters

Keys = frozenset  # facet keys of one conjunctive view: 'a:<id>', 't:<id>', 'y:<type>'
Window = tuple  # (first day, last day) of date_start, either None when open


def shapes(session: Session, f: Filters) -> list[Keys] | None:
    """The conjunctive views whose events, together, are the view's (one per type chosen), or None."""
    from app.timeline.queries import _ids

    if f.q or f.min_sources:
        return None
    base = {f"a:{i}" for i in _ids(session, Actor, f.actors)} | {f"t:{i}" for i in _ids(session, Topic, f.topics)}
    return [Keys(base | {f"y:{t}"}) for t in f.types] if f.types else [Keys(base)]


def count(session: Session, f: Filters) -> int | None:
    """How many events the view holds, or None when this module cannot say."""
    views = shapes(session, f)
    if views is None:
        return None
    return sum(_count(session, keys, f.date_from, f.date_to) for keys in views)


def per_value(session: Session, f: Filters, prefix: str) -> Counter | None:
    """For every facet key with this prefix ('a:', 't:', 'y:'), the events of the view that also have it."""
    views = shapes(session, f)
    if views is None:
        return None
    out: Counter = Counter()
    for keys in views:
        out.update(_per_value(session, keys, f.date_from, f.date_to, prefix))
    return out


def months(session: Session, f: Filters) -> Counter | None:
    """The view's events per month of their start ('YYYY-MM')."""
    views = shapes(session, f)
    if views is None:
        return None
    out: Counter = Counter()
    for keys in views:
        out.update(_months(session, keys, f.date_from, f.date_to))
    return +out


def events_between(session: Session, f: Filters, lo: dt.date, hi: dt.date) -> list[dt.date]:
    """The start days of the view's events that start in [lo, hi] (a bounded walk)."""
    out = []
    for keys in shapes(session, f) or []:
        out += [d for _, d in _walk(session, keys, [_clip((lo, hi), f.date_from, f.date_to, session)],
                                    f.date_from, f.date_to)]
    return out


# ---------------------------------------------------------------- one conjunctive view
def _count(session: Session, keys: Keys, lo, hi) -> int:
    if lo is None and hi is None:
        n = _row_count(session, keys)
        return n if n is not None else len(_walk(session, keys, [(None, None)], lo, hi))
    safe, windows = _split(session, lo, hi)
    n = 0
    if safe and len(keys) <= 2:
        n = sum(v for m, v in _month_rows(session, keys, *safe).items())
    elif safe:
        windows = [_clip((None, None), lo, hi, session)]
    return n + len(_walk(session, keys, windows, lo, hi))


def _per_value(session: Session, keys: Keys, lo, hi, prefix: str) -> Counter:
    if lo is None and hi is None and len(keys) <= 2:
        return Counter({k: n for k, n in _row_family(session, keys).items() if k.startswith(prefix) and n})
    safe, windows = (None, [(None, None)]) if lo is None and hi is None else _split(session, lo, hi)
    out: Counter = Counter()
    if safe and len(keys) <= 1:
        key = next(iter(keys), tally.ALL)
        for other, n in _pair_months(session, key, *safe).items():
            k = other.split("|", 1)[1]
            if k.startswith(prefix):
                out[k] += n
    elif safe:
        windows = [_clip((None, None), lo, hi, session)]
    for event_keys, _ in _walk(session, keys, windows, lo, hi, prefix):
        out.update(k for k in event_keys if k.startswith(prefix) and k not in keys)
    return +out


def _months(session: Session, keys: Keys, lo, hi) -> Counter:
    out: Counter = Counter()
    safe, windows = ((None, None), []) if lo is None and hi is None else _split(session, lo, hi)
    if safe and len(keys) <= 2:
        out.update(_month_rows(session, keys, *safe))
    elif safe:
        windows = [_clip((None, None), lo, hi, session)]
    for _, day in _walk(session, keys, windows, lo, hi):
        out[day.isoformat()[:7]] += 1
    return out


# ---------------------------------------------------------------- kept rows
def _totals(session: Session, key: str) -> dict[str, int]:
    from app.timeline.queries import totals

    return totals(session, key)


def _row_count(session: Session, keys: Keys) -> int | None:
    """The count of a view of up to three keys, from one row."""
    ks = sorted(keys)
    if len(ks) == 0:
        return _totals(session, tally.ALL).get("", 0)
    if len(ks) == 1:
        return _totals(session, ks[0]).get("", 0)
    if len(ks) == 2:
        return _totals(session, ks[0]).get(ks[1], 0)
    if len(ks) == 3:
        return _triples(session, ks[0], ks[1]).get(ks[2], 0)
    return None


def _row_family(session: Session, keys: Keys) -> dict[str, int]:
    """Per other key, the events of a view of up to two keys that also have it."""
    ks = sorted(keys)
    if len(ks) == 2:
        return _triples(session, ks[0], ks[1])
    return _totals(session, ks[0] if ks else tally.ALL)


def _triples(session: Session, a: str, b: str) -> dict[str, int]:
    from app.timeline.queries import cached

    pair = tally.pair_key(a, b)
    return cached(session, ("triples", pair), lambda: dict(session.execute(
        select(FacetTotal.other, FacetTotal.n).where(FacetTotal.facet == pair, FacetTotal.n > 0)).all()))


def _pair_months(session: Session, key: str, first: str | None, last: str | None) -> dict[str, int]:
    """The rows 'YYYY-MM|<other key>' of one key between two months (either open): one index range."""
    from app.timeline.queries import cached

    def read() -> dict[str, int]:
        q = select(FacetTotal.other, FacetTotal.n).where(FacetTotal.facet == "p:" + key, FacetTotal.n > 0)
        if first:
            q = q.where(FacetTotal.other >= first)
        if last:
            q = q.where(FacetTotal.other < last + "~")
        return dict(session.execute(q).all())
    return cached(session, ("pair-months", key, first, last), read)


def _month_rows(session: Session, keys: Keys, first: str | None, last: str | None) -> Counter:
    """Events per month of a view of up to two keys, between two months (either open)."""
    ks = sorted(keys)
    inside = lambda m: (first is None or m >= first) and (last is None or m <= last)  # noqa: E731
    if len(ks) <= 1:
        row = _totals(session, ks[0] if ks else tally.ALL)
        return Counter({k[2:]: n for k, n in row.items() if k.startswith("m:") and inside(k[2:]) and n})
    out: Counter = Counter()
    for other, n in _pair_months(session, ks[0], first, last).items():
        month, key = other.split("|", 1)
        if key == ks[1] and n:
            out[month] += n
    return out


# ---------------------------------------------------------------- date ranges: whole months and borders
def _split(session: Session, lo: dt.date | None, hi: dt.date | None) -> tuple[tuple | None, list[Window]]:
    """The whole months inside [lo, hi] as ('YYYY-MM' or None when open, same), and the windows of start
    days around them whose events the range may hold: events overlap [lo, hi] when they end on or after lo
    and start on or before hi, and start at most the longest stored span before lo."""
    first = None if lo is None else _ym(lo) if lo.day == 1 else _ym(_next_month(lo))
    last = None if hi is None else _ym(hi) if _month_end(hi) == hi else _ym(shift(_month_start(hi), -1))
    if first is not None and last is not None and first > last:
        return None, [_clip((None, None), lo, hi, session)]
    windows = []
    if lo is not None:
        windows.append(_clip((None, shift(dt.date.fromisoformat(first + "-01"), -1)), lo, hi, session))
    if hi is not None:
        windows.append((_next_month(dt.date.fromisoformat(last + "-01")), hi))
    return (first, last), [w for w in windows if w[0] is None or w[1] is None or w[0] <= w[1]]


def _clip(window: Window, lo, hi, session: Session) -> Window:
    """A window of start days narrowed to what a range [lo, hi] can hold."""
    from app.timeline.queries import max_span

    start, end = window
    if lo is not None:
        floor = shift(lo, -max_span(session))
        start = floor if start is None else max(start, floor)
    if hi is not None:
        end = hi if end is None else min(end, hi)
    return start, end


def _ym(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def _next_month(d: dt.date) -> dt.date:
    return shift(d.replace(day=28), 4).replace(day=1)


def _month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


# ---------------------------------------------------------------- bounded walks
def _walk(session: Session, keys: Keys, windows: list[Window], lo, hi, prefix: str = "") -> list[tuple[frozenset, dt.date]]:
    """(facet keys, start day) of every visible event with all these keys that starts in one of the windows
    and overlaps [lo, hi]: the rarest key's timeline (or the date index) read in SQL, the other keys each a
    primary-key probe there, so only the view's events reach Python, with their actors and topics."""
    driver = min(keys, key=lambda k: (_totals(session, k).get("", 0), k)) if keys else None
    rest = tuple(sorted(keys - {driver}))
    out = []
    for window in windows:
        out += _events_in(session, driver, rest, window, lo, hi)
    return out


def _events_in(session: Session, driver: str | None, rest: tuple, window: Window, lo, hi) -> list:
    """One walk, kept per data version: the parts of a page (count, facet lists, strip) share it."""
    from app.timeline.queries import _as_date, cached

    def walk() -> list[tuple[frozenset, dt.date]]:
        q = _driven(session, driver, window, lo, hi, rest)
        ids = q.subquery()
        events = {i: ({f"y:{t}"}, _as_date(d)) for i, t, d in session.execute(q)}
        if not events:
            return []
        ea, et = EventActor.__table__.c, EventTopic.__table__.c
        for i, a in session.execute(select(ea.event_id, ea.actor_id).where(ea.event_id.in_(select(ids.c.id)),
                                                                           ea.role != "mentioned")):
            if i in events:
                events[i][0].add(f"a:{a}")
        for i, t in session.execute(select(et.event_id, et.topic_id).where(et.event_id.in_(select(ids.c.id)))):
            if i in events:
                events[i][0].add(f"t:{t}")
        return [(frozenset(k), d) for k, d in events.values()]
    return cached(session, ("walk", driver, rest, window, lo, hi), walk)


def _driven(session: Session, driver: str | None, window: Window, lo, hi, rest: tuple = ()):
    e = Event.__table__.c
    if driver is None or driver.startswith("y:"):
        q, day = select(e.id, e.type, e.date_start).where(e.hidden == false()), e.date_start
        if driver:
            q = q.where(e.type == driver[2:])
    else:
        table = EventActor if driver.startswith("a:") else EventTopic
        link = table.__table__.c
        column = link.actor_id if table is EventActor else link.topic_id
        q = select(e.id, e.type, e.date_start).join_from(table, Event, e.id == link.event_id)
        q = q.where(column == int(driver[2:]), e.hidden == false())
        if table is EventActor:
            q = q.where(link.role != "mentioned")
        day = link.date_start
    start, end = window
    if start is not None:
        q = q.where(day >= start)
    if end is not None:
        q = q.where(day <= end)
    if lo is not None:
        q = q.where(e.date_end >= lo)
    if hi is not None:
        q = q.where(e.date_start <= hi)
    for key in rest:  # each a probe of a primary key (event, actor) or (event, topic)
        kind, value = key[:2], key[2:]
        if kind == "y:":
            q = q.where(e.type == value)
        elif kind == "a:":
            ea = EventActor.__table__.alias().c
            q = q.where(exists().where(ea.event_id == e.id, ea.actor_id == int(value), ea.role != "mentioned"))
        else:
            et = EventTopic.__table__.alias().c
            q = q.where(exists().where(et.event_id == e.id, et.topic_id == int(value)))
    return q
