"""Editors' corrections: an event's type, date, title, actors or visibility set by hand, and articles
deleted. Each is a Correction row (who, when, before, after) keyed like SplitLock by the article and the
mention of the event's first source, so `store.refresh_event` applies it again whenever the event is
recomputed, re-extraction included. Undoing marks the row undone and recomputes the event."""
from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import delete, select
from sqlmodel import Session

from app.lexicon import load_lexicon, slugify
from app.models import Actor, Article, Correction, Event, EventSource, SplitLock, utcnow

FIELDS = ("type", "date", "title", "actors", "hidden")
ROLES = ("initiator", "counterpart", "mentioned")


class CorrectionError(ValueError):
    """A correction that cannot be made, with the reason."""


def date_fields(value: str) -> dict:
    """'2025-03-18', '2025-03' or '2025' -> the event's date value, interval and precision."""
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            d = dt.date.fromisoformat(value)
            return {"date": value, "date_start": d, "date_end": d, "precision": "day", "approximate": False}
        if re.fullmatch(r"\d{4}-\d{2}", value):
            start = dt.date.fromisoformat(value + "-01")
            end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            return {"date": value, "date_start": start, "date_end": end, "precision": "month", "approximate": False}
        if re.fullmatch(r"\d{4}", value):
            return {"date": value, "date_start": dt.date(int(value), 1, 1), "date_end": dt.date(int(value), 12, 31),
                    "precision": "year", "approximate": False}
    except ValueError:
        pass
    raise CorrectionError(f"date: {value!r} is not YYYY-MM-DD, YYYY-MM or YYYY")


def parse_actors(value: str) -> list[tuple[str, str]]:
    """'donald-trump:initiator, vladimir-putin:counterpart' -> [(slug, role)] (role defaults to counterpart)."""
    out = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        slug, _, role = part.partition(":")
        role = role.strip() or "counterpart"
        if role not in ROLES:
            raise CorrectionError(f"actors: role {role!r} is not one of {', '.join(ROLES)}")
        out.append((slug.strip(), role))
    return out


def _anchor(session: Session, event_id: int) -> EventSource:
    source = session.execute(select(EventSource).where(EventSource.event_id == event_id)
                             .order_by(EventSource.article_id, EventSource.start)).scalars().first()
    if source is None:
        raise CorrectionError("no such event")
    return source


def current(session: Session, event_id: int, field: str) -> str:
    """An event's present value of a correctable field, as the form shows it."""
    event = session.get(Event, event_id)
    if field == "actors":
        from app.models import EventActor
        rows = session.execute(select(Actor.slug, EventActor.role).join(EventActor, EventActor.actor_id == Actor.id)
                               .where(EventActor.event_id == event_id)).all()
        rank = {r: i for i, r in enumerate(ROLES)}
        return ", ".join(f"{s}:{r}" for s, r in sorted(rows, key=lambda x: (rank.get(x[1], 3), x[0])))
    if field == "hidden":
        return "yes" if event.hidden else "no"
    return str(getattr(event, field))


def correct(session: Session, event_id: int, changes: dict[str, str], editor: str) -> list[Correction]:
    """Record the changed fields of an event and recompute it (the caller commits)."""
    from app.pipeline.store import bump_version, refresh_event

    if not editor.strip():
        raise CorrectionError("say who you are (editor)")
    anchor = _anchor(session, event_id)
    lex = load_lexicon()
    made = []
    for field, after in changes.items():
        after = after.strip()
        if field not in FIELDS:
            raise CorrectionError(f"{field} cannot be corrected")
        if field == "type" and after not in lex.types:
            raise CorrectionError(f"type: {after!r} is not an event type")
        if field == "date":
            date_fields(after)
        if field == "actors":
            slugs = [s for s, _ in parse_actors(after)]
            known = set(session.execute(select(Actor.slug).where(Actor.slug.in_(slugs))).scalars())
            if missing := [s for s in slugs if s not in known]:
                raise CorrectionError(f"actors: no actor {', '.join(missing)}")
        if field == "title" and not after:
            raise CorrectionError("title: must not be empty")
        before = current(session, event_id, field)
        if after == before:
            continue
        made.append(Correction(article_id=anchor.article_id, mention=anchor.mention, field=field, before=before,
                               after=after, editor=editor.strip()[:80]))
    for c in made:
        session.add(c)
    session.flush()
    refresh_event(session, event_id)
    bump_version(session)
    return made


def live_rows(session: Session, article_ids) -> list:
    """The live corrections of events of these articles, in order (for `apply`, many events at once)."""
    article_ids = sorted(set(article_ids))
    if not article_ids:
        return []
    table = Correction.__table__  # rows, not objects: read on every write, and apply needs four columns
    return list(session.connection().execute(select(table).where(table.c.article_id.in_(article_ids),
                                                                 table.c.undone_at.is_(None), table.c.field.in_(FIELDS))
                                             .order_by(table.c.id)).all())


def apply(session: Session, sources: list, fields: dict, rows: list | None = None) -> dict:
    """An event's fields (store.summarize's) with the live corrections of its sources applied in order
    (rows: live_rows of at least their articles, when the caller has read them already)."""
    keys = {(s.article_id, s.mention) for s in sources}
    if not keys:
        return fields
    if rows is None:
        rows = live_rows(session, {a for a, _ in keys})
    fields = dict(fields, hidden=False)
    for c in rows:
        if (c.article_id, c.mention) not in keys:
            continue
        if c.field == "type":
            t = load_lexicon().types.get(c.after)
            if t:
                fields.update(type=t.slug, plover=t.plover, cameo=t.cameo)
        elif c.field == "date":
            fields.update(date_fields(c.after))
        elif c.field == "title":
            fields.update(title=c.after, slug=slugify(c.after)[:80])
        elif c.field == "actors":
            fields["roles"] = parse_actors(c.after)
        elif c.field == "hidden":
            fields["hidden"] = c.after == "yes"
    if fields["hidden"]:  # in no facet: the tally and every facet walk leave it out
        fields.update(roles=[], topics=[])
    return fields


def history(session: Session, sources: list) -> list[Correction]:
    """Every correction, live or undone, recorded against these sources, oldest first."""
    keys = {(s.article_id, s.mention) for s in sources}
    if not keys:
        return []
    rows = session.execute(select(Correction).where(Correction.article_id.in_({a for a, _ in keys}))
                           .order_by(Correction.id)).scalars().all()
    return [c for c in rows if (c.article_id, c.mention) in keys]


def undo(session: Session, correction_id: int, editor: str) -> int | None:
    """Undo a correction; returns the id of the event it now concerns (None for a restored article)."""
    from app.pipeline.store import bump_version, refresh_event

    c = session.get(Correction, correction_id)
    if c is None or c.undone_at is not None:
        raise CorrectionError("no such correction, or it was already undone")
    c.undone_at, c.undone_by = utcnow(), (editor.strip() or "editor")[:80]
    session.add(c)
    session.flush()
    if c.field == "article":
        return restore_article(session, c)
    source = session.execute(select(EventSource).where(EventSource.article_id == c.article_id,
                                                       EventSource.mention == c.mention)).scalars().first()
    if source is None:
        bump_version(session)
        return None
    refresh_event(session, source.event_id)
    bump_version(session)
    return source.event_id


def delete_article(session: Session, article_id: int, editor: str) -> Correction:
    """Delete an article: its sources leave their events, events left without sources disappear, the totals
    follow. The article is kept in the record, so the deletion can be undone (the caller commits)."""
    from app.pipeline.store import _drop_sources, bump_version, recluster

    if not editor.strip():
        raise CorrectionError("say who you are (editor)")
    article = session.get(Article, article_id)
    if article is None:
        raise CorrectionError("no such article")
    kept = {k: getattr(article, k) for k in ("title", "outlet", "url", "source", "summary_only", "body")}
    kept["published"] = article.published.isoformat()
    record = Correction(article_id=article_id, field="article", before=json.dumps(kept), after="deleted",
                        editor=editor.strip()[:80])
    session.add(record)
    windows = _drop_sources(session, article_id)
    session.execute(delete(SplitLock).where(SplitLock.article_id == article_id))
    session.delete(article)
    session.flush()
    recluster(session, windows)
    bump_version(session)
    return record


def restore_article(session: Session, c: Correction) -> None:
    """Load a deleted article again from the record (its events are extracted afresh)."""
    from app.pipeline.reader import RawArticle
    from app.pipeline.store import bump_version, ingest_article

    kept = json.loads(c.before)
    raw = RawArticle(kept["title"], dt.date.fromisoformat(kept["published"]), kept["body"], kept["outlet"],
                     kept["url"], kept["source"], kept["summary_only"])
    bump_version(session)
    ingest_article(session, raw)
    return None


def deleted_articles(session: Session, limit: int = 20) -> list[Correction]:
    return list(session.execute(select(Correction).where(Correction.field == "article")
                                .order_by(Correction.id.desc()).limit(limit)).scalars())


def events_of(session: Session, rows: list[Correction]) -> dict[int, int]:
    """The event each correction now concerns (correction id -> event id), where its mention still exists."""
    out = {}
    for c in rows:
        if c.mention:
            found = session.execute(select(EventSource.event_id).where(EventSource.article_id == c.article_id,
                                                                       EventSource.mention == c.mention)).first()
            if found:
                out[c.id] = found[0]
    return out
