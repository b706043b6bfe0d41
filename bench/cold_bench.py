"""Server time of cold views: the first request of random views of each kind, each kind in a fresh process.

    .venv/bin/python bench/cold_bench.py --db sqlite:///bench/out/bench.db [--views 20] [--seed 18]

For each kind (two facets, three facets, text, type + dates, deep cursor page, actor page, lanes) a new
Python process opens the app in process (TestClient), asks for the unfiltered timeline once (the process's
start: imports, lexicon, compiled templates, actor and topic names; that view is read from the totals and is
of none of the kinds), then requests `--views` random views of that kind once
each: every view is the first of its kind in that process, nothing of it is kept yet. Prints p50, p99 and
max per kind (milliseconds, the request's time in process: routing, queries, rendering).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KINDS = ("two facets", "three facets", "text", "type + dates", "deep cursor", "actor page", "lanes")
WORDS = ["ceasefire", "sanctions", "territory", "minerals", "grain", "nuclear", "peacekeepers", "Geneva", "Riyadh",
         "Istanbul", "drone", "phone", "visited", "aid", "energy", "prisoner", "guarantees", "Doha", "Vienna", "talks"]


def universe(db: str) -> dict:
    """The slugs views are drawn from: every actor and topic with an event, every type, the data's years."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db)
    with engine.connect() as c:
        keys = dict(c.execute(text("SELECT other, n FROM facettotal WHERE facet = '*' AND n > 0")).all())
        actors = dict(c.execute(text("SELECT id, slug FROM actor")).all())
        topics = dict(c.execute(text("SELECT id, slug FROM topic")).all())
        lo, hi = c.execute(text("SELECT min(date_start), max(date_start) FROM event")).one()
    engine.dispose()
    as_date = lambda v: v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])  # noqa: E731
    return {"actors": sorted(actors[int(k[2:])] for k in keys if k.startswith("a:") and int(k[2:]) in actors),
            "topics": sorted(topics[int(k[2:])] for k in keys if k.startswith("t:") and int(k[2:]) in topics),
            "types": sorted(k[2:] for k in keys if k.startswith("y:")), "lo": as_date(lo), "hi": as_date(hi)}


def views(kind: str, u: dict, n: int, rng: random.Random) -> list[tuple[str, dict]]:
    """n distinct random URLs of one kind, with their headers (fragments are htmx requests)."""
    hx = {"HX-Request": "true"}
    out: dict[str, dict] = {}
    while len(out) < n:
        facets = [("actor", a) for a in u["actors"]] + [("topic", t) for t in u["topics"]] + [("type", t) for t in u["types"]]
        if kind in ("two facets", "three facets"):
            chosen = rng.sample(facets, 2 if kind == "two facets" else 3)
            if sum(k == "type" for k, _ in chosen) > 1:  # two types widen: not a narrower view
                continue
            out["/?" + urlencode(sorted(chosen))] = hx
        elif kind == "text":
            out["/?" + urlencode({"q": rng.choice(WORDS)} if rng.random() < 0.7 else
                                 {"q": rng.choice(WORDS), "actor": rng.choice(u["actors"])})] = hx
        elif kind == "type + dates":
            lo = u["lo"] + dt.timedelta(days=rng.randrange((u["hi"] - u["lo"]).days))
            hi = min(u["hi"], lo + dt.timedelta(days=rng.randrange(7, 2 * 365)))
            out["/?" + urlencode([("type", rng.choice(u["types"])), ("from", lo.isoformat()), ("to", hi.isoformat())])] = hx
        elif kind == "deep cursor":
            from app.timeline.filters import encode_cursor

            day = u["lo"] + dt.timedelta(days=rng.randrange((u["hi"] - u["lo"]).days))
            chosen = rng.sample(facets, rng.choice((1, 2)))
            if sum(k == "type" for k, _ in chosen) > 1:
                continue
            out["/events.json?" + urlencode(sorted(chosen) + [("cursor", encode_cursor(day, 2**31 - 1))])] = {}
        elif kind == "actor page":
            if len(out) >= len(u["actors"]):
                break
            out["/actors/" + rng.choice(u["actors"])] = {}
        elif kind == "lanes":
            chosen = rng.sample(u["actors"], rng.choice((1, 2, 3)))
            out["/?" + urlencode([("actor", a) for a in sorted(chosen)] + [("view", "lanes")])] = hx
    return list(out.items())


def run_kind(db: str, kind: str, n: int, seed: int) -> list[float]:
    """In this (fresh) process: the first request of n random views of one kind, in ms."""
    os.environ["TIMELINE_DATABASE_URL"] = db
    from fastapi.testclient import TestClient

    from app.main import create_app

    rng = random.Random(f"{seed}-{kind}")
    urls = views(kind, universe(db), n, rng)
    out = []
    with TestClient(create_app()) as client:
        assert client.get("/").status_code == 200
        for url, headers in urls:
            t = time.perf_counter()
            r = client.get(url, headers=headers, follow_redirects=False)
            out.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (url, r.status_code)
    return out


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True)
    ap.add_argument("--views", type=int, default=20)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--one", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(run_kind(a.db, a.one, a.views, a.seed)))
        return
    print(f"{'cold views (first request, fresh process)':44s} {'n':>3s} {'p50 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}")
    worst = {}
    for kind in a.kinds.split(","):
        out = subprocess.run([sys.executable, __file__, "--db", a.db, "--views", str(a.views), "--seed", str(a.seed),
                              "--one", kind], capture_output=True, text=True, cwd=ROOT)
        if out.returncode:
            print(f"{kind}: failed\n{out.stderr[-2000:]}")
            continue
        ms = json.loads(out.stdout.strip().splitlines()[-1])
        worst[kind] = max(ms)
        print(f"{kind:44s} {len(ms):3d} {statistics.median(ms):8.1f} {pct(ms, 99):8.1f} {max(ms):8.1f}")
    met = [k for k, v in worst.items() if v <= 300]
    print(f"kinds with every cold view <= 300 ms: {len(met)} of {len(worst)}"
          + (f" (not: {', '.join(k for k in worst if k not in met)})" if len(met) < len(worst) else ""))


if __name__ == "__main__":
    main()
