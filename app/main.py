"""create_app(settings): lifespan, static files, security headers, routers; nothing else."""
from __future__ import annotations

import gc
from collections import Counter
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.middleware.sessions import SessionMiddleware

from app.config import Settings, get_settings
from app.db import init_db, make_engine
from app.web.routes import admin, api, dyads, editing, feeds, pages
from app.web.templating import STATIC, render

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


MAX_REPEATS = 50  # values of one query parameter
MAX_PARAMS = 200  # query parameters in all


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response that does not set them itself, errors included. A plain
    ASGI middleware: Starlette's BaseHTTPMiddleware (`@app.middleware`) runs each request through an
    extra task and stream, which cost a fifth of a cached timeline request.

    It also refuses, before any route runs, what no route can honour: a NUL character in the path or
    the query (PostgreSQL text cannot hold it) and a query parameter repeated too often."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for k, v in SECURITY_HEADERS.items():
                    if k not in headers:
                        headers[k] = v
            await send(message)

        if problem := bad_request(scope):
            from fastapi.responses import JSONResponse

            return await JSONResponse({"detail": problem}, status_code=400)(scope, receive, send_with_headers)
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # ServerErrorMiddleware answers outside this middleware, without the headers: answer here
            # and re-raise, so the error is still logged (it sends nothing once a response started)
            if not started:
                from fastapi.responses import PlainTextResponse

                await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send_with_headers)
            raise


def bad_request(scope) -> str | None:
    """Why the request's path or query string cannot be served, or None."""
    from urllib.parse import parse_qsl

    raw = scope.get("query_string", b"")
    if "\x00" in scope.get("path", "") or b"%00" in raw or b"\x00" in raw:
        return "NUL characters are not allowed in URLs"
    if raw.count(b"&") >= MAX_REPEATS:  # fewer parameters than that cannot break a limit: no parsing
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, max_num_fields=None)
        if len(pairs) > MAX_PARAMS:
            return f"too many query parameters (at most {MAX_PARAMS})"
        names = Counter(k for k, _ in pairs)
        if names and (worst := names.most_common(1)[0])[1] > MAX_REPEATS:
            return f"query parameter {worst[0]!r} repeated {worst[1]} times (at most {MAX_REPEATS})"
    return None


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web app for the given settings (the environment's when None)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.engine = make_engine(settings)
        init_db(app.state.engine)
        gc.freeze()
        yield
        app.state.engine.dispose()

    app = FastAPI(title="Diplomatic-event timeline", version="1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Dated diplomatic events extracted from news, with their sources.")
    app.state.settings = settings
    app.add_middleware(SessionMiddleware, secret_key=settings.session_secret(), same_site="strict",
                       https_only=settings.secure_cookies, session_cookie="timeline_session")

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        accept = request.headers.get("accept", "")
        if request.url.path.startswith("/api/") or request.url.path.endswith(".json") or "text/html" not in accept:
            from fastapi.responses import JSONResponse

            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))
        return render(request, "error.html", {"status": exc.status_code, "detail": exc.detail,
                                              "title": f"Error {exc.status_code}"}, status=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        if "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api/"):
            problems = "; ".join(f"{'.'.join(str(x) for x in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
            return render(request, "error.html", {"status": 400, "detail": problems, "title": "Error 400"}, status=400)
        import json

        from fastapi.encoders import jsonable_encoder
        from fastapi.responses import Response

        # ASCII JSON: an echoed input may hold lone surrogates, which UTF-8 cannot encode
        body = json.dumps({"detail": jsonable_encoder(exc.errors())}, ensure_ascii=True)
        return Response(body, status_code=422, media_type="application/json")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(api.api)
    app.include_router(pages.router)
    app.include_router(dyads.router)
    app.include_router(admin.router)
    app.include_router(feeds.router)
    app.include_router(editing.router)

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request):
        return render(request, "docs.html", {"spec": app.openapi(), "title": "API"})

    return app
