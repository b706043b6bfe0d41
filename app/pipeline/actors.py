"""Actor mentions: gazetteer names (Aho-Corasick), demonyms, metonyms, descriptions, pronouns."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from app.lexicon import Lexicon, load_lexicon

TITLE_WORDS = re.compile(
    r"^(?:'s|\u2019s|,)?(?:\s+(?:President|Prime|Minister|Foreign|Defen[cs]e|Secretary|of|State|Vice|"
    r"counterpart|leader|Chancellor|envoy|special|Special|Envoy|spokes(?:man|woman|person)|official|"
    r"ambassador|Ambassador|chief|Chief|deputy|Deputy|aide|adviser|National|Security|Adviser|Crown|Prince|"
    r"Premier|King|Queen|Sheikh|Emir|Supreme|Leader|former|Former|top|diplomat|minister|president|"
    r"prime|foreign|defence|defense|general|General|negotiator|representative|press|Press|"
    r"the|head|Head|Commission|Council|Kremlin|White|House|staff))*\s+$")
PRONOUN = re.compile(r"\b(?:he|she|He|She)\b")


@dataclass(frozen=True)
class Mention:
    """An actor named in the text, with how it was named."""

    start: int
    end: int
    slug: str
    form: str  # name, alias, demonym, metonym, description, pronoun

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


def absorb_modifiers(text: str, mentions: list[Mention], lex: Lexicon | None = None) -> list[Mention]:
    """'US President Donald Trump', 'Ukraine's Foreign Minister Sybiga': the state only modifies the person."""
    lex = lex or load_lexicon()
    out = []
    for i, m in enumerate(mentions):
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        if (lex.actors[m.slug].kind != "person" and nxt and lex.actors[nxt.slug].kind == "person"
                and TITLE_WORDS.match(text[m.end:nxt.start])):
            continue
        out.append(m)
    return out


def find_mentions(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Actor mentions in text[start:end] with modifiers absorbed, plus he/she pronouns."""
    seg = text[start:end]
    mentions = absorb_modifiers(seg, gazetteer_mentions(seg))
    taken = [(m.start, m.end) for m in mentions]
    pronouns = [Mention(p.start(), p.end(), "", "pronoun") for p in PRONOUN.finditer(seg)
                if not any(s <= p.start() < e for s, e in taken)]
    return sorted(Mention(m.start + start, m.end + start, m.slug, m.form) for m in mentions + pronouns)
