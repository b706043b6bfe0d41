"""Extraction throughput on one core: the seed corpus repeated N times (default x1000).

Compares, in the same run, our temporal tagger + event extractor with dateparser.search_dates
over the same texts (dateparser on a sample, it is much slower). Prints articles per second.

    .venv/bin/python bench/extract_speed.py [--repeat 1000]
"""
from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

from app.pipeline.events import extract_events
from app.pipeline.reader import read_sources
from app.pipeline.timex import find_timexes

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f} articles/s ({n} articles in {seconds:.2f} s)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=1000)
    ap.add_argument("--dateparser-sample", type=int, default=40, help="articles given to dateparser")
    a = ap.parse_args()
    articles = list(read_sources([str(SEEDS)], 5_000_000))
    corpus = articles * a.repeat
    extract_events(articles[0].body, articles[0].published)  # warm the lexicon and patterns
    gc.freeze()  # as the CLI and the server do once the lexicon is loaded

    t0 = time.perf_counter()
    for raw in corpus:
        find_timexes(raw.body, raw.published)
    timex_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    events = 0
    for raw in corpus:
        events += len(extract_events(raw.body, raw.published))
    full_s = time.perf_counter() - t0

    print(f"articles: {len(articles)} seed articles x {a.repeat} = {len(corpus)}")
    print(f"temporal tagger alone:        {rate(len(corpus), timex_s)}")
    print(f"full extraction (events):     {rate(len(corpus), full_s)}; {events} events")
    try:
        import datetime as dt

        from dateparser.search import search_dates
    except ImportError:
        print("dateparser not installed (pip install -e '.[bench]'): comparison skipped")
        return
    sample = (articles * ((a.dateparser_sample // len(articles)) + 1))[:a.dateparser_sample]
    t0 = time.perf_counter()
    for raw in sample:
        base = dt.datetime.combine(raw.published, dt.time())
        search_dates(raw.body, languages=["en"], settings={"RELATIVE_BASE": base})
    dp_s = time.perf_counter() - t0
    print(f"dateparser.search_dates:      {rate(len(sample), dp_s)}")
    print(f"ratio: our full extraction is {(len(corpus) / full_s) / (len(sample) / dp_s):,.0f}x dateparser's date search alone")


if __name__ == "__main__":
    main()
