"""The `timeline` command's wiring, through Typer's CliRunner."""
from __future__ import annotations

import ast
import json
import re

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.config import get_settings
from tests.conftest import SEEDS

runner = CliRunner()


@pytest.fixture
def db_env(empty_url, monkeypatch):
    monkeypatch.setenv("TIMELINE_DATABASE_URL", empty_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize("command", ["ingest", "serve", "extract", "timex", "export", "reextract", "check-lexicon"])
def test_every_command_has_help(command):
    r = runner.invoke(app, [command, "--help"])
    assert r.exit_code == 0 and "Usage" in r.output


SUMMARY = re.compile(r"articles: (?P<new>\d+) new, (?P<updated>\d+) updated, (?P<unchanged>\d+) unchanged, "
                     r"(?P<failed>\d+) failed; (?P<mentions>\d+) event mentions extracted; "
                     r"database: (?P<articles>\d+) articles, (?P<events>\d+) events")


def summary(output: str) -> dict[str, int]:
    """The numbers of `ingest`'s summary line (which the console may wrap)."""
    [m] = SUMMARY.finditer(" ".join(output.split()))
    return {k: int(v) for k, v in m.groupdict().items()}


def stored(url: str) -> dict[str, int]:
    """Articles and events in the database, by plain SQL."""
    from sqlalchemy import create_engine, text

    eng = create_engine(url)
    with eng.connect() as c:
        out = {t + "s": c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in ("article", "event")}
    eng.dispose()
    return out


def test_ingest_twice_then_export(db_env, empty_url):
    from app.pipeline.reader import read_sources
    from app.pipeline.store import extract

    raws = list(read_sources([str(SEEDS)], 5_000_000))
    first = runner.invoke(app, ["ingest", str(SEEDS)])
    assert first.exit_code == 0, first.output
    db = stored(empty_url)
    assert db["articles"] == len(raws) and db["events"] > 0
    assert summary(first.output) == {"new": len(raws), "updated": 0, "unchanged": 0, "failed": 0,
                                     "mentions": sum(len(extract(r)) for r in raws), **db}
    second = runner.invoke(app, ["ingest", str(SEEDS)])
    assert second.exit_code == 0, second.output
    assert summary(second.output) == {"new": 0, "updated": 0, "unchanged": len(raws), "failed": 0, "mentions": 0, **db}
    assert stored(empty_url) == db
    out = runner.invoke(app, ["export", "--format", "json"])
    data = json.loads(out.stdout)
    assert data["events"]
    for e in data["events"]:
        assert {"id", "url", "date", "date_start", "date_end", "precision", "type", "title", "actors", "topics", "sources"} <= set(e)
        assert all({"article_id", "title", "outlet", "published", "url", "evidence"} <= set(s) for s in e["sources"])
    putin = json.loads(runner.invoke(app, ["export", "--format", "json", "--actor", "vladimir-putin"]).stdout)["events"]
    assert putin and len(putin) < len(data["events"])
    for fmt, marker in (("csv", "id,url,date"), ("ics", "BEGIN:VCALENDAR"), ("atom", "<feed")):
        assert marker in runner.invoke(app, ["export", "--format", fmt]).stdout


def test_ingest_if_empty_skips_a_loaded_database(db_env):
    runner.invoke(app, ["ingest", str(SEEDS)])
    r = runner.invoke(app, ["ingest", "--if-empty", str(SEEDS)])
    assert r.exit_code == 0 and "nothing loaded" in r.output


def test_ingest_mixed_folder_exits_nonzero_and_names_the_bad_file(db_env, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text("date 2025-03-19 Call\nTrump and Putin spoke by phone on Tuesday.\n")
    (folder / "bad.txt").write_text("no header\n")
    r = runner.invoke(app, ["ingest", str(folder)])
    assert r.exit_code == 1 and "bad.txt" in r.output and "Traceback" not in r.output
    numbers = summary(r.output)
    assert (numbers["new"], numbers["updated"], numbers["unchanged"], numbers["failed"], numbers["articles"]) == (1, 0, 0, 1, 1)
    again = summary(runner.invoke(app, ["ingest", str(folder)]).output)
    assert (again["new"], again["updated"], again["unchanged"], again["failed"], again["articles"]) == (0, 0, 1, 1, 1)


def test_an_article_changed_in_place_counts_as_updated(db_env, empty_url, tmp_path):
    """An article is its URL when it has one: the same URL with a new body is one article, updated and
    re-extracted (issue 15, item 10: an 'updated' count is asserted, so counting updates as new would fail).
    Without a URL an article is its text, so an edited file is a new article."""
    folder = tmp_path / "desk"
    folder.mkdir()
    story = folder / "story.json"

    def write(body: str) -> None:
        story.write_text(json.dumps({"title": "Call", "published": "2025-03-19", "url": "https://example.org/call",
                                     "body": body}))

    write("Trump and Putin spoke by phone on Tuesday.")
    first = summary(runner.invoke(app, ["ingest", str(folder)]).output)
    assert (first["new"], first["updated"], first["unchanged"], first["articles"], first["events"]) == (1, 0, 0, 1, 1)
    write("Trump and Putin spoke by phone on Tuesday. Zelensky met Macron in Paris on Monday.")
    second = summary(runner.invoke(app, ["ingest", str(folder)]).output)
    assert (second["new"], second["updated"], second["unchanged"], second["articles"], second["events"]) == (0, 1, 0, 1, 2)
    assert second["mentions"] == 2
    assert stored(empty_url) == {"articles": 1, "events": 2}


def test_extract_prints_the_scorer_contract():
    r = runner.invoke(app, ["extract", str(SEEDS / "000_f77b6c0dd251356e.txt"), "--format", "jsonl"])
    assert r.exit_code == 0
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows and all({"article", "date", "type", "actors", "topics", "evidence"} <= set(x) for x in rows)
    assert rows[0]["article"] == "000_f77b6c0dd251356e.txt"


def test_timex_prints_offsets_into_the_file():
    path = SEEDS / "000_f77b6c0dd251356e.txt"
    text = path.read_text()
    r = runner.invoke(app, ["timex", str(path)])
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows and all(text[x["start"]:x["end"]] == x["text"] for x in rows)
    assert {"article", "start", "end", "text", "type", "value"} <= set(rows[0])


def test_check_lexicon_prints_what_the_lexicon_holds():
    from app.lexicon import HERE, load_lexicon

    r = runner.invoke(app, ["check-lexicon"])
    assert r.exit_code == 0, r.output
    m = re.fullmatch(r"actors: (\{.*\}); event types: (\d+); triggers: (\d+); topics: (\d+)", r.output.strip())
    kinds, types, triggers, topics = ast.literal_eval(m[1]), int(m[2]), int(m[3]), int(m[4])
    lex = load_lexicon()
    # states straight from the file: one row per state after the header comment
    rows = [line for line in (HERE / "states.tsv").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    assert kinds["state"] == len(rows) and sum(kinds.values()) == len(lex.actors)
    assert kinds == {k: sum(a.kind == k for a in lex.actors.values()) for k in kinds}
    assert (types, triggers, topics) == (len(lex.types), len(lex.triggers), len(lex.topics)) and min(types, triggers, topics) > 0
