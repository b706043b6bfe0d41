"""Editors' routes: correct or hide an event, delete an article, undo any of these; and the log of changes.

Each needs a signed-in editor (or the bearer token) and the form's CSRF token, as every write route does
(app/web/routes/admin.py). The work is app/pipeline/corrections.py's; these routes only call it (through
app/tombstones.py for a deletion and its undo, which keeps the deleted article's tombstone).
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session, select

from app import tombstones
from app.db import writer
from app.models import Correction
from app.pipeline import corrections
from app.web.deps import IdPath, SessionDep, SettingsDep
from app.web.routes.admin import AdminDep, check_csrf, csrf_token
from app.web.templating import render

router = APIRouter(responses={401: {"description": "Sign in or send the bearer token"},
                              403: {"description": "Writes disabled (no TIMELINE_ADMIN_TOKEN) or a bad CSRF token"}})
Text = Annotated[str, Form(max_length=500)]


def is_editor(request: Request, settings) -> bool:
    return bool(settings.writes_enabled and request.session.get("admin") is True)


def _editor(request: Request, given: str) -> str:
    """Who made the change: the name given in the form, remembered for the session."""
    name = (given or request.session.get("editor", "")).strip()[:80]
    if not name:
        raise HTTPException(400, "Say who you are: the editor field is required.")
    request.session["editor"] = name
    return name


def _write(request: Request, work):
    with Session(writer(request.app.state.engine)) as ws:
        try:
            result = work(ws)
        except corrections.CorrectionError as exc:
            ws.rollback()
            raise HTTPException(400, str(exc)) from None
        ws.commit()
        return result


@router.post("/events/{event_id}/correct", summary="Correct an event's type, date, title or actors (editors)")
def correct_event(event_id: IdPath, request: Request, _: AdminDep, csrf: Text = "", editor: Text = "",
                  type: Text = "", date: Text = "", title: Text = "", actors: Text = ""):
    check_csrf(request, csrf)
    who = _editor(request, editor)
    changes = {k: v for k, v in (("type", type), ("date", date), ("title", title), ("actors", actors)) if v.strip()}
    _write(request, lambda ws: corrections.correct(ws, event_id, changes, who))
    return RedirectResponse(f"/events/{event_id}#history", status_code=303)


@router.post("/events/{event_id}/hide", summary="Hide an event from every view, or show it again (editors)")
def hide_event(event_id: IdPath, request: Request, _: AdminDep, csrf: Text = "", editor: Text = "",
               hidden: Text = "yes"):
    check_csrf(request, csrf)
    who = _editor(request, editor)
    _write(request, lambda ws: corrections.correct(ws, event_id, {"hidden": "yes" if hidden == "yes" else "no"}, who))
    return RedirectResponse(f"/events/{event_id}#history", status_code=303)


@router.post("/articles/{article_id}/delete", summary="Delete an article and its evidence (editors)")
def delete_article(article_id: IdPath, request: Request, _: AdminDep, csrf: Text = "", editor: Text = ""):
    check_csrf(request, csrf)
    who = _editor(request, editor)
    _write(request, lambda ws: tombstones.delete_article(ws, article_id, who))
    return RedirectResponse("/corrections", status_code=303)


@router.post("/corrections/{correction_id}/undo", summary="Undo a correction or a deletion (editors)")
def undo(correction_id: IdPath, request: Request, _: AdminDep, csrf: Text = "", editor: Text = ""):
    check_csrf(request, csrf)
    who = _editor(request, editor)
    event_id = _write(request, lambda ws: tombstones.undo(ws, correction_id, who))
    return RedirectResponse(f"/events/{event_id}#history" if event_id else "/corrections", status_code=303)


@router.get("/corrections", response_class=HTMLResponse, summary="Every editor's change, newest first")
def log(request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    rows = session.execute(select(Correction).order_by(Correction.id.desc()).limit(200)).scalars().all()
    editor = is_editor(request, settings)
    return render(request, "corrections.html", {
        "title": "Editors' changes", "rows": rows, "is_editor": editor,
        "csrf": csrf_token(request) if editor else "", "editor_name": request.session.get("editor", ""),
        "event_of": corrections.events_of(session, rows),
    })
