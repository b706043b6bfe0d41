"""Filters: parsed from query strings, and giving back their URLs, labels and remove links."""
from __future__ import annotations

import datetime as dt

import pytest
from starlette.datastructures import QueryParams

from app.timeline.filters import FilterError, Filters, decode_cursor, encode_cursor


def parse(qs: str) -> Filters:
    return Filters.from_params(QueryParams(qs))


def test_round_trip():
    qs = "actor=vladimir-putin&actor=donald-trump&topic=ceasefire&type=call&from=2025-03-01&to=2025-03-31&q=energy&order=asc"
    f = parse(qs)
    assert f.url("/") == "/?" + qs
    assert parse(f.url("/")[2:]) == f


def test_toggle_and_chips():
    f = parse("actor=vladimir-putin&topic=ceasefire")
    assert f.toggle("actors", "donald-trump") == "/?actor=vladimir-putin&actor=donald-trump&topic=ceasefire"
    assert f.toggle("actors", "vladimir-putin") == "/?topic=ceasefire"
    assert [c.remove_url for c in f.chips()] == ["/?topic=ceasefire", "/?actor=vladimir-putin"]


def test_paging_resets_when_filters_change():
    f = parse("actor=vladimir-putin&cursor=" + encode_cursor(dt.date(2025, 3, 18), 7))
    assert "cursor" not in f.toggle("topics", "ceasefire")


@pytest.mark.parametrize("qs", ["from=2025-13-01", "order=sideways", "actor=Not A Slug", "min_sources=-1", "cursor=abc"])
def test_invalid_values_raise(qs):
    with pytest.raises(FilterError):
        parse(qs)


def test_cursor_round_trip():
    assert decode_cursor(encode_cursor(dt.date(2025, 3, 18), 42)) == (dt.date(2025, 3, 18), 42)
