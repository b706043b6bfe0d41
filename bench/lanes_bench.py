"""Server time of lanes views over the whole range, on a database of synthetic events.

    .venv/bin/python bench/lanes_bench.py [--events 1000000] [--db sqlite:///bench/out/lanes.db] [--repeat 20]
    .venv/bin/python bench/lanes_bench.py --parts 'view=lanes&actor=actor-1&actor=actor-2&actor=actor-3'

Builds the database once (skipped when the file already holds the events): twenty years of events,
Zipf-distributed actors (two or three per event), every type, one in ten dated only to the month,
written straight to the tables with their facet totals (the extractor is not the subject here; `make
bench-scale` loads real text). Then times, in process, each lanes URL: the first request (cold: counts,
figure and page computed) and the median of the next requests (warm: kept per view and data version), and
counts the SVG elements of the figure drawn.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

TYPES = ["call", "meeting", "talks", "visit", "speech", "statement", "agreement", "aid_pledge", "aid_suspension",
         "sanction", "military_action", "evacuation", "election", "other"]


def build(engine, events: int, seed: int = 14) -> None:
    """Write `events` synthetic events with their actors and facet totals."""
    from app.timeline import tally

    rng = random.Random(seed)
    actors = 300
    weights = [1 / (i + 1) for i in range(actors)]
    start = dt.date(2006, 1, 1)
    days = (dt.date(2025, 12, 31) - start).days
    counter: Counter = Counter()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO actor (id, slug, name, kind, role, aliases) VALUES (:i, :s, :n, 'person', '', '')"),
                     [{"i": i + 1, "s": f"actor-{i + 1}", "n": f"Actor {i + 1}"} for i in range(actors)])
        batch_e, batch_a = [], []
        for eid in range(1, events + 1):
            d0 = start + dt.timedelta(days=rng.randrange(days))
            month = rng.random() < 0.1
            if month:
                d0 = d0.replace(day=1)
                d1 = (d0.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            else:
                d1 = d0
            etype = rng.choice(TYPES)
            who = set(rng.choices(range(1, actors + 1), weights, k=rng.choice((2, 2, 3))))
            batch_e.append({"i": eid, "d": d0.strftime("%Y-%m") if month else d0.isoformat(), "s": d0, "e": d1,
                            "p": "month" if month else "day", "t": etype, "ti": f"Event {eid}", "sl": f"event-{eid}"})
            batch_a += [{"e": eid, "a": a, "r": "initiator" if k == 0 else "counterpart", "d": d0}
                        for k, a in enumerate(sorted(who))]
            tally.add(counter, etype, d0, who, [])
            if len(batch_e) >= 50_000:
                _flush(conn, batch_e, batch_a)
                batch_e, batch_a = [], []
        _flush(conn, batch_e, batch_a)
        tally.write(conn, counter)
        conn.execute(text("UPDATE dataversion SET version = version + 1, max_span_days = 31 WHERE id = 1"))


def _flush(conn, events: list[dict], actors: list[dict]) -> None:
    if events:
        conn.execute(text("INSERT INTO event (id, date, date_start, date_end, precision, approximate, type, plover, cameo, "
                          "title, summary, slug, source_count, created_at, updated_at) VALUES (:i, :d, :s, :e, :p, 0, :t, "
                          "'', '', :ti, '', :sl, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), events)
        conn.execute(text("INSERT INTO eventactor (event_id, actor_id, role, date_start) VALUES (:e, :a, :r, :d)"), actors)


def elements(html: str) -> int:
    import lxml.html

    svg = lxml.html.fromstring(html).cssselect("#lanes svg.lanes-h")
    return sum(1 for _ in svg[0].iter()) if svg else 0


def time_url(client, url: str, repeat: int) -> tuple[float, float, int, int]:
    t0 = time.perf_counter()
    first = client.get(url, headers={"accept": "text/html"})
    cold = (time.perf_counter() - t0) * 1000
    assert first.status_code == 200, first.text[:300]
    warm = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        client.get(url, headers={"accept": "text/html"})
        warm.append((time.perf_counter() - t0) * 1000)
    return cold, statistics.median(warm), elements(first.text), first.text.count('class="mark')


def parts(settings, qs: str) -> None:
    """A cold view's time split into its parts, each timed alone on a fresh process cache."""
    from dataclasses import replace

    from sqlmodel import Session
    from starlette.datastructures import QueryParams

    from app.db import make_engine
    from app.timeline import lanes_queries, queries
    from app.timeline.filters import Filters
    from app.web import views

    f = Filters.from_params(QueryParams(qs))
    for store in (queries._CACHE, queries.ORDERED):
        store.data.clear()
    engine = make_engine(settings)
    with Session(engine) as s:
        print(f"\ncold parts of `/?{qs}`:")
        lanes = lambda: {i: ln.slug for i, ln in lanes_queries.lane_list(s, f) if i != -1}  # noqa: E731
        for name, fn in [("events with any of the lanes' actors per day, whole range (union_days: the overview "
                          "strip; union_total too when the view has no dates)",
                          lambda: lanes_queries.union_days(s, replace(f, date_from=None, date_to=None), lanes())),
                         ("the figure (lanes_queries.figure)", lambda: lanes_queries.figure(s, f)),
                         ("events with any of the actors (union_total)", lambda: lanes_queries.union_total(s, f)),
                         ("the filter panel: the list's counts, facets, strip (views._view)", lambda: views._view(s, f))]:
            t0 = time.perf_counter()
            fn()
            print(f"- {name}: {(time.perf_counter() - t0) * 1000:,.0f} ms")
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--db", default=f"sqlite:///{ROOT / 'bench' / 'out' / 'lanes.db'}")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--parts", metavar="QUERY", help="only split this lanes view's cold time into its parts, "
                    "e.g. 'view=lanes&actor=actor-1&actor=actor-2&actor=actor-3'")
    args = ap.parse_args()

    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.db import init_db, make_engine
    from app.main import create_app

    if args.db.startswith("sqlite:///"):
        Path(args.db[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    settings = Settings(database_url=args.db, _env_file=None)
    engine = make_engine(settings)
    init_db(engine)
    with engine.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM event")).scalar_one()
    if have == 0:
        t0 = time.perf_counter()
        build(engine, args.events)
        print(f"built {args.events:,} events in {time.perf_counter() - t0:.0f} s")
    elif have != args.events:
        sys.exit(f"{args.db} holds {have:,} events, not {args.events:,}: remove it or pass --events {have}")
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM event")).scalar_one()
    engine.dispose()
    if args.parts:
        return parts(settings, args.parts)
    urls = [
        ("whole range, the top 8 actors", "/?view=lanes"),
        ("whole range, three actors", "/?view=lanes&actor=actor-1&actor=actor-2&actor=actor-3"),
        ("whole range, two rare actors", "/?view=lanes&actor=actor-250&actor=actor-290"),
        ("whole range, type call (live counts)", "/?view=lanes&type=call"),
        ("one month, three actors", "/?view=lanes&actor=actor-1&actor=actor-2&actor=actor-3&from=2015-03-01&to=2015-03-31"),
        ("dyad page, two top actors", "/actors/actor-1/with/actor-2"),
    ]
    print(f"\n{n:,} events, {args.repeat} warm requests per URL (in process, TestClient)\n")
    print("| view | cold ms | warm ms (median) | SVG elements | marks or bins |")
    print("| --- | ---: | ---: | ---: | ---: |")
    with TestClient(create_app(settings)) as client:
        for name, url in urls:
            cold, warm, els, marks = time_url(client, url, args.repeat)
            print(f"| {name} (`{url}`) | {cold:,.0f} | {warm:.1f} | {els:,} | {marks:,} |")


if __name__ == "__main__":
    main()
