"""Machine twins of a view: JSON, CSV (RFC 4180), iCalendar and Atom, from the same events."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

from app.models import ActorRef, EventPage, EventRead, SourceRead
from app.timeline.filters import Filters
from app.timeline.queries import EventView

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XML_FORBIDDEN = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
CSV_HEADER = ["id", "url", "date", "date_start", "date_end", "precision", "approximate", "type", "plover", "cameo",
              "title", "actors", "actor_slugs", "topics", "source_count", "first_source", "first_outlet",
              "first_published", "evidence"]


def event_read(ev: EventView, base: str = "") -> EventRead:
    """The API model of one event."""
    return EventRead(
        id=ev.id, url=base + ev.path, date=ev.date, date_start=ev.date_start, date_end=ev.date_end,
        precision=ev.precision, approximate=ev.approximate, type=ev.type, type_label=ev.type_label,
        plover=ev.plover, cameo=ev.cameo, title=ev.title,
        actors=[ActorRef(**a) for a in ev.actors], topics=[t["name"] for t in ev.topics],
        source_count=ev.source_count, confidence=ev.confidence,
        sources=[SourceRead(article_id=s.article_id, title=s.title, outlet=s.outlet, published=s.published, url=s.url,
                            article_url=f"{base}/articles/{s.article_id}", evidence=s.sentence, start=s.start,
                            end=s.end, rules=s.rules, merge_reason=s.merge_reason) for s in ev.sources],
    )


def to_json(events: list[EventView], base: str = "", next_url: str | None = None, total: int | None = None) -> str:
    page = EventPage(events=[event_read(e, base) for e in events], next=next_url, total=total)
    return page.model_dump_json(indent=1)


def csv_cell(value: object) -> object:
    """A cell a spreadsheet will not run: text starting with = + - @ tab or CR gets a leading
    apostrophe (OWASP's advice on CSV injection); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def xml_text(value: str) -> str:
    """Text XML 1.0 can hold, escaped: the characters it forbids (controls, lone surrogates) dropped."""
    from xml.sax.saxutils import escape

    return escape(XML_FORBIDDEN.sub("", value))


def one_line(value: str) -> str:
    """A single-line property value: line breaks and other controls become spaces."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", XML_FORBIDDEN.sub("", value)).strip()


def lines_text(value: str) -> str:
    """A multi-line value: newlines kept, carriage returns and other controls dropped."""
    return re.sub(r"[\x00-\x09\x0b-\x1f\x7f]", "", XML_FORBIDDEN.sub("", value))


def to_csv(events: list[EventView], base: str = "") -> str:
    """One row per event; header CSV_HEADER; multi-valued cells joined with '; '."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    for e in events:
        first = e.sources[0] if e.sources else None
        core = e.core_actors
        w.writerow([csv_cell(v) for v in [e.id, base + e.path, e.date, e.date_start, e.date_end, e.precision, int(e.approximate), e.type,
                    e.plover, e.cameo, e.title, "; ".join(a["name"] for a in core), "; ".join(a["slug"] for a in core),
                    "; ".join(t["name"] for t in e.topics), e.source_count,
                    first.title if first else "", first.outlet if first else "", first.published if first else "",
                    first.sentence if first else ""]])
    return buf.getvalue()


def to_ics(events: list[EventView], base: str, title: str) -> bytes:
    """All-day iCalendar events over each event's date interval, with a stable UID."""
    from icalendar import Calendar, Event as VEvent

    cal = Calendar()
    cal.add("prodid", "-//diplomatic-timeline//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", one_line(title))
    host = base.split("//")[-1] or "localhost"
    for e in events:
        v = VEvent()
        v.add("uid", f"event-{e.id}@{host}")
        v.add("summary", one_line(e.title))
        v.add("dtstart", e.date_start)
        v.add("dtend", e.date_end + dt.timedelta(days=1) if e.date_end < dt.date.max else e.date_end)
        v.add("dtstamp", dt.datetime.now(dt.timezone.utc))
        v.add("url", base + e.path)
        v.add("categories", [one_line(c) for c in [e.type_label] + [t["name"] for t in e.topics]])
        lines = [f"{e.date_label} · {e.type_label}"]
        lines += [f"“{s.sentence}” — {s.outlet or s.title}, {s.published}" for s in e.sources]
        v.add("description", lines_text("\n".join(lines)))
        cal.add_component(v)
    return cal.to_ical()


def to_atom(events: list[EventView], base: str, f: Filters, self_url: str) -> str:
    """An Atom feed of the view, newest first, one entry per event."""
    escape = xml_text

    def stamp(d: dt.date) -> str:
        return dt.datetime.combine(d, dt.time(), dt.timezone.utc).isoformat().replace("+00:00", "Z")

    ordered = sorted(events, key=lambda e: (e.date_start, e.id), reverse=True)
    updated = stamp(ordered[0].date_start) if ordered else stamp(dt.date(2000, 1, 1))
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"<title>{escape(f.describe())}</title>", f"<id>{escape(self_url)}</id>",
           f'<link rel="self" href="{escape(self_url)}"/>', f'<link rel="alternate" type="text/html" href="{escape(base + f.url("/"))}"/>',
           f"<updated>{updated}</updated>", "<author><name>diplomatic-timeline</name></author>"]
    for e in ordered:
        summary = " ".join(f"“{s.sentence}” ({s.outlet or s.title}, {s.published})" for s in e.sources)
        out += ["<entry>", f"<title>{escape(e.date_label + ': ' + e.title)}</title>",
                f"<id>{escape(base + e.path)}</id>", f'<link href="{escape(base + e.path)}"/>',
                f"<updated>{stamp(e.date_start)}</updated>", f'<category term="{escape(e.type)}"/>',
                f"<summary>{escape(summary)}</summary>", "</entry>"]
    out.append("</feed>")
    return "\n".join(out)


def events_dump(events: list[EventView], base: str = "") -> str:
    """`timeline export --format json`: {"events": [...]} with every source."""
    return json.dumps({"events": [json.loads(event_read(e, base).model_dump_json()) for e in events]}, indent=1,
                      ensure_ascii=False)
