"""The lanes view and the dyad page through the TestClient, parsed as HTML, SVG and CSV, and checked
against independent SQL over the seeded database (never against counts of the seed corpus)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

import lxml.etree
import lxml.html
import pytest
from sqlalchemy import text

from app.pipeline.dates import precision, value_interval
from app.pipeline.store import bump_version
from app.timeline import lanes as lanes_model
from app.timeline import tally

HTML = {"accept": "text/html"}
THREE = "actor=donald-trump&actor=vladimir-putin&actor=volodymyr-zelensky"
DYAD = "/actors/donald-trump/with/vladimir-putin"
CORE = "role != 'mentioned'"


def doc(resp):
    assert resp.status_code == 200, resp.text[:500]
    return lxml.html.fromstring(resp.text)


def shared_events(session, a: str, b: str) -> list[tuple]:
    """(event id, date_start, type) of the events both actors take part in, by plain SQL."""
    return session.execute(text(f"""
        SELECT e.id, e.date_start, e.type FROM event e
        JOIN eventactor x ON x.event_id = e.id AND x.{CORE} JOIN actor ax ON ax.id = x.actor_id AND ax.slug = :a
        JOIN eventactor y ON y.event_id = e.id AND y.{CORE} JOIN actor ay ON ay.id = y.actor_id AND ay.slug = :b
        ORDER BY e.date_start, e.id"""), {"a": a, "b": b}).all()


def shared_dates(session, a: str, b: str) -> list[tuple]:
    """(event id, date, first day, last day, type) of the pair's shared events, by plain SQL, oldest first."""
    rows = session.execute(text(f"""
        SELECT e.id, e.date, e.date_start, e.date_end, e.type FROM event e
        JOIN eventactor x ON x.event_id = e.id AND x.{CORE} JOIN actor ax ON ax.id = x.actor_id AND ax.slug = :a
        JOIN eventactor y ON y.event_id = e.id AND y.{CORE} JOIN actor ay ON ay.id = y.actor_id AND ay.slug = :b
        ORDER BY e.date_start, e.id"""), {"a": a, "b": b}).all()
    day = lambda v: dt.date.fromisoformat(str(v)[:10])  # noqa: E731
    return [(i, date, day(s), day(e), t) for i, date, s, e, t in rows]


def in_one_month(start: dt.date, end: dt.date) -> bool:
    return (start.year, start.month) == (end.year, end.month)


def redate(session, dates: dict[int, str]) -> None:
    """Give these events other dates ('1990', '2024-SU', '2025-W09'), their facet totals moved with them,
    as a re-extraction would store them (an editor's correction takes only days, months and years)."""
    ids = list(dates)
    tally.note(session, ids, -1)
    for eid, date in dates.items():
        start, end = value_interval(date)
        session.execute(text("UPDATE event SET date = :d, date_start = :s, date_end = :e, precision = :p WHERE id = :i"),
                        {"d": date, "s": start, "e": end, "p": precision(date), "i": eid})
        session.execute(text("UPDATE eventactor SET date_start = :s WHERE event_id = :i"), {"s": start, "i": eid})
    tally.note(session, ids, 1)
    bump_version(session)
    session.commit()


def participants(session, slugs: tuple[str, ...]) -> dict[int, set[str]]:
    rows = session.execute(text(f"""SELECT ea.event_id, a.slug FROM eventactor ea JOIN actor a ON a.id = ea.actor_id
                                    WHERE ea.{CORE}""")).all()
    out: dict[int, set[str]] = {}
    for event_id, slug in rows:
        if slug in slugs:
            out.setdefault(event_id, set()).add(slug)
    return out


def event_id(href: str) -> int:
    return int(href.rsplit("/", 1)[1].split("-", 1)[0])


def test_lanes_of_three_actors_mark_every_participant_and_join_each_event(client, session):
    slugs = ("donald-trump", "vladimir-putin", "volodymyr-zelensky")
    tree = doc(client.get("/?view=lanes&" + THREE, headers=HTML))
    svg = tree.cssselect("#lanes svg.lanes-h")[0]
    assert [t.text_content() for t in svg.cssselect("g.axis text[font-weight]")] == \
        ["Donald Trump", "Vladimir Putin", "Volodymyr Zelensky"]
    marks = Counter(event_id(a.get("href")) for a in svg.cssselect("a.mark"))
    expected = participants(session, slugs)
    assert marks == Counter({i: len(s) for i, s in expected.items()})
    joined = {int(line.get("data-event")) for line in svg.cssselect("g.joins line")}
    assert joined == {i for i, s in expected.items() if len(s) > 1}
    assert joined, "the seeds hold events shared by two of these actors"
    labels = [a.get("aria-label") for a in svg.cssselect("a.mark")]
    assert all(" · " in lab for lab in labels)
    rows = tree.cssselect(".lanes-table tbody tr")
    assert len(rows) == len(expected)  # the table alternative holds the same events
    assert tree.cssselect(".summary")[0].text_content().startswith(f"{len(expected)} events")


def test_the_accessible_name_of_a_mark_says_date_type_and_participants(client, session):
    (eid, _, _), *_ = shared_events(session, "donald-trump", "vladimir-putin")
    ev = client.get(f"/events/{eid}.json").json()
    tree = doc(client.get("/?view=lanes&actor=donald-trump&actor=vladimir-putin", headers=HTML))
    names = {a.get("aria-label") for a in tree.cssselect("svg.lanes-h a.mark") if event_id(a.get("href")) == eid}
    core = ", ".join(a["name"] for a in ev["actors"] if a["role"] != "mentioned")
    assert len(names) == 1
    (name,) = names
    assert name.endswith(f" · {ev['type_label']} · {core}")


def test_without_actors_the_lanes_are_the_views_top_actors(client, session):
    tree = doc(client.get("/?view=lanes&type=call", headers=HTML))
    top = session.execute(text(f"""SELECT a.name, count(*) AS n FROM eventactor ea JOIN actor a ON a.id = ea.actor_id
        JOIN event e ON e.id = ea.event_id WHERE ea.{CORE} AND e.type = 'call'
        GROUP BY a.id, a.name ORDER BY n DESC, a.name LIMIT 8""")).all()
    lanes = [t.text_content() for t in tree.cssselect("#lanes svg.lanes-h g.axis text[font-weight]")]
    assert lanes == [n if len(n) <= 24 else n[:23] + "…" for n, _ in top]


def any_of(session, slugs, types=()) -> dict[int, dt.date]:
    """Start day per event with any of these actors (initiator or counterpart), of these types, by plain SQL."""
    rows = session.execute(text(f"""SELECT DISTINCT e.id, e.date_start, e.type FROM event e
        JOIN eventactor ea ON ea.event_id = e.id AND ea.{CORE} JOIN actor a ON a.id = ea.actor_id
        WHERE a.slug IN ({", ".join(f"'{s}'" for s in slugs)})""")).all()
    return {i: dt.date.fromisoformat(str(d)[:10]) for i, d, t in rows if not types or t in types}


def top_actors(session, types=()) -> list[str]:
    """The view's top 8 actors, as the lanes view picks them when none is chosen, by plain SQL."""
    where = f"AND e.type IN ({', '.join(repr(t) for t in types)})" if types else ""
    return [s for s, _ in session.execute(text(f"""SELECT a.slug, count(*) AS n FROM eventactor ea
        JOIN actor a ON a.id = ea.actor_id JOIN event e ON e.id = ea.event_id WHERE ea.{CORE} {where}
        GROUP BY a.id, a.slug, a.name ORDER BY n DESC, a.name LIMIT 8""")).all()]


@pytest.mark.parametrize("qs,slugs,types", [
    (THREE, ("donald-trump", "vladimir-putin", "volodymyr-zelensky"), ()),
    (THREE + "&from=2025-03-01&to=2025-03-31", ("donald-trump", "vladimir-putin", "volodymyr-zelensky"), ()),
    ("actor=donald-trump&actor=vladimir-putin&type=call&type=meeting", ("donald-trump", "vladimir-putin"),
     ("call", "meeting")),
    ("actor=vladimir-putin", ("vladimir-putin",), ()),
    ("type=call", None, ("call",)),  # no actor chosen: the lanes are the view's top 8 actors
])
def test_the_overview_counts_the_events_the_figure_draws(client, session, qs, slugs, types):
    """The strip under the figure counts, per period of the whole range, the events of any of its lanes'
    actors under the other filters: what the figure draws, never the events of every actor."""
    slugs = slugs or top_actors(session, types)
    want = any_of(session, slugs, types)
    assert want
    tree = doc(client.get("/?view=lanes&" + qs, headers=HTML))
    bars = tree.cssselect(".lanes-overview svg a")
    assert bars
    total = 0
    for bar in bars:
        n = int(bar.get("aria-label").rsplit(": ", 1)[1].split()[0])
        q = dict(p.split("=") for p in bar.get("href").split("?")[1].split("&") if p.split("=")[0] in ("from", "to"))
        lo, hi = dt.date.fromisoformat(q["from"]), dt.date.fromisoformat(q["to"])
        assert n == sum(1 for d in want.values() if lo <= d <= hi), bar.get("aria-label")
        total += n
    assert total == len(want)
    if "from=" not in qs:  # over the whole range the figure draws these very events
        drawn = {event_id(a.get("href")) for a in tree.cssselect(".lanes-table tbody a")}
        assert drawn == set(want)


def test_zoom_links_keep_the_view_and_change_only_the_dates(client):
    tree = doc(client.get("/?view=lanes&actor=donald-trump&from=2025-03-01&to=2025-03-31", headers=HTML))
    nav = {a.get("data-nav"): a.get("href") for a in tree.cssselect(".lanes-nav a[data-nav]")}
    assert nav == {"in": "/?actor=donald-trump&from=2025-03-09&to=2025-03-23&view=lanes",
                   "out": "/?actor=donald-trump&from=2025-02-14&to=2025-04-16&view=lanes",
                   "prev": "/?actor=donald-trump&from=2025-01-29&to=2025-02-28&view=lanes",
                   "next": "/?actor=donald-trump&from=2025-04-01&to=2025-05-01&view=lanes"}
    for a in tree.cssselect(".lanes-nav a"):
        assert a.get("hx-get") == a.get("href")
    form = tree.cssselect("form[data-lanes-range]")[0]
    hidden = [(i.get("name"), i.get("value")) for i in form.cssselect("input[type=hidden]")]
    assert hidden == [("actor", "donald-trump"), ("view", "lanes")]
    assert form.get("action") == "/" and form.get("method") == "get"


def test_view_list_never_appears_in_urls(client):
    tree = doc(client.get("/?view=lanes&actor=donald-trump", headers=HTML))
    switch = tree.cssselect(".view-switch a")[0]
    assert switch.get("href") == "/?actor=donald-trump"
    tree = doc(client.get("/?actor=donald-trump&view=list", headers=HTML))
    hrefs = [a.get("href") or "" for a in tree.iter("a")]
    assert not any("view=list" in h for h in hrefs)
    assert "/?actor=donald-trump&view=lanes" in hrefs
    # the panel's form keeps the lanes view when a filter is applied
    tree = doc(client.get("/?view=lanes&actor=donald-trump", headers=HTML))
    assert tree.cssselect('#filter-form input[type=hidden][name=view][value=lanes]')


def test_htmx_swaps_the_figure_or_the_app_and_serves_the_figure_alone(client):
    """On the dyad page the figure's links swap #lanes alone; in the lanes view they swap #app, so the
    panel's dates and counts follow the window; #lanes is still served alone to whoever asks for it."""
    tree = doc(client.get("/actors/donald-trump/with/vladimir-putin", headers=HTML))
    assert tree.cssselect("#lanes")[0].get("hx-target") == "this"
    tree = doc(client.get("/?view=lanes&actor=donald-trump", headers=HTML))
    assert tree.cssselect("#lanes")[0].get("hx-target") == "#app"
    frag = client.get("/actors/donald-trump/with/vladimir-putin?from=2025-03-01",
                      headers={"HX-Request": "true", "HX-Target": "lanes"})
    assert lxml.html.fragment_fromstring(frag.text.strip()).get("id") == "lanes"
    resp = client.get("/?view=lanes&actor=donald-trump", headers={"HX-Request": "true", "HX-Target": "lanes"})
    assert resp.status_code == 200 and "HX-Request" in resp.headers["vary"]
    frag = lxml.html.fragment_fromstring(resp.text.strip())
    assert frag.get("id") == "lanes" and frag.cssselect("svg.lanes-h") and not frag.cssselect("aside.panel")
    restore = client.get("/?view=lanes&actor=donald-trump",
                         headers={"HX-Request": "true", "HX-Target": "lanes", "HX-History-Restore-Request": "true"})
    assert lxml.html.fromstring(restore.text).cssselect("html body aside.panel #filter-form")


@pytest.mark.parametrize("extra", ["", "&min_sources=1"])  # counts from the facet totals, and live
def test_a_wide_window_of_many_events_draws_counts_that_link_to_narrower_windows(client, session, monkeypatch, extra):
    from app.timeline import lanes
    monkeypatch.setattr(lanes, "MAX_MARKS", 3)
    url = "/?view=lanes&actor=donald-trump&actor=vladimir-putin" + extra
    tree = doc(client.get(url, headers=HTML))
    bins = tree.cssselect("svg.lanes-h a.bin")
    assert bins and not tree.cssselect("svg.lanes-h a.mark:not(.bin)")
    pairs = participants(session, ("donald-trump", "vladimir-putin"))
    assert sum(int(b.cssselect("text")[0].text) for b in bins) == sum(len(s) for s in pairs.values())
    table = tree.cssselect(".lanes-table tbody tr")
    assert sum(int(td.text) for tr in table for td in tr.cssselect("td")) == sum(len(s) for s in pairs.values())
    for b in bins:
        assert "view=lanes" in b.get("href") and "from=" in b.get("href") and "to=" in b.get("href")
    narrower = doc(client.get(bins[0].get("href"), headers=HTML))
    assert narrower.cssselect("svg.lanes-h a.mark")


def test_the_dyad_page_counts_match_the_list_view_and_sql(client, session):
    shared = shared_events(session, "donald-trump", "vladimir-putin")
    assert shared
    tree = doc(client.get("/actors/donald-trump/with/vladimir-putin", headers=HTML))
    listed = client.get("/events.json?actor=donald-trump&actor=vladimir-putin").json()
    assert int(tree.cssselect(".dyad-total")[0].text) == len(shared) == listed["total"]
    assert tree.cssselect(".dyad-first")[0].get("datetime") == str(shared[0][1])[:10]
    assert tree.cssselect(".dyad-latest")[0].get("datetime") == str(shared[-1][1])[:10]
    table = tree.cssselect("table.counts")[0]
    assert sum(int(tr.cssselect("td")[-1].text) for tr in table.cssselect("tbody tr")) == len(shared)
    cards = [a.get("href") for a in tree.cssselect("article.event .title a")]
    assert [event_id(h) for h in cards] == [e[0] for e in shared][:len(cards)]
    svg = tree.cssselect("#lanes svg.lanes-h")[0]
    assert {int(line.get("data-event")) for line in svg.cssselect("g.joins line")} == {e[0] for e in shared}


def test_the_dyad_csv_equals_sql_per_month_and_type(client, session):
    """An event within one calendar month counts in that month; any other (a year, a season, a week across
    two months) has no month, and its own date as its period."""
    resp = client.get("/actors/donald-trump/with/vladimir-putin.csv")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    got = {(r["month"], r["period"], r["type"]): int(r["count"]) for r in rows}
    want = Counter((f"{s:%Y-%m}", f"{s:%Y-%m}", t) if in_one_month(s, e) else ("", date, t)
                   for _, date, s, e, t in shared_dates(session, "donald-trump", "vladimir-putin"))
    assert got == dict(want) and {r["actor_a"] for r in rows} == {"donald-trump"}


def test_first_and_latest_contact_are_dated_at_their_precision(client, session):
    """A first contact known only to the year reads '1990', never '1 Jan 1990' (a day nobody reported)."""
    shared = shared_events(session, "donald-trump", "vladimir-putin")
    assert len(shared) >= 2
    redate(session, {shared[0][0]: "1990", shared[-1][0]: "2030-Q1"})
    tree = doc(client.get(DYAD, headers=HTML))
    first, latest = tree.cssselect(".dyad-first")[0], tree.cssselect(".dyad-latest")[0]
    assert (first.text, first.get("datetime")) == ("1990", "1990-01-01")
    assert (latest.text, latest.get("datetime")) == ("Q1 2030", "2030-01-01")


def test_the_counts_table_files_coarser_dates_under_their_own_period(client, session):
    """Events dated to a year, a season or a week across two months are rows of that period (before the
    months it covers), not of the month they start in; the caption says so; the CSV agrees."""
    shared = shared_events(session, "donald-trump", "vladimir-putin")
    assert len(shared) >= 3
    redate(session, {shared[0][0]: "1990", shared[1][0]: "2025-W09", shared[2][0]: "2024-SU"})
    coarse = {"1990": "1990", "2025-W09": "week of 24 Feb 2025", "2024-SU": "summer 2024"}
    rows: dict[tuple, Counter] = {}
    for _, date, s, e, t in shared_dates(session, "donald-trump", "vladimir-putin"):
        key = ((s.replace(day=1), -32, f"{s:%Y-%m}") if in_one_month(s, e) else (s, -(e - s).days, coarse[date]))
        rows.setdefault(key, Counter())[t] += 1
    tree = doc(client.get(DYAD, headers=HTML))
    table = tree.cssselect("table.counts")[0]
    got = [(tr.cssselect("th")[0].text, int(tr.cssselect("td")[-1].text)) for tr in table.cssselect("tbody tr")]
    assert got == [(label, sum(per.values())) for (_, _, label), per in sorted(rows.items())]
    assert [tr.cssselect("th")[0].text for tr in table.cssselect("tbody tr.coarse")] == \
        [label for (_, _, label) in sorted(rows) if label in coarse.values()]
    assert "never in a month it may not fall in" in table.cssselect("caption")[0].text_content()
    rows_csv = list(csv.DictReader(io.StringIO(client.get(DYAD + ".csv").text)))
    assert {(r["month"], r["period"]) for r in rows_csv if r["period"] in coarse} == {("", p) for p in coarse}


@pytest.mark.parametrize("path", ["/actors/donald-trump/with/nobody-at-all", "/actors/donald-trump/with/donald-trump",
                                  "/actors/nobody-at-all/with/donald-trump.csv"])
def test_unknown_pairs_are_404(client, path):
    assert client.get(path, headers=HTML).status_code == 404


def test_actor_pages_and_two_actor_views_link_to_dyads(client):
    tree = doc(client.get("/actors/vladimir-putin", headers=HTML))
    links = [a.get("href") for a in tree.cssselect("#cp-h + ul a.dyad")]
    assert links and all(h.startswith("/actors/vladimir-putin/with/") for h in links)
    assert client.get(links[0], headers=HTML).status_code == 200
    for view in ("", "&view=lanes"):
        tree = doc(client.get("/?actor=donald-trump&actor=vladimir-putin" + view, headers=HTML))
        assert "/actors/donald-trump/with/vladimir-putin" in [a.get("href") for a in tree.iter("a")]


@pytest.mark.parametrize("path", ["/lanes.svg?" + THREE, "/actors/donald-trump/with/vladimir-putin.svg"])
def test_download_svg_is_a_standalone_file_with_caption_and_source(client, path):
    resp = client.get(path)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("image/svg+xml")
    tree = lxml.etree.fromstring(resp.content)
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert tree.tag == "{http://www.w3.org/2000/svg}svg"
    title = tree.findtext("s:title", namespaces=ns)
    assert title.startswith("Donald Trump, Vladimir Putin")
    texts = [t.text for t in tree.iterfind(".//s:text", ns)]
    assert title in texts and any(t.startswith("Source: ") for t in texts)
    assert tree.iterfind(".//s:a", ns) is not None and len(list(tree.iterfind(".//s:a", ns))) > 0


@pytest.mark.parametrize("marks", [lanes_model.MAX_MARKS, 3])  # single marks, and counts binned per period
@pytest.mark.parametrize("path", ["/lanes.svg?" + THREE, DYAD + ".svg"])
def test_the_downloaded_svg_links_back_to_this_site_by_absolute_urls(client, monkeypatch, path, marks):
    """Embedded in a slide or another site, a relative '/events/…' would lead nowhere: every link of the
    file is absolute, on the site (scheme and host) the file was asked of, and leads to a page of it."""
    monkeypatch.setattr(lanes_model, "MAX_MARKS", marks)
    for host in ("testserver", "timeline.example.org"):
        resp = client.get(path, headers={"host": host})
        assert resp.status_code == 200
        tree = lxml.etree.fromstring(resp.content)
        links = list(tree.iterfind(".//{http://www.w3.org/2000/svg}a"))
        hrefs = [a.get("href") for a in links]
        assert hrefs and all(h.startswith(f"http://{host}/") for h in hrefs), hrefs[:3]
        assert any("bin" in a.get("class").split() for a in links) == (marks == 3)
    for href in {hrefs[0], hrefs[-1]}:
        assert client.get(href.replace("http://timeline.example.org", ""), headers=HTML).status_code == 200
