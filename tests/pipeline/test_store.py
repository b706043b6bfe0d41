"""Storing: idempotent, one transaction per article, updates re-extract, merging across articles."""
from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys

from sqlmodel import Session, select

from app.db import writer
from app.models import Article, Event, EventSource
from app.pipeline.merge import Report, group_reports
from app.pipeline.reader import RawArticle, read_sources
from app.pipeline.store import counts, ingest_article, reextract_all, split_event, sync_lexicon
from tests.conftest import ROOT, SEEDS, drop_database, load, make_settings, new_database

CALL = "Donald Trump and Vladimir Putin held a phone call on Tuesday, the Kremlin said."


def raw(body=CALL, title="Call", url=None, published=dt.date(2025, 3, 19)) -> RawArticle:
    return RawArticle(title, published, body, "Wire", url, "test")


def test_same_article_twice_is_one_article(empty_engine):
    with Session(writer(empty_engine)) as s:
        sync_lexicon(s)
        first = ingest_article(s, raw())
        second = ingest_article(s, raw())
        assert (first.status, second.status) == ("new", "unchanged")
        assert counts(s)["articles"] == 1


def test_changed_article_is_reextracted_not_duplicated(empty_engine):
    with Session(writer(empty_engine)) as s:
        sync_lexicon(s)
        ingest_article(s, raw(url="https://example.org/a"))
        before = counts(s)
        result = ingest_article(s, raw(body=CALL + " Zelensky said on Wednesday that he was ready.", url="https://example.org/a"))
        after = counts(s)
        assert result.status == "updated"
        assert after["articles"] == 1 and after["events"] == before["events"] + 1
        assert s.exec(select(EventSource)).all()[0].article_id == result.article_id


def one_call_from_two_articles(s: Session) -> Event:
    sync_lexicon(s)
    ingest_article(s, raw(url="https://a.example/1"))
    ingest_article(s, raw(body="Putin and Trump spoke by phone on Tuesday for two hours.", url="https://b.example/2"))
    [event] = s.exec(select(Event).where(Event.type == "call")).all()
    return event


def test_same_call_from_two_articles_is_one_event_with_both_sources(empty_engine):
    with Session(writer(empty_engine)) as s:
        event = one_call_from_two_articles(s)
        assert event.source_count == 2 and event.date == "2025-03-18"
        reasons = [src.merge_reason for src in s.exec(select(EventSource).where(EventSource.event_id == event.id))]
        assert any("dates agree: 18 Mar 2025" in r for r in reasons)


def test_an_event_a_changed_article_no_longer_reports_loses_that_source(empty_engine):
    with Session(writer(empty_engine)) as s:
        event = one_call_from_two_articles(s)
        assert event.source_count == 2
        # the second article (its source second in the event) now reports something else
        ingest_article(s, raw(body="Zelensky said on Wednesday that he was ready.", url="https://b.example/2"))
        s.refresh(event)
        assert event.source_count == 1
        assert [e.source_count for e in s.exec(select(Event).where(Event.type == "call"))] == [1]


def _events(engine) -> list[tuple]:
    """Every event's type, date, precision, title and number of sources, sorted."""
    with Session(engine) as s:
        return sorted((e.type, e.date, e.date_start, e.date_end, e.precision, e.approximate, e.title, e.source_count)
                      for e in s.exec(select(Event)).all())


def test_seed_corpus_twice_changes_nothing(engine):
    with Session(writer(engine)) as s:
        before = counts(s)
    grouping, events = _grouping(engine), _events(engine)
    load(engine, [SEEDS])
    with Session(writer(engine)) as s:
        assert counts(s) == before
    assert _grouping(engine) == grouping and _events(engine) == events


def test_reextract_keeps_the_timeline(engine):
    grouping, events = _grouping(engine), _events(engine)
    assert grouping and events
    with Session(writer(engine)) as s:
        before = counts(s)
        reextract_all(s)
        assert counts(s) == before
    assert _grouping(engine) == grouping
    assert _events(engine) == events


def _grouping(engine) -> set[frozenset]:
    with Session(engine) as s:
        rows = s.exec(select(EventSource.event_id, Article.key, EventSource.start, EventSource.type)
                      .join(Article, Article.id == EventSource.article_id)).all()
    groups: dict[int, set] = {}
    for event_id, key, start, etype in rows:
        groups.setdefault(event_id, set()).add((key, start, etype))
    return {frozenset(g) for g in groups.values()}


def test_shuffled_ingestion_order_gives_the_same_timeline():
    from app.db import init_db, make_engine

    files = sorted(SEEDS.glob("*.txt"))
    results = []
    for seed in (1, 2):
        order = files[:]
        random.Random(seed).shuffle(order)
        url = new_database(f"order{seed}")
        eng = make_engine(make_settings(url))
        init_db(eng)
        load(eng, order)
        results.append(_grouping(eng))
        eng.dispose()
        drop_database(url)
    assert results[0] == results[1]


def test_group_reports_is_order_independent():
    d = dt.date
    reports = [
        Report(("a", 1, "call", "x"), "call", d(2025, 2, 12), d(2025, 2, 12), False, "x", frozenset({"x", "y"})),
        Report(("b", 1, "call", "x"), "call", d(2025, 2, 1), d(2025, 2, 28), False, "x", frozenset({"x", "y"})),
        Report(("c", 1, "call", "x"), "call", d(2025, 2, 20), d(2025, 2, 20), False, "x", frozenset({"x", "y"})),
        Report(("d", 1, "call", "x"), "call", d(2025, 2, 12), d(2025, 2, 12), False, "x", frozenset({"x", "z"})),
    ]
    canon = lambda gs: sorted(sorted(r.key for r in g) for g in gs)  # noqa: E731
    base = canon(group_reports(reports))
    for seed in range(5):
        shuffled = reports[:]
        random.Random(seed).shuffle(shuffled)
        assert canon(group_reports(shuffled)) == base
    # the two day-precise calls stay apart; the vague February report joins exactly one of them
    assert len(base) == 3


def test_split_survives_reextraction(empty_engine):
    with Session(writer(empty_engine)) as s:
        event = one_call_from_two_articles(s)
        sources = s.exec(select(EventSource).where(EventSource.event_id == event.id)).all()
        split_event(s, event.id, [sources[1].id])
        assert len(s.exec(select(Event).where(Event.type == "call")).all()) == 2
        reextract_all(s)
        assert len(s.exec(select(Event).where(Event.type == "call")).all()) == 2


def test_two_processes_ingesting_at_once_make_no_duplicates(empty_url):
    db = empty_url
    code = ("import sys; sys.path.insert(0, %r); from tests.conftest import load, make_settings; "
            "from app.db import make_engine, init_db; from pathlib import Path; "
            "e = make_engine(make_settings(%r)); init_db(e); load(e, [Path(%r)])") % (str(ROOT), db, str(SEEDS))
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    from app.db import make_engine

    eng = make_engine(make_settings(db))
    with Session(eng) as s:
        n_files = len(list(read_sources([str(SEEDS)], 5_000_000)))
        assert counts(s)["articles"] == n_files
        keys = s.exec(select(Article.key)).all()
        assert len(keys) == len(set(keys))
    eng.dispose()


def test_regrouping_windows_find_every_source_that_reaches_them(engine):
    """Sources reaching a window are read by start day (a month at most before it) plus the wide ones apart:
    the same sources as the straightforward overlap query, for windows old and new, wide sources included."""
    from app.pipeline.store import WINDOW_CAP_DAYS, _reaching

    with Session(engine) as s:
        sources = s.exec(select(EventSource)).all()
        wide = [x for x in sources if (x.date_end - x.date_start).days > WINDOW_CAP_DAYS]
        assert wide and all(x.wide for x in wide) and not any(x.wide for x in sources if x not in wide)
        windows = {(x.type, x.date_start, x.date_start) for x in sources} | {(x.type, x.date_end, x.date_end) for x in wide}
        windows |= {(t, d - dt.timedelta(days=40), d) for t, d, _ in list(windows)}
        for etype, lo, hi in sorted(windows):
            expected = {x.id for x in sources if x.type == etype and x.date_start <= hi and x.date_end >= lo}
            assert {x.id for x, _ in _reaching(s, etype, lo, hi)} == expected, (etype, lo, hi)
