"""Read side of the lanes figure and the dyad page: lanes, counts per lane and day, the window's events.

Reuses queries.py's filters (conditions), caches (cached) and loaders (load_events); a view's figure model
is kept per view and data version like its panel."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Actor, Event, EventActor
from app.timeline import days as cal
from app.timeline import lanes
from app.timeline.filters import Filters
from app.timeline.queries import (Bucket, _as_date, _ids, _period_end, cached, conditions, date_label, facet_counts,
                                  histogram, load_events, max_span, slug_labels, totals)

MAX_LANES = 8


def lane_list(session: Session, f: Filters) -> list[tuple[int, lanes.Lane]]:
    """(actor id, lane) per selected actor, else the view's top actors."""
    if f.actors:
        names = slug_labels(session, replace(f, topics=(), types=()))
        slugs = [s for s in f.actors[:MAX_LANES] if ("actor", s) in names]
        return [(i, lanes.Lane(s, names[("actor", s)])) for i, s in zip(_ids(session, Actor, tuple(slugs)), slugs)]
    top = facet_counts(session, f, "actor", MAX_LANES)[:MAX_LANES]
    ids = _ids(session, Actor, tuple(a["slug"] for a in top))
    return [(i, lanes.Lane(a["slug"], a["name"])) for i, a in zip(ids, top)]


def _base(f: Filters, match: str) -> Filters:
    """The filters every drawn event meets besides having a lane's actor: with match 'any' (the lanes
    view) the actors only choose lanes; with 'all' (a dyad) each event has every lane's actor."""
    return replace(f, actors=() if match == "any" else f.actors, cursor=None)


def lane_counts(session: Session, f: Filters, ids: dict[int, str], match: str = "any",
                monthly: bool = True) -> list[lanes.Count]:
    """Marks per lane and start day under the view's other filters; for a view with no other filter, per
    month from the facet totals (no scan of the events)."""
    g = _base(f, match)
    if monthly and not g.active:
        out = []
        for i, slug in ids.items():
            out += [lanes.Count(slug, dt.date.fromisoformat(k[2:] + "-01"), n)
                    for k, n in totals(session, f"a:{i}").items() if k.startswith("m:")]
        return out
    ea = EventActor
    q = select(ea.actor_id, ea.date_start, func.count()).where(ea.actor_id.in_(list(ids)), ea.role != "mentioned")
    conds = conditions(session, g) + _window(session, g)
    if conds:
        q = q.join(Event, Event.id == ea.event_id).where(*conds)
    rows = session.execute(q.group_by(ea.actor_id, ea.date_start)).all()
    return [lanes.Count(ids[a], _as_date(d), n) for a, d, n in rows]


def _window(session: Session, g: Filters) -> list:
    """The date range again on the actors' timelines (which carry date_start), so their index reads a range."""
    conds = []
    if g.date_from:
        conds.append(EventActor.date_start >= cal.shift(g.date_from, -max_span(session)))
    if g.date_to:
        conds.append(EventActor.date_start <= g.date_to)
    return conds


def lane_events(session: Session, f: Filters, ids: dict[int, str], lo: dt.date, hi: dt.date,
                match: str = "any", limit: int = lanes.MAX_MARKS) -> list[lanes.LaneEvent]:
    """The window's events that have a lane's actor, with their participants."""
    g = replace(_base(f, match), date_from=lo, date_to=hi)
    ea = EventActor
    q = select(ea.event_id).where(ea.actor_id.in_(list(ids)), ea.role != "mentioned").join(
        Event, Event.id == ea.event_id).where(*conditions(session, g), *_window(session, g)).distinct().limit(limit + 1)
    found = load_events(session, list(session.execute(q).scalars()), sources=False)
    return [lanes.LaneEvent(e.id, e.path, e.title, e.type, e.type_label, e.date_start, e.date_end, e.precision,
                            e.date_label, tuple((a["slug"], a["name"]) for a in e.core_actors)) for e in found]


def figure(session: Session, f: Filters, match: str = "any", path: str = "/", links: Filters | None = None) -> dict:
    """The view's figure with its navigation, kept per view and data version; its links are `links`'s
    URLs (default: the view's own) under `path`, with other dates."""
    links = links or f
    key = ("lanes", f.cache_key, f.order, f.view, match, path, links.cache_key, links.view)
    return cached(session, key, lambda: _figure(session, f, match, path, links))


def _figure(session: Session, f: Filters, match: str, path: str, links: Filters) -> dict:
    chosen = lane_list(session, f)
    ids = {i: ln.slug for i, ln in chosen if i != -1}
    lane_objs = [ln for _, ln in chosen]
    whole = replace(f, date_from=None, date_to=None)
    counts = lane_counts(session, whole, ids, match) if ids else []  # the data's range
    monthly = bool(ids) and not _base(whole, match).active
    days = sorted({c.day for c in counts})
    data_lo = days[0] if days else None
    data_hi = (lanes.period_end("month", days[-1]) if monthly else days[-1]) if days else None
    if data_lo is not None and not monthly:
        data_lo, data_hi = lanes.padded(data_lo, data_hi)
    lo, hi = f.date_from or data_lo, f.date_to or data_hi
    if ids and lo and hi and (f.date_from or f.date_to or (monthly and lanes.unit_for(lo, hi, lanes.MAX_BINS)
                                                           in ("day", "week"))):
        counts = lane_counts(session, f, ids, match, monthly=False)  # the window's, by day
    if lo is None or hi is None or hi < lo:
        return {"figure": None, "lanes": lane_objs, "match": match}
    whole_url = links.url(path, date_from=None, date_to=None)

    def link(a: dt.date, b: dt.date) -> str:
        """A narrower window's URL, cut to the dates a view accepts (a count of events stored outside them,
        in an old database, opens the whole range)."""
        w = cal.window(a, b)
        return links.url(path, date_from=w[0], date_to=w[1]) if w else whole_url
    in_window = sum(c.n for c in counts if lo <= c.day <= hi)
    if in_window > lanes.MAX_MARKS:
        fig = lanes.build(lane_objs, lo, hi, counts=counts, url=link)
    else:
        fig = lanes.build(lane_objs, lo, hi, events=lane_events(session, f, ids, lo, hi, match))
    nav = {k: (whole_url if v == ("all", None) else link(*v)) if v else None
           for k, v in lanes.zoom(lo, hi, data_lo, data_hi).items()}
    return {"figure": fig, "lanes": lane_objs, "match": match, "nav": nav, "hx_target": "#app" if match == "any" else "",
            "horizontal": lanes.Frame(len(lane_objs), "h"), "vertical": lanes.Frame(len(lane_objs), "v"),
            "overview": overview(session, f, ids, lo, hi, path) if match == "any" else None,
            "hidden": [(k, v) for k, v in links.params(date_from=None, date_to=None, cursor=None)],
            "whole_url": whole_url, "action": path,
            "period": f"{lanes.period_label('day', lo)} to {lanes.period_label('day', hi)}",
            "svg_url": links.url("/lanes.svg" if path == "/" else path + ".svg")}


def overview(session: Session, f: Filters, ids: dict[int, str], lo: dt.date, hi: dt.date, path: str) -> dict | None:
    """The density strip of the figure's events over the whole range (those with any lane's actor, under
    the view's other filters: the events the figure draws in any window), with the window marked."""
    from app.timeline.context import STRIP_H, STRIP_W, _fill_gaps, density

    whole = replace(f, date_from=None, date_to=None, cursor=None)
    unit, buckets = union_histogram(session, whole, ids)
    if not buckets:
        return None
    strip = density(unit, buckets, whole)
    filled = _fill_gaps(unit, buckets)
    inside = [i for i, b in enumerate(filled) if b.end >= lo and b.start <= hi]
    slot = STRIP_W / len(filled)
    if inside:
        strip["window"] = {"x": round(inside[0] * slot, 1), "w": round((inside[-1] - inside[0] + 1) * slot, 1),
                           "h": STRIP_H}
    strip["whole_url"] = whole.url(path)
    return strip


def union_histogram(session: Session, f: Filters, ids: dict[int, str]) -> tuple[str, list[Bucket]]:
    """Events with any of these actors under the view's other filters, per day, week or month (chosen by
    the span, as queries.histogram): one actor's from the facet totals, several actors' from union_days."""
    if not ids:
        return "month", []
    if len(ids) == 1:
        return histogram(session, replace(f, actors=tuple(ids.values())))
    days = union_days(session, f, ids)
    if not days:
        return "month", []
    first, last = min(days), max(days)
    span = (last - first).days
    unit = "day" if span <= 62 else "week" if span <= 370 else "month"
    start = {"day": lambda d: d, "week": lambda d: lanes.period_start("week", d),
             "month": lambda d: d.replace(day=1)}[unit]
    per: Counter = Counter()
    for d, n in days.items():
        per[start(d)] += n
    return unit, [Bucket(d, _period_end(unit, d), n) for d, n in sorted(per.items())]


def union_days(session: Session, f: Filters, ids: dict[int, str]) -> Counter:
    """Per start day, the events with any of these actors (initiator or counterpart) under the view's
    filters other than its actors: one read of their timelines' index (actor, day, event, role), joined to
    the events only when another filter asks; kept per view and data version."""
    g = replace(f, actors=(), cursor=None)

    def count() -> Counter:
        ea = EventActor
        q = select(ea.date_start, func.count(func.distinct(ea.event_id))).where(ea.actor_id.in_(sorted(ids)),
                                                                               ea.role != "mentioned")
        conds = conditions(session, g, facet_driven=True) + _window(session, g)  # hidden events have no actors
        if conds:
            q = q.join(Event, Event.id == ea.event_id).where(*conds)
        return Counter({_as_date(d): n for d, n in session.execute(q.group_by(ea.date_start))})
    return cached(session, ("lanes-union-days", g.cache_key, tuple(sorted(ids))), count)


def union_total(session: Session, f: Filters) -> int:
    """How many events the lanes view of several actors draws: those with any of them (the list's total
    counts those with all of them), under the other filters; over the whole range, the overview's sum."""
    ids = {i: ln.slug for i, ln in lane_list(session, f) if i != -1}
    if not ids:
        return 0
    if not (f.date_from or f.date_to):
        return sum(union_days(session, f, ids).values())

    def count() -> int:
        g = _base(f, "any")
        q = select(func.count(func.distinct(EventActor.event_id))).where(EventActor.actor_id.in_(sorted(ids)),
                                                                         EventActor.role != "mentioned")
        conds = conditions(session, g, facet_driven=True) + _window(session, g)
        if conds:
            q = q.join(Event, Event.id == EventActor.event_id).where(*conds)
        return session.execute(q).scalar_one()
    return cached(session, ("lanes-union", f.cache_key), count)


def view_links(f: Filters) -> dict:
    """The list/lanes switch, and the dyad page of a two-actor view."""
    out = {"list_url": f.url("/", view="list"), "lanes_url": f.url("/", view="lanes")}
    if len(f.actors) == 2:
        out["dyad_url"] = "/actors/{}/with/{}".format(*f.actors)
    return out


# ---------------------------------------------------------------- dyads
@dataclass(frozen=True)
class Period:
    """A row of the dyad's counts table: a calendar month, or for an event whose dates do not lie within
    one month (a year, a season, a quarter, a week across two months) that period itself, so that no
    event is filed under a month it may not fall in."""

    key: str  # '2025-03'; else the event's own date ('2019', '2024-SU', '2025-W09')
    label: str  # '2025-03'; else the date at its precision ('2019', 'summer 2024', 'week of 24 Feb 2025')
    start: dt.date
    end: dt.date
    month: bool  # a calendar month


@dataclass(frozen=True)
class Contact:
    """A first or latest contact: its start day (the datetime a card gives) and its date at its precision."""

    day: dt.date
    label: str


def period_of(date: str, start: dt.date, end: dt.date, precision: str) -> Period:
    if (start.year, start.month) == (end.year, end.month):
        first = start.replace(day=1)
        month = start.isoformat()[:7]  # '0001-01', where strftime's %Y may write '1'
        return Period(month, month, first, _period_end("month", first), True)
    return Period(date, date_label(date, start, end, precision, False), start, end, False)


def dyad_months(session: Session, a: int, b: int) -> tuple[list[tuple[Period, dict[str, int]]], Contact | None,
                                                          Contact | None]:
    """Shared events of two actors (both initiator or counterpart) per period (month, or the event's own
    coarser period) and type, and the first and latest contact, dated at their precision (kept per pair
    and data version)."""
    return cached(session, ("dyad", a, b), lambda: _dyad_months(session, a, b))


def _dyad_months(session: Session, a: int, b: int):
    ea, eb = EventActor, EventActor.__table__.alias("eb")
    cols = (Event.date, Event.date_start, Event.date_end, Event.precision, Event.approximate, Event.type)
    rows = session.execute(
        select(*cols, func.count()).select_from(ea)
        .join(eb, (eb.c.event_id == ea.event_id) & (eb.c.actor_id == b) & (eb.c.role != "mentioned"))
        .join(Event, Event.id == ea.event_id)
        .where(ea.actor_id == a, ea.role != "mentioned").group_by(*cols)).all()
    per: dict[Period, Counter] = {}
    contacts = []
    for date, start, end, precision, approximate, t, n in rows:
        start, end = _as_date(start), _as_date(end)
        per.setdefault(period_of(date, start, end, precision), Counter())[t] += n
        contacts.append(((start, end), Contact(start, date_label(date, start, end, precision, bool(approximate)))))
    # a coarser period before the months it covers: by start, then the longer first
    months = [(p, dict(per[p])) for p in sorted(per, key=lambda p: (p.start, -p.end.toordinal(), p.key))]
    contacts.sort(key=lambda c: c[0])
    return months, (contacts[0][1] if contacts else None), (contacts[-1][1] if contacts else None)
