"""Facet totals kept on write, so that no view counts its events live.

Every event adds one to a few rows of the `facettotal` table: for each of its facet keys ('*' for all
events, 'y:<type>', 'a:<actor id>' for each actor taking part, 't:<topic id>' for each topic) the key's
total (other ''), its month (other 'm:YYYY-MM') and every pair with another of its keys (other = that key);
per month and pair (facet 'p:<key>', other 'YYYY-MM|<other key>', so one key's months are one index range);
and every triple (facet '<key>|<key>' of two keys in order, other = a third key).
Counts, facet lists and density strips of views with up to two facets (three for counts), with or without a
date range, are then read from a few rows (app/timeline/kept.py), and writes change some dozens of rows per event. `recount` rebuilds the table from the
events; the tests prove that incremental upkeep and a recount agree.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import bindparam, inspect, text

ALL = "*"
UPSERT = ("INSERT INTO facettotal (facet, other, n) VALUES (:f, :o, :n) "
          "ON CONFLICT (facet, other) DO UPDATE SET n = facettotal.n + excluded.n")


def facet_keys(etype: str, actor_ids: Iterable[int], topic_ids: Iterable[int]) -> list[str]:
    return [ALL, f"y:{etype}", *sorted({f"a:{i}" for i in actor_ids}), *sorted({f"t:{i}" for i in topic_ids})]


def add(counter: Counter, etype: str, date_start, actor_ids: Iterable[int], topic_ids: Iterable[int],
        sign: int = 1) -> None:
    """Count one event (sign -1 takes it away again)."""
    keys = facet_keys(etype, actor_ids, topic_ids)
    month = "m:" + str(date_start)[:7]
    ym = month[2:]
    for k in keys:
        counter[(k, "")] += sign
        counter[(k, month)] += sign
        for other in keys:
            if other != k and other != ALL:
                counter[(k, other)] += sign
                counter[("p:" + k, f"{ym}|{other}")] += sign
    named = keys[1:]  # without ALL
    for i, a in enumerate(named):
        for b in named[i + 1:]:
            pair = pair_key(a, b)
            for c in named:
                if c != a and c != b:
                    counter[(pair, c)] += sign


def pair_key(a: str, b: str) -> str:
    """The facet of a pair's triples: both keys, in order."""
    return f"{a}|{b}" if a < b else f"{b}|{a}"


def event_states(conn, event_ids: Iterable[int] | None = None, hidden_column: bool = True) -> dict[int, tuple]:
    """(type, date_start, core actor ids, topic ids) per visible event, from the database (all if None)."""
    # hidden by an editor: in no total (migration 0003 recounts before the column exists)
    events = text("SELECT id, type, date_start FROM event WHERE " + ("NOT hidden" if hidden_column else "1 = 1"))
    actors = text("SELECT event_id, actor_id FROM eventactor WHERE role != 'mentioned'")
    topics = text("SELECT event_id, topic_id FROM eventtopic")
    params = {}
    if event_ids is not None:
        params = {"ids": sorted(set(event_ids))}
        if not params["ids"]:
            return {}
        ids = bindparam("ids", expanding=True)
        events = text(events.text + " AND id IN :ids").bindparams(ids)
        actors = text(actors.text + " AND event_id IN :ids").bindparams(ids)
        topics = text(topics.text + " WHERE event_id IN :ids").bindparams(ids)
    states = {i: (t, d, [], []) for i, t, d in conn.execute(events, params)}
    for event_id, actor_id in conn.execute(actors, params):
        if event_id in states:
            states[event_id][2].append(actor_id)
    for event_id, topic_id in conn.execute(topics, params):
        if event_id in states:
            states[event_id][3].append(topic_id)
    return states


def note(session, event_ids: Iterable[int], sign: int) -> None:
    """Take the stored state of these events into the session's pending totals (flushed by `flush`)."""
    session.flush()
    pending = session.info.setdefault("facet_totals", Counter())
    for etype, date_start, actors, topics in event_states(session.connection(), event_ids).values():
        add(pending, etype, date_start, actors, topics, sign)


def flush(session) -> None:
    """Write the session's pending totals (called before every write commits)."""
    pending = session.info.pop("facet_totals", None)
    if pending:
        write(session.connection(), pending)


def write(conn, counter: Counter) -> None:
    rows = [{"f": f, "o": o, "n": n} for (f, o), n in counter.items() if n]
    for i in range(0, len(rows), 50_000):
        conn.execute(text(UPSERT), rows[i:i + 50_000])


def recount(conn) -> int:
    """Rebuild every total from the stored events; returns the number of events counted."""
    counter: Counter = Counter()
    states = event_states(conn, hidden_column="hidden" in {c["name"] for c in inspect(conn).get_columns("event")})
    for etype, date_start, actors, topics in states.values():
        add(counter, etype, date_start, actors, topics)
    conn.execute(text("DELETE FROM facettotal"))
    write(conn, counter)
    return len(states)
