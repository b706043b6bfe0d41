"""The lanes figure rendered once per view and data version (as views.py keeps the panel): drawing a few
hundred marks twice, across and down, costs more than the rest of a request."""
from __future__ import annotations

from markupsafe import Markup
from sqlalchemy.orm import Session

from app.timeline import lanes_queries
from app.timeline.context import summary
from app.timeline.filters import Filters
from app.timeline.queries import cached
from app.web import views
from app.web.templating import env


def lanes_context(session: Session, f: Filters) -> dict:
    """The timeline page in its lanes view: the view's kept parts (panel, chips, total) and the figure; no
    page of cards, so no walk of the list's index (which, for several actors, can be the slow part)."""
    ctx = cached(session, ("view", f.cache_key, f.order, f.view), lambda: views._view(session, f))  # as views.py
    ctx = ctx | lanes_queries.view_links(f) | {"lanes_html": lanes_html(session, f)}
    if len(f.actors) > 1:  # the lanes view draws the events of any of its actors
        ctx["total"] = lanes_queries.union_total(session, f)
        ctx["summary"] = summary(ctx["total"], f)  # the heading counts what the figure draws
    return ctx


def lanes_html(session: Session, f: Filters, match: str = "any", path: str = "/", links: Filters | None = None) -> Markup:
    """The view's #lanes block: figure, navigation, date form, overview and table."""
    links = links or f
    key = ("lanes-html", f.cache_key, f.order, f.view, match, path, links.cache_key, links.view)
    return cached(session, key, lambda: Markup(env.get_template("_lanes.html").render(
        lv=lanes_queries.figure(session, f, match, path, links))))
