"""The timeline page from parts kept between requests: a view's panel and density strip are rendered
once per view and data version, each event's card once per event and data version; a request then
walks the index for its page of ids and joins kept parts (Russian-doll caching)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy.orm import Session

from app.timeline.context import grouped, view_context
from app.timeline.filters import Filters
from app.timeline.queries import cached, load_events, named_in_search, page_ids, per_event
from app.web.templating import env


@dataclass(frozen=True)
class Card:
    """A rendered event card with what the day and month headings need."""

    id: int
    date_start: dt.date
    precision: str
    date_label: str
    html: Markup


def cards(session: Session, ids: list[int], heading: str = "h5", terms: tuple[str, ...] = (),
          named: tuple[str, ...] = ()) -> list[Card]:
    """Rendered cards, their search terms marked and the actors the search named (slugs) marked; kept per
    event, heading, terms and named actors."""
    def build(missing: list[int]) -> dict[int, Card]:
        card = env.get_template("_macros.html").module.event_card
        return {e.id: Card(e.id, e.date_start, e.precision, e.date_label, Markup(card(e, heading, terms, named)))
                for e in load_events(session, missing)}
    return per_event(session, ("card", heading, terms, named), ids, build)


def search_terms(q: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.lower() for t in re.findall(r"\w+", q)))[:12]


def _view(session: Session, f: Filters) -> dict:
    ctx = view_context(session, f) | {"named": named_in_search(session, f.q) if f.q else []}
    return ctx | {"panel_html": Markup(env.get_template("_panel.html").render(ctx)),
                  "density_html": Markup(env.get_template("_density.html").render(ctx))}


def timeline_context(session: Session, f: Filters, size: int) -> dict:
    """Everything the timeline page shows for one filtered view and page."""
    view = cached(session, ("view", f.cache_key, f.order, f.view), lambda: _view(session, f))
    ids, nxt = page_ids(session, f, size)
    page_cards = cards(session, ids, terms=search_terms(f.q), named=tuple(a["slug"] for a in view["named"]))
    return view | {
        "cards": page_cards,
        "groups": grouped(page_cards),
        "next_url": f.url("/", cursor=nxt) if nxt else None,
    }
