"""Canonical, readable URLs and labels; one view, one truth in the htmx fragment."""
from __future__ import annotations

import datetime as dt

import lxml.html
import pytest

from app.timeline.context import summary
from app.timeline.filters import Filters, date_range

HTML = {"accept": "text/html"}
HX = {"HX-Request": "true", "HX-Target": "app", "accept": "text/html"}


@pytest.mark.parametrize("qs,canonical", [
    ("actor=vladimir-putin&topic=ceasefire&q=&from=&to=&type=call&order=desc&actor=",
     "/?actor=vladimir-putin&topic=ceasefire&type=call"),
    ("type=call&actor=vladimir-putin", "/?actor=vladimir-putin&type=call"),
    ("actor=vladimir-putin&actor=vladimir-putin", "/?actor=vladimir-putin"),
    ("q=", "/"),
    ("order=desc&min_sources=0", "/"),
    ("to=2025-03-31&from=2025-03-01", "/?from=2025-03-01&to=2025-03-31"),
])
def test_non_canonical_query_strings_redirect_permanently(client, qs, canonical):
    r = client.get("/?" + qs, headers=HTML, follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == canonical
    assert "HX-Request" in r.headers["vary"]  # the same URL answers htmx with a fragment: caches must tell them apart
    assert client.get(canonical, headers=HTML, follow_redirects=False).status_code == 200


def test_canonical_urls_do_not_redirect_and_links_carry_no_empty_parameters(client):
    r = client.get("/?actor=vladimir-putin&type=call", headers=HTML, follow_redirects=False)
    assert r.status_code == 200
    tree = lxml.html.fromstring(r.text)
    hrefs = [a.get("href") for a in tree.cssselect("a[href^='/?'], link[rel=alternate]")]
    assert hrefs and not [h for h in hrefs if "=&" in h or h.endswith("=")]


@pytest.mark.parametrize("lo,hi,text", [
    (dt.date(2025, 3, 1), dt.date(2025, 3, 31), "1–31 March 2025"),
    (dt.date(2025, 3, 3), dt.date(2025, 4, 5), "3 March – 5 April 2025"),
    (dt.date(2024, 12, 30), dt.date(2025, 1, 2), "30 December 2024 – 2 January 2025"),
    (dt.date(2025, 3, 18), dt.date(2025, 3, 18), "18 March 2025"),
    (dt.date(2025, 3, 1), None, "from 1 March 2025"),
    (None, dt.date(2025, 3, 31), "until 31 March 2025"),
])
def test_readable_date_ranges(lo, hi, text):
    assert date_range(lo, hi) == text


def test_headings_titles_and_feed_names_use_display_names(client):
    qs = "actor=vladimir-putin&topic=ceasefire&from=2025-03-01&to=2025-03-31"
    tree = lxml.html.fromstring(client.get("/?" + qs, headers=HTML).text)
    assert tree.findtext(".//h1") == "Vladimir Putin · ceasefire · 1–31 March 2025"
    assert tree.findtext(".//title") == "Vladimir Putin · ceasefire · 1–31 March 2025 · Diplomatic timeline"
    ics = client.get("/events.ics?" + qs).text
    assert "X-WR-CALNAME:Vladimir Putin · ceasefire · 1–31 March 2025" in ics.replace("\r\n ", "")
    assert "<title>Vladimir Putin · ceasefire · 1–31 March 2025</title>" in client.get("/events.atom?" + qs).text
    assert lxml.html.fromstring(client.get("/", headers=HTML).text).findtext(".//h1") == "All events"


@pytest.mark.parametrize("n,active,text", [
    (1, True, "1 event matches these filters."), (2, True, "2 events match these filters."),
    (0, True, "No event matches these filters."), (1, False, "1 event."), (1234, False, "1,234 events.")])
def test_plurals(n, active, text):
    assert summary(n, Filters(q="x") if active else Filters()) == text


def test_an_impossible_range_gets_a_message_and_a_way_out(client):
    tree = lxml.html.fromstring(client.get("/?from=2025-04-01&to=2025-03-01", headers=HTML).text)
    alert = tree.cssselect("[role=alert]")[0]
    assert "after it ends" in alert.text_content()
    assert alert.cssselect("a")[0].get("href") == "/?from=2025-03-01&to=2025-04-01"


def test_the_fragment_carries_title_twins_and_announcement_out_of_band(client):
    r = client.get("/?actor=vladimir-putin&q=&type=call", headers=HX)
    assert r.status_code == 200 and r.headers["HX-Push-Url"] == "/?actor=vladimir-putin&type=call"
    assert "HX-Request" in r.headers["vary"]
    frag = lxml.html.fragments_fromstring(r.text)
    top = {e.tag for e in frag if isinstance(e.tag, str)}
    assert "title" in top
    oob = {e.get("id"): e for e in frag if isinstance(e.tag, str) and e.get("hx-swap-oob")}
    assert {"alt-json", "alt-csv", "alt-ics", "alt-atom", "twins", "announce"} <= set(oob)
    assert oob["alt-csv"].get("href") == "/events.csv?actor=vladimir-putin&type=call"
    assert [a.get("href") for a in oob["twins"].cssselect("a")] == [
        f"/events.{x}?actor=vladimir-putin&type=call" for x in ("json", "csv", "ics", "atom")]
    title = next(e for e in frag if getattr(e, "tag", None) == "title").text
    assert title == "Vladimir Putin · Phone call · Diplomatic timeline"
    assert oob["announce"].text_content().strip().endswith("these filters.")
    # a history restore gets the whole page
    full = client.get("/?actor=vladimir-putin&type=call", headers={**HX, "HX-History-Restore-Request": "true"})
    assert full.text.lstrip().lower().startswith("<!doctype html>")
