"""Temporal expressions found in news text and normalised against the publication date.

Rules are (name, pattern, resolver) triples. Matching is kept apart from deciding: every
rule proposes spans, the longest non-overlapping spans win, then each span is resolved in
text order so that anaphoric expressions ("the same day") can use the last date seen.
Values follow TIMEX3: 2025-03-18, 2025-03, 2025-W11, 2025-W11-WE, 2024-SU, 2025-Q1, 2025,
P30D, PT30M, PRESENT_REF, 2025-03-18T10:00.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterator

import ahocorasick

from app.pipeline.dates import (
    add_months,
    iso_week,
    nearest_year,
    season_value,
    shift_week,
    value_interval,
)


@dataclass(frozen=True)
class Timex:
    """A temporal expression: its span, TIMEX3 type and value, and the rule that found it."""

    start: int
    end: int
    text: str
    type: str
    value: str
    rule: str
    mod: str | None = None

    @property
    def interval(self) -> tuple[dt.date, dt.date] | None:
        return value_interval(self.value) if self.type in ("DATE", "TIME") else None


# ---------------------------------------------------------------- vocabulary
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
MONTH_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
              "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "a couple of": 2, "a few": None, "several": None, "many": None, "some": None,
}
UNITS = {"second": "S", "minute": "M", "hour": "H", "day": "D", "week": "W", "month": "M",
         "year": "Y", "decade": "DE", "century": "CE", "quarter": "Q", "weekend": "WE"}
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "final": 4, "last": 4}

MONTH = r"(?-i:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
MONTH_FULL = r"(?-i:January|February|March|April|May|June|July|August|September|October|November|December)"
WEEKDAY = r"(?-i:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
YEAR = r"(?P<year>(?:1[89]|20)\d\d)(?![\d,.%]\d|\d|%)"
NUM = r"(?P<num>\d+(?:\.\d+)?|" + "|".join(sorted((re.escape(k) for k in NUMBER_WORDS), key=len, reverse=True)) + r")"
APPROX = r"(?:(?:almost|nearly|about|around|roughly|some|over|more than|less than|at least|up to|just over|just under|under|the past|the last|the next|the first|the previous|the coming|another|(?:for|in|within|after) (?:the )?(?:past |last |next |first )?)\s+)*"
POD = r"(?P<pod>morning|afternoon|evening|night)"
FUTURE = re.compile(
    r"\b(?:will|won't|'ll|shall|is to|are to|going to|plans? to|planned|planning|is due|are due|due to"
    r"|scheduled|expected|slated|set to|to be (?:held|signed|completed|released)|upcoming|next|would|could"
    r"|should|may|might|aims? to|intends? to|hopes? to|until|deadline|look(?:s|ing)? forward"
    r"|agreed to (?:meet|visit|travel|hold|host|sign))\b", re.I)
PAST = re.compile(r"\b(?:was|were|had|did|said|told|ago|last|earlier|met|spoke|began|gave|held|took"
                  r"|made|went|came|saw|sent|hit|struck|flew|left|won|lost|[a-z]+ed)\b", re.I)
TENSED = re.compile(FUTURE.pattern + "|" + PAST.pattern, re.I)
BY_END = re.compile(r"\bby\s*$", re.I)
CLAUSE_SPLIT = re.compile(r"[;:,]|\b(?:that|which|who|when|but|and|while|after|before|as)\b", re.I)
CLAUSE_END = re.compile(r"[;:.]|\b(?:that|which|who|when|while)\b", re.I)


def _word_number(word: str) -> float | None:
    w = word.lower().replace("-", " ").strip()
    if re.fullmatch(r"\d+(\.\d+)?", w):
        return float(w)
    return NUMBER_WORDS.get(w)


def _fmt_num(n: float | None) -> str:
    if n is None:
        return "X"
    return str(int(n)) if float(n).is_integer() else str(n)


def duration_value(n: float | None, unit: str) -> str:
    """P30D, PT2H, P10Y for a number of units (None: unknown number, PXY)."""
    code = UNITS[unit]
    if code in ("DE", "CE"):
        return f"P{_fmt_num(n * (10 if code == 'DE' else 100))}Y" if n is not None else f"PX{code}"
    if code == "WE":
        return "P" + _fmt_num(n) + "WE"
    time_unit = unit in ("second", "minute", "hour")
    return ("PT" if time_unit else "P") + _fmt_num(n) + code


def month_number(token: str) -> int:
    t = token.lower().rstrip(".")
    return MONTHS.index(t) + 1 if t in MONTHS else MONTH_ABBR[t[:4] if t.startswith("sept") else t[:3]]


# ---------------------------------------------------------------- context
@dataclass
class Context:
    """What a resolver may look at: the publication date, the sentence, the last date seen."""

    dct: dt.date
    text: str
    sentence: tuple[int, int] = (0, 0)
    anchor: dt.date | None = None
    quote_anchor: dt.date | None = None
    last_day: dt.date | None = None
    spans: list = field(default_factory=list)

    def ref(self, m: re.Match) -> dt.date:
        """The day deictic words count from: the speech date for words inside a quote."""
        if self.quote_anchor and _inside_quote(self.text, self.sentence[0], m.start()):
            return self.quote_anchor
        return self.dct

    def _clause(self, m: re.Match) -> tuple[str, re.Match | None]:
        """The clause's words before the match, and its first tensed word after it."""
        s0, s1 = self.sentence
        before = CLAUSE_SPLIT.split(self.text[max(s0, m.start() - 80):m.start()])[-1]
        after = CLAUSE_END.split(self.text[m.end():min(s1, m.end() + 40)])[0]
        return before, TENSED.search(after)

    def tense(self, m: re.Match) -> str:
        """'future' or 'past' for the clause holding the match (default past: news reports)."""
        before, first = self._clause(m)
        if BY_END.search(before) or FUTURE.search(before):
            return "future"
        if PAST.search(before):  # 'said on Monday he would veto it': the date is the past verb's
            return "past"
        return "future" if first and FUTURE.fullmatch(first.group()) else "past"

    def said_past(self, m: re.Match) -> bool:
        """The clause holding the match has a past-tense verb ('visited China on 13 September')."""
        before, first = self._clause(m)
        return bool(PAST.search(before)) or bool(first and not FUTURE.fullmatch(first.group()))


def _inside_quote(text: str, start: int, pos: int) -> bool:
    seg = text[start:pos]
    return (seg.count('"') % 2 == 1) or (seg.count("\u201c") > seg.count("\u201d"))


Resolver = Callable[[re.Match, Context], "tuple[str, str] | tuple[str, str, str] | None"]


# ---------------------------------------------------------------- resolvers
def _day_value(d: dt.date) -> str:
    return d.isoformat()


def r_full_date(m: re.Match, c: Context):
    g = m.groupdict()
    month = month_number(g["month"])
    day = int(g["day"])
    if not 1 <= day <= 31:
        return None
    if g.get("year"):
        year = int(g["year"])
    else:
        tense = c.tense(m)
        # a past act is never after publication: 'visited China on 13 September' in June is last year's
        year = nearest_year(c.ref(m), month, day, "past!" if tense == "past" and c.said_past(m) else tense)
    try:
        d = dt.date(year, month, day)
    except ValueError:
        return None
    return "DATE", d.isoformat()


def r_numeric_date(m: re.Match, c: Context):
    g = m.groupdict()
    if g.get("iso"):
        try:
            return "DATE", dt.date.fromisoformat(g["iso"]).isoformat()
        except ValueError:
            return None
    mo, d, y = int(g["m"]), int(g["d"]), int(g["y"])
    y = y + 2000 if y < 50 else (y + 1900 if y < 100 else y)
    try:
        return "DATE", dt.date(y, mo, d).isoformat()
    except ValueError:
        return None


def r_month_year(m: re.Match, c: Context):
    return "DATE", f"{int(m['year']):04d}-{month_number(m['month']):02d}", _mod(m)


def r_month(m: re.Match, c: Context):
    month = month_number(m["month"])
    ref = c.ref(m)
    rel = (m["rel"] or "").lower()
    year = ref.year
    yrel = (m.groupdict().get("yrel") or "").lower()
    if yrel:
        return "DATE", f"{year + {'last': -1, 'next': 1}.get(yrel, 0):04d}-{month:02d}", _mod(m)
    if rel == "last" or (not rel and c.tense(m) == "past"):
        if month > ref.month:
            year -= 1
    elif rel == "next" or (not rel and c.tense(m) == "future"):
        if month < ref.month:
            year += 1
    return "DATE", f"{year:04d}-{month:02d}", _mod(m)


def _mod(m: re.Match) -> str | None:
    mod = (m.groupdict().get("mod") or "").lower().replace("-", "").strip()
    return {"early": "START", "mid": "MID", "late": "END", "the end of": "END",
            "the beginning of": "START", "the start of": "START"}.get(mod)


def r_weekday(m: re.Match, c: Context):
    wd = WEEKDAYS.index(m["wd"].lower())
    ref = c.ref(m)
    rel = (m["rel"] or "").lower()
    delta = (ref.weekday() - wd) % 7
    if rel in ("last", "this past"):
        d = ref - dt.timedelta(days=delta or 7)
    elif rel in ("next", "coming"):
        d = ref + dt.timedelta(days=(wd - ref.weekday()) % 7 or 7)
    elif rel == "this" or c.tense(m) == "future":
        d = ref + dt.timedelta(days=(wd - ref.weekday()) % 7)
    else:
        d = ref - dt.timedelta(days=delta)
    pod = m["pod"]
    if pod:
        return "TIME", f"{d.isoformat()}T{PARTS_OF_DAY[pod.lower()]}"
    return "DATE", d.isoformat()


def r_deictic_day(m: re.Match, c: Context):
    word = m["word"].lower()
    ref = c.ref(m)
    offset = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1, "last night": -1,
              "the day before yesterday": -2, "the day after tomorrow": 2}[word]
    d = ref + dt.timedelta(days=offset)
    pod = (m["pod"] or "").lower() or {"tonight": "night", "last night": "night"}.get(word)
    if pod:
        return "TIME", f"{d.isoformat()}T{PARTS_OF_DAY[pod]}"
    return "DATE", d.isoformat()


def r_overnight(m: re.Match, c: Context):
    return "TIME", f"{(c.ref(m) - dt.timedelta(days=1)).isoformat()}TNI"


def r_this_pod(m: re.Match, c: Context):
    return "TIME", f"{c.ref(m).isoformat()}T{PARTS_OF_DAY[m['pod'].lower()]}"


def r_earlier_today(m: re.Match, c: Context):
    return "DATE", c.ref(m).isoformat()


def _unit_value(unit: str, d: dt.date) -> str:
    if unit == "week":
        return iso_week(d)
    if unit == "weekend":
        return iso_week(d) + "-WE"
    if unit == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if unit == "year":
        return f"{d.year:04d}"
    if unit == "quarter":
        return f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"
    return d.isoformat()


def _shift(unit: str, d: dt.date, n: int) -> dt.date:
    if unit in ("week", "weekend"):
        return shift_week(d, n)
    if unit == "month":
        return add_months(d, n)
    if unit == "quarter":
        return add_months(d, 3 * n)
    if unit == "year":
        return d.replace(year=d.year + n, day=min(d.day, 28))
    return d + dt.timedelta(days=n)


def r_relative_unit(m: re.Match, c: Context):
    rel = re.sub(r"\s+", " ", (m["rel"] or "this").lower())
    unit = m["unit"].lower()
    ref = c.ref(m)
    n = {"last": -1, "this past": -1, "past": -1, "previous": -1, "next": 1, "coming": 1, "following": 1,
         "this": 0, "current": 0, "earlier this": 0, "later this": 0, "the same": 0}.get(rel, 0)
    if rel in ("previous", "following", "the same") and c.last_day and unit != "weekend":
        ref = c.last_day
    if unit == "weekend" and rel == "this" and ref.weekday() < 5 and c.tense(m) == "past":
        n = -1
    value = _unit_value(unit, _shift(unit, ref, n))
    if rel == "later this" and unit == "year":
        value = _unit_value("quarter", ref) if ref.month >= 10 else value
    return "DATE", value, _mod(m)


def r_the_weekend(m: re.Match, c: Context):
    ref = c.ref(m)
    if ref.weekday() >= 5:
        return "DATE", iso_week(ref) + "-WE"
    n = 0 if c.tense(m) == "future" else -1
    return "DATE", iso_week(shift_week(ref, n)) + "-WE"


def r_season(m: re.Match, c: Context):
    season = SEASONS[m["season"].lower()]
    if m["year"]:
        return "DATE", f"{int(m['year']):04d}-{season}", _mod(m)
    rel = (m["rel"] or "").lower()
    return "DATE", season_value(c.ref(m), season, rel or ("future" if c.tense(m) == "future" else "")), _mod(m)


def r_quarter(m: re.Match, c: Context):
    q = ORDINALS.get((m["ord"] or "").lower()) or int(m["qn"] or 0)
    ref = c.ref(m)
    half = (m["part"] or "").lower() == "half"
    if m["year"]:
        year = int(m["year"])
    elif m["lastyear"]:
        year = ref.year - 1
    else:
        rel = (m["rel"] or "").lower()
        year = ref.year + {"last": -1, "next": 1}.get(rel, 0)
        current = (ref.month - 1) // (6 if half else 3) + 1
        if not rel and (m["ord"] or "").lower() == "last":
            q = current - 1 or (2 if half else 4)
            year -= 1 if current == 1 else 0
        elif not rel and q > current and current == 1 and c.tense(m) == "past":
            year -= 1
    return "DATE", f"{year:04d}-{'H' if half else 'Q'}{min(q, 2) if half else q}"


def r_year(m: re.Match, c: Context):
    return "DATE", m["year"], _mod(m)


def r_decade(m: re.Match, c: Context):
    y = m["dec"]
    if len(y) == 2:
        y = ("19" if int(y) > 30 else "20") + y
    return "DATE", y[:3]


def r_ago(m: re.Match, c: Context):
    n = _word_number(m["num"])
    unit = m["unit"].lower()
    ref = c.ref(m)
    if n is None:
        return "DATE", "PAST_REF"
    n = int(n)
    if unit == "day":
        return "DATE", (ref - dt.timedelta(days=n)).isoformat()
    if unit == "week":
        return "DATE", (ref - dt.timedelta(days=7 * n)).isoformat() if n == 1 else iso_week(shift_week(ref, -n))
    if unit == "month":
        return "DATE", _unit_value("month", add_months(ref, -n))
    if unit == "year":
        return "DATE", f"{ref.year - n:04d}"
    return "DATE", "PAST_REF"


def r_duration(m: re.Match, c: Context):
    num = m["num"]
    unit = (m["unit"] or m.groupdict().get("unit2")).lower()
    n = _word_number(num) if num else 1.0
    if num and num.lower() in NUMBER_WORDS and NUMBER_WORDS[num.lower()] is None:
        n = None
    if m.groupdict().get("half"):
        n = (n or 0) + 0.5
    return "DURATION", duration_value(n, unit)


def r_vague_duration(m: re.Match, c: Context):
    unit = next(u for u in (m["unit"], m["unit2"], m["unit3"]) if u).lower()
    return "DURATION", {"year": "PXY", "month": "PXM", "week": "PXW", "day": "PXD",
                        "decade": "PXDE", "hour": "PTXH", "minute": "PTXM"}[unit]


def r_year_range(m: re.Match, c: Context):
    return "DURATION", f"P{int(m['year']) - int(m['y1'])}Y"


def r_the_day(m: re.Match, c: Context):
    return "DATE", (c.last_day or c.dct).isoformat()


def r_set(m: re.Match, c: Context):
    word = m["set"].lower()
    unit = {"weekly": "W", "daily": "D", "monthly": "M", "annual": "Y", "annually": "Y",
            "yearly": "Y", "hourly": "TH", "quarterly": "Q"}.get(word)
    if unit is None:
        unit = UNITS[re.sub(r"s$", "", word.split()[-1])]
    return "SET", ("PT1" + unit[1:] if unit.startswith("T") else "P1" + unit)


def r_set_rate(m: re.Match, c: Context):
    return "SET", "P1" + UNITS[m["unit"].lower()]


def r_time(m: re.Match, c: Context):
    hour, minute = int(m["h"]), int(m["min"] or 0)
    ampm = (m["ampm"] or "").lower().replace(".", "").replace(" ", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    day = c.ref(m)
    if m["dayword"]:
        dw = m["dayword"].lower()
        if dw in WEEKDAYS:
            delta = (day.weekday() - WEEKDAYS.index(dw)) % 7
            day = day - dt.timedelta(days=delta)
        elif dw == "yesterday":
            day = day - dt.timedelta(days=1)
        elif dw == "tomorrow":
            day = day + dt.timedelta(days=1)
    elif c.last_day and c.last_day != c.dct and abs((c.last_day - c.dct).days) < 7:
        day = c.last_day
    zone = "Z" if (m["zone"] or "").upper() in ("UTC", "GMT", "Z") else ""
    return "TIME", f"{day.isoformat()}T{hour:02d}:{minute:02d}{zone}"


def r_ref(m: re.Match, c: Context):
    w = re.sub(r"\s+", " ", m["ref"].lower())
    if w in ("now", "currently", "current", "ongoing", "at present", "presently", "nowadays", "the time being",
             "at the moment", "ongoing"):
        return "DATE", "PRESENT_REF"
    if w in ("recently", "recent", "the past", "in the past", "formerly", "previously", "lately",
             "recent years", "recent months", "recent weeks", "recent days", "history"):
        return "DATE", "PAST_REF"
    return "DATE", "FUTURE_REF"


def r_anaphoric_day(m: re.Match, c: Context):
    w = re.sub(r"\s+", " ", m["ana"].lower())
    base = c.last_day or c.dct
    offset = {"the next day": 1, "the following day": 1, "the day after": 1, "the previous day": -1,
              "the day before": -1, "a day later": 1, "a day earlier": -1}.get(w, 0)
    return "DATE", (base + dt.timedelta(days=offset)).isoformat()


def r_holiday(m: re.Match, c: Context):
    name = re.sub(r"[\s']+", " ", m["hol"].lower()).strip()
    md = {"christmas": (12, 25), "christmas day": (12, 25), "christmas eve": (12, 24),
          "new year s day": (1, 1), "new year s eve": (12, 31), "new year": (1, 1),
          "independence day": (7, 4), "valentine s day": (2, 14), "halloween": (10, 31)}.get(name)
    if md is None:
        return None
    year = int(m["year"]) if m["year"] else nearest_year(c.ref(m), md[0], md[1], c.tense(m))
    return "DATE", dt.date(year, *md).isoformat()


# ---------------------------------------------------------------- rules
def _r(p: str) -> re.Pattern:
    return re.compile(p, re.I)


MODP = r"(?:(?P<mod>early|mid|late|the end of|the beginning of|the start of|the middle of)[- ]?)?"
REL = r"(?:(?P<rel>this past|last|next|this|coming|previous|current|following|earlier this|later this|the same)\s+)"
RULES: list[tuple[str, re.Pattern, Resolver]] = [
    ("date.mdy", _r(rf"(?:{WEEKDAY},?\s+)?(?P<month>{MONTH})\s+{DAY}(?!\d|:)(?:,?\s+{YEAR})?(?!\s*(?:percent|%|million|billion))"), r_full_date),
    ("date.dmy", _r(rf"(?:{WEEKDAY},?\s+)?(?:the\s+)?{DAY}(?:\s+of)?\s+(?P<month>{MONTH})(?:,?\s+{YEAR})?"), r_full_date),
    ("date.numeric", _r(r"\b(?:(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)|(?P<m>[01]?\d)/(?P<d>[0-3]?\d)/(?P<y>(?:19|20)?\d\d))\b"), r_numeric_date),
    ("date.month_year", _r(rf"{MODP}(?P<month>{MONTH_FULL}|{MONTH}),?\s+(?:of\s+)?{YEAR}"), r_month_year),
    ("date.month", _r(rf"{MODP}{REL}?(?P<month>{MONTH_FULL})\b(?!\s+\d)(?<!\bMay)(?=\s+of\s+(?P<yrel>last|this|next)\s+year)?"), r_month),
    ("date.month_may", _r(r"(?:(?<=\bin )|(?<=\bsince )|(?<=\buntil )|(?<=\bof )|(?<=\bearly )|(?<=\bmid-)|(?<=\blate ))(?P<month>(?-i:May))\b(?!\s+\d)(?P<rel>)(?P<mod>)"), r_month),
    ("date.weekday", _r(rf"{REL}?(?:(?:late|early)\s+)?(?P<wd>{WEEKDAY})(?:\s+{POD})?"), r_weekday),
    ("date.deictic", _r(rf"\b(?:(?:late|early)\s+)?(?P<word>the day before yesterday|the day after tomorrow|today|tonight|yesterday|tomorrow|last night)(?:\s+{POD})?\b"), r_deictic_day),
    ("date.overnight", _r(r"\b(?:overnight|during the night|in the night)\b"), r_overnight),
    ("date.this_pod", _r(rf"\bthis\s+{POD}\b"), r_this_pod),
    ("date.earlier_today", _r(r"\b(?:earlier|later)\s+today\b"), r_earlier_today),
    ("date.relative_unit", _r(rf"\b{MODP}(?:the\s+)?{REL}(?P<unit>week|weekend|month|year|quarter)\b(?![-\s]+(?:old|long))"), r_relative_unit),
    ("date.weekend", _r(r"\bthe\s+weekend\b"), r_the_weekend),
    ("date.season", _r(rf"\b{MODP}{REL}?(?P<season>spring|summer|autumn|winter)(?:\s+(?:of\s+)?{YEAR})?\b"), r_season),
    ("date.quarter", _r(rf"\b(?:the\s+)?(?:(?P<rel>last|next|this)\s+)?(?:(?P<ord>first|second|third|fourth|final|last)[-\s]+(?P<part>quarter|half)|Q(?P<qn>[1-4])\b)(?:\s+(?:of\s+)?(?:{YEAR}|(?:this|the)\s+year|(?P<lastyear>last\s+year)))?"), r_quarter),
    ("date.year", _r(rf"(?<![$£€\d,.\-/])\b{MODP}{YEAR}\b(?!\s*(?:percent|per cent|%|people|troops|soldiers|km|miles|tonnes|dollars|euros|drones|missiles|rockets|shells|civilians|prisoners|votes|casualties|deaths|cases|homes|jobs|units|vehicles|tanks|feet|metres|meters|points)\b)"), r_year),
    ("date.decade", _r(r"\b(?:the\s+)?(?:'|\u2019)?(?P<dec>(?:19|20)?\d0)s\b"), r_decade),
    ("date.ago", _r(rf"\b{NUM}\s+(?P<unit>day|week|month|year)s?\s+ago\b"), r_ago),
    ("date.holiday", _r(rf"\b(?P<hol>Christmas(?: Day| Eve)?|New Year(?:'s|\u2019s)? (?:Day|Eve)|Independence Day|Valentine(?:'s|\u2019s) Day|Halloween)(?:\s+{YEAR})?"), r_holiday),
    ("duration.count", _r(rf"\b{APPROX}{NUM}(?:\s+and\s+(?P<half>a half))?(?:[-\s]+(?:straight|consecutive|successive|full|trading|working|business))?[-\s]+(?P<unit>second|minute|hour|day|week|month|year|decade|century|quarter)s?\b(?![-\s]+old)(?!\s+ago)"), r_duration),
    ("duration.decade", _r(r"\b(?:(?:the\s+(?:past|last|next)\s+|over\s+a\s+|a\s+)(?P<unit>decade|century)|the\s+past\s+(?P<unit2>week|month|year))(?P<num>)\b"), r_duration),
    ("duration.vague", _r(r"\b(?:(?:several|many|a few|the past few|the last few|some|over the|for|in recent)\s+)?(?P<unit>year|month|week|decade)s(?:-long)?\b(?=\s+(?:of|ago|later|earlier|into|in|on|at|to|before|after|,|\.))|\b(?:several|many|a few|the past few|the last few|over the|for|in recent)\s+(?P<unit2>year|month|week|decade)s\b|\b(?P<unit3>decade)s-long\b"), r_vague_duration),
    ("duration.range", _r(rf"\b(?:from|between)\s+(?P<y1>(?:19|20)\d\d)\s+(?:to|and|until)\s+{YEAR}"), r_year_range),
    ("date.the_day", _r(r"\b(?:on|for|during|in|of|end(?:ed|ing)?|finish(?:ed|ing)?|clos(?:e|ed|ing)|start(?:ed|ing)?|beg(?:in|an|inning))\s+(?P<core>the\s+day)\b(?!\s+(?:of|before|after|when|that|he|she|it|they|we|I|following|earlier|later)\b)"), r_the_day),
    ("date.unit_bound", _r(r"\b(?P<mod>the end of|the beginning of|the start of|the middle of)\s+the\s+(?P<unit>year|month|week)\b(?P<rel>)"), r_relative_unit),
    ("set.rate", _r(r"(?:(?<=illion )|(?<=housand )|(?<=dollars )|(?<=times )|(?<=twice )|(?<=once )|(?<=\d ))(?P<set>a|per|each)\s+(?P<unit>year|month|week|day)\b"), r_set_rate),
    ("set.adverb", _r(r"\b(?P<set>weekly|daily|monthly|annual|annually|yearly|hourly|quarterly|every\s+(?:day|week|month|year)|each\s+(?:day|week|month|year)|per\s+(?:day|week|month|year))\b"), r_set),
    ("time.clock", _r(r"\b(?:(?:at|since|from|until|around|about|by)\s+)?(?P<h>[0-2]?\d)(?::(?P<min>[0-5]\d)|(?=\s*(?:a\.?m\.?|p\.?m\.?)))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?(?:\s*(?P<zone>UTC|GMT|Z|EST|EDT|CET|ET|PT|BST|MSK))?(?:\s+(?:on\s+)?(?P<dayword>today|yesterday|tomorrow|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))?(?=\W|$)"), r_time),
    ("time.military", _r(r"\b(?P<h>[0-2]\d)(?P<min>[0-5]\d)\s*(?P<zone>UTC|GMT|Z)(?P<ampm>)(?P<dayword>)"), r_time),
    ("ref.deictic", _r(r"\b(?P<ref>now|currently|nowadays|at present|presently|at the moment|for the time being|the time being|current(?!ly)|recently|lately|formerly|previously|recent(?:\s+(?:years|months|weeks|days))?|in the past|the past(?!\s+(?:few|several|\d|two|three|four|five|six|seven|eight|nine|ten|week|month|year|decade))|the future|the near future|the near term|the long term|soon|shortly|in the coming (?:days|weeks|months|years))\b"), r_ref),
    ("date.anaphoric", _r(r"\b(?P<ana>the same day|that day|the next day|the following day|the previous day|the day before|the day after|a day later|a day earlier)\b"), r_anaphoric_day),
]


RULES_BY_NAME = {name: pattern for name, pattern, _ in RULES}


# Words (prefixes) one of which every expression of a rule family contains; rules run only near them.
ANCHORS = {
    "month": "jan feb mar apr may jun jul aug sep oct nov dec",
    "weekday": "monday tuesday wednesday thursday friday saturday sunday",
    "deictic": "today tonight yesterday tomorrow night overnight morning afternoon evening",
    "unit": "second minute hour day week month year decade centur quarter half",
    "season": "spring summer autumn winter",
    "quarter": "quarter half q1 q2 q3 q4",
    "holiday": "christmas new year independence valentine halloween",
    "set": "weekly daily monthly annual yearly hourly quarterly every each per",
    "ref": "now current recent lately formerly previously past future soon shortly term present moment being coming",
    "ago": "ago",
}
RULE_ANCHOR = {
    "date.mdy": "month", "date.dmy": "month", "date.numeric": "digit", "date.month_year": "month",
    "date.month": "month", "date.month_may": "month", "date.weekday": "weekday", "date.deictic": "deictic",
    "date.overnight": "deictic", "date.this_pod": "deictic", "date.earlier_today": "deictic",
    "date.relative_unit": "unit", "date.weekend": "unit", "date.season": "season", "date.quarter": "quarter",
    "date.year": "digit", "date.decade": "digit", "date.ago": "ago", "date.holiday": "holiday",
    "duration.count": "unit", "duration.decade": "unit", "duration.vague": "unit", "duration.range": "digit",
    "date.the_day": "unit", "date.unit_bound": "unit", "set.rate": "unit", "set.adverb": "set",
    "time.clock": "digit", "time.military": "digit", "ref.deictic": "ref", "date.anaphoric": "unit",
}
WINDOW = 64
DIGITS = re.compile(r"\d+")


@lru_cache(maxsize=1)
def _anchor_automaton() -> ahocorasick.Automaton:
    kinds: dict[str, list[str]] = {}
    for kind, words in ANCHORS.items():
        for w in (words.split() if kind != "holiday" else ["christmas", "new year", "independence", "valentine", "halloween"]):
            kinds.setdefault(w, []).append(kind)
    auto = ahocorasick.Automaton()
    for w, ks in kinds.items():
        auto.add_word(w, (len(w), tuple(ks)))
    auto.make_automaton()
    return auto


def _windows(text: str, start: int) -> dict[str, list[tuple[int, int]]]:
    """Per anchor kind, the stretches of text around its words; a rule runs only in its kind's stretches."""
    hits: list[tuple[int, int, tuple[str, ...]]] = [(m.start(), m.end(), ("digit",)) for m in DIGITS.finditer(text, start)]
    lowered = text.lower()
    for end, (n, kinds) in _anchor_automaton().iter(lowered, start):
        s0 = end - n + 1
        if s0 == 0 or not lowered[s0 - 1].isalnum():
            hits.append((s0, end + 1, kinds))
    hits.sort()
    out: dict[str, list[tuple[int, int]]] = {k: [] for k in (*ANCHORS, "digit")}
    for s0, e0, kinds in hits:
        a, b = max(start, s0 - WINDOW), min(len(text), e0 + WINDOW)
        for key in kinds:
            spans = out[key]
            if spans and a <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(b, spans[-1][1]))
            else:
                spans.append((a, b))
    return out


def _candidates(text: str, start: int = 0) -> Iterator[tuple[int, int, str, re.Match, Resolver]]:
    windows = _windows(text, start)
    for name, pattern, resolve in RULES:
        for a, b in windows[RULE_ANCHOR[name]]:
            for m in pattern.finditer(text, a, b):
                if m.end() > m.start() and _plausible(name, m):
                    yield m.start(), m.end(), name, m, resolve


def _plausible(name: str, m: re.Match) -> bool:
    """Cheap vetoes that keep numbers and words from passing as dates."""
    if name == "time.clock":
        return bool(m["min"] or m["ampm"])
    if name == "date.year":
        return not re.match(r"\s*(?:-|–)\s*\d", m.string[m.end():m.end() + 3])
    if name == "duration.count" and m["unit"].lower() == "second" and m["num"].lower() in ("a", "the"):
        return False
    if name == "ref.deictic" and m["ref"].lower() == "now":
        return not re.match(r"\s+(?:that|than)\b|-", m.string[m.end():m.end() + 6])
    if name == "duration.count" and m["num"].lower() in ("a", "an") and m.start() == m.start("num"):
        return bool(re.search(r"\b(?:for|in|within|over|after|than|about|almost|nearly|just|once|only)\s+$", m.string[max(0, m.start() - 12):m.start()], re.I))
    return True


def _select(cands: list) -> list:
    """Leftmost-longest non-overlapping spans."""
    cands.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    chosen, end = [], -1
    for c in cands:
        if c[0] >= end:
            chosen.append(c)
            end = c[1]
        elif c[1] - c[0] > chosen[-1][1] - chosen[-1][0] and c[0] < end:
            chosen[-1] = c
            end = c[1]
    return chosen


_STRIP_LEAD = re.compile(r"^(?:on|at|in|since|from|until|by|during|for|around|about|over|of)\s+", re.I)
_SENT = re.compile(r"[^\n]+")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    span = text[start:end]
    lead = _STRIP_LEAD.match(span)
    if lead and end - start - lead.end() > 0:
        start += lead.end()
    while end > start and text[end - 1] in " ,.":
        if text[end - 1] == "." and re.search(r"\b(?:a\.m|p\.m|[A-Z][a-z]{2})\.$", text[start:end]):
            break
        end -= 1
    return start, end


def _speech_day(text: str, s0: int, s1: int, dct: dt.date) -> dt.date | None:
    """The day a quoted speaker spoke, when the attribution outside the quote names it."""
    sent = text[s0:s1]
    if '"' not in sent and "\u201c" not in sent:
        return None
    outside = re.sub(r'"[^"]*"|\u201c[^\u201d]*\u201d', lambda q: " " * len(q.group()), sent)
    m = re.search(rf"\b(said|told|says|added|wrote|posted|stated|declared)\b[^.]*?\b(?:on\s+)?(?P<wd>{WEEKDAY})\b|\b(?:on\s+)?(?P<wd2>{WEEKDAY})\b[^.]{{0,40}}\b(said|told|briefing)\b", outside)
    if not m:
        return None
    wd = WEEKDAYS.index((m["wd"] or m["wd2"]).lower())
    return dct - dt.timedelta(days=(dct.weekday() - wd) % 7)


def _with_inner(chosen: list) -> Iterator:
    """Ranges also yield the years they name ("from 2009 to 2011": P2Y, 2009, 2011)."""
    for c in chosen:
        yield c
        if c[2] == "duration.range":
            for g in ("y1", "year"):
                m = RULES_BY_NAME["date.year"].match(c[3].string, c[3].start(g), c[3].end(g))
                if m:
                    yield m.start(), m.end(), "date.year", m, r_year


def find_timexes(text: str, dct: dt.date, start: int = 0) -> list[Timex]:
    """All temporal expressions in text[start:], resolved against the publication date."""
    cands = list(_candidates(text, start))
    chosen = _select(cands)
    ctx = Context(dct=dct, text=text)
    sentences = [(m.start(), m.end()) for m in _SENT.finditer(text)]
    out: list[Timex] = []
    si = 0
    for s, e, name, m, resolve in _with_inner(chosen):
        while si < len(sentences) - 1 and sentences[si][1] <= s:
            si += 1
        if sentences:
            if ctx.sentence != sentences[si]:
                ctx.sentence = sentences[si]
                ctx.quote_anchor = _speech_day(text, *sentences[si], dct)
        res = resolve(m, ctx)
        if not res:
            continue
        ttype, value, *rest = res
        if "core" in m.re.groupindex:
            s, e = m.span("core")
        ts, te = _trim(text, s, e)
        t = Timex(ts, te, text[ts:te], ttype, value, name, rest[0] if rest else None)
        out.append(t)
        if ttype == "DATE" and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
            ctx.last_day = dt.date.fromisoformat(value)
    return out
