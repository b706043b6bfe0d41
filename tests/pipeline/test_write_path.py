"""The incremental write path equals a recomputation from scratch.

Random small corpora (seeded, so that a failure names its seed) of articles whose acts crowd a few weeks,
with dates of every precision the extractor gives (days, weekdays, weeks, months, intervals, seasons, years:
precise and vague reports, wide ones too). Each is written two ways and the databases compared whole:
events with their fields, sources (merge reasons included), actors, topics, facet totals, the search index:

- one by one (`ingest_article`, in a random order) against one bulk load (`bulk_ingest`);
- one by one with updates (an article ingested again, edited: sentences added, dropped or changed, its date
  moved) and deletions (`corrections.delete_article`) against a bulk load of the articles that remain,
  and against `reextract_all` over the result.

On the suite's backend (SQLite, or PostgreSQL when TIMELINE_TEST_POSTGRES_URL is set).
WRITE_PATH_SEEDS=n runs n more seeds than the default few.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import os
import random

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.db import init_db, make_engine, writer
from app.models import Article
from app.pipeline import corrections
from app.pipeline.reader import RawArticle
from app.pipeline.store import bulk_ingest, ingest_article, reextract_all, sync_lexicon
from app.timeline import tally
from tests.conftest import ROOT, drop_database, make_settings, new_database
from tests.pipeline.facets import named_totals

_spec = importlib.util.spec_from_file_location("bench_generate_wp", ROOT / "bench" / "generate.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

SEEDS = list(range(4)) + list(range(100, 100 + int(os.environ.get("WRITE_PATH_SEEDS", "0"))))
ACTORS = ["Donald Trump", "Vladimir Putin", "Volodymyr Zelensky", "Emmanuel Macron", "Russia", "Ukraine"]
TYPES = ["call", "meeting", "talks", "statement", "sanction", "visit"]
TOPICS = ["a ceasefire", "territory", "sanctions", "minerals"]
FIRST = dt.date(2025, 2, 20)
SPREAD = 40  # days over which the acts fall: crowded, so that reports meet, chain and compete


def date_phrase(rng: random.Random, day: dt.date, published: dt.date) -> str:
    """A phrase for day as an article published on `published` would write it, at a random precision."""
    kind = rng.choice(["day", "day", "day", "relative", "week", "month", "interval", "season", "year"])
    gap = (published - day).days
    if kind == "relative" and 0 <= gap < 6:
        return gen.date_phrase(day, published)
    if kind == "week" and 7 <= gap < 14:
        return "last week"
    if kind == "month":
        return f"in {day:%B} {day.year}"
    if kind == "interval":
        end = day + dt.timedelta(days=rng.choice([2, 5, 9, 20]))
        return f"between {day:%B} {day.day} and {end:%B} {end.day}, {end.year}"
    if kind == "season":
        return f"in the spring of {day.year}"
    if kind == "year":
        return f"in {day.year}"
    return f"on {day:%B} {day.day}, {day.year}"


def make_act(rng: random.Random) -> dict:
    a, b = rng.sample(ACTORS, 2)
    return {"type": rng.choice(TYPES), "a": a, "b": b, "t": rng.choice(TOPICS), "c": rng.choice(gen.CITIES),
            "day": FIRST + dt.timedelta(days=rng.randrange(SPREAD)), "template": rng.randrange(2)}


def sentence(rng: random.Random, act: dict, published: dt.date) -> str:
    template = gen.TEMPLATES[act["type"]][act["template"] if rng.random() < 0.7 else 1 - act["template"]]
    s = template.format(a=act["a"], b=act["b"], t=act["t"], c=act["c"], d=date_phrase(rng, act["day"], published))
    return s[0].upper() + s[1:]


def make_article(rng: random.Random, acts: list[dict], n: int, url: str | None) -> RawArticle:
    chosen = rng.sample(acts, rng.randint(1, 4))
    published = max(a["day"] for a in chosen) + dt.timedelta(days=rng.randrange(4))
    body = "\n".join(sentence(rng, a, published) for a in chosen)
    return RawArticle(f"Article {n}", published, body, "Wire", url, f"wp-{n}")


def corpus(rng: random.Random, n: int) -> tuple[list[dict], list[RawArticle]]:
    acts = [make_act(rng) for _ in range(n // 2 + 3)]
    # most articles have a URL (their key, so that they can be updated); some are keyed by their text
    articles = [make_article(rng, acts, i, f"https://wp.example/{i}" if rng.random() < 0.85 else None)
                for i in range(n)]
    return acts, articles


def snapshot(engine) -> dict:
    """Everything the write path keeps, without ids or clocks: events with every field, their sources,
    actors and topics, their search-index rows, the facet totals (keys named by slug), the longest span."""
    with engine.connect() as c:
        keys = dict(c.execute(text("SELECT id, key FROM article")).all())
        sources: dict[int, list] = {}
        for row in c.execute(text(
                "SELECT event_id, article_id, mention, sentence, merge_reason, type, date, date_start, date_end, "
                "approximate, initiator, actors, topics, rules, lock, pinned, wide FROM eventsource")):
            sources.setdefault(row[0], []).append((keys[row[1]], *(str(v) for v in row[2:])))
        actors: dict[int, list] = {}
        for eid, slug, role, start in c.execute(text(
                "SELECT ea.event_id, a.slug, ea.role, ea.date_start FROM eventactor ea JOIN actor a ON a.id = ea.actor_id")):
            actors.setdefault(eid, []).append((slug, role, str(start)))
        topics: dict[int, list] = {}
        for eid, name, start in c.execute(text(
                "SELECT et.event_id, t.name, et.date_start FROM eventtopic et JOIN topic t ON t.id = et.topic_id")):
            topics.setdefault(eid, []).append((name, str(start)))
        fts: dict[int, list] = {}
        if c.dialect.name == "sqlite":
            for rowid, title, evidence in c.execute(text("SELECT rowid, title, evidence FROM event_fts")):
                fts.setdefault(rowid, []).append((title, sorted(evidence.split("\n"))))
        events = []
        ids = set()
        for row in c.execute(text(
                "SELECT id, date, date_start, date_end, precision, approximate, type, plover, cameo, title, slug, "
                "summary, source_count, confidence, hidden FROM event")):
            ids.add(row[0])
            events.append((tuple(str(v) for v in row[1:]), sorted(sources.get(row[0], [])),
                           sorted(actors.get(row[0], [])), sorted(topics.get(row[0], [])), fts.get(row[0], [])))
        stray_fts = sorted(set(fts) - ids)
        totals = named_totals(c)
        span = c.execute(text("SELECT max_span_days FROM dataversion")).scalar()
        widest = max(((dt.date.fromisoformat(str(e[0][2])[:10]) - dt.date.fromisoformat(str(e[0][1])[:10])).days
                      for e in events), default=0)
        articles = sorted(c.execute(text("SELECT key, content_hash, title, published, body FROM article")).all())
    return {"articles": [tuple(map(str, a)) for a in articles], "events": sorted(events), "totals": totals,
            "stray_fts": stray_fts, "span": span, "widest": widest}


def recounted_equals_stored(engine) -> bool:
    from collections import Counter
    with engine.connect() as c:
        counter: Counter = Counter()
        for etype, day, actor_ids, topic_ids in tally.event_states(c).values():
            tally.add(counter, etype, day, actor_ids, topic_ids)
        stored = Counter({(f, o): n for f, o, n in c.execute(text("SELECT facet, other, n FROM facettotal")) if n})
    return stored == +counter


def same_database(incremental: dict, scratch: dict) -> None:
    """The two agree on everything but the longest span, which the write path keeps as an upper bound
    (it never shrinks): there it must cover every event."""
    assert incremental["stray_fts"] == scratch["stray_fts"] == []
    assert incremental["articles"] == scratch["articles"]
    assert incremental["events"] == scratch["events"]
    assert incremental["totals"] == scratch["totals"]
    assert incremental["span"] >= incremental["widest"] == scratch["widest"]


@pytest.fixture
def databases():
    made = []

    def make():
        url = new_database("writepath")
        engine = make_engine(make_settings(url))
        init_db(engine)
        with Session(writer(engine)) as s:
            sync_lexicon(s)
        made.append((url, engine))
        return engine

    yield make
    for url, engine in made:
        engine.dispose()
        drop_database(url)


def bulk(engine, articles: list[RawArticle]) -> dict:
    result = bulk_ingest(engine, list(articles), workers=1)
    assert result["failed"] == 0
    return snapshot(engine)


@pytest.mark.parametrize("seed", SEEDS)
def test_one_by_one_in_any_order_equals_a_bulk_load(seed, databases):
    rng = random.Random(f"order-{seed}")
    _, articles = corpus(rng, 28)
    one, scratch = databases(), databases()
    shuffled = rng.sample(articles, len(articles))
    with Session(writer(one)) as s:
        for raw in shuffled:
            ingest_article(s, raw)
    got = snapshot(one)
    assert got["events"], f"seed {seed}: the corpus must produce events"
    assert recounted_equals_stored(one), f"seed {seed}"
    same_database(got, bulk(scratch, articles))


def edited(rng: random.Random, raw: RawArticle, acts: list[dict]) -> RawArticle:
    """The same article (same URL) changed: a sentence dropped, added or rewritten, or its date moved."""
    lines = raw.body.split("\n")
    how = rng.choice(["drop", "add", "rewrite", "redate", "empty"])
    published = raw.published
    if how == "drop" and len(lines) > 1:
        lines.pop(rng.randrange(len(lines)))
    elif how == "add":
        act = rng.choice(acts)
        published = max(published, act["day"])
        lines.insert(rng.randrange(len(lines) + 1), sentence(rng, act, published))
    elif how == "redate":
        published = published + dt.timedelta(days=rng.choice([-3, -1, 1, 2, 8]))
    elif how == "empty":
        lines = ["Nothing of note was said."]
    else:
        act = rng.choice(acts)
        published = max(published, act["day"])
        lines[rng.randrange(len(lines))] = sentence(rng, act, published)
    return RawArticle(raw.title, published, "\n".join(lines) + f"\n(edit {rng.randrange(10**6)})", raw.outlet,
                      raw.url, raw.source)


@pytest.mark.parametrize("seed", SEEDS)
def test_updates_and_deletions_equal_a_bulk_load_of_what_remains(seed, databases):
    rng = random.Random(f"edits-{seed}")
    acts, articles = corpus(rng, 24)
    one, scratch = databases(), databases()
    current: dict[str, RawArticle] = {}  # key -> the article as last written, for those not deleted
    pending = list(articles)
    with Session(writer(one)) as s:
        for step in range(60):
            roll = rng.random()
            if pending and (roll < 0.45 or not current):
                raw = pending.pop(rng.randrange(len(pending)))
            elif roll < 0.8 and current:
                old = current[rng.choice(sorted(current))]
                if old.url is None:
                    continue
                raw = edited(rng, old, acts)
                current.pop(old.key)
            elif current:
                key = rng.choice(sorted(current))
                article_id = s.execute(text("SELECT id FROM article WHERE key = :k"), {"k": key}).scalar()
                corrections.delete_article(s, article_id, "tester")
                s.commit()
                current.pop(key)
                continue
            else:
                continue
            result = ingest_article(s, raw)
            assert result.status in ("new", "updated"), (seed, step)
            current[raw.key] = raw
        assert len(s.exec(select(Article.id)).all()) == len(current)
    got = snapshot(one)
    assert recounted_equals_stored(one), f"seed {seed}"
    same_database(got, bulk(scratch, list(current.values())))
    with Session(writer(one)) as s:
        reextract_all(s)
    again = snapshot(one)
    assert recounted_equals_stored(one), f"seed {seed}"
    same_database(again, got | {"span": again["span"]})
