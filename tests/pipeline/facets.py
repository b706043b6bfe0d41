"""Facet totals as content: keys name actors and topics by id, and ids are not content (a killed
transaction still advances PostgreSQL's sequences), so the totals are compared by slug and name."""
from __future__ import annotations

from sqlalchemy import text


def named_totals(conn) -> list[tuple[str, str, int]]:
    """Every non-zero facet total, its composite keys ('p:a:3', 'a:3|t:1', '2025-03|a:3') named part by part."""
    names = {f"a:{i}": f"a:{slug}" for i, slug in conn.execute(text("SELECT id, slug FROM actor"))}
    names |= {f"t:{i}": f"t:{name}" for i, name in conn.execute(text("SELECT id, name FROM topic"))}

    def named(key: str) -> str:
        if key.startswith("p:"):
            return "p:" + named(key[2:])
        parts = [names.get(k, k) for k in key.split("|")]
        return "|".join(parts if parts[0][:1].isdigit() else sorted(parts))  # a pair's keys in either order

    return sorted((named(f), named(o), n) for f, o, n in conn.execute(text("SELECT facet, other, n FROM facettotal")) if n)
