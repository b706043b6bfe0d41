"""Editors can correct: pasted text read as the seed format, the publication date required, late events
flagged; articles deleted (totals recount), events corrected or hidden, each change recorded with who and
when, shown on the event page, kept across re-extraction, and undoable; forms only for editors."""
from __future__ import annotations

import re

import lxml.html
from sqlalchemy import text
from sqlmodel import Session, select

from app.db import writer
from app.models import Article, EventSource
from app.pipeline.store import reextract_all
from app.timeline import tally
from tests.web.test_admin import login

HTML = {"accept": "text/html"}
PASTED = ("date 2025-04-01 Trump and Putin to talk again\n"
          "Donald Trump and Vladimir Putin held a phone call on March 18, the Kremlin said.\n")


def totals(conn) -> dict:
    return {(f, o): n for f, o, n in conn.execute(text("SELECT facet, other, n FROM facettotal WHERE n != 0"))}


def assert_totals_equal_recount(engine) -> None:
    with engine.connect() as c:
        kept = totals(c)
        tally.recount(c)
        assert totals(c) == kept
        c.rollback()


def page(client, url):
    r = client.get(url, headers=HTML)
    assert r.status_code == 200, r.text[:300]
    return lxml.html.fromstring(r.text)


def event_url(client, qs: str) -> dict:
    events = client.get("/events.json?" + qs).json()["events"]
    assert events
    return events[0]


def test_pasted_seed_format_gives_title_and_date_from_the_first_line(admin_client):
    csrf = login(admin_client)
    form = {"csrf": csrf, "headline": "", "published": "", "outlet": "", "url": "", "body": PASTED}
    preview = lxml.html.fromstring(admin_client.post("/ingest", data={**form, "action": "preview"}).text)
    assert preview.cssselect("#review-h + h3")[0].text.strip() == "Trump and Putin to talk again"
    assert "2025-04-01" in preview.cssselect("#review-h + h3 .meta")[0].text_content()
    assert admin_client.post("/ingest", data={**form, "action": "save"}).status_code == 200
    saved = admin_client.get("/events.json?actor=donald-trump&from=2025-03-18&to=2025-03-18").json()["events"]
    assert any(s["title"] == "Trump and Putin to talk again" and s["published"] == "2025-04-01"
               for e in saved for s in e["sources"])


def test_the_publication_date_is_required(admin_client):
    csrf = login(admin_client)
    r = admin_client.post("/ingest", data={"csrf": csrf, "action": "save", "headline": "Call", "published": "",
                                           "body": "Donald Trump and Vladimir Putin held a phone call on Tuesday."})
    assert r.status_code == 400 and "publication date is required" in r.text
    form = lxml.html.fromstring(admin_client.get("/ingest").text)
    assert form.cssselect("#published")[0].get("value") in (None, "")  # never today's date by default


def test_preview_flags_events_dated_after_publication(admin_client):
    csrf = login(admin_client)
    body = "date 2025-03-01 Call\nDonald Trump and Vladimir Putin held a phone call on 18 March 2025, the Kremlin said.\n"
    tree = lxml.html.fromstring(admin_client.post("/ingest", data={"csrf": csrf, "action": "preview", "body": body}).text)
    assert tree.cssselect("li.late .flag") and "after the publication date" in tree.cssselect("[role=alert]")[0].text_content()


def test_anonymous_visitors_see_no_editor_forms(client, admin_client):
    ev = event_url(client, "min_sources=2")
    path = ev["url"].replace("http://testserver", "")
    anon = page(client, path)
    assert not anon.cssselect("form[action$='/split']") and not anon.cssselect("form[action$='/correct']")
    assert not page(client, "/articles/1").cssselect("form[action$='/delete']")
    login(admin_client)
    editor = page(admin_client, path)
    assert editor.cssselect("form[action$='/split']") and editor.cssselect("form[action$='/correct']")
    assert editor.cssselect("form[action$='/hide']") and page(admin_client, "/articles/1").cssselect("form[action$='/delete']")


def test_delete_an_article_then_undo(admin_client, engine):
    csrf = login(admin_client)
    with Session(engine) as s:
        article_id = s.exec(select(Article.id).order_by(Article.id)).first()
        own = set(s.exec(select(EventSource.event_id).where(EventSource.article_id == article_id)).all())
        shared = {e for e in own if s.exec(select(EventSource.id).where(EventSource.event_id == e,
                                                                        EventSource.article_id != article_id)).first()}
    before = admin_client.get("/events.json").json()["total"]
    r = admin_client.post(f"/articles/{article_id}/delete", data={"csrf": csrf, "editor": "Ana"}, follow_redirects=False)
    assert r.status_code == 303
    assert admin_client.get(f"/articles/{article_id}", headers=HTML).status_code == 404
    for e in own - shared:
        assert admin_client.get(f"/events/{e}.json").status_code == 404
    for e in shared:
        assert all(src["article_id"] != article_id for src in admin_client.get(f"/events/{e}.json").json()["sources"])
    assert admin_client.get("/events.json").json()["total"] == before - len(own - shared)
    assert_totals_equal_recount(engine)

    log = page(admin_client, "/corrections")
    assert f"article {article_id} deleted" in log.text_content() and "Ana" in log.text_content()
    undo = log.cssselect("form[action^='/corrections/']")[0].get("action")
    assert admin_client.post(undo, data={"csrf": csrf, "editor": "Ana"}, follow_redirects=False).status_code == 303
    assert admin_client.get("/events.json").json()["total"] == before
    assert "undone by Ana" in page(admin_client, "/corrections").text_content()
    assert_totals_equal_recount(engine)


def test_correct_an_event_recorded_kept_across_reextraction_and_undone(admin_client, engine):
    csrf = login(admin_client)
    ev = event_url(admin_client, "actor=vladimir-putin&type=call")
    form = {"csrf": csrf, "editor": "Ben", "type": "meeting", "date": "2025-02-01", "title": "A corrected title",
            "actors": "vladimir-putin:initiator, emmanuel-macron:counterpart"}
    r = admin_client.post(f"/events/{ev['id']}/correct", data=form, follow_redirects=False)
    assert r.status_code == 303
    fixed = admin_client.get(f"/events/{ev['id']}.json").json()
    assert (fixed["type"], fixed["date"], fixed["title"]) == ("meeting", "2025-02-01", "A corrected title")
    assert {(a["slug"], a["role"]) for a in fixed["actors"]} == {("vladimir-putin", "initiator"), ("emmanuel-macron", "counterpart")}
    assert ev["id"] in [e["id"] for e in admin_client.get("/events.json?actor=emmanuel-macron&type=meeting").json()["events"]]
    assert_totals_equal_recount(engine)

    history = page(admin_client, f"/events/{ev['id']}").cssselect("#history ol li")
    assert len(history) == 4 and all("by Ben" in li.text_content() for li in history)

    with Session(writer(engine)) as ws:
        reextract_all(ws)
    again = [e for e in admin_client.get("/events.json?actor=emmanuel-macron&type=meeting").json()["events"]
             if e["title"] == "A corrected title"]
    assert len(again) == 1 and again[0]["date"] == "2025-02-01"
    assert_totals_equal_recount(engine)

    tree = page(admin_client, again[0]["url"].replace("http://testserver", ""))
    for action in [f.get("action") for f in tree.cssselect("#history form[action$='/undo']")]:
        assert admin_client.post(action, data={"csrf": csrf, "editor": "Ben"}, follow_redirects=False).status_code == 303
    restored = admin_client.get(f"/events/{again[0]['id']}.json").json()
    assert restored["title"] == ev["title"] and restored["type"] == "call"
    assert_totals_equal_recount(engine)


def test_hide_an_event_then_show_it_again(admin_client, engine):
    csrf = login(admin_client)
    ev = event_url(admin_client, "actor=donald-trump")
    total = admin_client.get("/events.json").json()["total"]
    trump = admin_client.get("/events.json?actor=donald-trump").json()["total"]
    assert admin_client.post(f"/events/{ev['id']}/hide", data={"csrf": csrf, "editor": "Cy", "hidden": "yes"},
                             follow_redirects=False).status_code == 303
    assert admin_client.get("/events.json").json()["total"] == total - 1
    assert admin_client.get("/events.json?actor=donald-trump").json()["total"] == trump - 1
    assert ev["id"] not in [e["id"] for e in admin_client.get(f"/events.json?type={ev['type']}").json()["events"]]
    tree = page(admin_client, f"/events/{ev['id']}")
    assert "Hidden by an editor" in tree.text_content()
    assert_totals_equal_recount(engine)
    assert admin_client.post(f"/events/{ev['id']}/hide", data={"csrf": csrf, "editor": "Cy", "hidden": "no"},
                             follow_redirects=False).status_code == 303
    assert admin_client.get("/events.json").json()["total"] == total
    assert_totals_equal_recount(engine)


def test_a_correction_needs_an_editor_and_valid_values(admin_client):
    csrf = login(admin_client)
    ev = event_url(admin_client, "")
    for bad in ({"type": "no_such_type"}, {"date": "March"}, {"actors": "nobody-at-all:initiator"}):
        r = admin_client.post(f"/events/{ev['id']}/correct", data={"csrf": csrf, "editor": "Di", **bad})
        assert r.status_code == 400, bad
    assert admin_client.post(f"/events/{ev['id']}/correct", data={"csrf": "forged", "editor": "Di", "title": "x"}).status_code == 403
    assert re.search(r"None: every field", admin_client.get(f"/events/{ev['id']}", headers=HTML).text)
