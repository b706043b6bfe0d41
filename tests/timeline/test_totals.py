"""Views read their counts, facet lists and density from the facet totals; the figures equal live counts."""
from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session, select

from app.models import Actor, Topic
from app.timeline import queries
from app.timeline.filters import Filters, encode_cursor


def views(session) -> list[Filters]:
    actors = session.exec(select(Actor.slug)).all()
    topics = session.exec(select(Topic.slug)).all()
    return ([Filters()] + [Filters(actors=(a,)) for a in actors] + [Filters(topics=(t,)) for t in topics]
            + [Filters(types=(t,)) for t in ("call", "statement", "meeting", "sanction", "no-such-type")]
            + [Filters(actors=("no-such-actor",))])


def test_one_facet_views_read_totals_that_equal_live_counts(engine):
    with Session(engine) as s:
        checked = monthly = 0
        for f in views(s):
            assert queries.total_key(s, f) is not None
            assert queries.count_events(s, f) == queries.count_live(s, f)
            for kind in ("actor", "topic", "type"):
                have = queries.facet_counts(s, f, kind, 200)
                assert have == queries.facet_counts_live(s, f, kind, 200), (f, kind)
                checked += len(have)
            # spans over 13 months are read from the monthly totals, shorter ones counted live: same figures
            histogram = queries.histogram(s, f)
            assert histogram == queries.histogram_live(s, f), f
            monthly += histogram[0] == "month" and bool(histogram[1])
        assert checked > 100 and monthly > 0


def test_views_beyond_one_facet_count_live(engine):
    with Session(engine) as s:
        f = Filters(actors=("vladimir-putin", "donald-trump"))
        assert queries.total_key(s, f) is None
        assert queries.total_key(s, Filters(actors=("vladimir-putin",), q="ceasefire")) is None
        assert 0 < queries.count_events(s, f) < queries.count_events(s, Filters(actors=("vladimir-putin",)))


def test_live_counts_never_scan_a_table(tmp_path):
    """Views the totals cannot answer (two facets, dates, text, sources) count through indexes: SQLite's
    plan for every counting query holds no full scan of the event or facet tables. (SQLite's plans, so
    this builds its own SQLite database whatever backend the suite runs on.)"""
    import datetime as dt
    import re

    from sqlalchemy import event

    from app.db import init_db, make_engine
    from tests.conftest import SEEDS, load, make_settings

    engine = make_engine(make_settings(f"sqlite:///{tmp_path / 'plans.db'}"))
    init_db(engine)
    load(engine, [SEEDS])
    statements = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, sql, params, context, many: statements.append((sql, params)))
    d = dt.date
    views = [Filters(actors=("donald-trump", "vladimir-putin")), Filters(actors=("donald-trump",), topics=("ceasefire",)),
             Filters(types=("call",), date_from=d(2025, 3, 1), date_to=d(2025, 3, 31)), Filters(q="ceasefire"),
             Filters(actors=("vladimir-putin",), min_sources=2), Filters(date_from=d(2025, 3, 15)),
             Filters(date_to=d(2025, 2, 1)), Filters(types=("call", "meeting")), Filters(topics=("ceasefire",), q="call")]
    full_scan = re.compile(r"^SCAN (event|eventactor|eventtopic|eventsource)\b(?! VIRTUAL)")
    with Session(engine) as s:
        for f in views:
            queries.count_events(s, f)
            for kind in ("actor", "topic", "type"):
                queries.facet_counts(s, f, kind, 60)
            queries.histogram(s, f)
        counting = [(sql, p) for sql, p in statements if " event" in sql and not sql.startswith("EXPLAIN")]
        assert len(counting) >= 3 * len(views)
        for sql, params in counting:
            plan = [row[3] for row in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()]
            assert not [p for p in plan if full_scan.match(p)], (sql, plan)
    engine.dispose()


def test_fixed_statement_walks_page_like_the_general_query(engine):
    """Views with one facet at most page through one fixed statement; every page, both orders, equals
    what the general (joined, compiled) query gives."""
    def pages(s, f, walk) -> list[int]:
        out, cursor = [], None
        for _ in range(100):
            g = replace(f, cursor=cursor)
            table, match, rest = queries._driver(s, g)
            rows = walk(s, g, table, match, rest)
            out += [r[0] for r in rows[:7]]
            if len(rows) <= 7:
                return out
            cursor = encode_cursor(queries._as_date(rows[6][1]), rows[6][0])
        raise AssertionError("did not end")

    fast = lambda s, g, table, match, rest: queries._walk(s, g, table, 7)  # noqa: E731
    general = lambda s, g, table, match, rest: queries._walk_filtered(s, g, table, match, rest, 7)  # noqa: E731
    with Session(engine) as s:
        for base in (Filters(), Filters(actors=("vladimir-putin",)), Filters(topics=("ceasefire",)), Filters(types=("call",))):
            for order in ("desc", "asc"):
                f = replace(base, order=order)
                ids = pages(s, f, fast)
                assert ids == pages(s, f, general) and len(ids) == len(set(ids)) == queries.count_events(s, f) > 0


def test_text_views_page_from_sorted_matches_like_the_general_query(engine):
    with Session(engine) as s:
        for f in (Filters(q="ceasefire"), Filters(q="call", actors=("donald-trump",)), Filters(q="talks", types=("talks",))):
            for order in ("desc", "asc"):
                g = replace(f, order=order)
                seen, cursor = [], None
                while True:
                    ids, cursor = queries.page_ids(s, replace(g, cursor=cursor), 3)
                    seen += ids
                    if not cursor:
                        break
                table, match, rest = queries._driver(s, g)
                expected = [r[0] for r in queries._walk_filtered(s, g, table, match, rest, 10_000)]
                assert seen == expected and len(seen) == queries.count_events(s, g) > 0, (g, seen, expected)


def test_date_ranges_bounded_by_the_longest_span_find_every_overlapping_event(engine):
    """Date ranges also bound date_start from below by the longest event stored; every event that
    overlaps the range is still found, long ones (months, years) included."""
    import datetime as dt

    from sqlalchemy import func, text

    from app.models import Event

    with Session(engine) as s:
        stored = s.execute(text("SELECT max_span_days FROM dataversion")).scalar()
        spans = [(e - b).days for b, e in s.exec(select(Event.date_start, Event.date_end)).all()]
        assert stored == max(spans) >= 28  # the seeds hold month-long (or longer) events
        long_ones = s.exec(select(Event).where(func.julianday(Event.date_end) - func.julianday(Event.date_start) >= 28)
                           if engine.dialect.name == "sqlite" else
                           select(Event).where(Event.date_end - Event.date_start >= 28)).all()
        assert long_ones
        for ev in long_ones[:5]:
            inside = ev.date_end - dt.timedelta(days=1)
            f = Filters(date_from=inside, date_to=inside)
            overlapping = s.exec(select(func.count()).select_from(Event).where(
                Event.date_end >= inside, Event.date_start <= inside)).one()
            assert queries.count_events(s, f) == overlapping
            ids, cursor = queries.page_ids(s, f, 10_000)
            assert ev.id in ids and len(ids) == overlapping
