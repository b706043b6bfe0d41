"""Find by name: actors by name or alias, case- and accent-insensitive; suggestions as JSON (and as HTML
options for the form); search over titles, quotes and actor names, with matched words marked."""
from __future__ import annotations

import lxml.html
import pytest
from sqlmodel import Session, select

from app.models import Actor

HTML = {"accept": "text/html"}


def aliases(engine, slug: str) -> list[str]:
    with Session(engine) as s:
        return [a for a in s.exec(select(Actor.aliases).where(Actor.slug == slug)).one().split("|") if a]


def slug_named(engine, name: str) -> str:
    with Session(engine) as s:
        return s.exec(select(Actor.slug).where(Actor.name == name)).one()


@pytest.mark.parametrize("typed,name", [("trump", "Donald Trump"), ("Trump", "Donald Trump"), ("DONALD TRUMP", "Donald Trump"),
                                        ("zelenskiy", "Volodymyr Zelensky"), ("Zelénskiy", "Volodymyr Zelensky"),
                                        ("sybiha", "Andriy Sybiga"), ("putin", "Vladimir Putin")])
def test_add_an_actor_by_name_or_alias(client, engine, typed, name):
    slug = slug_named(engine, name)
    r = client.get("/", params={"find": typed}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/?actor={slug}"
    kept = client.get("/", params={"actor": "vladimir-putin", "find": typed}, headers=HTML, follow_redirects=False)
    expected = "/?actor=vladimir-putin" + ("" if slug == "vladimir-putin" else f"&actor={slug}")
    assert kept.headers["location"] == expected


def test_an_unknown_name_says_what_it_searched(client):
    tree = lxml.html.fromstring(client.get("/", params={"find": "Nobody Atall"}, headers=HTML).text)
    assert "No actor is called “Nobody Atall”" in tree.cssselect("[role=alert]")[0].text_content()


def test_suggestions_json_and_html_options(client, engine):
    got = client.get("/actors.json", params={"q": "zel"}).json()
    assert got and got[0]["slug"] == "volodymyr-zelensky" and got[0]["url"] == "/?actor=volodymyr-zelensky"
    assert got[0]["events"] == client.get("/events.json?actor=volodymyr-zelensky").json()["total"]
    assert "zelenskiy" in [a.casefold() for a in aliases(engine, "volodymyr-zelensky")]  # the alias the issue names
    assert client.get("/actors.json", params={"q": "zelenskiy"}).json()[0]["slug"] == "volodymyr-zelensky"
    assert client.get("/actors.json", params={"q": ""}).json() == []
    options = lxml.html.fragment_fromstring(client.get("/actors/suggest", params={"find": "tru"}).text, create_parent=True)
    assert "Donald Trump" in [o.get("value") for o in options.cssselect("option")]


def test_search_covers_actor_aliases(client):
    by_alias = client.get("/events.json?q=Zelenskiy").json()
    zelensky = client.get("/events.json?actor=volodymyr-zelensky").json()
    assert zelensky["total"] and by_alias["total"] >= zelensky["total"]
    ids = {e["id"] for e in by_alias["events"]}
    assert {e["id"] for e in zelensky["events"]} <= ids


def test_search_marks_matched_words(client):
    tree = lxml.html.fromstring(client.get("/?q=ceasefire", headers=HTML).text)
    marks = [m.text_content().lower() for m in tree.cssselect("article.event mark")]
    assert marks and all(m.startswith("ceasefire") for m in marks)


def test_no_match_says_what_was_searched(client):
    tree = lxml.html.fromstring(client.get("/?q=xylophone", headers=HTML).text)
    empty = tree.cssselect("p.empty")[0].text_content()
    assert "title, quoted sentences or actors (names and aliases)" in empty and "“xylophone”" in empty


@pytest.mark.parametrize("q", ["Zelenskiy", "zelénskiy", "Zelensky", "trump", "Sybiha"])
def test_every_card_a_search_finds_shows_why(client, q):
    """A search that matched an actor by name or alias marks that actor's name on each card it found; an
    event found through an actor its sources only mention says so, with the name marked."""
    tree = lxml.html.fromstring(client.get("/", params={"q": q}, headers=HTML).text)
    cards = tree.cssselect("article.event")
    assert cards
    unexplained = [c.cssselect(".title")[0].text_content().strip() for c in cards if not c.cssselect("mark")]
    assert unexplained == []
    total = client.get("/events.json", params={"q": q}).json()["total"]
    assert len(cards) == min(total, 50)


def test_a_search_by_alias_marks_the_actor_and_names_it(client):
    tree = lxml.html.fromstring(client.get("/?q=Zelenskiy", headers=HTML).text)
    chips = [c for c in tree.cssselect("article.event a.chip.actor") if c.get("href") == "/?actor=volodymyr-zelensky"]
    assert chips and all(c.cssselect("mark")[0].text_content() == "Volodymyr Zelensky" for c in chips)
    why = [p.text_content() for p in tree.cssselect("article.event .matched")]
    assert why and all("Volodymyr Zelensky" in w and "mentioned" in w for w in why)
    note = tree.cssselect("#events .searched")[0]
    assert "“Zelenskiy” is a name of Volodymyr Zelensky" in note.text_content()
    assert note.cssselect("a")[0].get("href") == "/?actor=volodymyr-zelensky"
    # the plain name marks the chip the same way, with no note (the name explains itself)
    plain = lxml.html.fromstring(client.get("/?q=Zelensky", headers=HTML).text)
    assert not plain.cssselect("#events .searched")
    assert all(c.cssselect("mark") for c in plain.cssselect("article.event a.chip.actor[href='/?actor=volodymyr-zelensky']"))
