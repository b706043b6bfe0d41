"""Query parameters -> a Filters object that gives its SQL, its labels and its own URLs."""
from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")  # type slugs have underscores (military_action)
ORDERS = ("desc", "asc")
VIEWS = ("list", "lanes")  # two views of one URL state; "list", the default, never appears in URLs
# dates a view may ask for: wide enough for any news, narrow enough that date arithmetic never overflows
DATE_RANGE = (dt.date(1000, 1, 1), dt.date(9000, 12, 31))
MAX_CURSOR_ID = 2**31 - 1  # event ids are 32-bit integers on PostgreSQL
MAX_VALUES = 20  # of one repeatable filter


class FilterError(ValueError):
    """A query parameter that cannot be honoured, with the reason."""


@dataclass(frozen=True)
class Chip:
    """An active filter as the page shows it: what it is, and the link that removes it."""

    kind: str
    value: str
    label: str
    remove_url: str


@dataclass(frozen=True)
class Filters:
    """One timeline view: every filter, the order, and where the page starts."""

    actors: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""
    order: str = "desc"
    min_sources: int = 0
    cursor: str | None = None
    view: str = "list"
    labels: dict = field(default_factory=dict, compare=False, hash=False)

    # ---------------------------------------------------------------- parsing
    @classmethod
    def from_params(cls, params) -> "Filters":
        """From a request's query parameters (a multi-dict); invalid values raise FilterError."""
        def many(name: str) -> tuple[str, ...]:
            vals = [v.strip().lower() for v in params.getlist(name) if v.strip()]
            if len(vals) > MAX_VALUES:
                raise FilterError(f"{name}: at most {MAX_VALUES} values")
            for v in vals:
                if not SLUG.match(v):
                    raise FilterError(f"{name}: {v!r} is not a slug")
            return tuple(dict.fromkeys(vals))

        order = params.get("order", "desc") or "desc"
        if order not in ORDERS:
            raise FilterError("order must be desc or asc")
        cursor = params.get("cursor") or None
        view = params.get("view") or "list"
        if view not in VIEWS:
            raise FilterError("view must be list or lanes")
        if cursor is not None:
            decode_cursor(cursor)
        return cls(
            actors=many("actor"), topics=many("topic"), types=many("type"),
            date_from=_date(params.get("from"), "from"), date_to=_date(params.get("to"), "to"),
            q=(params.get("q") or "").strip()[:200], order=order, min_sources=_int(params.get("min_sources"), "min_sources"),
            cursor=cursor, view=view,
        )

    # ---------------------------------------------------------------- URLs
    def params(self, **changes) -> list[tuple[str, str]]:
        f = replace(self, **changes)
        out: list[tuple[str, str]] = [("actor", a) for a in f.actors] + [("topic", t) for t in f.topics]
        out += [("type", t) for t in f.types]
        if f.date_from:
            out.append(("from", f.date_from.isoformat()))
        if f.date_to:
            out.append(("to", f.date_to.isoformat()))
        if f.q:
            out.append(("q", f.q))
        if f.min_sources:
            out.append(("min_sources", str(f.min_sources)))
        if f.order != "desc":
            out.append(("order", f.order))
        if f.cursor:
            out.append(("cursor", f.cursor))
        if f.view != "list":
            out.append(("view", f.view))
        return out

    def url(self, path: str = "/", **changes) -> str:
        """This view's URL (with changes), paging reset unless a cursor is given."""
        changes.setdefault("cursor", None)
        qs = urlencode(self.params(**changes))
        return path + ("?" + qs if qs else "")

    def toggle(self, kind: str, value: str, path: str = "/") -> str:
        """The URL with value added to (or removed from) a repeatable filter."""
        current = getattr(self, kind)
        new = tuple(v for v in current if v != value) if value in current else current + (value,)
        return self.url(path, **{kind: new})

    def without_first(self, kind: str) -> "Filters":
        """The same view less the first value of a repeatable filter (the one a query walks)."""
        return replace(self, **{kind: getattr(self, kind)[1:]}, cursor=None, order="desc")

    @property
    def cache_key(self) -> tuple:
        """Everything but paging and order: views that share it share counts and histograms."""
        return (self.actors, self.topics, self.types, self.date_from, self.date_to, self.q, self.min_sources)

    @property
    def active(self) -> bool:
        return bool(self.actors or self.topics or self.types or self.date_from or self.date_to or self.q or self.min_sources)

    @property
    def impossible(self) -> bool:
        """A date range that ends before it starts: no event can match."""
        return bool(self.date_from and self.date_to and self.date_from > self.date_to)

    @property
    def query_string(self) -> str:
        """The canonical query string of this view: fixed parameter order, no empty parameters."""
        return urlencode(self.params(cursor=self.cursor))

    def label(self, kind: str, value: str) -> str:
        """A value's display name: from `labels` (the database's), else the lexicon's, else the value."""
        if (kind, value) in self.labels:
            return self.labels[(kind, value)]
        return _lexicon_label(kind, value)

    @property
    def active_count(self) -> int:
        """How many filters are on (a date range counts once)."""
        return (len(self.actors) + len(self.topics) + len(self.types) + bool(self.date_from or self.date_to)
                + bool(self.q) + bool(self.min_sources))

    def chips(self, path: str = "/") -> list[Chip]:
        """Every active filter with its label and remove link."""
        out = [Chip("actor", a, self.label("actor", a), self.toggle("actors", a, path)) for a in self.actors]
        out += [Chip("topic", t, self.label("topic", t), self.toggle("topics", t, path)) for t in self.topics]
        out += [Chip("type", t, self.label("type", t), self.toggle("types", t, path)) for t in self.types]
        if self.date_from:
            out.append(Chip("from", self.date_from.isoformat(), f"from {long_date(self.date_from)}", self.url(path, date_from=None)))
        if self.date_to:
            out.append(Chip("to", self.date_to.isoformat(), f"to {long_date(self.date_to)}", self.url(path, date_to=None)))
        if self.q:
            out.append(Chip("q", self.q, f"“{self.q}”", self.url(path, q="")))
        if self.min_sources:
            out.append(Chip("min_sources", str(self.min_sources), f"≥ {self.min_sources} sources", self.url(path, min_sources=0)))
        return out

    def describe(self) -> str:
        """A heading for pages, titles and feeds: 'Vladimir Putin · ceasefire · 1–31 March 2025'."""
        parts = [self.label("actor", a) for a in self.actors] + [self.label("topic", t) for t in self.topics]
        if self.types:
            parts.append(" or ".join(self.label("type", t) for t in self.types))
        if self.date_from or self.date_to:
            parts.append(date_range(self.date_from, self.date_to))
        if self.q:
            parts.append(f"“{self.q}”")
        if self.min_sources:
            parts.append(f"≥ {self.min_sources} sources")
        return " · ".join(parts) if parts else "All events"


def long_date(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def date_range(lo: dt.date | None, hi: dt.date | None) -> str:
    """'1–31 March 2025', '3 March – 5 April 2025', 'from 1 March 2025', 'until 31 March 2025'."""
    if lo and hi and lo <= hi:
        if lo == hi:
            return long_date(lo)
        if (lo.year, lo.month) == (hi.year, hi.month):
            return f"{lo.day}–{hi.day} {hi:%B %Y}"
        if lo.year == hi.year:
            return f"{lo.day} {lo:%B} – {long_date(hi)}"
        return f"{long_date(lo)} – {long_date(hi)}"
    if lo and hi:
        return f"from {long_date(lo)} to {long_date(hi)}"
    return f"from {long_date(lo)}" if lo else f"until {long_date(hi)}"


def _lexicon_label(kind: str, value: str) -> str:
    from app.lexicon import load_lexicon, slugify  # the lexicon is data, loaded once per process

    lex = load_lexicon()
    if kind == "actor" and value in lex.actors:
        return lex.actors[value].name
    if kind == "type" and value in lex.types:
        return lex.types[value].label
    if kind == "topic":
        return next((name for name in lex.topics if slugify(name) == value), value.replace("-", " "))
    return value


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        d = dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise FilterError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None
    if not DATE_RANGE[0] <= d <= DATE_RANGE[1]:
        raise FilterError(f"{name}: must be between {DATE_RANGE[0].isoformat()} and {DATE_RANGE[1].isoformat()}")
    return d


def _int(value: str | None, name: str) -> int:
    if not value:
        return 0
    try:
        n = int(value)
    except ValueError:
        raise FilterError(f"{name}: {value!r} is not a whole number") from None
    if not 0 <= n <= 1000:
        raise FilterError(f"{name}: must be between 0 and 1000")
    return n


def encode_cursor(date_start: dt.date, event_id: int) -> str:
    raw = f"{date_start.isoformat()}|{event_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.date, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        d, i = raw.split("|")
        date, event_id = dt.date.fromisoformat(d), int(i)
    except (ValueError, UnicodeDecodeError):
        raise FilterError("cursor is not valid") from None
    if not 0 < event_id <= MAX_CURSOR_ID:
        raise FilterError("cursor is not valid")
    return date, event_id
