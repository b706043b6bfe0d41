"""Date arithmetic of the read side, held inside the calendar: a stored date near 1 January of year 1 or
31 December 9999 never overflows, and a window offered as a link never asks for dates a view refuses.

Pure (no database): the figure model (lanes.py), the queries and the page contexts share it.
"""
from __future__ import annotations

import calendar
import datetime as dt

from app.timeline.filters import DATE_RANGE

MIN, MAX = dt.date.min, dt.date.max


def shift(d: dt.date, days: int) -> dt.date:
    """d moved by days, held inside the calendar."""
    try:
        return d + dt.timedelta(days=days)
    except OverflowError:
        return MAX if days > 0 else MIN


def add_months(d: dt.date, n: int) -> dt.date | None:
    """d moved by n months (the day held inside the month), or None past either end of the calendar."""
    y, m = divmod(d.month - 1 + n, 12)
    year = d.year + y
    if not MIN.year <= year <= MAX.year:
        return None
    return dt.date(year, m + 1, min(d.day, calendar.monthrange(year, m + 1)[1]))


def year_start(year: int) -> dt.date | None:
    """1 January of year, or None past either end of the calendar."""
    return dt.date(year, 1, 1) if MIN.year <= year <= MAX.year else None


def clamp(d: dt.date, lo: dt.date = MIN, hi: dt.date = MAX) -> dt.date:
    return min(max(d, lo), hi)


def window(lo: dt.date, hi: dt.date, bounds: tuple[dt.date, dt.date] = DATE_RANGE) -> tuple[dt.date, dt.date] | None:
    """The part of [lo, hi] a view accepts (filters.DATE_RANGE), or None if it has none."""
    a, b = max(lo, bounds[0]), min(hi, bounds[1])
    return (a, b) if a <= b else None
