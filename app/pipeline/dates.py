"""Calendar arithmetic for TIMEX3 values: intervals, precisions, weeks, seasons."""
from __future__ import annotations

import calendar
import datetime as dt
import re

SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 14)}


def month_end(year: int, month: int) -> dt.date:
    while month > 12:
        year, month = year + 1, month - 12
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def iso_week(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


def shift_week(d: dt.date, n: int) -> dt.date:
    return d + dt.timedelta(weeks=n)


def nearest_year(ref: dt.date, month: int, day: int, tense: str = "") -> int:
    """The year that puts month/day closest to ref, leaning the way the tense points."""
    best = None
    for year in (ref.year - 1, ref.year, ref.year + 1):
        try:
            d = dt.date(year, month, day)
        except ValueError:
            continue
        dist = abs((d - ref).days)
        if tense == "past" and d > ref:
            dist += 60
        if tense == "past!" and d > ref:
            dist += 400
        if tense == "future" and d < ref:
            dist += 60
        if best is None or dist < best[0]:
            best = (dist, year)
    return best[1] if best else ref.year


def season_value(ref: dt.date, season: str, rel: str) -> str:
    """'last summer' from March 2025 is 2024-SU; 'this summer' is 2025-SU."""
    first, last = SEASON_MONTHS[season]
    year = ref.year
    if season == "WI" and ref.month <= 2:
        year -= 1
    finished = (year, last) < (ref.year, ref.month) if season != "WI" else (year + 1, 2) < (ref.year, ref.month)
    if rel == "last" and not finished:
        year -= 1
    elif rel == "next" or (rel == "future" and finished):
        year += 1
    elif rel in ("", "past") and (year, first) > (ref.year, ref.month):
        year -= 1
    return f"{year:04d}-{season}"


def value_interval(value: str) -> tuple[dt.date, dt.date] | None:
    """Inclusive [start, end] of a TIMEX3 date value, None for durations and references."""
    v = value.strip().upper()
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(T.*)?", v):
        d = dt.date(int(m[1]), int(m[2]), int(m[3]))
        return d, d
    if m := re.fullmatch(r"(\d{4})-W(\d{2})(-WE)?", v):
        monday = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
        if m[3]:
            return monday + dt.timedelta(days=5), monday + dt.timedelta(days=6)
        return monday, monday + dt.timedelta(days=6)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", v):
        y, mo = int(m[1]), int(m[2])
        return dt.date(y, mo, 1), month_end(y, mo)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", v):
        y, q = int(m[1]), int(m[2])
        return dt.date(y, 3 * q - 2, 1), month_end(y, 3 * q)
    if m := re.fullmatch(r"(\d{4})-H([12])", v):
        y, h = int(m[1]), int(m[2])
        return dt.date(y, 6 * h - 5, 1), month_end(y, 6 * h)
    if m := re.fullmatch(r"(\d{4})-(SP|SU|FA|WI)", v):
        y = int(m[1])
        first, last = SEASON_MONTHS[m[2]]
        return dt.date(y, first, 1), month_end(y, last)
    if m := re.fullmatch(r"(\d{4})", v):
        y = int(m[1])
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    if m := re.fullmatch(r"(\d{3})", v):
        y = int(m[1]) * 10
        return dt.date(y, 1, 1), dt.date(y + 9, 12, 31)
    return None


def precision(value: str) -> str:
    """day, week, weekend, month, quarter, half, season, year or decade."""
    v = value.upper()
    for name, pattern in (("day", r"\d{4}-\d\d-\d\d(T.*)?"), ("weekend", r"\d{4}-W\d\d-WE"),
                          ("week", r"\d{4}-W\d\d"), ("month", r"\d{4}-\d\d"), ("quarter", r"\d{4}-Q\d"),
                          ("half", r"\d{4}-H\d"), ("season", r"\d{4}-(SP|SU|FA|WI)"),
                          ("year", r"\d{4}"), ("decade", r"\d{3}")):
        if re.fullmatch(pattern, v):
            return name
    return "unknown"
