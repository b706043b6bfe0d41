"""Typed dependencies the routes take: the settings, a database session, the view's filters."""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Literal

from pydantic import StringConstraints

from fastapi import Depends, HTTPException, Path, Query, Request
from sqlmodel import Session

from app.config import Settings
from app.timeline.filters import FilterError, Filters


# The dependencies are `async def` although they wait for nothing: FastAPI runs plain `def` dependencies
# in its thread pool, one hop each, and those hops (with the GIL handed between threads) cost more than
# the whole of a cached timeline request. Only the endpoint itself runs in a worker thread.
async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session for the request; it touches the database only when the endpoint queries."""
    with Session(request.app.state.engine) as session:
        yield session


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


SLUG_PATTERN = r"^(?:[a-z0-9][a-z0-9_-]{0,80})?$"  # empty allowed: a form's blank field
DATE_PATTERN = r"^(?:\d{4}-\d{2}-\d{2})?$"
MAX_ID = 2**31 - 1  # the id columns are 32-bit integers on PostgreSQL
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="A database id")]


async def get_filters(
    request: Request,
    actor: Annotated[list[Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]],
                     Query(description="Actor slug; repeatable, all must take part")] = [],  # noqa: B006
    topic: Annotated[list[Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]],
                     Query(description="Topic slug; repeatable, all must apply")] = [],  # noqa: B006
    type: Annotated[list[Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]],
                    Query(description="Event type; repeatable, any of them")] = [],  # noqa: B006
    date_from: Annotated[str | None, Query(alias="from", pattern=DATE_PATTERN, description="Earliest date, YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, Query(alias="to", pattern=DATE_PATTERN, description="Latest date, YYYY-MM-DD")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Free text over titles and quotes")] = None,
    order: Annotated[Literal["desc", "asc", ""] | None, Query(description="desc (newest first) or asc")] = None,
    min_sources: Annotated[str | None, Query(pattern=r"^\d{0,4}$", description="At least this many sources (0-1000)")] = None,
    view: Annotated[Literal["list", "lanes", ""] | None, Query(description="list (default) or lanes (actor lanes on a time axis)")] = None,
    cursor: Annotated[str | None, Query(max_length=200, description="Where the page starts (from a next link); "
                                        "400 when it is not one")] = None,
) -> Filters:
    """The view's filters, read once from the query string (the parameters above document them)."""
    try:
        return Filters.from_params(request.query_params)
    except FilterError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
FiltersDep = Annotated[Filters, Depends(get_filters)]
