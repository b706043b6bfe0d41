"""Jinja2 environment; a page renders whole, or as the named block htmx asked for."""
from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2_fragments import render_block
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.lexicon import load_lexicon
from app.timeline.context import plural
from app.web.htmx import target, wants_fragment

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
VARY = "HX-Request, HX-Target"  # what every page that can also answer with a fragment varies on
HTMX = next((p.name for p in sorted(STATIC.glob("htmx-*.min.js"))), "htmx.min.js")


def highlight(value: str, terms: tuple[str, ...] = ()) -> Markup:
    """The text escaped, with every word that starts with a search term marked (case-insensitive)."""
    if not terms:
        return escape(value)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")\w*",
                         re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(value):
        out += [escape(value[pos:m.start()]), Markup("<mark>"), escape(m.group()), Markup("</mark>")]
        pos = m.end()
    out.append(escape(value[pos:]))
    return Markup("").join(out)


env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "xml", "svg"]),
                  trim_blocks=True, lstrip_blocks=True)
env.globals.update(htmx_js=HTMX, event_types=lambda: load_lexicon().types, plural=plural)
env.filters["highlight"] = highlight


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
           status: int = 200, oob: dict[str, str] | None = None, push_url: str | None = None) -> HTMLResponse:
    """The whole page, or for an htmx request the block named for its HX-Target (default 'app'), followed
    by the out-of-band block that `oob` names for it (title, head links, footer: what lies outside the target)."""
    context = {"request": request, **context}
    headers = {"Vary": VARY}
    if blocks is not None and wants_fragment(request):
        key = target(request) if target(request) in blocks else ""
        block = blocks.get(key, "app")
        html = render_block(env, name, block, context)
        if oob and oob.get(key):
            html += render_block(env, name, oob[key], {**context, "fragment": True})
        if push_url and key == "":
            headers["HX-Push-Url"] = push_url
        return HTMLResponse(html, status_code=status, headers=headers)
    return HTMLResponse(env.get_template(name).render(context), status_code=status, headers=headers)
