"""Figures: two actors' shared events (a dyad) with its CSV, and the lanes figure as a standalone SVG. Thin."""
from __future__ import annotations

import csv
import io
from dataclasses import replace

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from app.lexicon import load_lexicon
from app.timeline import lanes_queries, queries
from app.timeline.filters import Filters
from app.web.deps import FiltersDep, SessionDep, SettingsDep
from app.web.lanes_view import lanes_html
from app.web.templating import env, render

router = APIRouter(responses={400: {"description": "A filter value that cannot be honoured"},
                              404: {"description": "No such actor, or nothing to draw"}})
SVG = {"response_class": Response, "responses": {200: {"content": {"image/svg+xml": {}}}}}
SOURCE = "Source: Diplomatic timeline, events extracted from news articles"


def _pair(session, a: str, b: str):
    one, two = queries.get_actor(session, a), queries.get_actor(session, b)
    if one is None or two is None or one.id == two.id:
        raise HTTPException(404, "No such pair of actors")
    return one, two


def _dyad_filters(f: Filters, a: str, b: str) -> Filters:
    """The dyad's view: both actors, the dates (and other filters) of the query string."""
    return replace(f, actors=(a, b), view="lanes", cursor=None)


def _svg(request: Request, lv: dict, caption: str) -> Response:
    """The figure as a file to embed elsewhere: its links absolute, on this request's site."""
    macro = env.get_template("_lanes.html").module.svg
    base = str(request.base_url).rstrip("/")
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + str(macro(lv, lv["horizontal"], caption, True, SOURCE, base))
    return Response(body, media_type="image/svg+xml",
                    headers={"Content-Disposition": 'inline; filename="timeline-lanes.svg"'})


def _caption(lv: dict) -> str:
    names = ", ".join(ln.name for ln in lv["lanes"])
    return f"{names}: {'shared events' if lv['match'] == 'all' else 'events'}, {lv.get('period', '')}"


@router.get("/lanes.svg", summary="The lanes figure of a view as a standalone SVG file", **SVG)
def lanes_svg(request: Request, session: SessionDep, f: FiltersDep) -> Response:
    lv = lanes_queries.figure(session, replace(f, view="lanes"))
    if lv["figure"] is None:
        raise HTTPException(404, "No events to draw")
    return _svg(request, lv, _caption(lv))


def _months_csv(months, a: str, b: str) -> str:
    """One row per period and type: `month` is 'YYYY-MM' for a calendar month and empty for events dated
    only to a coarser period (or a week across two months), whose `period` is their own date ('2019')."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["actor_a", "actor_b", "month", "type", "count", "period"])
    for period, per in months:
        for t, n in sorted(per.items()):
            w.writerow([a, b, period.key if period.month else "", t, n, period.key])
    return out.getvalue()


@router.get("/actors/{a}/with/{b}.csv", summary="Two actors' shared events per month and type, as CSV",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def dyad_csv(a: str, b: str, session: SessionDep) -> Response:
    one, two = _pair(session, a, b)
    months, _, _ = lanes_queries.dyad_months(session, one.id, two.id)
    return Response(_months_csv(months, a, b), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{a}-with-{b}.csv"'})


@router.get("/actors/{a}/with/{b}.svg", summary="Two actors' shared events as a standalone SVG file", **SVG)
def dyad_svg(a: str, b: str, request: Request, session: SessionDep, f: FiltersDep) -> Response:
    _pair(session, a, b)
    path = f"/actors/{a}/with/{b}"
    lv = lanes_queries.figure(session, _dyad_filters(f, a, b), "all", path, replace(f, actors=(), view="list"))
    if lv["figure"] is None:
        raise HTTPException(404, "No shared events to draw")
    return _svg(request, lv, _caption(lv))


@router.get("/actors/{a}/with/{b}", response_class=HTMLResponse, summary="Two actors' shared events (a dyad)")
def dyad_page(a: str, b: str, request: Request, session: SessionDep, f: FiltersDep,
              settings: SettingsDep) -> HTMLResponse:
    one, two = _pair(session, a, b)
    path = f"/actors/{a}/with/{b}"
    g = _dyad_filters(f, a, b)
    months, first, latest = lanes_queries.dyad_months(session, one.id, two.id)
    types = sorted({t for _, per in months for t in per})
    labels = load_lexicon().types
    page = queries.events_page(session, replace(g, view="list", order="asc"), settings.page_size)
    return render(request, "dyad.html", {
        "a": one, "b": two, "lanes_html": lanes_html(session, g, "all", path, replace(f, actors=(), view="list")),
        "months": months, "types": [(t, labels[t].label if t in labels else t) for t in types],
        "first": first, "latest": latest, "page": page, "total": queries.count_events(session, replace(g, view="list")),
        "timeline_url": replace(g, view="list").url("/"), "lanes_url": g.url("/"),
        "csv_url": f"{path}.csv", "title": f"{one.name} with {two.name}",
        "twins": [{"ext": "csv", "label": "CSV (per month and type)", "mime": "text/csv", "url": f"{path}.csv"}],
    }, blocks={"": "app", "lanes": "lanes"})
