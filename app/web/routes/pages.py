"""HTML pages: the timeline, an event, an actor, an article. Thin: query, then render."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from app.timeline import lanes_queries, queries
from app.timeline.context import twins
from app.web.lanes_view import lanes_context
from app.web.views import timeline_context
from app.timeline.filters import Filters
from app.web.deps import MAX_ID, FiltersDep, IdPath, SessionDep, SettingsDep
from app.web.htmx import wants_fragment
from app.web.routes.admin import csrf_token
from app.web.routes.editing import is_editor
from app.web.templating import VARY, render

router = APIRouter(responses={400: {"description": "A filter value that cannot be honoured"},
                              404: {"description": "No such event, actor or article"}})


@router.get("/", response_class=HTMLResponse, summary="The timeline")
def timeline(request: Request, session: SessionDep, f: FiltersDep, settings: SettingsDep,
             find: Annotated[str, Query(max_length=100, description="Add the actor with this name or alias")] = ""):
    notice = ""
    if find.strip():
        found = queries.find_actors(session, find, limit=1)
        if found:
            f = f if found[0]["slug"] in f.actors else replace(f, actors=f.actors + (found[0]["slug"],), cursor=None)
        else:
            notice = f"No actor is called “{find.strip()}” (names and aliases were searched)."
    canonical = f.url("/", cursor=f.cursor)
    if not wants_fragment(request) and not notice and request.url.query != f.query_string:
        return RedirectResponse(canonical, status_code=301 if not find else 303, headers={"Vary": VARY})
    if f.view == "lanes":
        ctx = lanes_context(session, f)
    else:
        ctx = timeline_context(session, f, settings.page_size) | lanes_queries.view_links(f)
    ctx |= {"notice": notice, "skip_target": "#events", "skip_label": "Skip to events",
            "empty_message": empty_message(f)}
    return render(request, "index.html", ctx, blocks={"": "app", "more": "items", "lanes": "lanes"}, oob={"": "oob"},
                  push_url=canonical)


def empty_message(f: Filters) -> str:
    """What was searched, when nothing matched."""
    if f.q:
        return (f"No event’s title, quoted sentences or actors (names and aliases) contain “{f.q}”"
                + (" under the other filters." if replace(f, q="").active else "."))
    return "No event matches these filters."


@router.get("/actors/suggest", response_class=HTMLResponse, summary="Actor names for a search box (HTML options)")
def actor_suggest(request: Request, session: SessionDep,
                  find: Annotated[str, Query(max_length=100)] = "", q: Annotated[str, Query(max_length=100)] = ""):
    return render(request, "_suggest.html", {"actors": queries.find_actors(session, find or q)})


@router.get("/actors.json", summary="Actors by name or alias, for suggestions as you type")
def actors_json(session: SessionDep, q: Annotated[str, Query(max_length=100, description="Part of a name or alias")] = "",
                limit: Annotated[int, Query(ge=1, le=50)] = 10) -> JSONResponse:
    found = queries.find_actors(session, q, limit)
    return JSONResponse([{"slug": a["slug"], "name": a["name"], "kind": a["kind"], "events": a["count"],
                          "url": Filters(actors=(a["slug"],)).url("/")} for a in found])


def _event_id(key: str) -> int:
    head = key.split("-", 1)[0]
    if not re.fullmatch(r"[0-9]{1,19}", head) or not 0 < int(head) <= MAX_ID:
        raise HTTPException(404, "No such event")
    return int(head)


@router.get("/events/{key}", response_class=HTMLResponse, summary="One event with every source")
def event_page(key: str, request: Request, session: SessionDep, settings: SettingsDep):
    ev = queries.get_event(session, _event_id(key))
    if ev is None:
        raise HTTPException(404, "No such event")
    if key != ev.path.rsplit("/", 1)[1]:
        return RedirectResponse(ev.path, status_code=301)
    articles = {s.article_id: queries.get_article(session, s.article_id) for s in ev.sources}
    sources = [(s, _paragraph(articles[s.article_id].body, s.start, s.end)) for s in ev.sources]
    editor = is_editor(request, settings)
    return render(request, "event.html", {
        "event": ev, "sources": sources, "related": queries.related_events(session, ev),
        "title": ev.title, "is_editor": editor, "history": queries.event_history(session, ev.id),
        "csrf": csrf_token(request) if editor else "", "editor_name": request.session.get("editor", ""),
        "actors_value": ", ".join(f"{a['slug']}:{a['role']}" for a in ev.actors),
        "twins": [{"ext": "json", "label": "JSON", "mime": "application/json", "url": f"/events/{ev.id}.json"}],
    })


def _paragraph(body: str, start: int, end: int) -> tuple[str, str, str]:
    """The paragraph around a sentence, cut in three so the sentence can be marked."""
    p0 = body.rfind("\n", 0, start) + 1
    p1 = body.find("\n", end)
    p1 = len(body) if p1 == -1 else p1
    return body[p0:start], body[start:end], body[end:p1]


@router.get("/actors/{slug}", response_class=HTMLResponse, summary="An actor's timeline")
def actor_page(slug: str, request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    actor = queries.get_actor(session, slug)
    if actor is None:
        raise HTTPException(404, "No such actor")
    f = Filters(actors=(slug,))
    page = queries.events_page(session, f, settings.page_size)
    return render(request, "actor.html", {
        "actor": actor, "page": page, "counterparts": queries.counterparts(session, actor),
        "topics": queries.facet_counts(session, f, "topic", 12), "timeline_url": f.url("/"),
        "twins": twins(f), "title": actor.name,
    })


@router.get("/articles/{article_id}", response_class=HTMLResponse, summary="An article with its events marked")
def article_page(article_id: IdPath, request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    article = queries.get_article(session, article_id)
    if article is None:
        raise HTTPException(404, "No such article")
    marked = queries.article_sources(session, article_id)
    return render(request, "article.html", {
        "article": article, "paragraphs": _marked_paragraphs(article.body, marked), "marked": marked,
        "title": article.title, "is_editor": is_editor(request, settings),
        "csrf": csrf_token(request) if is_editor(request, settings) else "", "editor_name": request.session.get("editor", ""),
    })


def _marked_paragraphs(body: str, marked) -> list[list[tuple[str, object]]]:
    """Paragraphs as runs of (text, event or None); each extracted sentence is one run."""
    spans = {}
    for source, ev in marked:
        spans.setdefault((source.start, source.end), ev)
    out, pos = [], 0
    for para in body.split("\n"):
        p0, p1 = pos, pos + len(para)
        runs, cur = [], p0
        for (s, e), ev in sorted(spans.items()):
            if p0 <= s < p1 and s >= cur:
                runs += [(body[cur:s], None), (body[s:e], ev)]
                cur = e
        runs.append((body[cur:p1], None))
        out.append([r for r in runs if r[0]])
        pos = p1 + 1
    return out
