"""create_app(settings): lifespan, static files, security headers, routers; nothing else."""
from __future__ import annotations

import gc
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.middleware.sessions import SessionMiddleware

from app.config import Settings, get_settings
from app.db import init_db, make_engine
from app.web.routes import admin, api, editing, pages
from app.web.templating import STATIC, render

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response that does not set them itself. A plain ASGI middleware:
    Starlette's BaseHTTPMiddleware (`@app.middleware`) runs each request through an extra task and
    stream, which cost a fifth of a cached timeline request."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in SECURITY_HEADERS.items():
                    if k not in headers:
                        headers[k] = v
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
                       https_only=False, session_cookie="timeline_session")

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
        from fastapi.exception_handlers import request_validation_exception_handler

        return await request_validation_exception_handler(request, exc)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(api.api)
    app.include_router(pages.router)
    app.include_router(admin.router)
    app.include_router(editing.router)

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request):
        return render(request, "docs.html", {"spec": app.openapi(), "title": "API"})

    return app
