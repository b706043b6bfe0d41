"""Paragraphs and sentences with character offsets into the article text."""
from __future__ import annotations

import re
from dataclasses import dataclass

ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "gen", "lt", "col", "sgt", "capt", "sen", "rep", "gov", "prof",
    "no", "vs", "etc", "inc", "ltd", "co", "corp", "jr", "sr", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.n", "u.k", "e.u", "a.m", "p.m",
    "e.g", "i.e", "approx", "est", "dept", "gov't", "adm", "maj", "pres",
}
_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])")
_PARA = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Sentence:
    """A sentence: its span in the article text and the paragraph it belongs to."""

    start: int
    end: int
    text: str
    paragraph: int


_LAST_WORD = re.compile(r"[\w.']+$")
_INITIALS = re.compile(r"[a-z]|(?:[a-z]\.)+[a-z]")


def _is_abbreviation(text: str, dot: int) -> bool:
    word = _LAST_WORD.search(text, max(0, dot - 40), dot)  # the word before the dot, read in a window
    if not word:
        return False
    w = word.group().lower()
    return w in ABBREVIATIONS or bool(_INITIALS.fullmatch(w))


def split_sentences(text: str, start: int = 0) -> list[Sentence]:
    """Sentences of text[start:], each a verbatim slice text[s.start:s.end]."""
    out: list[Sentence] = []
    for p, para in enumerate(_PARA.finditer(text, start)):
        s = para.start()
        for m in _END.finditer(text, para.start(), para.end()):
            if text[m.start()] == "." and _is_abbreviation(text, m.start()):
                continue
            out.append(_sentence(text, s, m.end(), p))
            s = m.end()
        if s < para.end():
            out.append(_sentence(text, s, para.end(), p))
    return [x for x in out if x.text]


def _sentence(text: str, s: int, e: int, paragraph: int) -> Sentence:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return Sentence(s, e, text[s:e], paragraph)
