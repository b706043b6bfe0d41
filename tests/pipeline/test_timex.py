"""Temporal expressions: one table per rule family (text, publication date, expression, value)."""
from __future__ import annotations

import datetime as dt

import pytest

from app.pipeline.timex import find_timexes

TUE = dt.date(2025, 3, 18)  # a Tuesday, ISO week 12


def tag(text: str, dct: dt.date = TUE) -> dict[str, tuple[str, str]]:
    return {t.text: (t.type, t.value) for t in find_timexes(text, dct)}


def value_of(text: str, expr: str, dct: dt.date = TUE) -> str:
    found = tag(text, dct)
    assert expr in found, f"{expr!r} not found in {found}"
    return found[expr][1]


ABSOLUTE = [
    ("The summit opened on March 18, 2025 in Riyadh.", "March 18, 2025", "2025-03-18"),
    ("They met on 18 March.", "18 March", "2025-03-18"),
    ("Talks resumed on Mar. 11 in Jeddah.", "Mar. 11", "2025-03-11"),
    ("The decree is dated 2025-03-18.", "2025-03-18", "2025-03-18"),
    ("He had a shouting match with Zelensky on Feb 28.", "Feb 28", "2025-02-28"),
    ("It was signed in November 2006.", "November 2006", "2006-11"),
    ("Sanctions were first imposed in 2014.", "2014", "2014"),
    ("A ceasefire was agreed in the 1990s.", "the 1990s", "199"),
    ("The offensive began on December 30, 2024.", "December 30, 2024", "2024-12-30"),
    ("The letter of 7/8/07 was published.", "7/8/07", "2007-07-08"),
]


@pytest.mark.parametrize("text,expr,value", ABSOLUTE)
def test_absolute_dates(text, expr, value):
    assert value_of(text, expr) == value


WEEKDAYS = [
    ("Putin gave a speech on Tuesday.", "Tuesday", TUE, "2025-03-18"),
    ("Trump said late Monday that talks were going well.", "late Monday", TUE, "2025-03-17"),
    ("On Sunday Trump said he would discuss land.", "Sunday", TUE, "2025-03-16"),
    ("The envoy will travel to Moscow on Thursday.", "Thursday", TUE, "2025-03-20"),
    ("Officials are due to meet on Friday.", "Friday", TUE, "2025-03-21"),
    ("He spoke on Friday morning.", "Friday morning", TUE, "2025-03-14TMO"),
    ("The vote was held last Monday.", "last Monday", TUE, "2025-03-17"),
]


@pytest.mark.parametrize("text,expr,dct,value", WEEKDAYS)
def test_weekdays(text, expr, dct, value):
    assert value_of(text, expr, dct) == value


RELATIVE = [
    ("Kyiv said today it was ready.", "today", "2025-03-18"),
    ("Moscow replied yesterday.", "yesterday", "2025-03-17"),
    ("The delegation arrives tomorrow.", "tomorrow", "2025-03-19"),
    ("Russia took the village last week.", "last week", "2025-W11"),
    ("Talks continue this week.", "this week", "2025-W12"),
    ("The envoy returns next week.", "next week", "2025-W13"),
    ("Trump spoke to Putin last month.", "last month", "2025-02"),
    ("Sanctions were extended earlier this month.", "earlier this month", "2025-03"),
    ("Aid fell last year.", "last year", "2024"),
    ("Elections are planned next year.", "next year", "2026"),
    ("Trump said at the weekend that talks were going well.", "the weekend", "2025-W11-WE"),
    ("Zelensky said over the weekend that land was not for sale.", "the weekend", "2025-W11-WE"),
    ("Areas were retaken last summer.", "last summer", "2024-SU"),
    ("The push began in February.", "February", "2025-02"),
    ("The deal is expected in May.", "May", "2025-05"),
    ("Fighting eased in mid-March.", "mid-March", "2025-03"),
    ("Leaders met in early December.", "early December", "2024-12"),
    ("Results came in the first quarter of 2025.", "the first quarter of 2025", "2025-Q1"),
    ("Prices fell in the first half of 2024.", "the first half of 2024", "2024-H1"),
    ("The plant was shelled overnight.", "overnight", "2025-03-17TNI"),
    ("The border was closed a week ago.", "a week ago", "2025-03-11"),
    ("It ended two years ago.", "two years ago", "2023"),
    ("Kyiv is currently in talks.", "currently", "PRESENT_REF"),
]


@pytest.mark.parametrize("text,expr,value", RELATIVE)
def test_relative_dates(text, expr, value):
    assert value_of(text, expr) == value


DURATIONS_SETS_TIMES = [
    ("Kyiv agreed to halt fighting for 30 days.", "30 days", "DURATION", "P30D"),
    ("The war has gone on for more than three years.", "more than three years", "DURATION", "P3Y"),
    ("They talked for thirty minutes.", "thirty minutes", "DURATION", "PT30M"),
    ("A 12-hour truce began.", "12-hour", "DURATION", "PT12H"),
    ("Talks took two and a half years.", "two and a half years", "DURATION", "P2.5Y"),
    ("Envoys meet every week.", "every week", "SET", "P1W"),
    ("Officials hold weekly briefings.", "weekly", "SET", "P1W"),
    ("The call started at 10:00am (1400 GMT).", "10:00am", "TIME", "2025-03-18T10:00"),
    ("The call started at 10:00am (1400 GMT).", "1400 GMT", "TIME", "2025-03-18T14:00Z"),
    ("Markets closed at 16:08 UTC.", "16:08 UTC", "TIME", "2025-03-18T16:08Z"),
]


@pytest.mark.parametrize("text,expr,ttype,value", DURATIONS_SETS_TIMES)
def test_durations_sets_times(text, expr, ttype, value):
    assert tag(text).get(expr) == (ttype, value)


def test_ages_are_not_durations():
    assert "78-year-old" not in " ".join(tag("the 78-year-old Republican"))


def test_numbers_are_not_years():
    assert tag("Russia fired 2025 drones and $2024 was spent.") == {}


def test_reported_speech_is_anchored_to_the_briefing_day():
    # Published Thursday 20 March; Peskov spoke on Wednesday, so his "yesterday" is Tuesday.
    text = '"The presidents spoke yesterday," Kremlin spokesman Dmitry Peskov told reporters on Wednesday.'
    assert value_of(text, "yesterday", dt.date(2025, 3, 20)) == "2025-03-18"


def test_same_day_refers_back_to_the_last_date():
    text = "The talks ended on March 11. Ukraine agreed the same day."
    assert value_of(text, "the same day") == "2025-03-11"


OFFSETS = [
    ("Trump said late Monday that many elements had been agreed.", ["late Monday"]),
    ("On 18 March \u2014 a day after \u201cthe call\u201d on Monday \u2014 Kyiv agreed.", ["18 March", "Monday"]),
    ("Talks resumed on Mar. 11 in Jeddah; the summit opened on March 18, 2025.", ["Mar. 11", "March 18, 2025"]),
    ("Zelensky\u2019s aide said on Wednesday that talks would resume next week.", ["Wednesday", "next week"]),
]


@pytest.mark.parametrize("text,expressions", OFFSETS)
def test_offsets_are_exact(text, expressions):
    found = find_timexes(text, TUE)
    assert [t.text for t in found] == expressions  # found at all, in text order: the loop below has work to do
    for t in found:
        assert text[t.start:t.end] == t.text
