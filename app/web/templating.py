"""Jinja2 environment; a page renders whole, or as the named block htmx asked for."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2_fragments import render_block
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.lexicon import load_lexicon
from app.web.htmx import target, wants_fragment

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
HTMX = next((p.name for p in sorted(STATIC.glob("htmx-*.min.js"))), "htmx.min.js")

env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "xml", "svg"]),
                  trim_blocks=True, lstrip_blocks=True)
env.globals.update(htmx_js=HTMX, event_types=lambda: load_lexicon().types)


def footer_freshness(request: Request):
    """The footer's freshness line (templates/_freshness.html): the newest article and its feed, kept per data version."""
    from sqlmodel import Session

    from app.feeds import freshness
    from app.timeline.queries import cached

    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return None
    with Session(engine) as session:
        return cached(session, ("freshness",), lambda: freshness(session))


env.globals["freshness"] = footer_freshness


def http_url(value: object) -> str:
    """The URL when it is http(s) with a host, else '' (a stored javascript: or data: link is never a link)."""
    from app.pipeline.reader import ReadError, check_url

    try:
        return check_url(value, "") or ""
    except ReadError:
        return ""


env.filters["http_url"] = http_url


def render(request: Request, name: str, context: dict, blocks: dict[str, str] | None = None,
           status: int = 200) -> HTMLResponse:
    """The whole page, or for an htmx request the block named for its HX-Target (default 'app')."""
    context = {"request": request, **context}
    headers = {"Vary": "HX-Request, HX-Target"}
    if blocks is not None and wants_fragment(request):
        block = blocks.get(target(request), blocks.get("", "app"))
        return HTMLResponse(render_block(env, name, block, context), status_code=status, headers=headers)
    return HTMLResponse(env.get_template(name).render(context), status_code=status, headers=headers)
