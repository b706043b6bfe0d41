"""Hostile input at every door of the web app: it answers 4xx with a message, never 500; every answer,
errors included, carries the security headers; links are only ever http(s); the twins stay parseable
(CSV cells never start a formula, Atom is well-formed XML, iCalendar survives CR/LF); sessions end
on sign-out; a token is checked, never waved through; sign-in is rate limited."""
from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import logging
import re
import xml.etree.ElementTree as ET

import feedparser
import icalendar
import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from app.db import writer
from app.main import SECURITY_HEADERS, create_app
from app.pipeline.reader import RawArticle
from app.pipeline.store import ingest_article, sync_lexicon
from tests.conftest import ADMIN_TOKEN, backend, make_settings
from tests.web.test_admin import ARTICLE, csrf_of, login

BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CALL = "Donald Trump and Vladimir Putin held a phone call on Tuesday, the Kremlin said."


def has_security_headers(r) -> bool:
    return all(r.headers.get(k) == v for k, v in SECURITY_HEADERS.items())


def cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# ---------------------------------------------------------------- errors that were 500s
BAD_URLS = [
    "/?from=0001-01-01", "/?to=0001-01-01", "/?from=9999-12-31", "/events.json?from=0001-01-01",
    "/api/v1/actors?from=0001-01-01", "/api/v1/topics?to=0001-01-02", "/events.csv?from=0001-01-01",
    "/?q=%00", "/events.json?q=a%00b", "/actors/%00", "/api/v1/events?q=%00", "/events.atom?actor=%00",
    "/?cursor=" + cursor("2025-03-01|9999999999999999999999"), "/events.json?cursor=" + cursor("2025-03-01|-5"),
    "/api/v1/events?cursor=" + cursor("2025-03-01|0"), "/?cursor=" + cursor("0001-01-01|99999999999"),
    "/?" + "&".join(["actor=vladimir-putin"] * 144), "/events.json?" + "&".join(["type=call"] * 60),
    "/?" + "&".join(f"topic=t{i}" for i in range(21)), "/?" + "&".join(f"x{i}=1" for i in range(300)),
]
# the lanes view and a pair's page (HTML and SVG) refuse dates outside the accepted range the same way
PAIR = "/actors/vladimir-putin/with/donald-trump"
LANES_PAGES = ["/?view=lanes", "/?view=lanes&actor=vladimir-putin&actor=donald-trump", "/lanes.svg?actor=donald-trump",
               PAIR, PAIR + ".svg"]
BAD_URLS += [page + ("&" if "?" in page else "?") + window for page in LANES_PAGES
             for window in ("from=0001-01-01", "to=0001-01-02", "to=9999-12-31", "from=9999-12-31",
                            "from=0999-12-31&to=9001-01-01")]


@pytest.mark.parametrize("url", BAD_URLS, ids=lambda u: u[:60])
def test_hostile_query_answers_400_with_a_message_and_the_headers(client, url):
    r = client.get(url)
    assert r.status_code == 400, (url, r.status_code, r.text[:300])
    assert has_security_headers(r)
    detail = r.json()["detail"] if r.headers["content-type"].startswith("application/json") else r.text
    assert str(detail).strip()


def test_a_500_carries_the_security_headers(settings):
    app = create_app(settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("broken on purpose")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500 and has_security_headers(r)


# ---------------------------------------------------------------- stored dates at the edges
def test_stored_dates_at_the_calendar_edges_never_break_the_read_side(session, settings):
    """An old database may hold any date (the write side refuses them now): every view still answers."""
    sync_lexicon(session)
    for day in (dt.date(9999, 12, 20), dt.date(1, 1, 2)):
        ingest_article(session, RawArticle(f"Edge {day}", day, CALL + " Trump said on Monday that talks would go on.",
                                           "Wire", None, "test"))
    edge_events = [i for (i,) in session.execute(text(
        "SELECT id FROM event WHERE date_start > '9000-01-01' OR date_start < '1000-01-01'"))]
    session.commit()  # the fixture's session is a writer: let the app's own writes through
    assert edge_events
    urls = ["/", "/?type=call", "/?actor=vladimir-putin", "/?q=call", "/?actor=vladimir-putin&type=call",
            "/?from=2025-01-01", "/?to=2025-12-31", "/events.json", "/events.csv", "/events.ics", "/events.atom",
            "/api/v1/actors", "/api/v1/topics", "/actors/vladimir-putin", "/actors/donald-trump"]
    urls += [f"/events/{i}" for i in edge_events] + [f"/events/{i}.json" for i in edge_events]
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        for url in urls:
            r = c.get(url, headers={"accept": "text/html"}, follow_redirects=True)
            assert r.status_code == 200, (url, r.status_code)


HTML = {"accept": "text/html"}


def _fragments(url: str) -> list[dict]:
    """The htmx requests a page's own links and forms make: the lanes view's swap #app (and #lanes alone
    is served to whoever asks for it), a pair page's swap its #lanes; twins have none."""
    if url.split("?")[0].endswith((".svg", ".csv")):
        return []
    targets = ["lanes"] if url.startswith("/actors/") else ["lanes", "app"]
    return [{"HX-Request": "true", "HX-Target": t} for t in targets]


def _nav_links(body: str) -> list[str]:
    """The figure's own links on a page or fragment: zoom and pan, whole range, the SVG download, and the
    first and last of its counts (bins) and of the overview strip's bars (the ends of the range)."""
    if not body.strip():  # a fragment the view has nothing for (the list view's #lanes)
        return []
    tree = lxml.html.fromstring(body)
    found = tree.cssselect(".lanes-nav a, .lanes-download a")
    for group in ("svg.lanes-h a.bin", ".lanes-overview a"):
        found += tree.cssselect(group)[:1] + tree.cssselect(group)[-1:]
    return list(dict.fromkeys(a.get("href") for a in found if a.get("href")))


def _answers(c, url: str, headers: dict | None = None, followed: set | None = None) -> list[str]:
    """Problems of one request (and, for a page, of each of the figure's links not yet followed): never a
    500, always the security headers; pages, fragments and CSV 200; an SVG 200, or 404 with a message when
    nothing is drawn."""
    r = c.get(url, headers=headers or HTML)
    svg = url.split("?")[0].endswith(".svg")
    if r.status_code != 200 and not (svg and r.status_code == 404 and "No " in r.text):
        return [f"{url} {headers or ''} -> {r.status_code}"]
    if not has_security_headers(r):
        return [f"{url}: no security headers"]
    problems = []
    followed = set() if followed is None else followed
    if r.headers["content-type"].startswith("text/html"):
        for link in _nav_links(r.text):
            if link in followed:
                continue
            followed.add(link)
            got = c.get(link, headers=HTML)
            ok = got.status_code == 200 or (link.split("?")[0].endswith(".svg") and got.status_code == 404)
            if not ok:
                problems.append(f"{url} links to {link} -> {got.status_code}")
    return problems


# windows at the very edges of the accepted range (1000-01-01 .. 9000-12-31), empty and reversed ones too
EDGE_WINDOWS = ["to=9000-12-31", "from=1000-01-01", "from=1000-01-01&to=9000-12-31", "from=1000-01-01&to=1000-01-01",
                "from=9000-12-31&to=9000-12-31", "from=9000-12-31", "to=1000-01-01", "from=8999-12-01&to=9000-12-31",
                "from=1000-01-01&to=1000-02-15", "from=9000-12-31&to=1000-01-01"]


@pytest.mark.parametrize("window", EDGE_WINDOWS)
def test_the_lanes_view_and_pair_pages_answer_every_window_of_the_accepted_range(settings, window):
    """Zoom, pan and ticks near the ends of the range stay inside the calendar, and every link the figure
    offers is one the app accepts: list and lanes views, with and without actors, the pair page and their
    SVG and CSV twins, whole and as htmx fragments."""
    pages = ["/?view=lanes", "/?view=lanes&actor=donald-trump", "/?view=lanes&actor=vladimir-putin&actor=donald-trump",
             "/?view=lanes&actor=donald-trump&type=call", "/?actor=vladimir-putin", "/lanes.svg",
             "/lanes.svg?actor=vladimir-putin&actor=donald-trump", PAIR, PAIR + ".svg", PAIR + ".csv"]
    problems, followed = [], set()
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        for page in pages:
            url = page + ("&" if "?" in page else "?") + window
            problems += _answers(c, url, followed=followed)
            for headers in _fragments(url):
                problems += _answers(c, url, headers, followed)
    assert not problems, "\n".join(problems)


# the app block rendered alone (a bare HX-Request, or HX-Target app) needs its own imports: templates/dyad.html
# imported event_card outside the block and answered 500
@pytest.mark.parametrize("headers", [{"HX-Request": "true"}, {"HX-Request": "true", "HX-Target": "app"}])
def test_a_pair_page_answers_an_htmx_request_for_its_app_block(client, headers):
    assert client.get(PAIR, headers=headers).status_code == 200


def _store_shared_call_on(session, day: dt.date) -> list[int]:
    """A call of Putin and Trump (and the Kremlin's statement) stored as dated `day`: ingested on an
    ordinary date, then moved in the database as an old database may hold it (the write side refuses
    such dates now, and cannot date 'on Tuesday' before 1 January of year 1), totals recounted."""
    from app.timeline.tally import recount

    sync_lexicon(session)
    before = session.execute(text("SELECT max(id) FROM event")).scalar()
    ingest_article(session, RawArticle("Edge call", dt.date(1999, 6, 10), CALL, "Wire", None, "test"))
    session.commit()
    moved = [i for (i,) in session.execute(text("SELECT id FROM event WHERE id > :b"), {"b": before})]
    assert moved
    new = {"d": day.isoformat(), "ds": day, "b": before}
    for table, key in (("event", "id"), ("eventsource", "event_id")):
        session.execute(text(f"UPDATE {table} SET date = :d, date_start = :ds, date_end = :ds WHERE {key} > :b"), new)
    for table in ("eventactor", "eventtopic"):
        session.execute(text(f"UPDATE {table} SET date_start = :ds WHERE event_id > :b"), new)
    recount(session.connection())
    session.execute(text("UPDATE dataversion SET version = version + 1"))
    session.commit()
    return moved


@pytest.mark.parametrize("day", [dt.date(9999, 12, 20), dt.date(9999, 12, 31), dt.date(1, 1, 2), dt.date(1, 1, 1)],
                         ids=str)
def test_a_stored_date_at_the_calendar_edges_never_breaks_lanes_or_pair_pages(session, settings, day):
    """One event of an old database dated near year 1 or 9999: the lanes view (list and lanes, with and
    without actors, whole and as fragments), the pair page, its SVG and CSV answer, and so does every
    zoom, pan, count and overview link they offer."""
    moved = _store_shared_call_on(session, day)
    urls = ["/", "/?actor=vladimir-putin&actor=donald-trump", "/?view=lanes", "/?view=lanes&actor=vladimir-putin",
            "/?view=lanes&actor=vladimir-putin&actor=donald-trump", "/?view=lanes&actor=vladimir-putin&type=call",
            "/?view=lanes&to=9000-12-31", "/?view=lanes&from=1000-01-01&to=9000-12-31", "/lanes.svg",
            "/lanes.svg?actor=vladimir-putin", PAIR, PAIR + ".svg", PAIR + ".csv", PAIR + "?to=9000-12-31",
            PAIR + ".svg?from=1000-01-01&to=9000-12-31", "/actors/donald-trump/with/vladimir-putin"]
    problems, followed = [], set()
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        csv_rows = list(csv.DictReader(io.StringIO(c.get(PAIR + ".csv").text)))
        assert any(row["period"].startswith(day.isoformat()[:7]) for row in csv_rows), csv_rows[:3]
        for url in urls:
            problems += _answers(c, url, followed=followed)
            for headers in _fragments(url):
                problems += _answers(c, url, headers, followed)
        for i in moved:
            problems += _answers(c, f"/events/{i}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- the write side refuses
def _post(admin_client, **changes):
    body = json.dumps({**ARTICLE, **changes})  # ASCII: a lone surrogate travels as its \\udXXX escape
    return admin_client.post("/api/v1/articles", content=body, headers={**BEARER, "content-type": "application/json"})


@pytest.mark.parametrize("published", ["9999-12-20", "1899-12-31", "0001-01-01",
                                       (dt.date.today() + dt.timedelta(days=2)).isoformat()])
def test_publication_dates_outside_the_window_are_refused(admin_client, published):
    r = _post(admin_client, published=published, url=f"https://example.org/{published}")
    assert r.status_code == 422 and "outside" in r.json()["detail"], r.text
    csrf = login(admin_client)
    form = admin_client.post("/ingest", data={"csrf": csrf, "action": "save", "headline": "X", "published": published,
                                              "body": CALL})
    assert form.status_code == 400 and "outside" in form.text
    assert admin_client.get("/").status_code == 200


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "file:///etc/passwd", "//evil.example/x",
    "http://", "https:///path-only", "ftp://example.org/x", "http://exa mple.org/",
])
def test_only_http_urls_are_accepted(admin_client, url):
    r = _post(admin_client, url=url)
    assert r.status_code == 422 and "http" in r.json()["detail"], (url, r.text)


@pytest.mark.parametrize("field", ["title", "body", "outlet"])
@pytest.mark.parametrize("payload", ["\ud800", "a\udfffb", "\udbff\udc00"[0]])
def test_lone_surrogates_in_posted_json_answer_422(admin_client, field, payload):
    value = (CALL + payload) if field == "body" else payload
    r = _post(admin_client, **{field: value})
    assert r.status_code == 422 and "unicode" in r.text.lower(), r.text


@pytest.mark.parametrize("field", ["title", "body", "outlet"])
def test_nul_and_control_characters_in_posted_text_are_dropped(admin_client, field, engine):
    value = {"title": "Trump\x00 and\x01 Putin", "body": CALL.replace("phone", "pho\x00ne\x0b"),
             "outlet": "Wi\x00re\x1f"}[field]
    r = _post(admin_client, **{field: value}, url=f"https://example.org/nul-{field}")
    assert r.status_code == 201, r.text
    with engine.connect() as c:
        stored = c.execute(text(f"SELECT {field} FROM article WHERE id = :i"), {"i": r.json()["article_id"]}).scalar()
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", stored)
    assert stored.replace(" ", "") == re.sub(r"[\x00-\x1f]", "", value).replace(" ", "")


# ---------------------------------------------------------------- rendering and the twins
def _one_event_with_sources(session) -> tuple[int, list[int]]:
    event_id = session.execute(text("SELECT id FROM event ORDER BY source_count DESC, id LIMIT 1")).scalar()
    articles = [a for (a,) in session.execute(text("SELECT article_id FROM eventsource WHERE event_id = :e"),
                                              {"e": event_id})]
    return event_id, articles


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "vbscript:x", " JAVASCRIPT:x"])
def test_stored_non_http_links_are_never_rendered_as_links(session, client, url):
    event_id, articles = _one_event_with_sources(session)
    session.execute(text("UPDATE article SET url = :u WHERE id = :a"), {"u": url, "a": articles[0]})
    session.commit()
    for page in (f"/articles/{articles[0]}", f"/events/{event_id}"):
        tree = lxml.html.fromstring(client.get(page, follow_redirects=True).text)
        hrefs = [a.get("href").strip().lower() for a in tree.iter("a") if a.get("href")]
        assert hrefs and all(h.startswith(("/", "http://", "https://", "#", "?")) for h in hrefs), (page, hrefs)


FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "=HYPERLINK(\"http://evil\",\"x\")"]


@pytest.mark.parametrize("payload", FORMULAS)
def test_csv_cells_never_start_a_formula(session, client, payload):
    event_id, articles = _one_event_with_sources(session)
    session.execute(text("UPDATE article SET title = :p, outlet = :p"), {"p": payload})
    session.execute(text("UPDATE eventsource SET sentence = :p"), {"p": payload})
    session.commit()
    rows = list(csv.DictReader(io.StringIO(client.get("/events.csv").text)))
    assert rows
    for row in rows:
        for column in ("evidence", "first_source", "first_outlet"):
            assert row[column] == "'" + payload, (column, row[column])
        assert not any(v.startswith(("=", "+", "@", "\t", "\r")) for v in row.values())


CONTROLS = ["\x01", "\x08", "\x0b", "\x0c", "\x1f", "\ufffe", "\uffff", "\x1b[31m"]


@pytest.mark.parametrize("payload", CONTROLS, ids=repr)
def test_atom_is_well_formed_whatever_the_titles_and_quotes_hold(session, client, payload):
    session.execute(text("UPDATE event SET title = :t"), {"t": f"Call{payload}of leaders"})
    session.execute(text("UPDATE eventsource SET sentence = :t"), {"t": f"Quote{payload}here"})
    session.execute(text("UPDATE article SET outlet = :t"), {"t": f"Out{payload}let"})
    session.execute(text("UPDATE dataversion SET version = version + 1"))
    session.commit()
    body = client.get("/events.atom").content
    ET.fromstring(body)  # raises on XML 1.0 that is not well-formed
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    kept = re.sub("[\x00-\x1f\ufffe\uffff]", "", payload)  # what XML 1.0 can hold stays
    assert feed.entries and all(f"Call{kept}of leaders" in e.title for e in feed.entries)
    assert all(f"Quote{kept}here" in e.summary for e in feed.entries)


@pytest.mark.parametrize("q", ["a\r\nb", "\r\nBEGIN:VEVENT\r\nSUMMARY:injected", "x\ry", "x\nEND:VCALENDAR"])
def test_icalendar_survives_line_breaks_in_the_query(client, q):
    r = client.get("/events.ics", params={"q": q})
    assert r.status_code == 200, r.text[:300]
    cal = icalendar.Calendar.from_ical(r.content)
    assert "injected" not in [str(e.get("summary")) for e in cal.walk("VEVENT")]
    assert all(not line.startswith(("BEGIN:VEVENT", "END:VCALENDAR")) or line in ("BEGIN:VEVENT", "END:VCALENDAR")
               for line in r.text.splitlines())


# ---------------------------------------------------------------- sessions, tokens, CSRF, sign-in
def test_a_cookie_copied_before_sign_out_no_longer_works(admin_client, admin_settings):
    csrf = login(admin_client)
    copied = dict(admin_client.cookies)
    assert admin_client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    with TestClient(create_app(admin_settings)) as thief:
        thief.cookies.update(copied)
        assert thief.get("/ingest", follow_redirects=False).status_code == 303  # to the sign-in page
        r = thief.post("/ingest", data={"csrf": csrf, "action": "save", "headline": "X", "published": "2025-03-19",
                                        "body": CALL})
        assert r.status_code == 401


@pytest.mark.parametrize("secure", [True, False])
def test_session_cookie_is_secure_when_set(db_url, secure):
    settings = make_settings(db_url, admin_token=ADMIN_TOKEN, secret_key="s", secure_cookies=secure)
    with TestClient(create_app(settings), base_url="https://testserver") as c:
        r = c.get("/login")
        cookie = r.headers["set-cookie"].lower()
    assert ("; secure" in cookie) is secure


@pytest.mark.parametrize("authorization", ["Bearer wrong", "Bearer ", "bearer x" + ADMIN_TOKEN, "Basic abc", "Token x"])
def test_a_wrong_token_never_falls_back_to_the_session(admin_client, authorization):
    login(admin_client)
    headers = {"Authorization": authorization}
    r = admin_client.post("/ingest", data={"action": "save", "headline": "X", "published": "2025-03-19", "body": CALL},
                          headers=headers)
    assert r.status_code == 401, r.status_code
    event_id = admin_client.get("/events.json?min_sources=2").json()["events"][0]["id"]
    split = admin_client.post(f"/events/{event_id}/split", data={"source": ["1"]}, headers=headers, follow_redirects=False)
    assert split.status_code == 401
    assert admin_client.get(f"/events/{event_id}.json").status_code == 200


def test_a_valid_token_needs_no_cookie_and_a_session_needs_its_csrf(admin_client, admin_settings):
    with TestClient(create_app(admin_settings)) as bare:
        r = bare.post("/ingest", data={"action": "preview", "headline": "X", "published": "2025-03-19", "body": CALL},
                      headers=BEARER)
        assert r.status_code == 200
    login(admin_client)
    r = admin_client.post("/ingest", data={"action": "save", "headline": "X", "published": "2025-03-19", "body": CALL})
    assert r.status_code == 403
    # the JSON API carries no CSRF token: a session alone is not enough there
    assert admin_client.post("/api/v1/articles", json=ARTICLE).status_code == 401


def test_sign_in_is_rate_limited_per_client_and_failures_are_logged(admin_client, admin_settings, caplog):
    caplog.set_level(logging.WARNING, logger="app.auth")
    token = csrf_of(admin_client.get("/login").text)
    for _ in range(admin_settings.login_attempts):
        assert admin_client.post("/login", data={"token": "wrong", "csrf": token}).status_code == 401
    blocked = admin_client.post("/login", data={"token": ADMIN_TOKEN, "csrf": token}, follow_redirects=False)
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0 and has_security_headers(blocked)
    assert sum("failed sign-in from" in r.getMessage() for r in caplog.records) == admin_settings.login_attempts


def test_sign_in_limit_forgets_failures_after_the_window():
    from app.web.routes.admin import SignInLimit

    limit = SignInLimit(attempts=3, window=60)
    for t in (0, 1, 2):
        assert limit.wait("a", now=t) == 0
        limit.failed("a", now=t)
    assert limit.wait("a", now=3) == 57 and limit.wait("b", now=3) == 0
    assert limit.wait("a", now=60.5) == 0  # the first failure is a window old
    limit.succeeded("a")
    assert limit.wait("a", now=61) == 0


def test_the_backend_under_test_is_the_configured_one(engine):
    assert engine.dialect.name == backend()
