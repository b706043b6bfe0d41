"""Machine twins of every view (JSON, CSV, iCalendar, Atom) and the versioned JSON API."""
from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from app.models import EventPage, EventRead, FacetCount
from app.timeline import export, queries
from app.timeline.filters import Filters
from app.web.deps import FiltersDep, IdPath, SessionDep, SettingsDep

BAD_FILTER = {400: {"description": "A filter value that cannot be honoured (for example a stale cursor)"}}
router = APIRouter(responses=BAD_FILTER)
api = APIRouter(prefix="/api/v1", tags=["api v1"], responses={**BAD_FILTER, 404: {"description": "No such event"}})
FEED_LIMIT = 500


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _canonical(request: Request, f: Filters) -> RedirectResponse | None:
    """A permanent redirect to the twin's canonical URL (same path and extension) when the query string
    is not it (empty parameters, another order, repeats), as the timeline page does; else None."""
    if request.url.query != f.query_string:
        return RedirectResponse(f.url(request.url.path, cursor=f.cursor), status_code=301)
    return None


def _page(request: Request, session, f: Filters, size: int) -> Response:
    """An EventPage as JSON, joined from each event's JSON kept per data version (see queries.per_event)."""
    base = _base(request)
    ids, cursor = queries.page_ids(session, f, size)
    events = queries.per_event(session, ("json", base), ids, lambda missing: {
        e.id: export.event_read(e, base).model_dump_json().encode() for e in queries.load_events(session, missing)})
    nxt = base + f.url(request.url.path, cursor=cursor) if cursor else None
    body = b'{"events":[%s],"next":%s,"total":%d}' % (b",".join(events), json.dumps(nxt).encode(),
                                                       queries.count_events(session, f))
    return Response(body, media_type="application/json")


TWIN_RESPONSES = {301: {"description": "The same twin at its canonical URL (no empty parameters, fixed order)"}}


@router.get("/events.json", response_model=EventPage, summary="The filtered timeline as JSON", responses=TWIN_RESPONSES)
def events_json(request: Request, session: SessionDep, f: FiltersDep, settings: SettingsDep) -> Response:
    if redirect := _canonical(request, f):
        return redirect
    return _page(request, session, f, settings.page_size)


@router.get("/events.csv", summary="The filtered timeline as CSV (RFC 4180)", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}, **TWIN_RESPONSES})
def events_csv(request: Request, session: SessionDep, f: FiltersDep) -> Response:
    if redirect := _canonical(request, f):
        return redirect
    body = export.to_csv(queries.all_events(session, f), _base(request))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'inline; filename="events.csv"'})


@router.get("/events.ics", summary="The filtered timeline as iCalendar", response_class=Response,
            responses={200: {"content": {"text/calendar": {}}}, **TWIN_RESPONSES})
def events_ics(request: Request, session: SessionDep, f: FiltersDep) -> Response:
    if redirect := _canonical(request, f):
        return redirect
    body = export.to_ics(queries.all_events(session, f), _base(request), f.describe())
    return Response(body, media_type="text/calendar; charset=utf-8")


@router.get("/events.atom", summary="The filtered timeline as an Atom feed", response_class=Response,
            responses={200: {"content": {"application/atom+xml": {}}}, **TWIN_RESPONSES})
def events_atom(request: Request, session: SessionDep, f: FiltersDep) -> Response:
    if redirect := _canonical(request, f):
        return redirect
    events = queries.all_events(session, Filters(**{**f.__dict__, "order": "desc"}), FEED_LIMIT)
    body = export.to_atom(events, _base(request), f, str(request.url))
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def _one(request: Request, session, event_id: int) -> EventRead:
    ev = queries.get_event(session, event_id)
    if ev is None:
        raise HTTPException(404, "No such event")
    return export.event_read(ev, _base(request))


@router.get("/events/{event_id:int}.json", response_model=EventRead, summary="One event as JSON",
            responses={404: {"description": "No such event"}})
def event_json(event_id: IdPath, request: Request, session: SessionDep) -> EventRead:
    return _one(request, session, event_id)


@api.get("/events", response_model=EventPage, summary="Events, filtered and paged")
def api_events(request: Request, session: SessionDep, f: FiltersDep, settings: SettingsDep) -> Response:
    return _page(request, session, f, settings.page_size)


@api.get("/events/{event_id}", response_model=EventRead, summary="One event")
def api_event(event_id: IdPath, request: Request, session: SessionDep) -> EventRead:
    return _one(request, session, event_id)


@api.get("/actors", response_model=list[FacetCount], summary="Actors with event counts under the filters")
def api_actors(session: SessionDep, f: FiltersDep) -> list[FacetCount]:
    return [FacetCount(**a) for a in queries.facet_counts(session, f, "actor", limit=1000)]


@api.get("/topics", response_model=list[FacetCount], summary="Topics with event counts under the filters")
def api_topics(session: SessionDep, f: FiltersDep) -> list[FacetCount]:
    return [FacetCount(**t) for t in queries.facet_counts(session, f, "topic", limit=1000)]
