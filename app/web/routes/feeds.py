"""The watched feeds: anyone may read the list and each feed's fetch log; editors (the admin token)
add, pause, resume and remove feeds with CSRF-checked forms (Post/Redirect/Get)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from app import feeds
from app.db import writer
from app.pipeline.reader import clean_line
from app.web.deps import IdPath, SessionDep, SettingsDep
from app.web.routes.admin import DISABLED, AdminDep, check_csrf, csrf_token
from app.web.templating import render

router = APIRouter(responses={404: {"description": "No such feed"}})


def _page(request: Request, session: Session, settings, **extra) -> dict:
    editor = settings.writes_enabled and request.session.get("admin") is True
    return {"title": "Watched feeds", "feeds": feeds.list_feeds(session), "name": feeds.feed_name,
            "editor": editor, "csrf": csrf_token(request) if editor else "", "enabled": settings.writes_enabled,
            "disabled_reason": DISABLED, "form": {"url": "", "title": "", "interval": 30},
            "limits": (feeds.MIN_INTERVAL, feeds.MAX_INTERVAL), **extra}


@router.get("/feeds", response_class=HTMLResponse, summary="The watched feeds")
def feeds_page(request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    return render(request, "feeds.html", _page(request, session, settings))


@router.post("/feeds", response_class=HTMLResponse, summary="Watch a feed (editors)")
def add_feed(request: Request, _: AdminDep, settings: SettingsDep, csrf: Annotated[str, Form()] = "",
             url: Annotated[str, Form(max_length=2000)] = "", title: Annotated[str, Form(max_length=300)] = "",
             interval: Annotated[int, Form()] = 30):
    check_csrf(request, csrf)
    with Session(writer(request.app.state.engine)) as ws:
        try:
            feed = feeds.add_feed(ws, url, title, interval, added_by="editor (web)")
        except ValueError as exc:
            typed = {"url": clean_line(url), "title": clean_line(title), "interval": interval}  # shown again, no NUL
            ctx = _page(request, ws, settings, error=str(exc), form=typed)
            return render(request, "feeds.html", ctx, status=400)
    return RedirectResponse(f"/feeds#feed-{feed.id}", status_code=303)


@router.post("/feeds/{feed_id}/pause", summary="Pause a feed (editors)")
def pause(feed_id: IdPath, request: Request, _: AdminDep, csrf: Annotated[str, Form()] = ""):
    return _set_enabled(request, feed_id, csrf, False)


@router.post("/feeds/{feed_id}/resume", summary="Resume a feed (editors)")
def resume(feed_id: IdPath, request: Request, _: AdminDep, csrf: Annotated[str, Form()] = ""):
    return _set_enabled(request, feed_id, csrf, True)


def _set_enabled(request: Request, feed_id: int, csrf: str, enabled: bool) -> RedirectResponse:
    check_csrf(request, csrf)
    with Session(writer(request.app.state.engine)) as ws:
        if feeds.set_enabled(ws, feed_id, enabled) is None:
            raise HTTPException(404, "No such feed")
    return RedirectResponse(f"/feeds#feed-{feed_id}", status_code=303)


@router.post("/feeds/{feed_id}/remove", summary="Stop watching a feed (editors); its articles stay")
def remove(feed_id: IdPath, request: Request, _: AdminDep, csrf: Annotated[str, Form()] = ""):
    check_csrf(request, csrf)
    with Session(writer(request.app.state.engine)) as ws:
        if not feeds.remove_feed(ws, feed_id):
            raise HTTPException(404, "No such feed")
    return RedirectResponse("/feeds", status_code=303)


@router.get("/feeds/{feed_id}", response_class=HTMLResponse, summary="A feed and its last fetches")
def feed_page(feed_id: IdPath, request: Request, session: SessionDep) -> HTMLResponse:
    feed = session.get(feeds.Feed, feed_id)
    if feed is None:
        raise HTTPException(404, "No such feed")
    return render(request, "feed.html", {"title": feeds.feed_name(feed), "feed": feed,
                                         "fetches": feeds.recent_fetches(session, feed_id)})
