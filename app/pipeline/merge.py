"""The same act reported by several articles -> one event, every source kept, the reason said.

Pure functions over `Report`s (one article's statement of an event). Grouping depends only on
the set of reports, never on the order they arrived: precise reports are grouped first
(connected components, edges in a fixed order), then each vague report joins the one
compatible group that fits it best, or groups with other vague reports.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

TWO_PARTY = {"call", "meeting", "talks", "visit", "agreement"}
PRECISE_DAYS = 7


@dataclass(frozen=True)
class Report:
    """What merging needs to know about one source of an event."""

    key: tuple  # a stable identity: (article key, mention)
    type: str
    start: dt.date
    end: dt.date
    approximate: bool
    initiator: str
    core: frozenset[str]
    topics: frozenset[str] = frozenset()
    lock: str = ""

    @property
    def precise(self) -> bool:
        return not self.approximate and (self.end - self.start).days < PRECISE_DAYS


def fmt_day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


def is_same_act(a: Report, b: Report) -> bool:
    """Whether a and b state the same act."""
    if a.type != b.type or not (a.start <= b.end and b.start <= a.end):
        return False
    if a.lock and b.lock and a.lock != b.lock:
        return False
    if a.type == "statement":
        return a.initiator == b.initiator and not (a.topics and b.topics and not a.topics & b.topics)
    shared = a.core & b.core
    if a.type in TWO_PARTY:
        return len(shared) >= min(2, len(a.core), len(b.core))
    # one-sided acts by different agents (two states' sanctions on a third) differ
    return bool(shared) and not (a.initiator and b.initiator and a.initiator != b.initiator)


def same_act(a: Report, b: Report) -> str | None:
    """Why a and b state the same act, or None when they do not."""
    if not is_same_act(a, b):
        return None
    shared = a.core & b.core
    lo, hi = max(a.start, b.start), min(a.end, b.end)
    when = fmt_day(lo) if lo == hi else f"{fmt_day(lo)} – {fmt_day(hi)}"
    return f"same type ({a.type}), same actors ({', '.join(sorted(shared))}), dates agree: {when}"


class _Groups:
    """Union-find whose groups remember their split locks and articles: one source per article."""

    def __init__(self, reports: list[Report]):
        self.parent = list(range(len(reports)))
        self.locks = [{r.lock} - {""} for r in reports]
        self.articles = [{r.key[0]} for r in reports]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> bool:
        a, b = self.find(i), self.find(j)
        if a == b or len(self.locks[a] | self.locks[b]) > 1 or self.articles[a] & self.articles[b]:
            return False
        a, b = min(a, b), max(a, b)
        self.parent[b] = a
        self.locks[a] |= self.locks[b]
        self.articles[a] |= self.articles[b]
        return True


def group_reports(reports: list[Report]) -> list[list[Report]]:
    """Partition reports into acts; the result does not depend on the input order."""
    reports = sorted(reports, key=lambda r: r.key)
    groups = _Groups(reports)
    precise = [i for i, r in enumerate(reports) if r.precise]
    vague = [i for i, r in enumerate(reports) if not r.precise]
    for x, i in enumerate(precise):
        for j in precise[x + 1:]:
            if is_same_act(reports[i], reports[j]):
                groups.union(i, j)
    for i in vague:
        fits = [j for j in precise if is_same_act(reports[i], reports[j])]
        if fits:
            best = min(fits, key=lambda j: (-len(reports[i].core & reports[j].core),
                                            abs((reports[j].start - reports[i].start).days), reports[j].key))
            groups.union(i, best)
    for x, i in enumerate(vague):
        if any(groups.find(i) == groups.find(j) for j in precise):
            continue
        for j in vague[x + 1:]:
            if groups.find(j) not in [groups.find(p) for p in precise] and is_same_act(reports[i], reports[j]):
                groups.union(i, j)
    out: dict[int, list[Report]] = {}
    for i, r in enumerate(reports):
        out.setdefault(groups.find(i), []).append(r)
    return list(out.values())


def event_interval(reports: list[Report]) -> tuple[dt.date, dt.date, bool]:
    """The narrowest dated report's interval that agrees with every other dated report."""
    dated = [r for r in reports if not r.approximate] or reports
    agreeing = [r for r in dated if all(r.start <= o.end and o.start <= r.end for o in dated)] or dated
    best = min(agreeing, key=lambda r: ((r.end - r.start).days, r.start, r.key))
    return best.start, best.end, best.approximate


def majority_roles(role_lists: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """Each actor once, with the role most sources give it (initiator wins ties), in first-seen order."""
    votes: dict[str, Counter] = {}
    for roles in role_lists:
        for slug, role in roles:
            votes.setdefault(slug, Counter())[role] += 1
    rank = {"initiator": 0, "counterpart": 1, "mentioned": 2}
    out = [(slug, min(c, key=lambda role: (-c[role], rank.get(role, 3)))) for slug, c in votes.items()]
    return sorted(out, key=lambda sr: rank.get(sr[1], 3))


def merge_reason(reports: list[Report]) -> list[str]:
    """One line per report after the first: why it belongs to the event."""
    first = reports[0]
    return [""] + [same_act(first, r) or _chain_reason(r, reports) for r in reports[1:]]


def _chain_reason(r: Report, reports: list[Report]) -> str:
    for o in reports:
        if o is not r and (why := same_act(o, r)):
            return why
    return "kept together by an editor"


def group_reports_blocked(reports: list[Report]) -> list[list[Report]]:
    """group_reports for many reports at once: the same partition, computed per block.

    Two reports can only be the same act if they share a type and an actor and their dates
    overlap, so candidate pairs come from a sweep over each (type, actor) list in date order.
    group_reports only ever joins reports that are the same act, so its partition splits along
    the connected parts of the same-act graph: it runs once per part, not once per crowded day.
    """
    parent = list(range(len(reports)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    lists: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(reports):
        for slug in r.core or {r.initiator}:
            lists.setdefault((r.type, slug), []).append(i)
    for idx in lists.values():
        idx.sort(key=lambda i: (reports[i].start, reports[i].end))
        active: list[int] = []
        for i in idx:
            active = [j for j in active if reports[j].end >= reports[i].start]
            for j in active:
                a, b = find(i), find(j)
                if a != b and is_same_act(reports[i], reports[j]):
                    parent[max(a, b)] = min(a, b)
            active.append(i)
    blocks: dict[int, list[Report]] = {}
    for i, r in enumerate(reports):
        blocks.setdefault(find(i), []).append(r)
    return [g for block in blocks.values() for g in group_reports(block)]
