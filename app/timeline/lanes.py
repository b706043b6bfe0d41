"""The lanes figure as a model: events (or counts) in, axis ticks, lanes, marks, joins and bins out.

Pure: no database, no templates. Positions are fractions of the time window (t) and lane indexes, so one
model draws across the page (time on x) or down it (time on y, on a phone); `Frame` turns them into
pixels for either orientation. A window with more marks than MAX_MARKS draws counts per lane and period
instead (bins), each a link to that narrower window, so the figure stays under ~2,000 SVG elements at
any size of database.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.timeline import days as cal
from app.timeline.filters import DATE_RANGE

MAX_MARKS = 400  # (event, lane) marks drawn one by one; more bin into counts
MAX_BINS = 40  # periods per lane when binned
MAX_TICKS = 12

# shape and colour per family of types (the legend names the types of each family that the figure shows)
FAMILIES = (
    ("contact", "circle", "#1c7c3a", ("call", "meeting", "talks", "visit")),
    ("words", "square", "#4a5561", ("speech", "statement")),
    ("deals", "diamond", "#0b5cad", ("agreement", "aid_pledge")),
    ("pressure", "triangle", "#b42318", ("sanction", "aid_suspension", "military_action")),
    ("other", "ring", "#7a3fb5", ()),
)
UNIT_DAYS = {"day": 1, "week": 7, "month": 30.44, "quarter": 91.3, "year": 365.25, "2 years": 730.5,
             "5 years": 1826, "10 years": 3652, "25 years": 9131, "50 years": 18262, "100 years": 36525}


@dataclass(frozen=True)
class Lane:
    slug: str
    name: str


@dataclass(frozen=True)
class LaneEvent:
    """What the figure needs of one event: its dates, type, participants (slugs and names) and permalink."""

    id: int
    path: str
    title: str
    type: str
    type_label: str
    date_start: dt.date
    date_end: dt.date
    precision: str
    date_label: str
    participants: tuple[tuple[str, str], ...]  # (slug, name), initiators and counterparts only


@dataclass(frozen=True)
class Count:
    """Marks of one lane starting on one day (or in the period beginning that day)."""

    lane: str
    day: dt.date
    n: int


@dataclass(frozen=True)
class Tick:
    t: float
    label: str
    iso: str


@dataclass(frozen=True)
class Mark:
    t0: float
    t1: float
    lane: int
    span: bool  # an imprecise date, drawn across its whole interval
    shape: str
    colour: str
    url: str
    label: str  # accessible name: '18 Mar 2025 · Phone call · Donald Trump, Vladimir Putin'
    title: str
    event_id: int
    order: int  # position in time order (keyboard navigation)
    stack: int = 0  # marks of one lane that would cover each other are set apart across the lane


@dataclass(frozen=True)
class Join:
    t: float
    lane0: int
    lane1: int
    event_id: int
    stack0: int = 0
    stack1: int = 0


@dataclass(frozen=True)
class Bin:
    t0: float
    t1: float
    lane: int
    n: int
    size: float  # 0..1 of the largest mark
    url: str
    label: str
    order: int


@dataclass(frozen=True)
class LegendItem:
    family: str
    shape: str
    colour: str
    types: tuple[str, ...]
    labels: tuple[str, ...]


@dataclass
class Figure:
    lo: dt.date
    hi: dt.date
    lanes: list[Lane]
    ticks: list[Tick]
    tick_unit: str
    marks: list[Mark] = field(default_factory=list)
    joins: list[Join] = field(default_factory=list)
    bins: list[Bin] = field(default_factory=list)
    bin_unit: str = ""
    legend: list[LegendItem] = field(default_factory=list)
    events: list[LaneEvent] = field(default_factory=list)  # the table alternative's rows, when not binned
    total: int = 0  # marks in the window, drawn or counted

    @property
    def binned(self) -> bool:
        return bool(self.bins)

    def bin_table(self) -> list[tuple[str, str, list[int]]]:
        """Rows of the binned table: period label, its URL, the count of each lane."""
        rows: dict[float, tuple[str, str, list[int]]] = {}
        for b in self.bins:
            label, url, counts = rows.setdefault(b.t0, (b.label.split(": ", 1)[0].rsplit(" · ", 1)[-1], b.url,
                                                        [0] * len(self.lanes)))
            counts[b.lane] = b.n
        return [rows[t] for t in sorted(rows)]


def family(etype: str) -> tuple[str, str, str]:
    for name, shape, colour, types in FAMILIES:
        if etype in types:
            return name, shape, colour
    return FAMILIES[-1][:3]


# ---------------------------------------------------------------- time
# Every day computed here stays inside the calendar (app/timeline/days.py): a window or a stored date may
# reach 1 January of year 1 or 31 December 9999, where plain timedelta arithmetic overflows.
def frac(lo: dt.date, hi: dt.date) -> Callable[[dt.date], float]:
    """Day -> position in the window [lo, hi] (inclusive days), 0 at lo's start, 1 at hi's end."""
    days = (hi - lo).days + 1
    return lambda d: min(max((d - lo).days / days, 0.0), 1.0)


def frac_end(lo: dt.date, hi: dt.date) -> Callable[[dt.date], float]:
    """Day -> position of its end in the window (frac of the next day, without computing the next day)."""
    days = (hi - lo).days + 1
    return lambda d: min(max(((d - lo).days + 1) / days, 0.0), 1.0)


def _years(unit: str) -> int:
    return int(unit.split()[0]) if " " in unit else 1


def period_start(unit: str, d: dt.date) -> dt.date:
    if unit == "day":
        return d
    if unit == "week":
        return cal.shift(d, -d.weekday())
    if unit == "month":
        return d.replace(day=1)
    if unit == "quarter":
        return dt.date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    return dt.date(max(d.year - d.year % _years(unit), cal.MIN.year), 1, 1)  # the period of year 1 starts in year 1


def _next(unit: str, d: dt.date) -> dt.date | None:
    """The start of the period after the one starting d, or None past the end of the calendar."""
    if unit in ("day", "week"):
        n = 1 if unit == "day" else 7
        return None if (cal.MAX - d).days < n else cal.shift(d, n)
    if unit in ("month", "quarter"):
        return cal.add_months(d, 1 if unit == "month" else 3)
    years = _years(unit)
    return cal.year_start(d.year - d.year % years + years)


def next_period(unit: str, d: dt.date) -> dt.date:
    """The next period's start; at the end of the calendar, its last day."""
    return _next(unit, d) or cal.MAX


def period_end(unit: str, d: dt.date) -> dt.date:
    """The last day of the period starting d."""
    nxt = _next(unit, d)
    return cal.MAX if nxt is None else cal.shift(nxt, -1)


def periods(unit: str, lo: dt.date, hi: dt.date) -> Iterable[dt.date]:
    d: dt.date | None = period_start(unit, lo)
    while d is not None and d <= hi:
        yield d
        d = _next(unit, d)


def unit_for(lo: dt.date, hi: dt.date, most: int) -> str:
    """The finest unit that cuts [lo, hi] into at most `most` periods."""
    days = (hi - lo).days + 1
    for unit, length in UNIT_DAYS.items():
        if days / length <= most - 1:
            return unit
    return "100 years"


def period_label(unit: str, d: dt.date) -> str:
    if unit == "day":
        return f"{d.day} {d:%b %Y}"
    if unit == "week":
        return f"week of {d.day} {d:%b %Y}"
    if unit == "month":
        return f"{d:%b %Y}"
    if unit == "quarter":
        return f"Q{(d.month - 1) // 3 + 1} {d.year}"
    if unit == "year":
        return str(d.year)
    return f"{d.year}–{period_end(unit, d).year}"


def tick_label(unit: str, d: dt.date) -> str:
    if unit in ("day", "week"):
        return f"{d.day} {d:%b}" + (f" {d.year}" if d.month == 1 and d.day <= 7 else "")
    if unit == "month":
        return f"{d:%b}" + (f" {d.year}" if d.month == 1 else "")
    if unit == "quarter":
        return f"Q{(d.month - 1) // 3 + 1}" + (f" {d.year}" if d.month == 1 else "")
    return str(d.year)


def ticks(lo: dt.date, hi: dt.date) -> tuple[str, list[Tick]]:
    """Axis ticks that adapt to the window: days, weeks, months, quarters or years."""
    unit = unit_for(lo, hi, MAX_TICKS)
    at = frac(lo, hi)
    out = [Tick(at(d), tick_label(unit, d), d.isoformat()) for d in periods(unit, lo, hi) if d >= lo]
    if out and unit in ("day", "week", "month", "quarter") and not out[0].label.endswith(out[0].iso[:4]):
        out[0] = Tick(out[0].t, f"{out[0].label} {out[0].iso[:4]}", out[0].iso)  # the first tick names its year
    return unit, out


# ---------------------------------------------------------------- the figure
def build(lanes: list[Lane], lo: dt.date, hi: dt.date, *, events: list[LaneEvent] | None = None,
          counts: list[Count] | None = None, url: Callable[[dt.date, dt.date], str] = lambda a, b: "") -> Figure:
    """The figure of a window: one mark per event and lane from `events`, or, given `counts` instead,
    the counts per lane and period (bins, each linked by `url(start, end)` to its narrower window)."""
    unit, axis = ticks(lo, hi)
    fig = Figure(lo, hi, lanes, axis, unit)
    if counts is not None:
        slugs = {ln.slug for ln in lanes}
        fig.total = sum(c.n for c in counts if lo <= c.day <= hi and c.lane in slugs)
        return _bins(fig, counts, url)
    return _marks(fig, events or [])


NEAR = 0.01  # marks closer than this (a fraction of the axis, ~8 px) on one lane are stacked


def _marks(fig: Figure, events: list[LaneEvent]) -> Figure:
    at, at_end = frac(fig.lo, fig.hi), frac_end(fig.lo, fig.hi)
    index = {ln.slug: i for i, ln in enumerate(fig.lanes)}
    seen: dict[str, str] = {}
    placed: dict[int, list[tuple[float, float]]] = defaultdict(list)  # per lane: (t0, t1) per stack level
    events = sorted(events, key=lambda e: (e.date_start, e.date_end, e.id))
    for e in events:
        on = sorted(index[s] for s, _ in e.participants if s in index)
        if not on:
            continue
        fam, shape, colour = family(e.type)
        seen[e.type] = e.type_label
        t0, t1 = at(e.date_start), at_end(e.date_end)
        span = e.precision != "day" or e.date_end > e.date_start
        label = f"{e.date_label} · {e.type_label} · {', '.join(n for _, n in e.participants)}"
        stacks = []
        for lane in on:
            stack = _level(placed[lane], t0, max(t1, t0 + NEAR))
            stacks.append(stack)
            fig.marks.append(Mark(t0, t1, lane, span, shape, colour, e.path, label, e.title, e.id, len(fig.marks), stack))
        if len(on) > 1:
            fig.joins.append(Join((t0 + t1) / 2, on[0], on[-1], e.id, stacks[0], stacks[-1]))
        fig.events.append(e)
    fig.total = len(fig.marks)
    fig.legend = _legend(seen)
    return fig


def _level(levels: list[tuple[float, float]], t0: float, t1: float) -> int:
    """The first stack level of a lane free at [t0, t1) (greedy interval packing), taken."""
    for i, (_, end) in enumerate(levels):
        if end + NEAR / 2 <= t0:
            levels[i] = (t0, t1)
            return i
    levels.append((t0, t1))
    return len(levels) - 1


def _bins(fig: Figure, counts: list[Count], url) -> Figure:
    unit = unit_for(fig.lo, fig.hi, MAX_BINS)
    fig.bin_unit = unit
    index = {ln.slug: i for i, ln in enumerate(fig.lanes)}
    per: dict[tuple[int, dt.date], int] = defaultdict(int)
    for c in counts:
        if c.lane in index and fig.lo <= c.day <= fig.hi:
            per[(index[c.lane], period_start(unit, c.day))] += c.n
    if not per:
        return fig
    at, at_end, peak = frac(fig.lo, fig.hi), frac_end(fig.lo, fig.hi), max(per.values())
    for order, ((lane, start), n) in enumerate(sorted(per.items(), key=lambda kv: (kv[0][1], kv[0][0]))):
        end = min(period_end(unit, start), fig.hi)
        label = f"{fig.lanes[lane].name} · {period_label(unit, start)}: {n} event{'' if n == 1 else 's'}"
        fig.bins.append(Bin(at(max(start, fig.lo)), at_end(end), lane, n, math.sqrt(n / peak),
                            url(max(start, fig.lo), end), label, order))
    return fig


def _legend(types: dict[str, str]) -> list[LegendItem]:
    """The type families the figure shows, each with its types' labels."""
    out = []
    for name, shape, colour, members in FAMILIES:
        present = tuple(t for t in members if t in types) if members else \
            tuple(sorted(t for t in types if family(t)[0] == "other"))
        if present:
            out.append(LegendItem(name, shape, colour, present, tuple(types[t] for t in present)))
    return out


def padded(lo: dt.date, hi: dt.date) -> tuple[dt.date, dt.date]:
    """The data's first and last day with a margin, so marks at the ends do not sit on the frame."""
    pad = max((hi - lo).days // 40, 1)
    return cal.shift(lo, -pad), cal.shift(hi, pad)


# ---------------------------------------------------------------- navigation
def zoom(lo: dt.date, hi: dt.date, data_lo: dt.date | None, data_hi: dt.date | None,
         bounds: tuple[dt.date, dt.date] = DATE_RANGE) -> dict[str, tuple | None]:
    """Windows for zoom in (half, centred), zoom out (double) and the previous and next period of the
    same length; None where there is nothing to go to (zooming out past all the data is the whole range).
    Every window lies within `bounds` (the dates a view accepts, so each is a link that answers): cut to
    them, or None if nothing of it is left or it is the window shown."""
    days = (hi - lo).days + 1
    mid = cal.shift(lo, days // 2)
    quarter = max(days // 4, 0)
    zoomed = (cal.shift(mid, -quarter), cal.shift(mid, max(days // 2 - quarter, 1) - 1)) if days > 1 else None
    wide = (cal.shift(lo, -(days // 2)), cal.shift(hi, days - days // 2))
    whole = data_lo is not None and data_hi is not None and wide[0] <= data_lo and wide[1] >= data_hi
    prev = (cal.shift(lo, -days), cal.shift(lo, -1)) if (data_lo is None or data_lo < lo) and lo > cal.MIN else None
    nxt = (cal.shift(hi, 1), cal.shift(hi, days)) if (data_hi is None or data_hi > hi) and hi < cal.MAX else None

    def within(w: tuple | None) -> tuple | None:
        w = w and cal.window(*w, bounds)
        return None if w == (lo, hi) else w
    return {"in": within(zoomed), "out": ("all", None) if whole else within(wide), "prev": within(prev),
            "next": within(nxt)}


class Frame:
    """Pixels for a figure: time across (h) or down (v) the drawing, lanes the other way."""

    def __init__(self, n_lanes: int, orientation: str = "h"):
        self.v = orientation == "v"
        self.n = max(n_lanes, 1)
        if self.v:  # a phone: 360 px wide, time down the page
            self.head, self.lane_w, self.gutter, self.length = 44, (340 - 66) / self.n, 66, 720
            self.width, self.height = 340, self.head + self.length + 8
        else:
            self.head, self.lane_w, self.gutter, self.length = 30, 52, 170, 760
            self.width, self.height = self.gutter + self.length + 16, self.head + self.lane_w * self.n + 8

    def time(self, t: float) -> float:
        return round((self.head if self.v else self.gutter) + t * self.length, 1)

    def lane(self, i: float) -> float:
        """Centre of lane i across the time axis."""
        return round((self.gutter if self.v else self.head) + (i + 0.5) * self.lane_w, 1)

    def xy(self, t: float, lane: float, stack: int = 0) -> tuple[float, float]:
        across = round(self.lane(lane) + self.offset(stack), 1)
        return (across, self.time(t)) if self.v else (self.time(t), across)

    def offset(self, stack: int) -> float:
        """Across-lane shift of a stack level: 0, -1, +1, -2, +2 steps, as far as the lane allows."""
        step, room = 9, int((self.lane_w / 2 - 7) // 9)
        level = (stack % (2 * room + 1)) if room else 0
        return step * ((level + 1) // 2) * (-1 if level % 2 else 1)

    def plot(self) -> tuple[float, float, float, float]:
        """x, y, width, height of the plotting area."""
        if self.v:
            return self.gutter, self.head, self.lane_w * self.n, self.length
        return self.gutter, self.head, self.length, self.lane_w * self.n

    def legend_shape(self, item: LegendItem, x: float, y: float) -> tuple[str, dict]:
        return shape(item.shape, x, y, 5, item.colour)

    @property
    def radius(self) -> float:
        return min(self.lane_w / 2 - 3, 22)

    # SVG geometry of each part, as (tag, attributes) for the template's xmlattr
    def mark(self, m: Mark) -> tuple[str, dict]:
        if m.span:
            a, b = self.time(m.t0), max(self.time(m.t1), self.time(m.t0) + 6)
            c = self.lane(m.lane) + self.offset(m.stack) - 5
            box = {"x": c, "y": a, "width": 10, "height": round(b - a, 1)} if self.v else \
                {"x": a, "y": c, "width": round(b - a, 1), "height": 10}
            return "rect", box | {"rx": 3, "fill": m.colour, "fill-opacity": "0.35", "stroke": m.colour,
                                  "stroke-width": 1.5}
        x, y = self.xy((m.t0 + m.t1) / 2, m.lane, m.stack)
        return shape(m.shape, x, y, 6, m.colour)

    def join(self, j: Join) -> dict:
        t = self.time(j.t)
        a, b = self.lane(j.lane0) + self.offset(j.stack0), self.lane(j.lane1) + self.offset(j.stack1)
        return {"x1": a, "x2": b, "y1": t, "y2": t} if self.v else {"x1": t, "x2": t, "y1": a, "y2": b}

    def bin(self, b: Bin) -> tuple[dict, dict]:
        """The bin's circle and where its count is written."""
        x, y = self.xy((b.t0 + b.t1) / 2, b.lane)
        r = round(3 + (self.radius - 3) * b.size, 1)
        return {"cx": x, "cy": y, "r": r}, {"x": x, "y": round(y + 4, 1)}

    def tick(self, t: Tick) -> tuple[dict, dict]:
        p = self.time(t.t)
        x, y, w, h = self.plot()
        if self.v:
            return {"x1": x - 4, "x2": x + w, "y1": p, "y2": p}, {"x": x - 6, "y": p + 4, "text-anchor": "end"}
        return {"x1": p, "x2": p, "y1": y - 4, "y2": y + h}, {"x": p + 3, "y": y - 8}

    def band(self, i: int) -> tuple[dict, dict]:
        """Lane i's background band and where its name is written."""
        x, y, w, h = self.plot()
        if self.v:
            left = x + i * self.lane_w
            return ({"x": left, "y": y, "width": round(self.lane_w, 1), "height": h},
                    {"x": round(left + self.lane_w / 2, 1), "y": y - 8, "text-anchor": "middle"})
        top = y + i * self.lane_w
        return ({"x": x, "y": top, "width": w, "height": self.lane_w},
                {"x": x - 8, "y": round(top + self.lane_w / 2 + 4, 1), "text-anchor": "end"})

    def label(self, lane: Lane) -> str:
        """A lane's name as written beside it (a surname on a phone)."""
        if not self.v:
            return lane.name if len(lane.name) <= 24 else lane.name[:23] + "…"
        short = lane.name.split()[-1] if lane.name.split() else lane.name
        most = max(int(self.lane_w / 7), 3)
        return short if len(short) <= most else short[:most - 1] + "…"


def shape(kind: str, x: float, y: float, r: float, colour: str) -> tuple[str, dict]:
    """A point mark of a type family: circle, square, diamond, triangle or ring."""
    if kind == "circle":
        return "circle", {"cx": x, "cy": y, "r": r, "fill": colour}
    if kind == "ring":
        return "circle", {"cx": x, "cy": y, "r": r - 1, "fill": "#fff", "stroke": colour, "stroke-width": 2.5}
    if kind == "square":
        s = round(r * 1.7, 1)
        return "rect", {"x": round(x - s / 2, 1), "y": round(y - s / 2, 1), "width": s, "height": s, "fill": colour}
    if kind == "diamond":
        d = f"M{x},{y - r - 1}L{x + r + 1},{y}L{x},{y + r + 1}L{x - r - 1},{y}Z"
    else:
        d = f"M{x},{y - r}L{x + r},{y + r * 0.8:.1f}L{x - r},{y + r * 0.8:.1f}Z"
    return "path", {"d": d, "fill": colour}
