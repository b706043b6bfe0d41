"""Synthetic news articles for the scale benchmark, in the seed format.

Years of dates, Zipf-distributed actors and topics, several articles per event: each article
reports a main event of the last few days (weekday dates, "yesterday") and several earlier
events with absolute dates, so that every event is reported by about two articles.

    .venv/bin/python bench/generate.py --articles 300000 --out bench/out/articles
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

PEOPLE = ["Donald Trump", "Vladimir Putin", "Volodymyr Zelensky", "Marco Rubio", "Sergei Lavrov", "Keir Starmer",
          "Emmanuel Macron", "Friedrich Merz", "Giorgia Meloni", "Recep Tayyip Erdogan", "Xi Jinping", "Narendra Modi",
          "Mark Rutte", "Ursula von der Leyen", "Kaja Kallas", "Antonio Guterres", "Rafael Grossi", "Steve Witkoff",
          "Andriy Sybiga", "Dmitry Peskov", "Viktor Orban", "Donald Tusk", "Benjamin Netanyahu", "Mark Carney"]
STATES = ["United States", "Russia", "Ukraine", "China", "France", "Germany", "Britain", "Turkey", "India", "Poland",
          "Japan", "Israel", "Iran", "Saudi Arabia", "Qatar", "Hungary", "Finland", "Canada", "Brazil", "South Africa",
          "Italy", "Spain", "Egypt", "Belarus", "Georgia", "Moldova", "Kazakhstan", "Indonesia", "Mexico", "Norway"]
BODIES = ["NATO", "the European Union", "the United Nations", "the G7", "the IAEA"]
TOPICS = ["a ceasefire", "territory", "military aid", "sanctions", "energy supplies", "the nuclear plant",
          "peacekeepers", "a prisoner exchange", "minerals", "security guarantees", "the Black Sea", "grain exports"]
CITIES = ["Riyadh", "Istanbul", "Geneva", "Jeddah", "Vienna", "Doha", "Helsinki", "Brussels", "Paris", "Berlin"]
TEMPLATES = {
    "call": ["{a} and {b} held a phone call {d}, discussing {t}.", "{a} spoke by phone with {b} {d} about {t}."],
    "meeting": ["{a} met {b} in {c} {d} to discuss {t}.", "{a} held a meeting with {b} {d} on {t}."],
    "talks": ["Delegations of {a} and {b} held talks on {t} in {c} {d}.", "{a} and {b} held direct talks {d} on {t}."],
    "statement": ["{a} said {d} that {t} was not negotiable.", "{a} warned {d} that talks on {t} could collapse."],
    "sanction": ["{a} imposed new sanctions on {b} {d} over {t}.", "{a} announced fresh sanctions against {b} {d}."],
    "aid_pledge": ["{a} pledged new military aid to {b} {d}.", "{a} announced a new aid package for {b} {d}."],
    "visit": ["{a} visited {c} {d} for talks on {t}.", "{a} arrived in {c} {d} to discuss {t}."],
    "military_action": ["Forces of {a} launched a drone attack on {b} {d}.", "{a} shelled positions held by {b} {d}."],
}
TYPES = list(TEMPLATES)
TWO_PARTY = {"call", "meeting", "talks"}


def zipf(rng: random.Random, items: list[str], s: float = 1.1) -> str:
    weights = getattr(zipf, "_w", {}).get((len(items), s))
    if weights is None:
        weights = [1 / (i + 1) ** s for i in range(len(items))]
        zipf._w = {**getattr(zipf, "_w", {}), (len(items), s): weights}
    return rng.choices(items, weights)[0]


def actor(rng: random.Random) -> str:
    pool = rng.random()
    return zipf(rng, PEOPLE) if pool < 0.55 else zipf(rng, STATES) if pool < 0.9 else zipf(rng, BODIES)


def date_phrase(day: dt.date, published: dt.date) -> str:
    gap = (published - day).days
    if gap == 0:
        return "today"
    if gap == 1:
        return "yesterday"
    if gap < 6:
        return f"on {day:%A}"
    return f"on {day:%B} {day.day}, {day.year}"


def make_event(rng: random.Random, start: dt.date, days: int) -> dict:
    a = actor(rng)
    b = actor(rng)
    while b == a:
        b = actor(rng)
    return {"type": zipf(rng, TYPES, 0.8), "a": a, "b": b, "t": zipf(rng, TOPICS), "c": rng.choice(CITIES),
            "day": start + dt.timedelta(days=rng.randrange(days)), "template": rng.randrange(2)}


def sentence(ev: dict, published: dt.date, rng: random.Random) -> str:
    text = TEMPLATES[ev["type"]][ev["template"] if rng.random() < 0.7 else 1 - ev["template"]]
    s = text.format(a=ev["a"], b=ev["b"], t=ev["t"], c=ev["c"], d=date_phrase(ev["day"], published))
    return s[0].upper() + s[1:]


def act_key(ev: dict) -> tuple:
    """Distinct acts: one event per (type, initiator, day); pairs once per (type, pair, week)."""
    return (ev["type"], ev["a"], ev["day"]) if ev["type"] not in TWO_PARTY else \
        (ev["type"], frozenset((ev["a"], ev["b"])), ev["day"].isocalendar()[:2])


def acts(n_articles: int, rng: random.Random, years: int = 20) -> tuple[list[dict], set[tuple], dt.date, int]:
    """The distinct acts a corpus of n_articles reports, in date order, with their keys and the date range."""
    start = dt.date(2026, 1, 1) - dt.timedelta(days=365 * years)
    days = 365 * years
    n_events = max(1, n_articles * 10 // 3)  # about 3.3 events per article, each reported about 2.4 times
    taken: set[tuple] = set()
    events = []
    while len(events) < n_events:
        ev = make_event(rng, start, days)
        if act_key(ev) not in taken:
            taken.add(act_key(ev))
            events.append(ev)
    events.sort(key=lambda e: e["day"])
    return events, taken, start, days


def generate(n_articles: int, out: Path, seed: int = 7, per_article: int = 8, years: int = 20) -> int:
    """Write n_articles files under out/; returns the number of distinct events they report."""
    rng = random.Random(seed)
    events, _, _, _ = acts(n_articles, rng, years)
    n_events = len(events)
    reported = set()
    for n in range(n_articles):
        m = rng.randrange(n_events // 50, n_events)
        main = events[m]
        published = main["day"] + dt.timedelta(days=rng.randrange(0, 4))
        earlier = {rng.randrange(m) for _ in range(per_article - 1)}
        chosen = [main] + [events[i] for i in sorted(earlier) if events[i]["day"] < main["day"]]
        reported.update(id(e) for e in chosen)
        head = f"{main['a']} and {main['b']}: {main['t']}"
        body = "\n".join(sentence(e, published, rng) for e in chosen)
        path = out / f"shard_{n // 1000:04d}" / f"{n:07d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"date {published.isoformat()} {head}\n{body}\n", encoding="utf-8")
    return len(reported)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--out", type=Path, default=Path("bench/out/articles"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--years", type=int, default=20)
    a = ap.parse_args()
    n = generate(a.articles, a.out, a.seed, years=a.years)
    print(f"wrote {a.articles} articles reporting {n} distinct events to {a.out}")


if __name__ == "__main__":
    main()
