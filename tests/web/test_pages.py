"""Pages through the TestClient, parsed as HTML: structure, filters, fragments, headers."""
from __future__ import annotations

import lxml.html
import pytest

HTML = {"accept": "text/html"}
HX = {"HX-Request": "true", "accept": "text/html"}


def doc(resp):
    assert resp.status_code == 200, resp.text[:500]
    return lxml.html.fromstring(resp.text)


def card_titles(tree) -> list[str]:
    return [t.text_content().strip() for t in tree.cssselect("article.event .title")]


def test_home_lists_events_under_month_and_day_headings(client):
    tree = doc(client.get("/", headers=HTML))
    assert tree.findtext(".//title").endswith("Diplomatic timeline")
    assert tree.cssselect("main#main") and tree.cssselect("header.site nav") and tree.cssselect("footer.site")
    assert tree.cssselect("h3.month-h") and tree.cssselect("h4.day-h")
    cards = tree.cssselect("article.event")
    assert cards
    first = cards[0]
    assert first.cssselect("time") and first.cssselect(".badge") and first.cssselect("blockquote.evidence")
    assert first.cssselect('a[aria-label^="Permalink"]')


def test_newest_first_then_oldest_first(client):
    def dates(order):
        tree = doc(client.get(f"/?order={order}", headers=HTML))
        return [t.get("datetime") for t in tree.cssselect("article.event .meta time")]
    desc, asc = dates("desc"), dates("asc")
    assert desc == sorted(desc, reverse=True) and asc == sorted(asc)


def test_actor_filter_shows_only_events_with_that_actor(client):
    data = client.get("/events.json?actor=vladimir-putin").json()
    assert data["events"]
    for e in data["events"]:
        assert "vladimir-putin" in [a["slug"] for a in e["actors"]]
    tree = doc(client.get("/?actor=vladimir-putin", headers=HTML))
    chips = [c.text_content() for c in tree.cssselect(".active-filters a.chip")]
    assert any("Vladimir Putin" in c for c in chips)
    assert len(card_titles(tree)) == min(len(data["events"]), 50)


def test_counts_reflect_the_other_filters(client):
    all_topics = {t["slug"]: t["count"] for t in client.get("/api/v1/topics").json()}
    putin_topics = {t["slug"]: t["count"] for t in client.get("/api/v1/topics?actor=vladimir-putin").json()}
    assert putin_topics and all(putin_topics[k] <= all_topics[k] for k in putin_topics)
    assert sum(putin_topics.values()) < sum(all_topics.values())


def test_chip_remove_links_drop_only_that_filter(client):
    tree = doc(client.get("/?actor=vladimir-putin&topic=ceasefire", headers=HTML))
    links = {a.get("aria-label"): a.get("href") for a in tree.cssselect(".active-filters a.chip")}
    assert links["Remove filter Vladimir Putin"] == "/?topic=ceasefire"
    assert links["Remove filter ceasefire"] == "/?actor=vladimir-putin"


def test_text_search(client):
    hits = client.get("/events.json?q=Alaska").json()["events"]
    assert hits and all("alaska" in (e["title"] + " ".join(s["evidence"] for s in e["sources"])).lower() for e in hits)
    assert client.get("/events.json?q=%22unbalanced(").status_code == 200


def test_date_range_and_types(client):
    data = client.get("/events.json?from=2025-03-01&to=2025-03-31&type=call&type=meeting").json()
    assert data["events"]
    for e in data["events"]:
        assert e["type"] in ("call", "meeting") and e["date_end"] >= "2025-03-01" and e["date_start"] <= "2025-03-31"


def test_keyset_paging_covers_everything_once(client):
    seen, url = [], "/events.json?order=asc"
    total = client.get(url).json()["total"]
    while url:
        page = client.get(url.replace("http://testserver", "")).json()
        seen += [e["id"] for e in page["events"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == total


def test_htmx_request_gets_the_fragment_and_vary_header(client):
    full = client.get("/?actor=vladimir-putin", headers=HTML)
    frag = client.get("/?actor=vladimir-putin", headers=HX)
    assert "HX-Request" in full.headers["vary"] and "HX-Request" in frag.headers["vary"]
    assert frag.text.lstrip().startswith("<h1>") and "<html" not in frag.text
    assert "<html" in full.text


def test_history_restore_and_boosted_requests_get_the_full_page(client):
    for extra in ({"HX-History-Restore-Request": "true"}, {"HX-Boosted": "true"}):
        assert "<html" in client.get("/?actor=vladimir-putin", headers={**HX, **extra}).text


def test_density_strip_bars_are_links_that_narrow_dates(client):
    tree = doc(client.get("/", headers=HTML))
    bars = tree.cssselect("figure.density svg a")
    assert bars and all("from=" in a.get("href") and "to=" in a.get("href") for a in bars)
    assert tree.cssselect("figure.density figcaption")[0].text_content().startswith("Events per")


def test_event_page_shows_sources_highlighted_and_related(client):
    first = client.get("/events.json?actor=donald-trump&type=call").json()["events"][0]
    tree = doc(client.get(first["url"].replace("http://testserver", ""), headers=HTML))
    assert tree.cssselect("h1")[0].text_content() == first["title"]
    marks = [m.text_content() for m in tree.cssselect("ol.sources mark")]
    assert marks and marks[0] == first["sources"][0]["evidence"]
    assert tree.cssselect('a[href$=".json"]')
    assert "PLOVER" in tree.cssselect("dl.facts")[0].text_content()


def test_event_url_without_slug_redirects_to_canonical(client):
    e = client.get("/events.json").json()["events"][0]
    r = client.get(f"/events/{e['id']}", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == e["url"].replace("http://testserver", "")


def test_actor_page(client):
    tree = doc(client.get("/actors/vladimir-putin", headers=HTML))
    assert tree.cssselect("h1")[0].text_content() == "Vladimir Putin"
    counterparts = [a.text_content() for a in tree.cssselect("#cp-h + ul a")]
    assert "Donald Trump" in counterparts


def test_article_page_marks_its_events(client):
    tree = doc(client.get("/articles/1", headers=HTML))
    assert tree.cssselect(".body mark a") and tree.cssselect("#ev-h + ol li a")


@pytest.mark.parametrize("path", ["/events/999999-nothing", "/actors/nobody", "/articles/999999"])
def test_missing_things_are_404(client, path):
    assert client.get(path, headers=HTML).status_code == 404


def test_bad_filter_is_400(client):
    assert client.get("/?from=yesterday", headers=HTML).status_code == 400
    assert client.get("/events.json?cursor=%%%").status_code == 400


def test_security_headers_and_no_third_party_assets(client):
    r = client.get("/", headers=HTML)
    csp = r.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "script-src 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["referrer-policy"]
    tree = lxml.html.fromstring(r.text)
    for el in tree.cssselect("script[src], link[href], img[src]"):
        url = el.get("src") or el.get("href")
        assert url.startswith("/"), url
    assert not tree.cssselect("script:not([src])") and not tree.cssselect("[style]")


def test_article_text_is_escaped(client, engine):
    from sqlmodel import Session

    from app.db import writer
    from app.pipeline.reader import RawArticle
    from app.pipeline.store import ingest_article

    with Session(writer(engine)) as s:
        r = ingest_article(s, RawArticle("<script>alert(1)</script>", __import__("datetime").date(2025, 3, 18),
                                         "Trump said on Tuesday <b>hello</b> <script>alert(2)</script>."))
    page = client.get(f"/articles/{r.article_id}", headers=HTML).text
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page


def test_docs_page_lists_the_api(client):
    tree = doc(client.get("/docs", headers=HTML))
    text = tree.text_content()
    assert "/events.json" in text and "/api/v1/events" in text


@pytest.mark.parametrize("key", ["%C2%B9", "99999999999999999999", "-1", "abc"])
def test_odd_event_keys_are_404_not_errors(client, key):
    assert client.get(f"/events/{key}", headers=HTML).status_code == 404
