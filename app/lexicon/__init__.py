"""Lexicons are data (TOML/TSV beside this file), checked when loaded."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

HERE = Path(__file__).parent


class LexiconError(ValueError):
    """A lexicon file is malformed; the message names the file and the entry."""


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


@dataclass(frozen=True)
class Actor:
    slug: str
    name: str
    kind: str  # person, state, organisation
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    metonyms: tuple[str, ...] = ()
    affiliation: str | None = None
    role: str = ""
    descriptions: tuple[str, ...] = ()
    discovered: bool = False  # found in the text by its title or form, not in the gazetteer

    @property
    def short(self) -> str:
        """The name a headline uses: a person's surname, else the canonical name."""
        if self.kind == "person" and self.aliases:
            return self.aliases[0]
        return self.name


@dataclass(frozen=True)
class EventType:
    slug: str
    label: str
    plover: str
    cameo: str
    title: str


@dataclass(frozen=True)
class Trigger:
    id: str
    type: str
    pattern: re.Pattern
    needs_counterpart: bool = False
    reporting: bool = False
    participle: bool = False
    anaphoric: bool = False
    keywords: tuple[str, ...] = ()

    def may_match(self, lowered: str) -> bool:
        return not self.keywords or any(k in lowered for k in self.keywords)


@dataclass(frozen=True, eq=False)
class Lexicon:
    actors: dict[str, Actor]
    types: dict[str, EventType]
    triggers: tuple[Trigger, ...]
    topics: dict[str, re.Pattern]
    descriptions: tuple[tuple[re.Pattern, str], ...] = field(default=())

    @cached_property
    def trigger_keywords(self):
        """An automaton from each trigger keyword to the triggers it admits (one pass per sentence)."""
        import ahocorasick

        owners: dict[str, set[int]] = {}
        for i, t in enumerate(self.triggers):
            for k in t.keywords:
                owners.setdefault(k, set()).add(i)
        auto = ahocorasick.Automaton()
        for k, ids in owners.items():
            auto.add_word(k, frozenset(ids))
        auto.make_automaton()
        return auto

    def possible_triggers(self, lowered: str) -> list[Trigger]:
        """The triggers whose keywords occur in a lowercased sentence (and those without keywords)."""
        ids: set[int] = {i for i, t in enumerate(self.triggers) if not t.keywords}
        for _, found in self.trigger_keywords.iter(lowered):
            ids |= found
        return [self.triggers[i] for i in sorted(ids)]

    @cached_property
    def topic_prefixes(self):
        """An automaton from the literal start of each topic alternative to its topic; None for topics
        with an alternative that has no literal start (those are always searched)."""
        import ahocorasick

        auto, always = ahocorasick.Automaton(), set()
        owners: dict[str, set[str]] = {}
        for name, pattern in self.topics.items():
            prefixes = leading_literals(pattern.pattern[len(r"\b(?:"):-1])
            if prefixes is None:
                always.add(name)
                continue
            for p in prefixes:
                owners.setdefault(p.lower(), set()).add(name)
        for p, names in owners.items():
            auto.add_word(p, frozenset(names))
        auto.make_automaton()
        return auto, frozenset(always)

    def possible_topics(self, lowered: str) -> set[str]:
        auto, always = self.topic_prefixes
        found = set(always)
        for _, names in auto.iter(lowered):
            found |= names
        return found

    @cached_property
    def literal_descriptions(self) -> tuple[tuple[str, str], ...]:
        """Descriptions that are plain text, matched with the gazetteer's automaton."""
        return tuple((p.pattern[len(r"\b(?:"):-1], slug) for p, slug in self.descriptions if _literal(p))

    @cached_property
    def regex_descriptions(self) -> tuple[tuple[re.Pattern, str], ...]:
        return tuple((p, slug) for p, slug in self.descriptions if not _literal(p))


def leading_literals(pattern: str) -> tuple[str, ...] | None:
    """The literal text each top-level alternative starts with, or None if one starts with regex syntax."""
    parts, depth, cur = [], 0, ""
    for i, ch in enumerate(pattern):
        if ch == "(" and (i == 0 or pattern[i - 1] != "\\"):
            depth += 1
        elif ch == ")" and pattern[i - 1] != "\\":
            depth -= 1
        if ch == "|" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    out = []
    for part in parts:
        lit = re.match(r"[A-Za-z ]*", part).group()
        nxt = part[len(lit):len(lit) + 1]
        if nxt in ("?", "*", "{") and lit:
            lit = lit[:-1]
        if not lit.strip():
            return None
        out.append(lit)
    return tuple(out)


def _literal(p: re.Pattern) -> bool:
    return not re.search(r"[\\()\[\]?*+|^$.{}]", p.pattern[len(r"\b(?:"):-1])


def _compile(pattern: str, where: str, flags: int = re.I, tail: str = "") -> re.Pattern:
    try:
        return re.compile(rf"\b(?:{pattern}){tail}", flags)
    except re.error as exc:
        raise LexiconError(f"{where}: bad pattern {pattern!r}: {exc}") from exc


def _states(path: Path) -> list[Actor]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = (line.split("\t") + ["", "", ""])[:4]
        if not cols[0]:
            raise LexiconError(f"{path.name}:{n}: a state needs a name")
        split = lambda s: tuple(x for x in s.split("|") if x)  # noqa: E731
        out.append(Actor(slugify(cols[0]), cols[0], "state", split(cols[1]), split(cols[2]), split(cols[3])))
    return out


def _people_and_bodies() -> list[Actor]:
    people = tomllib.loads((HERE / "people.toml").read_text(encoding="utf-8"))["person"]
    bodies = tomllib.loads((HERE / "organisations.toml").read_text(encoding="utf-8"))["organisation"]
    out = []
    for entry in people:
        out.append(Actor(entry["slug"], entry["name"], "person", tuple(entry.get("aliases", ())),
                         affiliation=entry.get("state") or entry.get("organisation"),
                         role=entry.get("role", ""), descriptions=tuple(entry.get("descriptions", ()))))
    for entry in bodies:
        out.append(Actor(entry["slug"], entry["name"], "organisation", tuple(entry.get("aliases", ()))))
    return out


def _validate_actors(actors: list[Actor]) -> dict[str, Actor]:
    by_slug: dict[str, Actor] = {}
    for actor in actors:
        if actor.slug in by_slug:
            raise LexiconError(f"duplicate actor slug {actor.slug!r}")
        if actor.slug != slugify(actor.slug):
            raise LexiconError(f"actor slug {actor.slug!r} is not a slug")
        by_slug[actor.slug] = actor
    for actor in actors:
        if actor.affiliation and actor.affiliation not in by_slug:
            raise LexiconError(f"{actor.slug}: unknown state or organisation {actor.affiliation!r}")
    return by_slug


def _triggers(types: dict[str, EventType]) -> tuple[Trigger, ...]:
    data = tomllib.loads((HERE / "triggers.toml").read_text(encoding="utf-8"))
    seen, out = set(), []
    for t in data["trigger"]:
        if t["type"] not in types:
            raise LexiconError(f"triggers.toml: {t['id']}: unknown type {t['type']!r}")
        if t["id"] in seen:
            raise LexiconError(f"triggers.toml: duplicate id {t['id']!r}")
        seen.add(t["id"])
        out.append(Trigger(t["id"], t["type"], _compile(t["pattern"], f"triggers.toml {t['id']}", tail=r"(?:\b|(?<=\W))"),
                           t.get("needs_counterpart", False), t.get("reporting", False),
                           t.get("participle", False), t.get("anaphoric", False), tuple(t.get("keywords", ()))))
    return tuple(out)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Read and check every lexicon file once per process."""
    actors = _validate_actors(_states(HERE / "states.tsv") + _people_and_bodies())
    raw_types = tomllib.loads((HERE / "triggers.toml").read_text(encoding="utf-8"))["types"]
    types = {slug: EventType(slug, t["label"], t["plover"], t["cameo"], t["title"]) for slug, t in raw_types.items()}
    topics_raw = tomllib.loads((HERE / "topics.toml").read_text(encoding="utf-8"))["topics"]
    topics = {name: _compile(p, f"topics.toml {name}") for name, p in topics_raw.items()}
    descriptions = tuple(
        (_compile(d, f"people.toml {a.slug}", 0), a.slug) for a in actors.values() for d in a.descriptions
    )
    return Lexicon(actors, types, _triggers(types), topics, descriptions)
