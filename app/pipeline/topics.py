"""Topic tags for a piece of text, from the topic lexicon."""
from __future__ import annotations

from app.lexicon import Lexicon, load_lexicon


def topics_in(text: str, lex: Lexicon | None = None) -> tuple[str, ...]:
    """Every topic whose words occur in text, in lexicon order."""
    lex = lex or load_lexicon()
    maybe = lex.possible_topics(text.lower())
    return tuple(name for name, pattern in lex.topics.items() if name in maybe and pattern.search(text))
