"""Write routes: login, article upload with review, the JSON article API, splitting a merge.

Every route that changes data needs the admin token (TIMELINE_ADMIN_TOKEN): a browser signs
in once (a signed session cookie) and every form carries a CSRF token; API clients send
'Authorization: Bearer <token>'. With no token configured, writes answer 403.
"""
from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
import threading
import time
from collections import deque
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy import delete
from sqlmodel import Session

from app.db import writer
from app.lexicon import load_lexicon
from app.models import AdminSession
from app.pipeline.reader import RawArticle, ReadError, make_article, parse_text, read_bytes
from app import tombstones
from app.pipeline.store import extract, split_event, sync_lexicon
from app.timeline.queries import date_label
from app.web.deps import IdPath, SettingsDep
from app.web.templating import render

router = APIRouter(responses={401: {"description": "Sign in or send the bearer token"},
                              403: {"description": "Writes disabled (no TIMELINE_ADMIN_TOKEN) or a bad CSRF token"}})
DISABLED = "Write access is disabled: set TIMELINE_ADMIN_TOKEN and restart to enable it."


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(24)
    return token


def _token_ok(settings, given: str | None) -> bool:
    return bool(settings.writes_enabled and given
                and hmac.compare_digest(given.encode(), settings.admin_token.get_secret_value().encode()))


def signed_in(request: Request) -> bool:
    """Whether the request's session is one a sign-in created and no sign-out has ended."""
    sid = request.session.get("sid")
    if request.session.get("admin") is not True or not isinstance(sid, str) or not sid:
        return False
    with Session(request.app.state.engine) as s:
        return s.get(AdminSession, sid) is not None


def require_admin(request: Request, settings: SettingsDep) -> None:
    """A valid bearer token (no cookie needed), or a signed-in session whose forms then need their CSRF
    token; a request that sends a token and a wrong one is refused, never let through on its session.
    403 when writes are off, 401 otherwise."""
    if not settings.writes_enabled:
        raise HTTPException(403, DISABLED)
    auth = request.headers.get("authorization")
    if auth is not None:
        scheme, _, given = auth.partition(" ")
        if scheme.lower() == "bearer" and _token_ok(settings, given.strip()):
            request.state.auth = "token"
            return
        raise HTTPException(401, "The bearer token is not right.", headers={"WWW-Authenticate": "Bearer"})
    if signed_in(request):
        request.state.auth = "session"
        return
    raise HTTPException(401, "Sign in with the admin token first.", headers={"WWW-Authenticate": "Bearer"})


def check_csrf(request: Request, csrf: str) -> None:
    """Forms of a session carry its CSRF token; only a request require_admin authenticated by its
    token goes without."""
    if getattr(request.state, "auth", None) == "token":
        return
    expected = request.session.get("csrf", "")
    if not expected or not hmac.compare_digest(expected.encode(), (csrf or "").encode()):
        raise HTTPException(403, "The form's CSRF token is missing or wrong; reload the page and try again.")


log = logging.getLogger("app.auth")


class SignInLimit:
    """Failed sign-ins per client: after `attempts` within `window` seconds the client waits until the
    oldest of them is `window` old (kept in this process; each worker counts its own)."""

    def __init__(self, attempts: int, window: float):
        self.attempts, self.window = attempts, window
        self.failures: dict[str, deque] = {}
        self.lock = threading.Lock()

    def wait(self, client: str, now: float | None = None) -> int:
        """Seconds the client must wait before trying again (0: it may try now)."""
        now = time.monotonic() if now is None else now
        with self.lock:
            recent = self.failures.get(client)
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            if not recent:
                self.failures.pop(client, None)
                return 0
            return max(1, int(recent[0] + self.window - now + 0.999)) if len(recent) >= self.attempts else 0

    def failed(self, client: str, now: float | None = None) -> None:
        with self.lock:
            if len(self.failures) > 100_000:  # bounded memory under a spray of addresses
                self.failures.clear()
            self.failures.setdefault(client, deque()).append(time.monotonic() if now is None else now)

    def succeeded(self, client: str) -> None:
        with self.lock:
            self.failures.pop(client, None)


def _limit(request: Request, settings) -> SignInLimit:
    state = request.app.state
    if getattr(state, "sign_in_limit", None) is None:
        state.sign_in_limit = SignInLimit(settings.login_attempts, settings.login_window_s)
    return state.sign_in_limit


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


AdminDep = Annotated[None, Depends(require_admin)]


@router.get("/login", response_class=HTMLResponse, summary="Sign in with the admin token")
def login_form(request: Request, settings: SettingsDep, next: str = "/ingest") -> HTMLResponse:
    return render(request, "login.html", {"title": "Sign in", "csrf": csrf_token(request), "next": _safe_next(next),
                                          "enabled": settings.writes_enabled, "disabled_reason": DISABLED})


def _safe_next(url: str) -> str:
    return url if url.startswith("/") and not url.startswith("//") else "/"


@router.post("/login", summary="Sign in")
def login(request: Request, settings: SettingsDep, token: Annotated[str, Form()] = "",
          csrf: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/ingest"):
    if not settings.writes_enabled:
        raise HTTPException(403, DISABLED)
    check_csrf(request, csrf)
    limit, client = _limit(request, settings), _client(request)
    if wait := limit.wait(client):
        log.warning("sign-in refused for %s: too many failed attempts", client)
        return _login_error(request, next, f"Too many failed sign-ins from your address; try again in {wait} s.",
                            429, {"Retry-After": str(wait)})
    if not _token_ok(settings, token):
        limit.failed(client)
        log.warning("failed sign-in from %s", client)
        return _login_error(request, next, "That token is not right.", 401)
    limit.succeeded(client)
    sid = secrets.token_urlsafe(32)
    with Session(writer(request.app.state.engine)) as ws:
        ws.add(AdminSession(id=sid))
        ws.commit()
    request.session.clear()  # a fresh session: nothing from before sign-in carries over
    request.session.update({"admin": True, "sid": sid, "csrf": secrets.token_urlsafe(24)})
    return RedirectResponse(_safe_next(next), status_code=303)


def _login_error(request: Request, next: str, error: str, status: int, headers: dict | None = None):
    response = render(request, "login.html", {"title": "Sign in", "csrf": csrf_token(request), "next": _safe_next(next),
                                              "enabled": True, "error": error}, status=status)
    response.headers.update(headers or {})
    return response


@router.post("/logout", summary="Sign out")
def logout(request: Request, csrf: Annotated[str, Form()] = ""):
    check_csrf(request, csrf)
    sid = request.session.get("sid")
    if isinstance(sid, str) and sid:
        with Session(writer(request.app.state.engine)) as ws:
            ws.execute(delete(AdminSession).where(AdminSession.id == sid))
            ws.commit()
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/ingest", response_class=HTMLResponse, summary="Paste or upload articles")
def ingest_form(request: Request, settings: SettingsDep) -> HTMLResponse:
    if not settings.writes_enabled:
        return render(request, "ingest.html", {"title": "Add articles", "enabled": False, "disabled_reason": DISABLED}, status=403)
    if not signed_in(request):
        return RedirectResponse("/login?next=/ingest", status_code=303)
    return render(request, "ingest.html", {"title": "Add articles", "enabled": True, "csrf": csrf_token(request)})


def _pasted(headline: str, published: str, outlet: str, url: str, body: str) -> RawArticle:
    """Pasted text in the seed format ('date YYYY-MM-DD headline' or front matter) is read as a file is;
    the form's fields, where filled, win. No date anywhere is an error, never today's date."""
    try:
        seed = parse_text(body, "pasted text")
    except ReadError:
        if not published.strip():
            raise ReadError("pasted text", "the publication date is required (fill it in, or start the text "
                                           "with 'date YYYY-MM-DD Headline')") from None
        return make_article("pasted text", headline, published, body, outlet, url or None)
    return make_article("pasted text", headline or seed.title, published or seed.published.isoformat(), seed.body,
                        outlet or seed.outlet, url or seed.url)


def _preview_rows(raws: list[RawArticle]) -> list[dict]:
    lex = load_lexicon()
    rows = []
    for raw in raws:
        events = [{"title": e.title, "type": lex.types[e.type].label, "evidence": e.evidence, "after": e.date_start > raw.published,
                   "date": date_label(e.date, e.date_start, e.date_end, e.precision, e.approximate)} for e in extract(raw)]
        rows.append({"raw": raw, "events": events})
    return rows


@router.post("/ingest", response_class=HTMLResponse, summary="Review, then save articles")
async def ingest_submit(
    request: Request, _: AdminDep, settings: SettingsDep,
    csrf: Annotated[str, Form()] = "", action: Annotated[str, Form()] = "preview",
    headline: Annotated[str, Form()] = "", published: Annotated[str, Form()] = "",
    outlet: Annotated[str, Form()] = "", url: Annotated[str, Form()] = "", body: Annotated[str, Form()] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> HTMLResponse:
    check_csrf(request, csrf)
    raws, errors = [], []
    if body.strip():
        try:
            raws.append(_pasted(headline, published, outlet, url, body))
        except ReadError as exc:
            errors.append(str(exc))
    for upload in files or []:
        if not upload.filename:
            continue
        data = await upload.read(settings.max_article_bytes + 1)
        suffix = "." + upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else ""
        for item in read_bytes(data, upload.filename, suffix, settings.max_article_bytes):
            (errors.append(str(item)) if isinstance(item, ReadError) else raws.append(item))
    saved = []
    if action == "save" and raws:
        with Session(writer(request.app.state.engine)) as ws:
            sync_lexicon(ws)
            saved = [tombstones.ingest(ws, raw) for raw in raws]
    status = 400 if errors and not raws else 200
    return render(request, "ingest.html", {
        "title": "Add articles", "enabled": True, "csrf": csrf_token(request), "rows": [] if saved else _preview_rows(raws),
        "errors": errors, "saved": saved, "action": action,
        "form": {"headline": headline, "published": published, "outlet": outlet, "url": url, "body": body},
    }, status=status)


class ArticleIn(BaseModel):
    """An article sent to the JSON API."""

    title: str = Field(min_length=1, max_length=500)
    published: dt.date
    body: str = Field(min_length=1)
    outlet: str = ""
    url: str | None = None


class ArticleOut(BaseModel):
    status: str
    article_id: int
    events: int
    article_url: str


@router.post("/api/v1/articles", response_model=ArticleOut, status_code=201, tags=["api v1"],
             summary="Add an article (Authorization: Bearer <token>)",
             responses={409: {"description": "An editor deleted this article: it is not loaded again until that is undone"}})
def api_add_article(article: ArticleIn, request: Request, _: AdminDep, settings: SettingsDep) -> ArticleOut:
    if request.state.auth != "token":  # a JSON body carries no CSRF token: the API takes the bearer token only
        raise HTTPException(401, "Send 'Authorization: Bearer <token>'.", headers={"WWW-Authenticate": "Bearer"})
    if len(article.body.encode()) > settings.max_article_bytes:
        raise HTTPException(413, "article body too large")
    try:
        raw = make_article("api", article.title, article.published.isoformat(), article.body, article.outlet, article.url)
    except ReadError as exc:
        raise HTTPException(422, exc.reason) from None
    with Session(writer(request.app.state.engine)) as ws:
        sync_lexicon(ws)
        result = tombstones.ingest(ws, raw)
    if result.status == tombstones.DELETED:
        raise HTTPException(409, f"An editor deleted this article (article {result.article_id}); it is not loaded "
                                 "again until the deletion is undone (/corrections).")
    return ArticleOut(status=result.status, article_id=result.article_id, events=result.events,
                      article_url=str(request.base_url).rstrip("/") + f"/articles/{result.article_id}")


@router.post("/events/{event_id}/split", summary="Split sources off an event (admin)")
def split(event_id: IdPath, request: Request, _: AdminDep, csrf: Annotated[str, Form()] = "",
          source: Annotated[list[int] | None, Form()] = None):
    check_csrf(request, csrf)
    with Session(writer(request.app.state.engine)) as ws:
        try:
            new_id = split_event(ws, event_id, source or [])
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
    return RedirectResponse(f"/events/{new_id}", status_code=303)
