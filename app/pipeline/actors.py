"""Actor mentions: gazetteer names (Aho-Corasick), demonyms, metonyms, descriptions, pronouns."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import ahocorasick

from app.lexicon import Actor, Lexicon, load_lexicon
from app.pipeline import openworld

TITLE_WORDS = re.compile(
    r"^(?:'s|\u2019s|,)?(?:\s+(?:President|Prime|Minister|Foreign|Defen[cs]e|Secretary|of|State|Vice|"
    r"counterpart|leader|Chancellor|envoy|special|Special|Envoy|spokes(?:man|woman|person)|official|"
    r"ambassador|Ambassador|chief|Chief|deputy|Deputy|aide|adviser|National|Security|Adviser|Crown|Prince|"
    r"Premier|King|Queen|Sheikh|Emir|Supreme|Leader|former|Former|top|diplomat|minister|president|"
    r"prime|foreign|defence|defense|general|General|negotiator|representative|press|Press|"
    r"the|head|Head|Commission|Council|Kremlin|White|House|staff|army|Army|military|armed|forces|intelligence|"
    r"opposition|rebel|militia|navy|air|force|Gen\.|Lt\.|Col\.|Maj\.|Adm\.|Brig\.|Sen\.|Rep\.|Gov\.|Dr\.|"
    r"interim|Interim|acting|Acting|outgoing|incoming|caretaker|transitional))*,?\s+$")
PRONOUN = re.compile(r"\b(?:he|she|He|She)\b")


@dataclass(frozen=True)
class Mention:
    """An actor named in the text, with how it was named."""

    start: int
    end: int
    slug: str
    form: str  # name, alias, demonym, metonym, description, pronoun, titled, organisation, later
    kind: str = field(default="", compare=False)  # person, state, organisation ('' for a pronoun)

    def __lt__(self, other: "Mention") -> bool:
        return (self.start, self.end) < (other.start, other.end)


@lru_cache(maxsize=1)
def _automaton() -> ahocorasick.Automaton:
    lex = load_lexicon()
    auto = ahocorasick.Automaton()
    surfaces: dict[str, tuple[str, str]] = {}
    for actor in lex.actors.values():
        forms = [(actor.name, "name")] + [(a, "alias") for a in actor.aliases]
        forms += [(d, "demonym") for d in actor.demonyms] + [(m, "metonym") for m in actor.metonyms]
        for surface, form in forms:
            surfaces.setdefault(surface, (actor.slug, form))
            if surface.startswith("the "):
                surfaces.setdefault("The " + surface[4:], (actor.slug, form))
    for surface, slug in lex.literal_descriptions:
        surfaces.setdefault(surface, (slug, "description"))
        if surface.startswith("the "):
            surfaces.setdefault("The " + surface[4:], (slug, "description"))
    for surface, (slug, form) in surfaces.items():
        auto.add_word(surface, (len(surface), slug, form))
    auto.make_automaton()
    return auto


def _is_word_boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "-") and not (after.isalnum() or after == "-" and text[end:end + 2] != "--")


def gazetteer_mentions(text: str, lex: Lexicon | None = None) -> list[Mention]:
    """Leftmost-longest gazetteer and description matches, whole words only."""
    lex = lex or load_lexicon()
    found = []
    for end_idx, (length, slug, form) in _automaton().iter(text):
        start, end = end_idx - length + 1, end_idx + 1
        if _is_word_boundary(text, start, end):
            found.append(Mention(start, end, slug, form))
    for pattern, slug in lex.regex_descriptions:
        found += [Mention(m.start(), m.end(), slug, "description") for m in pattern.finditer(text)]
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    chosen: list[Mention] = []
    for m in found:
        if chosen and m.start < chosen[-1].end:
            continue
        chosen.append(m)
    return chosen


def absorb_modifiers(text: str, mentions: list[Mention], actors: dict[str, Actor]) -> list[Mention]:
    """'US President Donald Trump', 'Japanese Foreign Minister Takeshi Iwaya': the state only modifies
    the person (and, for a discovered person, gives their state)."""
    out = []
    for i, m in enumerate(mentions):
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        if (m.form != "pronoun" and actors[m.slug].kind != "person" and nxt and nxt.form != "pronoun"
                and actors[nxt.slug].kind == "person" and TITLE_WORDS.match(text[m.end:nxt.start])):
            person = actors[nxt.slug]
            if person.discovered and not person.affiliation and actors[m.slug].kind == "state":
                actors[nxt.slug] = replace(person, affiliation=m.slug)
            continue
        out.append(m)
    return out


@dataclass
class ArticleActors:
    """The actors an article names: gazetteer entries and those discovered in it."""

    mentions: list[Mention]
    actors: dict[str, Actor] = field(default_factory=dict)

    def get(self, slug: str) -> Actor:
        return self.actors.get(slug) or load_lexicon().actors[slug]


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


class Spans:
    """Character spans, asked whether a span overlaps any of them in O(log n) (a long name-dense text
    holds thousands of mentions; a scan per question made reading it quadratic)."""

    def __init__(self, spans=()):
        self.starts: list[int] = []
        self.ends: list[int] = []
        for s, e in sorted(spans):
            self.add(s, e)

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect.bisect_left(self.starts, e)  # the spans starting before e; disjoint, so the last ends last
        return i > 0 and self.ends[i - 1] > s

    def add(self, s: int, e: int) -> None:
        i = bisect.bisect_left(self.starts, e)
        j = i
        while j > 0 and self.ends[j - 1] > s:  # merge the spans it overlaps: overlap with the union is the same
            j -= 1
        if j < i:
            s, e = min(s, self.starts[j]), max(e, max(self.ends[j:i]))
        self.starts[j:i] = [s]
        self.ends[j:i] = [e]


# Producers of actors the gazetteer does not hold, swappable: each gives Found spans over a text.
OPEN_WORLD = (("titled", openworld.titled_people), ("organisation", openworld.organisations),
              ("company", openworld.described_companies), ("possessed", openworld.possessed_people))


def _discovered(seg: str, gaz: list[Mention], lex: Lexicon) -> tuple[list[Mention], dict[str, Actor]]:
    """Open-world mentions that no gazetteer mention covers, and the actors they name."""
    taken = Spans((m.start, m.end) for m in gaz if lex.actors[m.slug].kind == "person")
    registry: dict[str, Actor] = {}
    found = sorted((f for _, produce in OPEN_WORLD for f in produce(seg)), key=lambda f: (-len(f.actor.name.split()), f.start))
    mentions: list[Mention] = []
    for f in found:
        if taken.overlaps(f.start, f.end):
            continue
        taken.add(f.start, f.end)
        actor = _known_as(f.actor, registry, lex)
        if actor.discovered and f.state_hint:
            state = next((m.slug for m in gazetteer_mentions(f.state_hint, lex) if lex.actors[m.slug].kind == "state"), None)
            actor = replace(actor, affiliation=actor.affiliation or state)
        registry[actor.slug] = actor if actor.discovered else registry.get(actor.slug, actor)
        mentions.append(Mention(f.start, f.end, actor.slug, "titled" if actor.kind == "person" else "organisation"))
    spans = Spans((m.start, m.end) for m in mentions + gaz)
    for f in openworld.later_mentions(seg, [a for a in registry.values() if a.discovered]):
        before = seg[max(0, f.start - len(f.actor.name) - 8):f.start]
        introduced = before.rstrip(" (").endswith(f.actor.name)  # 'the X Brigades (XB)'
        if not introduced and not spans.overlaps(f.start, f.end):
            mentions.append(Mention(f.start, f.end, f.actor.slug, "later"))
            spans.add(f.start, f.end)
    return mentions, registry


def _known_as(actor: Actor, registry: dict[str, Actor], lex: Lexicon) -> Actor:
    """A one-word name ('Prime Minister Albanese') is the person already named in full; a known
    alias is the gazetteer's actor."""
    for other in registry.values():
        if actor.name in other.aliases or actor.slug == other.slug:
            return other
    known = next((m.slug for m in gazetteer_mentions(actor.name, lex) if m.end - m.start == len(actor.name)), None)
    return lex.actors[known] if known else actor


def find_actors(text: str, start: int = 0, end: int | None = None) -> ArticleActors:
    """Actor mentions in text[start:end] (gazetteer, titled people, bodies by form, later mentions),
    modifiers absorbed, plus he/she pronouns; and the discovered actors they name."""
    lex = load_lexicon()
    seg = text[start:end]
    gaz = gazetteer_mentions(seg)
    extra, registry = _discovered(seg, gaz, lex)
    gaz_spans = Spans((m.start, m.end) for m in extra)
    merged = sorted([m for m in gaz if not gaz_spans.overlaps(m.start, m.end)] + extra)
    actors = {**{m.slug: lex.actors[m.slug] for m in gaz}, **registry}
    mentions = absorb_modifiers(seg, merged, actors)
    taken = Spans((m.start, m.end) for m in mentions)
    pronouns = [Mention(p.start(), p.end(), "", "pronoun") for p in PRONOUN.finditer(seg)
                if not taken.overlaps(p.start(), p.start() + 1)]
    shifted = sorted(Mention(m.start + start, m.end + start, m.slug, m.form, actors[m.slug].kind if m.slug else "")
                     for m in mentions + pronouns)
    return ArticleActors(shifted, {s: a for s, a in actors.items() if a.discovered})


def find_mentions(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Actor mentions in text[start:end]; see find_actors."""
    return find_actors(text, start, end).mentions
