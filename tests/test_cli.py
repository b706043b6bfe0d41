"""The `timeline` command's wiring, through Typer's CliRunner."""
from __future__ import annotations

import json

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


def test_ingest_twice_then_export(db_env):
    first = runner.invoke(app, ["ingest", str(SEEDS)])
    assert first.exit_code == 0, first.output
    assert "new" in first.output
    second = runner.invoke(app, ["ingest", str(SEEDS)])
    assert "0 new" in second.output and "0 failed" in second.output
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
    assert r.exit_code == 1 and "bad.txt" in r.output and "1 new" in r.output and "Traceback" not in r.output
    again = runner.invoke(app, ["ingest", str(folder)])
    assert "0 new" in again.output and "1 unchanged" in again.output


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


def test_check_lexicon():
    r = runner.invoke(app, ["check-lexicon"])
    assert r.exit_code == 0 and "state" in r.output
