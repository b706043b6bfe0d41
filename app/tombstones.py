"""Deletions that stick. An editor's deletion of an article leaves a tombstone under the article's key
(its URL when known, else its text's hash); every way of loading articles (`timeline ingest`, with or
without --bulk, a watched feed, a paste on /ingest, POST /api/v1/articles) goes through `ingest` here,
which skips a tombstoned key and answers status "deleted". Undoing the deletion removes the tombstone,
and the article is loaded again from the deletion's record.

The write work itself is app/pipeline's (store.ingest_safely, corrections.delete_article and undo);
this module only keeps the tombstones beside it, in the same transaction.
"""
from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, select

from app.models import Article, Correction, Tombstone
from app.pipeline import corrections
from app.pipeline.reader import RawArticle
from app.pipeline.store import IngestResult, ingest_safely

DELETED = "deleted"  # the status of an article skipped because an editor deleted it


def tombstone(session: Session, key: str) -> Tombstone | None:
    return session.get(Tombstone, key)


def keys(session: Session) -> set[str]:
    """Every tombstoned key (few: one per deletion not undone), for a bulk load to filter against."""
    return set(session.exec(select(Tombstone.key)).all())


def ingest(session: Session, raw: RawArticle) -> IngestResult:
    """store.ingest_safely, unless an editor deleted this article: then nothing is stored and the result
    says "deleted" (with the deleted article's old id)."""
    stone = tombstone(session, raw.key)
    if stone is not None:
        session.commit()  # end the transaction (a writer's holds the write lock), as ingest_safely's would
        return IngestResult(DELETED, stone.article_id, 0)
    return ingest_safely(session, raw)


def delete_article(session: Session, article_id: int, editor: str) -> Correction:
    """corrections.delete_article, leaving a tombstone under the article's key (the caller commits)."""
    article = session.get(Article, article_id)
    key = article.key if article is not None else None
    record = corrections.delete_article(session, article_id, editor)
    session.execute(delete(Tombstone).where(Tombstone.key == key))
    session.add(Tombstone(key=key, article_id=article_id, correction_id=record.id, editor=record.editor))
    session.flush()
    return record


def undo(session: Session, correction_id: int, editor: str) -> int | None:
    """corrections.undo; undoing a deletion removes its tombstone first, so the article comes back and
    later loads of it are no longer skipped."""
    session.execute(delete(Tombstone).where(Tombstone.correction_id == correction_id))
    return corrections.undo(session, correction_id, editor)
