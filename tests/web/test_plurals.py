"""Every count beside a noun in the templates goes through one helper (app.timeline.context.plural):
each is rendered here with 1 and with 2; the scan below covers every template."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace as NS

import lxml.html
import pytest
from jinja2 import ChainableUndefined

from app.feeds import Freshness
from app.web.templating import TEMPLATES, env

# The surroundings of the part under test may be left out: an undefined name renders as nothing.
loose = env.overlay(undefined=ChainableUndefined)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", " ".join(lxml.html.fromstring(html).itertext()))


def attrs(html: str, name: str) -> list[str]:
    return [e.get(name) for e in lxml.html.fromstring(html).iter() if e.get(name)]


def event(sources: int) -> NS:
    return NS(id=1, date_start=dt.date(2025, 3, 18), date_label="18 Mar 2025", type="call", type_label="Phone call",
              path="/events/1-x", title="A call", core_actors=[], topics=[], sources=[], source_count=sources)


def render(template: str, **ctx) -> str:
    return loose.get_template(template).render(ctx)


def card(n: int) -> str:
    return text(str(loose.get_template("_macros.html").module.event_card(event(n))))


def panel_datalist(n: int) -> str:
    html = render("_panel.html", actor_facets=[{"name": "Ann", "slug": "ann", "count": n, "on": False, "url": "/?actor=ann"}])
    return " ".join(o.text_content() for o in lxml.html.fromstring(html).cssselect("#actor-options option"))


def suggest(n: int) -> str:
    return text("<datalist>" + render("_suggest.html", actors=[{"name": "Ann", "count": n}]) + "</datalist>")


def density(n: int) -> str:
    bar = {"url": "/?from=2025-03-01", "label": "March 2025", "count": n, "x": 0, "y": 0, "w": 1, "h": 1}
    return " ".join(attrs(render("_density.html", density={"bars": [bar], "width": 1, "height": 1, "max": n, "unit": "month"}),
                          "aria-label"))


def ingest_saved(n: int) -> str:
    return text(render("ingest.html", enabled=True, saved=[{"article_id": 7, "status": "new", "events": n}]))


def ingest_late(n: int) -> str:
    late = [{"date": "2025-05-01", "after": True, "type": "call", "title": "t", "evidence": "e"}] * n
    return text(render("ingest.html", enabled=True, rows=[{"raw": NS(title="T", published="2025-04-01"), "events": late}]))


def actor_page(n: int) -> str:
    html = render("actor.html", actor=NS(name="Ann", slug="ann", kind="person"),
                  page=NS(total=n, events=[], next_cursor="c"), timeline_url="/?actor=ann",
                  counterparts=[{"slug": "bob", "name": "Bob", "count": n, "url": "/?actor=ann&actor=bob"}])
    return text(html) + " " + " ".join(attrs(html, "aria-label"))


def feed_page(n: int) -> str:
    fetch = NS(status="ok", started_at=dt.datetime(2025, 4, 1), entries=n, new=n, updated=0, unchanged=0, failed=0,
               http_status=200, duration_ms=3, reason="")
    return text(render("feed.html", title="F", fetches=[(fetch, [])],
                       feed=NS(url="http://x", enabled=True, failures=n, interval_minutes=n, last_error="boom",
                               created_at=dt.datetime(2025, 4, 1))))


def feeds_page(n: int) -> str:
    f = NS(id=1, url="http://x", enabled=True, failures=n, interval_minutes=30, last_status="error", last_error="",
           last_fetched_at=None, next_fetch_at=None)
    return text(render("feeds.html", enabled=True, feeds=[f], name=lambda f: "F", form={}, limits=(5, 10)))


def freshness(n: int) -> str:
    arrived = dt.datetime(2025, 4, 1, 12, 0)
    return Freshness(arrived=arrived, article_id=1, feed_id=None, feed_title="").ago(arrived + dt.timedelta(minutes=n))


CASES = {  # what renders it: (with 1, with 2)
    "event card: sources": (card, "1 source", "2 sources"),
    "_panel.html: actor suggestions": (panel_datalist, "1 event", "2 events"),
    "_suggest.html: actor suggestions": (suggest, "1 event", "2 events"),
    "_density.html: bars": (density, "1 event", "2 events"),
    "ingest.html: saved": (ingest_saved, "new, 1 event", "new, 2 events"),
    "ingest.html: dated after publication": (ingest_late, "1 event dated after", "2 events dated after"),
    "actor.html: total": (actor_page, "Person · 1 event ·", "Person · 2 events ·"),
    "actor.html: all on the timeline": (actor_page, "All 1 event on the timeline", "All 2 events on the timeline"),
    "actor.html: counterparts": (actor_page, "1 event with both", "2 events with both"),
    "feed.html: entries": (feed_page, "1 entry:", "2 entries:"),
    "feed.html: interval": (feed_page, "1 minute", "2 minutes"),
    "feed.html: failures": (feed_page, "1 failure in a row", "2 failures in a row"),
    "feeds.html: failures": (feeds_page, "1 failure in a row", "2 failures in a row"),
    "_freshness.html: age": (freshness, "1 minute ago", "2 minutes ago"),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("n", [1, 2])
def test_counts_and_nouns_agree(case, n):
    renders, one, two = CASES[case]
    shown = renders(n)
    assert re.search(r"(?<!\w)" + re.escape(one if n == 1 else two) + r"(?!\w)", shown), shown


def test_no_count_beside_a_noun_bypasses_the_helper():
    """A count printed straight before a word, or a hand-made 's' ending, in any template this suite
    covers, the lanes and dyad templates included."""
    found = []
    for path in sorted(Path(TEMPLATES).glob("*.html")):
        src = path.read_text()
        found += [(path.name, m.group()) for m in re.finditer(r"\{\{[^}]*\}\}\s*(?:events?|sources?|entries|minutes|articles|marks?|shared)\b"
                                                              r"|\w\{\{ *'' if [^}]*== 1 else 's' *\}\}", src)]
    assert found == []
