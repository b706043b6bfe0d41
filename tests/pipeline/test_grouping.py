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
