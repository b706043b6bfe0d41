"""Merging on the seed corpus against a reviewed golden file: which mentions are the same act."""
from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from app.models import Article, Event, EventSource
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "grouping.json"


def groups(engine) -> list[dict]:
    with Session(engine) as s:
        rows = s.execute(select(Event.id, Event.type, Event.date, Article.source, EventSource.sentence)
                         .join(EventSource, EventSource.event_id == Event.id)
                         .join(Article, Article.id == EventSource.article_id)).all()
    by_event: dict[int, dict] = {}
    for eid, etype, date, source, sentence in rows:
        g = by_event.setdefault(eid, {"type": etype, "date": date, "sources": []})
        g["sources"].append([Path(source).name, sentence[:70]])
    out = [dict(g, sources=sorted(g["sources"])) for g in by_event.values()]
    return sorted(out, key=lambda g: (g["type"], g["date"], g["sources"]))


def test_seed_grouping_matches_the_golden_file(engine):
    got = groups(engine)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
    assert got == json.loads(GOLDEN.read_text())


def test_march_18_call_is_one_event_with_all_its_sources(engine):
    calls = [g for g in groups(engine) if g["type"] == "call" and g["date"] == "2025-03-18"]
    assert len(calls) == 1
    files = {f for f, _ in calls[0]["sources"]}
    assert files == {"000_f77b6c0dd251356e.txt", "107_march18_call_readout.txt", "108_march18_call_reaction.txt",
                     "109_trump_zelensky_call.txt"}


def test_no_event_holds_two_mentions_from_one_article(engine):
    for g in groups(engine):
        files = [f for f, _ in g["sources"]]
        assert len(files) == len(set(files)), g


def test_bulk_load_gives_the_same_timeline(empty_engine, engine):
    from app.pipeline.reader import read_sources
    from app.pipeline.store import bulk_ingest
    from tests.conftest import SEEDS

    tally = bulk_ingest(empty_engine, read_sources([str(SEEDS)], 5_000_000), workers=2)
    assert tally["new"] == len(list(SEEDS.glob("*.txt"))) and tally["failed"] == 0
    assert groups(empty_engine) == groups(engine)


def test_blocked_grouping_equals_global_grouping():
    import datetime as dt
    import random

    from app.pipeline.merge import Report, group_reports, group_reports_blocked

    rng = random.Random(3)
    actors = ["a", "b", "c", "d"]
    reports = []
    for i in range(300):
        start = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(40))
        width = rng.choice([0, 0, 0, 6, 30])
        core = frozenset(rng.sample(actors, rng.choice([1, 2])))
        reports.append(Report((f"art{i % 60}", f"m{i}"), rng.choice(["call", "statement", "sanction"]), start,
                              start + dt.timedelta(days=width), rng.random() < 0.2, sorted(core)[0], core))
    canon = lambda gs: sorted(sorted(r.key for r in g) for g in gs)  # noqa: E731
    assert canon(group_reports_blocked(reports)) == canon(group_reports(reports))
