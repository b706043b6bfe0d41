"""Nothing lost: `kill -9` at a random point of either ingest path, then a re-run, gives the database a
clean ingest gives; two bulk loads at once never corrupt it; bad items never stop a bulk load.

Real processes (`.venv/bin/timeline ingest ...`) on the suite's backend (SQLite, or PostgreSQL when
TIMELINE_TEST_POSTGRES_URL is set), over a few dozen articles from bench/generate.py.
"""
from __future__ import annotations

import importlib.util
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db import init_db, make_engine
from tests.conftest import ROOT, drop_database, make_settings, new_database
from tests.pipeline.facets import named_totals

TIMELINE = Path(sys.executable).with_name("timeline")
SEED = int(os.environ.get("CRASH_TEST_SEED", random.randrange(10**6)))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    out = tmp_path_factory.mktemp("corpus")
    gen.generate(32, out, seed=11, years=1)
    return out


def run(url: str, *args: str, wait: bool = True, timeout: float = 600, **kw):
    env = {**os.environ, "TIMELINE_DATABASE_URL": url}
    env.pop("TIMELINE_ADMIN_TOKEN", None)
    proc = subprocess.Popen([str(TIMELINE), "ingest", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **kw)
    if not wait:
        return proc
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise AssertionError(f"timeline ingest {' '.join(args)} still running after {timeout} s: it hangs") from None
    return proc.returncode, out + err


def kill_group(proc) -> None:
    """kill -9 the ingest and the worker processes it forked (its own process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate(timeout=60)


def snapshot(url: str) -> dict:
    """Everything a load writes, without ids, counters or clocks: articles, events with their sources,
    actors and topics, facet totals, the longest span."""
    engine = make_engine(make_settings(url))
    with engine.connect() as c:
        keys = dict(c.execute(text("SELECT id, key FROM article")).all())
        articles = sorted(c.execute(text("SELECT key, content_hash, title, published, outlet, url, body FROM article")).all())
        sources: dict[int, list] = {}
        for eid, aid, mention, sentence, why in c.execute(text(
                "SELECT event_id, article_id, mention, sentence, merge_reason FROM eventsource")):
            sources.setdefault(eid, []).append((keys[aid], mention, sentence, why))
        actors: dict[int, list] = {}
        for eid, slug, role in c.execute(text(
                "SELECT ea.event_id, a.slug, ea.role FROM eventactor ea JOIN actor a ON a.id = ea.actor_id")):
            actors.setdefault(eid, []).append((slug, role))
        topics: dict[int, list] = {}
        for eid, name in c.execute(text(
                "SELECT et.event_id, t.name FROM eventtopic et JOIN topic t ON t.id = et.topic_id")):
            topics.setdefault(eid, []).append(name)
        events = sorted(
            (tuple(str(v) for v in row[1:]), sorted(sources.get(row[0], [])), sorted(actors.get(row[0], [])),
             sorted(topics.get(row[0], [])))
            for row in c.execute(text("SELECT id, date, date_start, date_end, precision, approximate, type, title, "
                                      "slug, summary, source_count FROM event")))
        totals = named_totals(c)
        span = c.execute(text("SELECT max_span_days FROM dataversion")).scalar()
        orphans = c.execute(text("SELECT count(*) FROM event WHERE id NOT IN (SELECT event_id FROM eventsource)")).scalar()
    engine.dispose()
    return {"articles": articles, "events": events, "totals": totals, "span": span, "orphans": orphans}


@pytest.fixture
def fresh_url():
    urls = []

    def make() -> str:
        url = new_database("crash")
        engine = make_engine(make_settings(url))
        init_db(engine)  # the schema, as the first `timeline` command would make it
        engine.dispose()
        urls.append(url)
        return url

    yield make
    for url in urls:
        drop_database(url)


@pytest.fixture(scope="module")
def clean(corpus, tmp_path_factory) -> dict:
    """The reference: a clean one-by-one ingest of the corpus, and a clean bulk load of it."""
    out = {}
    for name, args in (("one-by-one", ()), ("bulk", ("--bulk",))):
        url = new_database("clean")
        rc, log = run(url, *args, str(corpus))
        assert rc == 0, log
        out[name] = snapshot(url)
        drop_database(url)
    return out


def test_bulk_and_one_by_one_give_the_same_database(clean):
    assert clean["bulk"]["events"], "the corpus must produce events"
    assert clean["bulk"]["orphans"] == 0
    assert clean["bulk"] == clean["one-by-one"]


def _articles(url: str) -> int:
    engine = make_engine(make_settings(url))
    try:
        with engine.connect() as c:
            return c.execute(text("SELECT count(*) FROM article")).scalar()
    finally:
        engine.dispose()


def test_kill_9_during_one_by_one_ingest_then_rerun_equals_a_clean_ingest(corpus, clean, fresh_url):
    rng = random.Random(SEED)
    url = fresh_url()
    n = len(list(corpus.rglob("*.txt")))
    for round_ in range(2):  # killed twice at random points, each after a random number of articles landed
        # the first kill in the first half of the corpus, the second before its last two articles
        landed_before = _articles(url)
        target = rng.randrange(landed_before + 1, n // 2 if round_ == 0 else n - 2)
        proc = run(url, str(corpus), wait=False)
        landed = []  # (time, count) each time the count of stored articles grew
        while proc.poll() is None:
            count = _articles(url)
            if not landed or count > landed[-1][1]:
                landed.append((time.perf_counter(), count))
            if count >= target:
                break
            time.sleep(0.005)
        # somewhere inside the next article's transaction, or between two: a random fraction of the
        # time one article took on this machine, so a fast machine cannot finish the load first
        # (measured between articles landing, not from the start, which includes the process's start-up)
        grew = landed[1:]
        (t0, c0), (t1, c1) = (grew[0], grew[-1]) if len(grew) >= 2 else ((0.0, 0), (0.02, 1))
        per_article = (t1 - t0) / (c1 - c0)
        time.sleep(rng.random() * per_article)
        kill_group(proc)
        assert _articles(url) < n, f"seed {SEED}: the load finished before the kill; use more articles"
    rc, log = run(url, str(corpus))
    assert rc == 0, log
    assert snapshot(url) == clean["one-by-one"], f"seed {SEED}"


def test_kill_9_during_bulk_load_then_rerun_equals_a_clean_load(corpus, clean, fresh_url):
    rng = random.Random(SEED)
    url = fresh_url()
    started = time.perf_counter()
    rc, log = run(url, "--bulk", str(corpus))
    full = time.perf_counter() - started
    assert rc == 0, log
    assert snapshot(url) == clean["bulk"]
    for round_ in range(3):  # a fresh database each round
        url = fresh_url()
        engine = make_engine(make_settings(url))
        proc = run(url, "--bulk", str(corpus), wait=False)
        # killed at a random moment of the load, or the moment the first articles become visible
        # (where a load that commits articles before their events is at its most fragile)
        deadline = time.perf_counter() + rng.uniform(0.2, 1.0) * full
        with engine.connect() as c:
            while time.perf_counter() < deadline and proc.poll() is None:
                if c.execute(text("SELECT count(*) FROM article")).scalar():
                    break
                c.rollback()
                time.sleep(0.005)
        engine.dispose()
        kill_group(proc)
        partial = snapshot(url)
        # all or nothing: either no article is stored, or the whole load (it may have just finished)
        assert partial["articles"] == [] or partial == clean["bulk"], f"seed {SEED}: {len(partial['articles'])} articles"
        rc, log = run(url, "--bulk", str(corpus))
        if partial["articles"]:
            assert rc == 1 and "needs an empty database" in log, log
        else:
            assert rc == 0, log
        assert snapshot(url) == clean["bulk"], f"seed {SEED}"


def test_two_bulk_loads_at_once_leave_one_clean_load(corpus, clean, fresh_url):
    url = fresh_url()
    first = run(url, "--bulk", str(corpus), wait=False)
    time.sleep(0.5)
    second = run(url, "--bulk", str(corpus), wait=False)
    results = []
    for proc in (first, second):
        out, err = proc.communicate(timeout=600)
        results.append((proc.returncode, out + err))
    assert sorted(rc for rc, _ in results) == [0, 1], results
    refused = next(log for rc, log in results if rc == 1)
    assert "Traceback" not in refused and "IntegrityError" not in refused, refused
    assert "needs an empty database" in refused or "Another process is writing" in refused, refused
    assert snapshot(url) == clean["bulk"]


@pytest.mark.parametrize("bulk", [False, True], ids=["one-by-one", "bulk"])
def test_bad_items_fail_alone_and_the_batch_lands(tmp_path, fresh_url, bulk):
    good = "date 2025-03-{d:02d} Good {d}\nDonald Trump and Vladimir Putin held a phone call on {d} March 2025.\n"
    bad = {  # file name -> content; each must fail with its own line, none may stop the batch
        "empty.txt": "",
        "future.txt": "date 9999-12-20 X\nDonald Trump met Vladimir Putin on Tuesday.\n",
        "ancient.txt": "date 1812-06-24 X\nNapoleon crossed the Neman on Tuesday.\n",
        "epoch.json": '{"title": "x", "date": 1e20, "body": "Trump spoke."}',
        "nan.json": '{"title": "x", "date": NaN, "body": "Trump spoke."}',
        "inf.json": '{"title": "x", "date": -Infinity, "body": "Trump spoke."}',
        "deep.json": "[" * 10_000 + "]" * 10_000,
        "js.json": '{"title": "x", "date": "2025-03-01", "body": "Trump spoke.", "url": "javascript:alert(1)"}',
        "surrogate.json": '{"title": "\\ud800", "date": "2025-03-01", "body": "Trump spoke."}',
        "markup [bold]x[/bold]/c[/]bad.txt": "no date line here\n",  # its path holds "[/]" and a tag
        "line\nbreak \x1b[2J.txt": "",  # a newline and a terminal escape in the name
    }
    folder = tmp_path / "in"
    (folder / "a[").mkdir(parents=True)
    for name, body in bad.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(body)
    (folder / "a[" / "]b [red]x.txt").write_text(good.format(d=3))  # its path holds "[/]"
    (folder / "plain.txt").write_text(good.format(d=4))
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "wb") as f:  # a name that is not UTF-8
        f.write(good.format(d=5).encode())
    url = fresh_url()
    rc, log = run(url, *(["--bulk"] if bulk else []), str(folder), timeout=120)
    assert rc == 1, log
    failed = [line for line in log.splitlines() if line.startswith("failed ")]
    assert len(failed) == len(bad), log
    assert "Traceback" not in log and "MarkupError" not in log and "\x1b" not in log, log
    assert any("line break [2J.txt: empty file" in line for line in failed), failed
    assert any("markup [bold]x[/bold]/c[/]bad.txt: missing date" in line for line in failed), failed  # printed as written, not as markup
    assert _articles(url) == 3, log
    assert "3 new" in log
    engine = make_engine(make_settings(url))
    with engine.connect() as c:
        titles = sorted(t for (t,) in c.execute(text("SELECT title FROM article")))
    engine.dispose()
    assert titles == ["Good 3", "Good 4", "Good 5"]
