"""The only reader of HX-* request headers."""
from __future__ import annotations

from starlette.requests import Request


def wants_fragment(request: Request) -> bool:
    """A fragment only for htmx's own requests, never for boosts or history restores."""
    h = request.headers
    return h.get("HX-Request") == "true" and not h.get("HX-Boosted") and not h.get("HX-History-Restore-Request")


def target(request: Request) -> str:
    return request.headers.get("HX-Target", "") if wants_fragment(request) else ""
