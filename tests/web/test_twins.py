"""Every filtered view's twins list the same events, and each parses in the standard tools."""
from __future__ import annotations

import csv
import io

import feedparser
import icalendar
import pytest
from sqlalchemy import select, text

from app.models import Event, EventActor, Actor
from app.timeline.export import CSV_HEADER

VIEWS = ["", "actor=vladimir-putin", "actor=donald-trump&type=call", "topic=ceasefire&from=2025-03-01&to=2025-03-31",
         "q=sanctions", "min_sources=2"]


# Each view's events by plain SQL written here, not by the app's own conditions: an actor counts
# unless only mentioned, dates select the events whose interval overlaps [from, to].
INDEPENDENT_SQL = {
    "": "SELECT id FROM event",
    "actor=vladimir-putin": """SELECT ea.event_id FROM eventactor ea JOIN actor a ON a.id = ea.actor_id
                               WHERE a.slug = 'vladimir-putin' AND ea.role <> 'mentioned'""",
    "actor=donald-trump&type=call": """SELECT e.id FROM event e JOIN eventactor ea ON ea.event_id = e.id
                                       JOIN actor a ON a.id = ea.actor_id
                                       WHERE a.slug = 'donald-trump' AND ea.role <> 'mentioned' AND e.type = 'call'""",
    "topic=ceasefire&from=2025-03-01&to=2025-03-31": """SELECT e.id FROM event e JOIN eventtopic et ON et.event_id = e.id
                                                        JOIN topic t ON t.id = et.topic_id WHERE t.slug = 'ceasefire'
                                                        AND e.date_end >= '2025-03-01' AND e.date_start <= '2025-03-31'""",
    "min_sources=2": "SELECT id FROM event WHERE source_count >= 2",
}


def ids_from_db(session, query: str) -> set[int]:
    """The view's event ids: independent SQL where written above; full-text search (SQLite FTS5 or
    PostgreSQL tsvector, stemmed) through the app's own condition."""
    from starlette.datastructures import QueryParams

    from app.timeline.filters import Filters
    from app.timeline.queries import conditions

    if query in INDEPENDENT_SQL:
        return set(session.execute(text(INDEPENDENT_SQL[query])).scalars())
    f = Filters.from_params(QueryParams(query))
    return set(session.execute(select(Event.id).where(*conditions(session, f))).scalars())


def test_views_checked_by_independent_sql_are_not_trivial(session):
    """The independently computed views are non-empty and differ from one another."""
    views = {q: frozenset(ids_from_db(session, q)) for q in INDEPENDENT_SQL}
    assert all(views.values()) and len(set(views.values())) == len(views)
    assert all(views[q] < views[""] for q in views if q)


def event_id(url: str) -> int:
    return int(url.rstrip("/").rsplit("/", 1)[1].split("-", 1)[0])


@pytest.mark.parametrize("query", VIEWS)
def test_all_twins_agree_with_the_database(client, session, query):
    expected = ids_from_db(session, query)
    sep = "?" if query else ""
    json_ids, url = set(), f"/events.json{sep}{query}"
    while url:
        page = client.get(url.replace("http://testserver", "")).json()
        json_ids |= {e["id"] for e in page["events"]}
        url = page["next"]
    rows = list(csv.reader(io.StringIO(client.get(f"/events.csv{sep}{query}").text)))
    assert rows[0] == CSV_HEADER
    csv_ids = {int(r[0]) for r in rows[1:]}
    cal = icalendar.Calendar.from_ical(client.get(f"/events.ics{sep}{query}").content)
    ics_ids = {event_id(str(c["url"])) for c in cal.walk("VEVENT")}
    feed = feedparser.parse(client.get(f"/events.atom{sep}{query}").text)
    assert not feed.bozo, feed.bozo_exception
    atom_ids = {event_id(e.link) for e in feed.entries}
    assert json_ids == csv_ids == ics_ids == atom_ids == expected


def test_ics_events_are_all_day_over_the_interval(client, session):
    import datetime as dt

    interval = {i: (s, e) for i, s, e in session.execute(select(Event.id, Event.date_start, Event.date_end))}
    vevents = icalendar.Calendar.from_ical(client.get("/events.ics").content).walk("VEVENT")
    assert vevents  # a calendar with no event would pass the loop below
    for ev in vevents:
        start, end = ev.decoded("dtstart"), ev.decoded("dtend")
        assert not hasattr(start, "hour") and end > start and str(ev["uid"]).startswith("event-")
        first, last = interval[event_id(str(ev["url"]))]
        assert (start, end) == (first, last + dt.timedelta(days=1))  # DTEND is exclusive


def test_atom_is_newest_first(client):
    feed = feedparser.parse(client.get("/events.atom").text)
    stamps = [e.updated_parsed for e in feed.entries]
    assert len(stamps) > 1 and all(stamps)  # an empty feed, or one entry, is sorted whatever the order
    assert stamps == sorted(stamps, reverse=True)


def test_single_event_json_and_api(client, session):
    eid = session.execute(select(Event.id)).scalars().first()
    a = client.get(f"/events/{eid}.json").json()
    b = client.get(f"/api/v1/events/{eid}").json()
    assert a == b and a["id"] == eid and a["sources"] and a["sources"][0]["evidence"]
    assert client.get("/api/v1/events/999999").status_code == 404


def test_api_actor_counts_match_the_database(client, session):
    putin = session.execute(select(Actor.id).where(Actor.slug == "vladimir-putin")).scalar_one()
    n = len(session.execute(select(EventActor.event_id).where(EventActor.actor_id == putin, EventActor.role != "mentioned")).all())
    counts = {a["slug"]: a["count"] for a in client.get("/api/v1/actors").json()}
    assert counts["vladimir-putin"] == n


def test_pages_link_their_twins(client):
    import lxml.html

    tree = lxml.html.fromstring(client.get("/?actor=vladimir-putin", headers={"accept": "text/html"}).text)
    alternates = {l.get("type"): l.get("href") for l in tree.cssselect('link[rel="alternate"]')}
    assert alternates["application/atom+xml"] == "/events.atom?actor=vladimir-putin"
    assert alternates["text/calendar"] == "/events.ics?actor=vladimir-putin"
    assert tree.cssselect('footer a[href="/events.csv?actor=vladimir-putin"]')


def test_load_more_fragment(client):
    import re

    import lxml.html

    page = client.get("/events.json").json()
    if not page["next"]:
        pytest.fail("the seed corpus should need more than one page")
    nxt = page["next"].replace("http://testserver/events.json", "/")
    frag = client.get(nxt, headers={"HX-Request": "true", "HX-Target": "more", "accept": "text/html"}).text
    assert "<html" not in frag and "<h1>" not in frag
    second = client.get(page["next"].replace("http://testserver", "")).json()
    cards = lxml.html.fragment_fromstring(frag, create_parent="div").cssselect("article.event")
    ids = [int(re.fullmatch(r"ev-(\d+)-title", c.get("aria-labelledby"))[1]) for c in cards]
    assert ids and ids == [e["id"] for e in second["events"]]
    assert not set(ids) & {e["id"] for e in page["events"]}


@pytest.mark.parametrize("ext", ["json", "csv", "ics", "atom"])
@pytest.mark.parametrize("qs,canonical", [
    ("actor=&q=", ""),
    ("actor=vladimir-putin&topic=ceasefire&q=&from=&to=&type=call&order=desc&actor=",
     "actor=vladimir-putin&topic=ceasefire&type=call"),
    ("type=call&actor=vladimir-putin", "actor=vladimir-putin&type=call"),
    ("to=2025-03-31&from=2025-03-01", "from=2025-03-01&to=2025-03-31"),
    ("order=desc&min_sources=0", ""),
])
def test_twins_redirect_non_canonical_query_strings_like_the_page(client, ext, qs, canonical):
    r = client.get(f"/events.{ext}?{qs}", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == f"/events.{ext}" + (f"?{canonical}" if canonical else "")
    page = client.get("/?" + qs, headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 301 and page.headers["location"] == "/" + (f"?{canonical}" if canonical else "")
    assert client.get(r.headers["location"], follow_redirects=False).status_code == 200


def test_canonical_twins_and_their_next_links_answer_directly(client):
    first = client.get("/events.json?order=asc", follow_redirects=False)
    assert first.status_code == 200 and first.json()["next"]
    assert client.get(first.json()["next"].replace("http://testserver", ""), follow_redirects=False).status_code == 200
    assert client.get("/events.atom?q=Zelenskiy&order=asc", follow_redirects=False).status_code == 200
