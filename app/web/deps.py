"""Typed dependencies the routes take: the settings, a database session, the view's filters."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from sqlmodel import Session

from app.config import Settings
from app.timeline.filters import FilterError, Filters


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_filters(
    request: Request,
    actor: Annotated[list[str], Query(description="Actor slug; repeatable, all must take part")] = [],  # noqa: B006
    topic: Annotated[list[str], Query(description="Topic slug; repeatable, all must apply")] = [],  # noqa: B006
    type: Annotated[list[str], Query(description="Event type; repeatable, any of them")] = [],  # noqa: B006
    date_from: Annotated[str | None, Query(alias="from", description="Earliest date, YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, Query(alias="to", description="Latest date, YYYY-MM-DD")] = None,
    q: Annotated[str | None, Query(description="Free text over titles and quotes")] = None,
    order: Annotated[str | None, Query(description="desc (newest first) or asc")] = None,
    min_sources: Annotated[int | None, Query(ge=0, le=1000, description="At least this many sources")] = None,
    cursor: Annotated[str | None, Query(description="Where the page starts (from a next link)")] = None,
) -> Filters:
    """The view's filters, read once from the query string (the parameters above document them)."""
    try:
        return Filters.from_params(request.query_params)
    except FilterError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
FiltersDep = Annotated[Filters, Depends(get_filters)]
