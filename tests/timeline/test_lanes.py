"""The lanes figure model (pure: no database) and its rendered SVG, parsed."""
from __future__ import annotations

import datetime as dt

import lxml.etree
import lxml.html
import pytest
from starlette.datastructures import QueryParams

from app.timeline import lanes
from app.timeline.filters import FilterError, Filters
from app.web.templating import env

D = dt.date
LANES = [lanes.Lane("donald-trump", "Donald Trump"), lanes.Lane("vladimir-putin", "Vladimir Putin"),
         lanes.Lane("volodymyr-zelensky", "Volodymyr Zelensky")]
TRUMP, PUTIN, ZELENSKY = (("donald-trump", "Donald Trump"), ("vladimir-putin", "Vladimir Putin"),
                          ("volodymyr-zelensky", "Volodymyr Zelensky"))


def event(i, start, end=None, precision="day", etype="call", who=(TRUMP, PUTIN), label=None):
    end = end or start
    return lanes.LaneEvent(i, f"/events/{i}-e", f"Event {i}", etype, etype.replace("_", " ").capitalize(), start, end,
                           precision, label or f"{start.day} {start:%b %Y}", tuple(who))


@pytest.mark.parametrize("lo,hi,unit,first_label", [
    (D(2025, 3, 10), D(2025, 3, 18), "day", "10 Mar 2025"),
    (D(2025, 3, 1), D(2025, 5, 15), "week", "3 Mar 2025"),
    (D(2025, 1, 1), D(2025, 10, 31), "month", "Jan 2025"),
    (D(2024, 6, 1), D(2025, 10, 31), "quarter", "Q3 2024"),
    (D(2005, 1, 1), D(2025, 12, 31), "2 years", "2006"),
    (D(1900, 1, 1), D(2025, 12, 31), "25 years", "1900"),
    (D(1990, 1, 1), D(2025, 12, 31), "5 years", "1990"),
])
def test_axis_ticks_adapt_to_the_window(lo, hi, unit, first_label):
    got, ticks = lanes.ticks(lo, hi)
    assert got == unit
    assert 2 <= len(ticks) <= lanes.MAX_TICKS
    assert ticks[0].label == first_label
    assert all(0 <= t.t <= 1 for t in ticks) and [t.t for t in ticks] == sorted(t.t for t in ticks)


def test_a_call_is_a_mark_on_each_participants_lane_joined_across_lanes():
    call = event(1, D(2025, 3, 18), who=(TRUMP, PUTIN))
    speech = event(2, D(2025, 3, 20), etype="speech", who=(ZELENSKY,))
    fig = lanes.build(LANES, D(2025, 3, 1), D(2025, 3, 31), events=[speech, call])
    assert [(m.event_id, m.lane) for m in fig.marks] == [(1, 0), (1, 1), (2, 2)]
    assert [(j.event_id, j.lane0, j.lane1) for j in fig.joins] == [(1, 0, 1)]
    assert fig.marks[0].label == "18 Mar 2025 · Call · Donald Trump, Vladimir Putin"
    assert [m.order for m in fig.marks] == [0, 1, 2]  # time order, the keyboard's order
    assert {(i.family, i.shape) for i in fig.legend} == {("contact", "circle"), ("words", "square")}


def test_marks_of_one_day_on_one_lane_are_set_apart_and_their_joins_follow():
    a, b = event(1, D(2025, 5, 19), who=(TRUMP, PUTIN)), event(2, D(2025, 5, 19), who=(TRUMP, ZELENSKY))
    later = event(3, D(2025, 5, 30), who=(TRUMP,))
    fig = lanes.build(LANES, D(2025, 5, 1), D(2025, 5, 31), events=[a, b, later])
    assert [(m.event_id, m.lane, m.stack) for m in fig.marks] == [(1, 0, 0), (1, 1, 0), (2, 0, 1), (2, 2, 0), (3, 0, 0)]
    frame = lanes.Frame(3)
    (_, first), (_, second) = frame.mark(fig.marks[0]), frame.mark(fig.marks[2])
    assert first["cx"] == second["cx"] and abs(first["cy"] - second["cy"]) >= 9
    assert frame.join(fig.joins[1])["y1"] == second["cy"]  # the join starts at the mark it joins


@pytest.mark.parametrize("precision,start,end,span", [
    ("day", D(2025, 3, 18), D(2025, 3, 18), False),
    ("week", D(2025, 3, 10), D(2025, 3, 16), True),
    ("month", D(2025, 2, 1), D(2025, 2, 28), True),
    ("season", D(2024, 6, 1), D(2024, 8, 31), True),
])
def test_imprecise_dates_are_spans_over_their_whole_interval(precision, start, end, span):
    lo, hi = D(2024, 1, 1), D(2025, 12, 31)
    fig = lanes.build(LANES, lo, hi, events=[event(1, start, end, precision)])
    m = fig.marks[0]
    at = lanes.frac(lo, hi)
    assert m.span is span
    assert (m.t0, m.t1) == (at(start), at(end + dt.timedelta(days=1)))
    tag, attrs = lanes.Frame(3).mark(m)
    if span:  # drawn across its interval, never as one day
        assert tag == "rect" and attrs["width"] == pytest.approx(max(760 * (m.t1 - m.t0), 6), abs=0.2)
    else:
        assert tag == "circle"


def test_marks_outside_the_lanes_are_not_drawn_and_counts_bin_per_period():
    fig = lanes.build(LANES[:1], D(2025, 3, 1), D(2025, 3, 31), events=[event(1, D(2025, 3, 5), who=(PUTIN,))])
    assert fig.marks == [] and fig.events == []
    counts = [lanes.Count("donald-trump", D(2025, 3, d), 10) for d in (3, 4, 12)] + \
        [lanes.Count("vladimir-putin", D(2025, 3, 4), 7), lanes.Count("nobody", D(2025, 3, 4), 99)]
    fig = lanes.build(LANES, D(2025, 3, 1), D(2025, 3, 31), counts=counts, url=lambda a, b: f"/?from={a}&to={b}")
    assert fig.bin_unit == "day" and fig.total == 37
    fig = lanes.build(LANES, D(2025, 1, 1), D(2025, 8, 31), counts=counts, url=lambda a, b: f"/?from={a}&to={b}")
    assert fig.bin_unit == "week"
    assert [(b.lane, b.n, b.url) for b in fig.bins] == [
        (0, 20, "/?from=2025-03-03&to=2025-03-09"), (1, 7, "/?from=2025-03-03&to=2025-03-09"),
        (0, 10, "/?from=2025-03-10&to=2025-03-16")]
    assert fig.bins[0].size == 1 and fig.bins[1].size == pytest.approx((7 / 20) ** 0.5)
    assert fig.bin_table() == [("week of 3 Mar 2025", "/?from=2025-03-03&to=2025-03-09", [20, 7, 0]),
                               ("week of 10 Mar 2025", "/?from=2025-03-10&to=2025-03-16", [10, 0, 0])]


@pytest.mark.parametrize("lo,hi,data,expect", [
    # 31 days in the middle of the data: zoom in to the middle half, out to double, step a month either way
    (D(2025, 3, 1), D(2025, 3, 31), (D(2024, 1, 1), D(2025, 12, 31)),
     {"in": (D(2025, 3, 9), D(2025, 3, 23)), "out": (D(2025, 2, 14), D(2025, 4, 16)),
      "prev": (D(2025, 1, 29), D(2025, 2, 28)), "next": (D(2025, 4, 1), D(2025, 5, 1))}),
    # the whole data: nothing before or after, zooming out is the whole range
    (D(2025, 1, 1), D(2025, 12, 31), (D(2025, 1, 1), D(2025, 12, 31)),
     {"in": (D(2025, 4, 2), D(2025, 9, 30)), "out": ("all", None), "prev": None, "next": None}),
    (D(2025, 3, 18), D(2025, 3, 18), (D(2025, 1, 1), D(2025, 12, 31)),
     {"in": None, "out": (D(2025, 3, 18), D(2025, 3, 19)), "prev": (D(2025, 3, 17), D(2025, 3, 17)),
      "next": (D(2025, 3, 19), D(2025, 3, 19))}),
])
def test_zoom_and_pan_windows(lo, hi, data, expect):
    assert lanes.zoom(lo, hi, *data) == expect


MIN, MAX = dt.date.min, dt.date.max
EDGE_SPANS = [(MIN, MIN), (MIN, D(1, 1, 9)), (MIN, D(1, 3, 1)), (MIN, D(3, 1, 1)), (MIN, D(160, 1, 1)), (MIN, MAX),
              (D(9999, 12, 20), MAX), (MAX, MAX), (D(9999, 7, 1), MAX), (D(9990, 1, 1), MAX), (D(9900, 1, 1), MAX),
              (D(1, 1, 2), D(9999, 12, 30)), (D(999, 12, 31), D(9001, 1, 1))]


@pytest.mark.parametrize("lo,hi", EDGE_SPANS, ids=str)
def test_ticks_periods_marks_and_bins_near_the_ends_of_the_calendar(lo, hi):
    """Windows that reach 1 January of year 1 or 31 December 9999 (a stored date of an old database):
    every unit's periods end, in order and without gaps, inside the calendar; ticks, marks and bins are
    drawn inside the axis, and each bin links to a window inside the figure's."""
    for unit, length in lanes.UNIT_DAYS.items():
        if (hi - lo).days / length > 5000:  # a unit the figure would never cut this window into
            continue
        starts = list(lanes.periods(unit, lo, hi))
        assert starts[0] == lanes.period_start(unit, lo) <= lo and starts[-1] <= hi, unit
        assert lanes.period_end(unit, starts[-1]) >= hi and lanes.period_label(unit, starts[-1]), unit
        for a, b in zip(starts, starts[1:]):
            assert a < b and lanes.period_end(unit, a) + dt.timedelta(days=1) == b == lanes.next_period(unit, a), unit
    unit, ticks = lanes.ticks(lo, hi)
    assert ticks and [t.t for t in ticks] == sorted(t.t for t in ticks) and all(0 <= t.t <= 1 for t in ticks), unit
    fig = lanes.build(LANES, lo, hi, events=[event(1, lo), event(2, hi), event(3, lo, hi, "year")])
    assert len(fig.marks) == 6 and all(0 <= m.t0 <= m.t1 <= 1 for m in fig.marks)
    assert max(m.t1 for m in fig.marks) == 1  # the last day's mark ends at the end of the axis
    asked = []
    fig = lanes.build(LANES, lo, hi, counts=[lanes.Count("donald-trump", d, 5) for d in (lo, hi)],
                      url=lambda a, b: asked.append((a, b)) or "")
    assert fig.bins and fig.total == 10 and all(0 <= b.t0 <= b.t1 <= 1 for b in fig.bins)
    assert asked and all(lo <= a <= b <= hi for a, b in asked)
    a, b = lanes.padded(lo, hi)
    assert a <= lo and b >= hi


ACCEPTED = (D(1000, 1, 1), D(9000, 12, 31))


@pytest.mark.parametrize("lo,hi", EDGE_SPANS + [ACCEPTED, (ACCEPTED[0], ACCEPTED[0]), (ACCEPTED[1], ACCEPTED[1]),
                                                (D(1000, 1, 1), D(1000, 2, 15)), (D(8999, 12, 1), ACCEPTED[1])], ids=str)
@pytest.mark.parametrize("data", [(None, None), (MIN, MAX), (D(2022, 1, 1), D(2025, 12, 31))],
                         ids=["no-data", "data-min-max", "data-2022-2025"])
def test_zoom_and_pan_never_leave_the_dates_a_view_accepts(lo, hi, data):
    """Each window offered is one a link can ask for (filters.DATE_RANGE), never the window shown."""
    for key, w in lanes.zoom(lo, hi, *data).items():
        if w is None or w == ("all", None):
            continue
        assert ACCEPTED[0] <= w[0] <= w[1] <= ACCEPTED[1] and w != (lo, hi), (key, w)
    edge = lanes.zoom(ACCEPTED[0], ACCEPTED[0], *data)
    assert edge["prev"] is None and edge["in"] is None
    assert lanes.zoom(ACCEPTED[1], ACCEPTED[1], *data)["next"] is None


def render_svg(fig: lanes.Figure, orientation="h", standalone=False):
    lv = {"figure": fig, "lanes": fig.lanes, "match": "any"}
    out = env.get_template("_lanes.html").module.svg(lv, lanes.Frame(len(fig.lanes), orientation), "Caption",
                                                     standalone, "Source line")
    return str(out)


def svg_elements(markup: str) -> int:
    tree = lxml.etree.fromstring(markup.encode())
    return sum(1 for _ in tree.iter())


def test_at_a_million_events_the_figure_stays_under_two_thousand_elements():
    """Eight lanes, twenty years, a count on every lane and day: bins, not marks."""
    lo, hi = D(2005, 1, 1), D(2025, 12, 31)
    days = [lo + dt.timedelta(days=i) for i in range(0, (hi - lo).days + 1)]
    eight = [lanes.Lane(f"actor-{i}", f"Actor {i}") for i in range(8)]
    counts = [lanes.Count(ln.slug, d, 17) for ln in eight for d in days]
    assert sum(c.n for c in counts) > 1_000_000
    fig = lanes.build(eight, lo, hi, counts=counts, url=lambda a, b: f"/?from={a}&to={b}")
    assert fig.binned and fig.total == sum(c.n for c in counts)
    for orientation in ("h", "v"):
        markup = render_svg(fig, orientation)
        assert svg_elements(markup.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)) <= 2000
        tree = lxml.html.fromstring(markup)
        assert len(tree.cssselect("a.bin")) == len(fig.bins) <= 8 * lanes.MAX_BINS


def test_the_most_single_marks_stay_under_two_thousand_elements():
    eight = [lanes.Lane(f"actor-{i}", f"Actor {i}") for i in range(8)]
    evs = [event(i, D(2025, 1, 1) + dt.timedelta(days=i % 300), who=[(ln.slug, ln.name) for ln in eight[i % 7:i % 7 + 2]])
           for i in range(lanes.MAX_MARKS // 2)]
    fig = lanes.build(eight, D(2025, 1, 1), D(2025, 12, 31), events=evs)
    assert len(fig.marks) == lanes.MAX_MARKS
    markup = render_svg(fig).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    assert svg_elements(markup) <= 2000


def test_standalone_svg_is_a_file_with_caption_and_source():
    fig = lanes.build(LANES, D(2025, 3, 1), D(2025, 3, 31), events=[event(1, D(2025, 3, 18))])
    tree = lxml.etree.fromstring(render_svg(fig, standalone=True).encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert tree.tag == "{http://www.w3.org/2000/svg}svg"
    assert tree.findtext("s:title", namespaces=ns) == "Caption"
    texts = [t.text for t in tree.iterfind(".//s:text", ns)]
    assert "Caption" in texts and "Source line" in texts and "Donald Trump" in texts
    assert [a.get("href") for a in tree.iterfind(".//s:a", ns)] == ["/events/1-e", "/events/1-e"]


@pytest.mark.parametrize("qs,view,url", [
    ("actor=vladimir-putin", "list", "/?actor=vladimir-putin"),
    ("actor=vladimir-putin&view=list", "list", "/?actor=vladimir-putin"),  # the default never appears
    ("view=lanes&actor=vladimir-putin&from=2025-03-01", "lanes", "/?actor=vladimir-putin&from=2025-03-01&view=lanes"),
])
def test_the_view_round_trips_through_the_url(qs, view, url):
    f = Filters.from_params(QueryParams(qs))
    assert f.view == view and f.url("/") == url
    assert Filters.from_params(QueryParams(url[2:])) == f
    assert "view=list" not in f.url("/", view="list") and f.url("/", view="lanes").endswith("view=lanes")
    assert f.cache_key == Filters.from_params(QueryParams(qs.replace("view=lanes", "view=list"))).cache_key


def test_an_unknown_view_is_refused():
    with pytest.raises(FilterError):
        Filters.from_params(QueryParams("view=pie"))
