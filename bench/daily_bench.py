"""Daily ingest into the loaded database: `timeline ingest` (one by one, the path of feeds and daily batches)
of new articles, timed end to end, on a copy of the database so that the loaded one stays as it was.

    .venv/bin/python bench/daily_bench.py --db bench/out/bench.db [--articles 500] [--corpus 430000]

Two batches, each on a fresh copy: articles published over the data's last week ("recent"), and articles
published on dates spread over its twenty years ("backfill"). Both are written like bench/generate.py's:
a new main act and up to seven earlier acts of the same corpus (acts the database already holds, any date),
so that every article regroups old windows as well as new ones.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def generator():
    spec = importlib.util.spec_from_file_location("generate", ROOT / "bench" / "generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return gen


def write_batch(out: Path, n: int, corpus: int, mode: str, seed: int = 18, per_article: int = 8) -> None:
    """n new articles in the seed format under out/ (the corpus's acts rebuilt from generate.py's seed)."""
    gen = generator()
    events, taken, start, days = gen.acts(corpus, random.Random(7))
    rng = random.Random(f"{seed}-{mode}")
    out.mkdir(parents=True, exist_ok=True)
    for n_written in range(n):
        while True:  # a new act, on a day of the chosen period
            lo = days - 7 if mode == "recent" else 0
            main = gen.make_event(rng, start + dt.timedelta(days=lo), days - lo)
            if gen.act_key(main) not in taken:
                taken.add(gen.act_key(main))
                break
        published = main["day"] + dt.timedelta(days=rng.randrange(0, 4))
        earlier = [events[rng.randrange(len(events))] for _ in range(per_article - 1)]
        chosen = [main] + sorted((e for e in earlier if e["day"] < main["day"]), key=lambda e: e["day"])
        body = "\n".join(gen.sentence(e, published, rng) for e in chosen)
        head = f"{main['a']} and {main['b']}: {main['t']} ({mode} {n_written})"
        (out / f"{mode}-{n_written:05d}.txt").write_text(f"date {published.isoformat()} {head}\n{body}\n", encoding="utf-8")


def run(db: Path, n: int, corpus: int, mode: str) -> dict:
    work = db.parent / f"daily-{mode}"
    shutil.rmtree(work, ignore_errors=True)
    write_batch(work / "articles", n, corpus, mode)
    copy = work / "db.sqlite"
    subprocess.run(["sqlite3", str(db), f".backup '{copy}'"], check=True) if shutil.which("sqlite3") else \
        shutil.copy(db, copy)
    env = {**os.environ, "TIMELINE_DATABASE_URL": f"sqlite:///{copy}"}
    subprocess.run([str(BIN / "timeline"), "ingest", "--if-empty", "/dev/null"], env=env, capture_output=True)  # migrate
    t = time.perf_counter()
    out = subprocess.run([str(BIN / "timeline"), "ingest", str(work / "articles")], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    shutil.rmtree(work, ignore_errors=True)
    return {"mode": mode, "articles": n, "seconds": seconds, "rate": n / seconds, "rc": out.returncode,
            "summary": (out.stderr.strip().splitlines() or [""])[-1]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=ROOT / "bench/out/bench.db", help="a loaded SQLite file")
    ap.add_argument("--articles", type=int, default=500)
    ap.add_argument("--corpus", type=int, default=430_000, help="the --articles the database was generated with")
    ap.add_argument("--modes", default="recent,backfill")
    a = ap.parse_args()
    for mode in a.modes.split(","):
        r = run(a.db, a.articles, a.corpus, mode)
        target = 50 if mode == "recent" else 10
        print(f"daily ingest, {mode:8s}: {r['articles']} articles in {r['seconds']:.1f} s = {r['rate']:.1f} articles/s "
              f"(target >= {target}) rc={r['rc']} | {r['summary']}")


if __name__ == "__main__":
    main()
