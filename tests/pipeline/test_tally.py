"""Facet totals kept on write agree with a recount from the events, whatever the writes were."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import text
from sqlmodel import Session, select

from app.db import writer
from app.models import EventSource
from app.pipeline.store import bump_version, ingest_article, reextract_all, split_event, sync_lexicon
from app.timeline import tally
from tests.pipeline.test_store import CALL, raw


def stored(conn) -> Counter:
    return Counter({(f, o): n for f, o, n in conn.execute(text("SELECT facet, other, n FROM facettotal")) if n})


def recounted(conn) -> Counter:
    counter: Counter = Counter()
    for etype, day, actors, topics in tally.event_states(conn).values():
        tally.add(counter, etype, day, actors, topics)
    return counter


def live(conn) -> dict[str, int]:
    """The same figures straight from the events, by SQL."""
    return {
        "*": conn.execute(text("SELECT count(*) FROM event")).scalar(),
        "a": conn.execute(text("SELECT count(*) FROM eventactor WHERE role != 'mentioned'")).scalar(),
        "t": conn.execute(text("SELECT count(*) FROM eventtopic")).scalar(),
    }


def test_seed_corpus_totals_equal_a_recount(engine):
    with engine.connect() as conn:
        have = stored(conn)
        assert have == recounted(conn)
        figures = live(conn)
    assert have[("*", "")] == figures["*"] > 0
    assert sum(n for (f, o), n in have.items() if f == "*" and o.startswith("a:")) == figures["a"]
    assert sum(n for (f, o), n in have.items() if f == "*" and o.startswith("t:")) == figures["t"]
    assert sum(n for (f, o), n in have.items() if f == "*" and o.startswith("m:")) == figures["*"]


def test_updates_splits_and_reextraction_keep_totals_exact(empty_engine):
    with Session(writer(empty_engine)) as s:
        sync_lexicon(s)
        ingest_article(s, raw(url="https://a.example/1"))
        ingest_article(s, raw(body="Putin and Trump spoke by phone on Tuesday for two hours.", url="https://b.example/2"))
        assert stored(s) == recounted(s)
        ingest_article(s, raw(body=CALL + " Zelensky said on Wednesday that a ceasefire was near.", url="https://a.example/1"))
        assert stored(s) == recounted(s)
        event_id = s.exec(select(EventSource.event_id).where(EventSource.type == "call")).first()
        sources = s.exec(select(EventSource).where(EventSource.event_id == event_id)).all()
        split_event(s, event_id, [sources[-1].id])
        assert stored(s) == recounted(s)
        reextract_all(s)
        assert stored(s) == recounted(s)
        ingest_article(s, raw(body="Nothing happened.", url="https://a.example/1"))
        bump_version(s)
        s.commit()
        assert stored(s) == recounted(s)
        assert stored(s)[("*", "")] == live(s)["*"]


def test_bulk_load_totals_equal_incremental_totals(empty_engine, engine):
    from app.pipeline.reader import read_sources
    from app.pipeline.store import bulk_ingest
    from tests.conftest import SEEDS

    bulk_ingest(empty_engine, read_sources([str(SEEDS)], 5_000_000), workers=2)
    with empty_engine.connect() as bulk, engine.connect() as one_by_one:
        assert stored(bulk) == recounted(bulk) == stored(one_by_one)


def test_migration_fills_totals_for_events_stored_before_it(empty_url):
    from alembic import command

    from app.db import alembic_config, init_db, make_engine
    from tests.conftest import SEEDS, load, make_settings

    engine = make_engine(make_settings(empty_url))
    init_db(engine)
    load(engine, [SEEDS])
    with engine.begin() as conn:
        expected = stored(conn)
        command.downgrade(alembic_config(conn), "0002")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    with engine.connect() as conn:
        assert stored(conn) == expected == recounted(conn)
    engine.dispose()
