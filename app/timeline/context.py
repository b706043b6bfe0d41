"""Page contexts: what each template receives, built from queries; URLs are made here, not in templates."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from itertools import groupby

from sqlalchemy.orm import Session

from app.timeline.days import window
from app.timeline.filters import Filters
from app.timeline.queries import Bucket, count_events, facet_counts, histogram, slug_labels

STRIP_W, STRIP_H = 720, 64
TWINS = (("json", "JSON", "application/json"), ("csv", "CSV", "text/csv"),
         ("ics", "iCalendar", "text/calendar"), ("atom", "Atom feed", "application/atom+xml"))


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    label: str
    count: int
    url: str


def density(unit: str, buckets: list[Bucket], f: Filters) -> dict:
    """Bars of the density strip, each a link that narrows the date range to its period."""
    if not buckets:
        return {"unit": unit, "bars": [], "max": 0, "width": STRIP_W, "height": STRIP_H}
    buckets = _fill_gaps(unit, buckets)
    peak = max(b.count for b in buckets)
    n = len(buckets)
    slot = STRIP_W / max(n, 1)
    bars = []
    for i, b in enumerate(buckets):
        h = (STRIP_H - 4) * b.count / peak if b.count else 0.0
        h = max(h, 2.0) if b.count else 0.0
        label = {"day": f"{b.start.day} {b.start:%b %Y}", "week": f"week of {b.start.day} {b.start:%b %Y}"}.get(unit, f"{b.start:%b %Y}")
        w = window(b.start, b.end)  # a period stored outside the dates a view accepts opens the whole range
        bars.append(Bar(round(i * slot + 1, 2), round(STRIP_H - h, 2), round(max(slot - 2, 1), 2), round(h, 2),
                        label, b.count, f.url("/", date_from=w[0], date_to=w[1]) if w else
                        f.url("/", date_from=None, date_to=None)))
    return {"unit": unit, "bars": bars, "max": peak, "width": STRIP_W, "height": STRIP_H}


def _fill_gaps(unit: str, buckets: list[Bucket]) -> list[Bucket]:
    """Every period between the first and the last, empty ones at zero, so density is honest."""
    from app.timeline.queries import _period_end

    have = {b.start: b for b in buckets}
    out, cur = [], buckets[0].start
    while cur <= buckets[-1].start and len(out) < 2000:
        out.append(have.get(cur, Bucket(cur, _period_end(unit, cur), 0)))
        if _period_end(unit, cur) >= dt.date.max:
            break
        cur = _period_end(unit, cur) + dt.timedelta(days=1)
    return out


def grouped(events: list) -> list[tuple[str, list[tuple[str, list]]]]:
    """Events (anything with date_start, precision and date_label) under month and day headings, in order."""
    out = []
    for month, in_month in groupby(events, key=lambda e: f"{e.date_start:%B %Y}"):
        days = [(f"{e0.date_start.day} {e0.date_start:%B}" if e0.precision == "day" else e0.date_label, list(g))
                for e0, g in _by_day(list(in_month))]
        out.append((month, days))
    return out


def _by_day(events: list):
    for _, g in groupby(events, key=lambda e: (e.date_start, e.precision == "day")):
        items = list(g)
        yield items[0], items


def twins(f: Filters, base_path: str = "/events") -> list[dict]:
    return [{"ext": ext, "label": label, "mime": mime, "url": f.url(f"{base_path}.{ext}")} for ext, label, mime in TWINS]


RULE = ("Actors and topics narrow the list: an event must have every one you choose. Types widen it: "
        "an event may be of any type you tick. The kinds combine (actors and topics and types and dates). "
        "Each count is the number of events you get by choosing it (or, for a chosen one, by dropping it).")


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def summary(total: int, f: Filters) -> str:
    """'1 event matches these filters', '12 events', 'No event matches these filters'."""
    if not f.active:
        return plural(total, "event") + "."
    if total == 0:
        return "No event matches these filters."
    return plural(total, "event") + (" matches" if total == 1 else " match") + " these filters."


def view_context(session: Session, f: Filters) -> dict:
    """What a filtered view shows whatever its page: title, total, facet lists, chips, density, links
    (app/web/views.py keeps the whole of it per view and data version)."""
    f = replace(f, labels=slug_labels(session, f), cursor=None)
    total = count_events(session, f)
    return {
        "filters": f,
        "total": total,
        "summary": summary(total, f),
        "actor_facets": [dict(a, url=f.toggle("actors", a["slug"]), on=a["slug"] in f.actors) for a in facet_counts(session, f, "actor")],
        "topic_facets": [dict(t, url=f.toggle("topics", t["slug"]), on=t["slug"] in f.topics) for t in facet_counts(session, f, "topic")],
        "type_facets": [dict(t, url=f.toggle("types", t["slug"]), on=t["slug"] in f.types) for t in facet_counts(session, f, "type")],
        "chips": f.chips(),
        "density": density(*histogram(session, f), f),
        "twins": twins(f),
        "canonical_url": f.url("/"),
        "order_url": f.url("/", order="asc" if f.order == "desc" else "desc"),
        "min_sources_url": f.url("/", min_sources=0 if f.min_sources else 2),
        "swap_url": f.url("/", date_from=f.date_to, date_to=f.date_from) if f.impossible else None,
        "clear_url": "/",
        "rule": RULE,
        "active_count": f.active_count,
        "title": f.describe(),
    }
