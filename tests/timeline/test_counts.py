"""Counts that mean what clicking gives: for any selection, the count beside every facet value equals the
number of events of the view that value's link opens (counted live from the events, not from the totals)."""
from __future__ import annotations

import datetime as dt
import importlib.util
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlmodel import Session, select
from starlette.datastructures import QueryParams

from app.models import Actor, Event, Topic
from app.timeline import queries
from app.timeline.context import view_context
from app.timeline.filters import Filters
from tests.conftest import ROOT, load


def opened(url: str) -> Filters:
    return Filters.from_params(QueryParams(urlsplit(url).query))


def check_view(session: Session, f: Filters) -> int:
    """Every facet value's count equals the total of the view its link opens; returns how many were checked."""
    ctx = view_context(session, f)
    assert ctx["total"] == queries.count_live(session, f)
    checked = 0
    for kind in ("actor_facets", "topic_facets", "type_facets"):
        for value in ctx[kind]:
            target = opened(value["url"])
            assert value["count"] == queries.count_live(session, target), (f, kind, value)
            checked += 1
    return checked


def selections(session: Session):
    actors = session.exec(select(Actor.slug).join_from(Actor, queries.EventActor, queries.EventActor.actor_id == Actor.id)
                          .distinct()).all()
    topics = session.exec(select(Topic.slug)).all()
    types = sorted(set(session.exec(select(Event.type)).all()))
    days = sorted(session.exec(select(Event.date_start).distinct()).all())
    dates = st.one_of(st.none(), st.sampled_from(days))
    return st.builds(
        lambda a, t, y, d0, d1, q, m: Filters(actors=tuple(a), topics=tuple(t), types=tuple(y),
                                              date_from=d0, date_to=d1 if (d0 is None or d1 is None or d1 >= d0) else d0,
                                              q=q, min_sources=m),
        st.lists(st.sampled_from(actors), max_size=2, unique=True),
        st.lists(st.sampled_from(topics), max_size=2, unique=True),
        st.lists(st.sampled_from(types), max_size=3, unique=True),
        dates, dates, st.sampled_from(["", "", "", "ceasefire", "Zelenskiy", "talks"]), st.sampled_from([0, 0, 2]))


@pytest.mark.parametrize("qs", [
    "actor=donald-trump&actor=vladimir-putin",  # the case: 'Volodymyr Zelensky 16' used to open 0
    "actor=vladimir-putin", "type=call&type=meeting", "type=call", "topic=ceasefire&type=statement", ""])
def test_named_views(engine, qs):
    with Session(engine) as s:
        assert check_view(s, opened("/?" + qs)) > 0


def test_random_selections_on_the_seed_corpus(engine):
    with Session(engine) as s:
        checked = []

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(selections(s))
        def prop(f):
            checked.append(check_view(s, f))
        prop()
        assert sum(checked) > 200


def _generated(tmp_path, n: int) -> list:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "bench" / "generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.generate(n, tmp_path, seed=13, years=2)
    return sorted(tmp_path.rglob("*.txt"))


def test_random_selections_on_a_generated_corpus(empty_engine, tmp_path):
    load(empty_engine, _generated(tmp_path, 120))
    with Session(empty_engine) as s:
        assert s.exec(select(Event.id)).first() is not None
        checked = []

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        @given(selections(s))
        def prop(f):
            checked.append(check_view(s, f))
        prop()
        assert sum(checked) > 200


def test_an_actors_counterparts_count_the_pair_view(engine):
    with Session(engine) as s:
        putin = queries.get_actor(s, "vladimir-putin")
        pairs = queries.counterparts(s, putin)
        assert pairs
        for c in pairs:
            assert c["count"] == queries.count_live(s, Filters(actors=("vladimir-putin", c["slug"]))), c


def test_an_impossible_range_is_said_and_matches_nothing(engine):
    with Session(engine) as s:
        f = Filters(date_from=dt.date(2025, 4, 1), date_to=dt.date(2025, 3, 1))
        ctx = view_context(s, f)
        assert f.impossible and ctx["total"] == 0 and ctx["swap_url"] == "/?from=2025-03-01&to=2025-04-01"
