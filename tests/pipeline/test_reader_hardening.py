"""The reader under hostile input: every bad item is a ReadError with a one-line reason (never an
exception that stops the batch), and errors cross process boundaries as plain data."""
from __future__ import annotations

import datetime as dt
import json
import pickle

import pytest

from app.pipeline.reader import RawArticle, ReadError, make_article, parse_date, read_bytes
from app.pipeline.store import _extract_or_error, _plain

BODY = "Donald Trump and Vladimir Putin held a phone call on Tuesday."
TOMORROW = dt.date.today() + dt.timedelta(days=1)


@pytest.mark.parametrize("value", [
    "9999-12-20", "1899-12-31", "0001-01-01", (TOMORROW + dt.timedelta(days=1)).isoformat(),
    1e20, -1e20, 10**400, float("nan"), float("inf"), -62135596800 * 2, "Fri, 31 Dec 9999 23:59:59 +0000",
    True, [2025, 3, 1], {"y": 2025}, "", None,
])
def test_dates_outside_the_window_or_unreadable_are_read_errors(value):
    with pytest.raises(ReadError) as info:
        parse_date(value, "here")
    assert info.value.where == "here" and "\n" not in info.value.reason


@pytest.mark.parametrize("value,expected", [
    ("1900-01-01", dt.date(1900, 1, 1)), (TOMORROW.isoformat(), TOMORROW), ("2025-03-18T23:00:00Z", dt.date(2025, 3, 18)),
    (1742256000, dt.date(2025, 3, 18)), ("Tue, 18 Mar 2025 10:00:00 GMT", dt.date(2025, 3, 18)),
])
def test_dates_inside_the_window_are_read(value, expected):
    assert parse_date(value, "here") == expected


HOSTILE_JSON = [
    '{"title": "x", "date": 1e20, "body": "b"}', '{"title": "x", "date": NaN, "body": "b"}',
    '{"title": "x", "date": Infinity, "body": "b"}', "[" * 10_000 + "]" * 10_000, '{"a":' * 5_000 + "1" + "}" * 5_000,
    '{"title": "x", "date": "2025-03-01", "body": "b", "url": "javascript:alert(1)"}',
    '{"title": "\\ud800", "date": "2025-03-01", "body": "b"}', '{"title": "x", "date": "2025-03-01", "body": ["b"]}',
    '{"title": "x", "date": "2025-03-01", "body": "b", "url": "data:text/html,x"}', '{"title": 1, "date": {}, "body": 2}',
]


@pytest.mark.parametrize("payload", HOSTILE_JSON, ids=lambda p: p[:40])
@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_hostile_json_fails_alone(payload, suffix):
    good = json.dumps({"title": "ok", "date": "2025-03-18", "body": BODY})
    text = payload + "\n" + good if suffix == ".jsonl" else payload
    items = list(read_bytes(text.encode(), "f" + suffix, suffix))
    if suffix == ".jsonl":
        assert isinstance(items[-1], RawArticle) and items[-1].title == "ok"
        items = items[:-1]
    assert items and all(isinstance(i, (ReadError, RawArticle)) for i in items)
    for i in items:
        if isinstance(i, RawArticle):  # accepted only once made harmless
            assert i.url is None or i.url.startswith(("http://", "https://"))
            assert not any("\ud800" <= ch <= "\udfff" for ch in i.title + i.body + i.outlet)


@pytest.mark.parametrize("title,outlet,body", [
    ("Tr\x00ump", "Wi\x01re", "Bo\x00dy of the " + BODY), ("A\x0bB", "\x1f", BODY + "\x08"), ("\ufffeX", "Y\uffff", BODY),
])
def test_controls_xml_and_postgresql_forbid_are_dropped(title, outlet, body):
    a = make_article("here", title, "2025-03-18", body, outlet)
    for text in (a.title, a.outlet, a.body):
        assert not any(ord(c) < 32 and c not in "\t\n\r" or c in "\ufffe\uffff" for c in text)


def test_read_errors_and_worker_results_cross_process_boundaries():
    err = ReadError("a [red]file[/red].txt", "empty file")
    back = pickle.loads(pickle.dumps(err))
    assert (back.where, back.reason, str(back)) == (err.where, err.reason, str(err))
    plain = _plain(err)
    assert plain == ("read error", err.where, err.reason) and pickle.loads(pickle.dumps(plain)) == plain
    assert _extract_or_error(plain) == plain
    raw = RawArticle("t", dt.date(2025, 3, 18), BODY)
    article, events = _extract_or_error(raw)
    assert article == raw and events
