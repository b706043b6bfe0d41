"""Views beyond one facet read their counts, facet lists and density strips from the kept totals and bounded
walks (app/timeline/kept.py); every figure equals the straightforward live count, on both backends."""
from __future__ import annotations

import datetime as dt
import itertools
import random

from sqlmodel import Session, select

from app.models import Actor, Event, Topic
from app.timeline import kept, queries
from app.timeline.filters import Filters
from tests.timeline.test_counts import _generated, load


def busy(s, model, n: int) -> list[str]:
    """The n values with most events (ties by slug)."""
    kind = "actor" if model is Actor else "topic"
    return [v["slug"] for v in queries.facet_counts_live(s, Filters(), kind, n)]


def shapes(s) -> list[Filters]:
    """Two, three and four facets, types, date ranges on and off month boundaries, open ranges."""
    rng = random.Random(5)
    actors, topics = busy(s, Actor, 6), busy(s, Topic, 4)
    types = sorted(set(s.exec(select(Event.type)).all()))
    days = sorted(set(s.exec(select(Event.date_start)).all()))
    d0, d1 = days[0], days[-1]
    ranges = [(None, None), (d0.replace(day=1), None), (None, d1), (dt.date(d0.year + 1, 1, 1), dt.date(d0.year + 1, 12, 31)),
              (d0 + dt.timedelta(days=40), d1 - dt.timedelta(days=40)), (d1 - dt.timedelta(days=20), d1),
              (dt.date(d0.year + 1, 3, 15), dt.date(d0.year + 1, 3, 20))]
    views = []
    for a, b in itertools.combinations(actors[:5], 2):
        views.append(Filters(actors=(a, b)))
    for _ in range(80):
        lo, hi = rng.choice(ranges)
        views.append(Filters(actors=tuple(rng.sample(actors, rng.choice([0, 1, 1, 2, 2, 3]))),
                             topics=tuple(rng.sample(topics, rng.choice([0, 0, 1, 1, 2]))),
                             types=tuple(rng.sample(types, rng.choice([0, 1, 1, 2]))), date_from=lo, date_to=hi))
    return views


def test_kept_views_equal_live_counts(empty_engine, tmp_path):
    load(empty_engine, _generated(tmp_path, 150))
    with Session(empty_engine) as s:
        nonzero = 0
        for f in shapes(s):
            assert kept.count(s, f) == queries.count_live(s, f), f
            for kind in ("actor", "topic", "type"):
                assert queries.facet_counts(s, f, kind, 200) == queries.facet_counts_live(s, f, kind, 200), (f, kind)
            assert queries.histogram(s, f) == queries.histogram_live(s, f), f
            nonzero += queries.count_live(s, f) > 0
        assert nonzero > 20


def test_text_and_sources_views_are_not_answered_from_totals(engine):
    with Session(engine) as s:
        assert kept.count(s, Filters(q="ceasefire")) is None
        assert kept.count(s, Filters(actors=("vladimir-putin",), min_sources=2)) is None
        assert kept.count(s, Filters(actors=("vladimir-putin", "donald-trump"))) == queries.count_live(
            s, Filters(actors=("vladimir-putin", "donald-trump"))) > 0
