"""Dated events from an article: trigger words, the dates and actors of their clauses.

Matching is kept apart from deciding. `trigger_matches` finds trigger words, `find_timexes`
dates and `find_mentions` actors; `extract_events` decides, clause by clause, which trigger
is an event, when it happened and who took part, then folds mentions of the same act into
one event. Every decision is a named rule recorded on the event.
"""
from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from typing import Iterator

from app.lexicon import Lexicon, Trigger, load_lexicon
from app.pipeline.actors import Mention, find_actors
from app.pipeline.dates import iso_week, precision
from app.pipeline.merge import Report, is_same_act
from app.pipeline.openworld import TITLES
from app.pipeline.text import Sentence, split_sentences
from app.pipeline.timex import Timex, find_timexes
from app.pipeline.topics import topics_in

LEADING = re.compile(r"^(?:As|When|While|After|Before|Although|Though|Since|Once|Because|If|Despite|Following|At|In|On|During)\b[^,]{0,80},")
CLAUSE_BREAK = re.compile(
    r",\s+(?=(?:with|saying|adding|as(?!\s+well\s+as)|which|while|but|after|before|when|who|where|amid|prompting|"
    r"leading|a|an|in which|during which|at which|after which)\b)|"
    # ', and Putin responded': a new subject and its verb begin a clause (a list 'A, B, and C met' does not)
    r",\s+and\s+(?=(?:[A-Z][\w'\u2019.-]*\s+){1,3}(?:\w+ed|said|met|spoke|told|held|took|made|gave|went|came|sent|"
    r"hit|won|began|struck|flew)\b)|\s+--?\s+|\s+\u2014\s+|;\s+|:\s+(?!with\b)|(?<!\bwell)\s(?=(?:when|while|after|before|as(?!\s+well\s+as))\s)")
IRREALIS = re.compile(
    r"\b(?:will|would|could|should|might|may|must|can|shall|going to|plans? to|planning to|ready to|"
    r"wants? to|intends? to|hopes? to|expected to|set to|due to|seeks? to|aims? to|looking forward to|"
    r"looks? forward to|if|whether)\s+(?:\w+\s+){0,4}$", re.I)
# nouns only: 'any talks', 'a possible meeting', 'the next round of talks' ('next steps and agreed' is a past act)
IRREALIS_NOUN = re.compile(r"\b(?:any|possible|potential|future|proposed|planned|next|upcoming|"
                           # 'begun arranging a meeting between': an encounter being prepared is not held
                           r"arrang(?:e|es|ed|ing)|organi[sz](?:e|es|ed|ing)|prepar(?:e|es|ed|ing)(?:\s+for)?|set(?:ting)?\s+up)\s+(?:\w+\s+){0,2}$", re.I)
# 'announced it will fund a $500 million package': the announcement is the pledge
PLEDGED = re.compile(r"\b(?:announced|pledged|promised|committed|confirmed|vowed|agreed)\b", re.I)
MODAL = re.compile(r"\b(?:will|would|should|could|might|must|shall)\b|\bto\s+(?:meet|visit|travel|hold|host|attend|sign)\b", re.I)
# 'a pause in attacks', 'an end to strikes', 'no talks': the act named is not happening
HALTED = re.compile(r"(?i)\b(?:(?:pause|halt|moratorium|ban|freeze|cessation|suspension)\s+(?:in|to|on|of|for)|end\s+to|stop\s+to|"
                    r"no|without|postponed|postponing|cancell?ed|cancell?ing|called\s+off|calling\s+off|blocked|blocking|vetoed|"
                    # 'rejected talks with Washington', 'called for new sanctions': the act is only asked for or refused
                    r"reject(?:ed|ing|s)|rul(?:ed|ing|es)\s+out|refus(?:ed|ing|es)|call(?:ed|ing|s)\s+for|offer(?:ed|ing|s)|"
                    r"sought|seek(?:ing|s)|demand(?:ed|ing|s)|push(?:ed|ing|es)\s+for|press(?:ed|ing|es)\s+for|oppos(?:ed|ing|es))"
                    r"\s+(?:a\s+|an\s+)?(?:all\s+|any\s+|further\s+|new\s+|fresh\s+)?(?:[\w-]+\s+)?$")
INFINITIVE_VERB = re.compile(r"\bto\s+(?:\w+\s+)?$")  # 'to meet'; not the name 'To Lam'
INFINITIVE_NOUN = re.compile(r"\bto\s+\w+\s+(?:\w+\s+)?$")
CONSEQUENCE = re.compile(r"\b(?:led to|leading to|prompting|prompted|resulting in|resulted in|triggering|"
                         r"which saw|followed by)\b", re.I)
LATER = re.compile(r"^\s*(?:later|afterwards|after that|on)\b", re.I)
GENERIC = re.compile(r"\b(?:repeatedly|often|regularly|routinely|always|never|frequently|for (?:more than |over |nearly |almost )?(?:\w+ )?(?:years|decades|months))\b", re.I)
AUXILIARY = re.compile(r"\b(?:is|are|was|were|been)\s+(?:\w+ly\s+|still\s+)?$", re.I)
DEFINITE = re.compile(r"\b(?:the|this|that|these|those|their|his|her|its)\s+(?:\w+\s+){0,2}$", re.I)
PRESENT_PERFECT = re.compile(r"\b(?:has|have)\s+(?:\w+ly\s+|also\s+|already\s+)?$", re.I)
QUOTE = re.compile(r'"[^"]*"|\u201c[^\u201d]*\u201d')
END_PUNCT = re.compile(r"[.!?\"'\u201d]$")
POSSESSIVE = re.compile(r"['\u2019]s\s")
NOUN_OWNER = re.compile(r"(?:[-\u2013][A-Z][\w-]*)?(?:\s+(?!(?:and|or|but|that|which|of|on|in|at|to|the|a|an|held|had|has|have|"
                        r"was|were|is|are|made|began|said|will|would|met|for|with|from|by|after|before|during|over|into)\b)(?![a-z]+ed\b)[a-z][\w-]*){0,2}\s+")  # 'the G20 Summit', 'Russian invasion'
POSSESSIVE_AGENT = re.compile(r"['\u2019]s(?:\s+[\w-]+){0,3}\s+")
# 'Russia's Foreign Ministry said', 'Israel's military struck': the institution acts for its owner
INSTITUTION = re.compile(r"(?i)['\u2019]s\s+(?:\w+\s+){0,2}(?:ministry|government|military|army|forces|navy|air force|"
                         r"cabinet|presidency|foreign office|embassy|mission|delegation|spokes(?:man|woman|person)|"
                         r"department|office|parliament|leadership|troops|authorities|coast guard|police)\b")
# 'the Czech foreign minister said', 'Israeli officials said': a demonym that heads an unnamed speaker
DEMONYM_HEAD = re.compile(r"\s+(?:[a-z-]+\s+){0,2}(?:minister|ministry|government|military|army|officials?|"
                          r"spokes(?:man|woman|person)|president|prime minister|leader|envoy|ambassador|diplomats?|"
                          r"forces|troops|navy|air force|authorities|delegation|negotiators?|sources?|coast guard|police|"
                          r"foreign office|cabinet|parliament|embassy|presidency)\b")
NAME_AFTER = re.compile(r"(?:\s+[A-Z][\w.'\u2019-]*){1,4}")  # the name after a description ('spokesman Dmitry Peskov')
SPEAKS = re.compile(r"[\s,]*(?:(?:has|had|also|then|later)\s+)*(?:said|says|told|added|wrote|stated)\b")
BETWEEN = re.compile(r"\s*between\b")
PASSIVE_END = re.compile(r"\b(?:was|were|has been|have been|had been)\s+$")
PASSIVE = re.compile(r"\b(?:was|were|have been|had been|has been)\s")
AGENT = re.compile(r"\bby\s+(?:the\s+)?(?:(?:[A-Z][\w.-]*|[a-z]+)\s+){0,3}$")  # 'by President Emmanuel Macron'
PARTICIPLE_LEAD = re.compile(r"(?:(?:After|Before|While|When|Upon|Since)\s+(?:\w+ing\s+)?|"
                             r"(?:Speaking|Addressing|Appearing|Writing)\s+(?:\w+\s+){0,3}(?:after|before|during|at)\s+(?:the\s+|a\s+|his\s+|her\s+)?)")
IN_ENCOUNTER = re.compile(r"(?:(?!that\b)[\w.'\u2019-]+\s+){0,4}(?:in|during)\s+(?:(?:a|an|the|their|his|her)\s+(?:[\w-]+\s+){0,3})?")  # 'told Xi in a phone '
# 'In a phone conversation on Monday, X and Y discussed': the encounter opens the sentence; the main
# clause's subjects take part in it
FRONTED = re.compile(r"(?:In|During)\s+(?:(?:a|an|the|their)\s+(?:[\w-]+\s+){0,3})?")
TITLE_GAP = re.compile(r"\s+(?:the\s+)?(?:(?:[A-Z][\w.'\u2019-]*|of|the|for|and|de|foreign|prime|minister|president|spokes(?:man|woman|person))\s+){1,9}")
INVERTED_END = re.compile(r"\s*(?:[,.;:]|$|(?:on|in|at|late|early|earlier|later|yesterday|today|told)\b)")
COORDINATED_VERB = re.compile(r"\b(?:and|but)\s+(?:also\s+)?$")
DETERMINER = re.compile(r"(?i)th|his|her")
BOUND = re.compile(r"\b(?:since|until|till|by)\s+(?:the\s+)?$", re.I)
LOCATIVE = re.compile(r"\b(?:in|at|near|outside|across|inside|from|into|of)\s+(?:the\s+)?(?:[A-Z][\w-]*,?\s+){0,2}$")
REPORTED = re.compile(r"\b(?:said|says|told(?: \w+)?|announced|added|stated|warned|confirmed|wrote|insisted|according to \w+(?: \w+)?,? which said)"
                      r"(?:\s+(?:on|late|early|last)?\s*\w+day)?\s+(?:that\s+)?", re.I)
UNNAMED_NP = re.compile(r"(?<![\w'\u2019])(?:the|a|an)\s+(?:[a-z][\w-]*\s+){0,2}[a-z][\w-]*\s+$")  # 'the envoy '
PAST_PERFECT = re.compile(r"\bhad\s+(?:\w+ly\s+|also\s+|already\s+|just\s+)?$")
PAST_VERB = re.compile(r"(?i)(?:\w+ed|spoke|met|held|struck|shot|sent|won|began|took|fought|flew|hit)\b")
SINCE = re.compile(r"\bsince\s+(?:[\w'\u2019-]+\s+){0,4}$")  # 'since Trump returned': a bound, no act
HE = re.compile(r"(?:he|she|they)\b")
ITS = re.compile(r"(?:it|its|the\s+(?:group|movement|militia|organi[sz]ation))\b")  # a reported clause about the speaker itself
APPOSITIVE = re.compile(r",\s+(?:who|which|speaking|writing|addressing|asked|standing|flanked|visiting|appearing)\b[^,]*,")
COORD = re.compile(r",?\s+and\s+(?:[A-Za-z.'\u2019-]+\s+){0,4}(?:counterparts?,\s+)?")  # 'and his Japanese counterpart, '

ANCHORED = re.compile(r"\b(?:later|afterwards?|then|subsequently)\b|\b(?:before|after|during|following|at)\s+(?:and\s+after\s+)?"
                      r"(?:(?:the|that|this|their|his|her)\s+(?:\w+\s+)?|(?:more\s+than\s+|nearly\s+|about\s+|almost\s+|some\s+)?"
                      r"(?:\w+\s+)?(?:hours|days|rounds)\s+of\s+(?:\w+\s+)?)(?P<noun>call|conversation|meeting|talks|negotiations|summit|visit|trip|election|vote|referendum)\b", re.I)
SUBJECT_GAP = re.compile(r"[\s,]*(?:(?:has|have|had|also|then|later|again|reportedly|publicly|already|on \w+)\s+)*", re.I)


ROLE_ORDER = {"initiator": 0, "counterpart": 1, "mentioned": 2}
MAX_TRIGGERS = 24  # per sentence
MAX_MENTIONS = 64  # actor and time mentions per sentence


@dataclass(frozen=True)
class Role:
    slug: str
    role: str  # initiator, counterpart, mentioned
    name: str = field(default="", compare=False)  # canonical name (gazetteer or as discovered)
    kind: str = field(default="", compare=False)  # person, state, organisation
    discovered: bool = field(default=False, compare=False)
    state: str = field(default="", compare=False)  # whom the actor speaks for, when known
    aliases: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class EventCandidate:
    """One event as one article states it, with its evidence and the rules that made it."""

    type: str
    date: str
    date_start: dt.date
    date_end: dt.date
    precision: str
    approximate: bool
    actors: tuple[Role, ...]
    topics: tuple[str, ...]
    evidence: str
    start: int
    end: int
    rules: tuple[str, ...]
    title: str = ""
    sentence_index: int = 0

    @property
    def core_actors(self) -> set[str]:
        return {a.slug for a in self.actors if a.role != "mentioned"}

    @property
    def initiator(self) -> str | None:
        return next((a.slug for a in self.actors if a.role == "initiator"), None)


@dataclass
class _Hit:
    trigger: Trigger
    start: int
    end: int
    clause: int
    date: "_Date | None" = None
    pos: int = 10**9
    roles: list[Role] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Date:
    value: str
    start: dt.date
    end: dt.date
    approximate: bool = False
    precision: str = ""


# ---------------------------------------------------------------- matching
def trigger_matches(sentence: Sentence, lex: Lexicon) -> Iterator[tuple[Trigger, int, int]]:
    """Trigger words of a sentence, longest first where two overlap."""
    found = []
    for trig in lex.possible_triggers(sentence.text.lower()):
        for m in trig.pattern.finditer(sentence.text):
            found.append((trig, sentence.start + m.start(), sentence.start + m.end()))
    found.sort(key=lambda f: (f[1], -(f[2] - f[1])))
    end = -1
    for f in found:
        if f[1] >= end:
            end = f[2]
            yield f


def clause_spans(sentence: Sentence) -> list[tuple[int, int]]:
    lead = LEADING.match(sentence.text)
    cuts = [sentence.start] + ([sentence.start + lead.end()] if lead else [])
    cuts += [sentence.start + m.start() for m in CLAUSE_BREAK.finditer(sentence.text)] + [sentence.end]
    cuts = sorted(set(cuts))
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def quote_spans(text: str, sentence: Sentence) -> list[tuple[int, int]]:
    spans = [(sentence.start + m.start(), sentence.start + m.end()) for m in QUOTE.finditer(sentence.text)]
    if sentence.text.count('"') % 2 == 1 and not spans:
        first = sentence.text.index('"')
        spans.append((sentence.start + first, sentence.end))
    return spans


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _clause_of(pos: int, clauses: list[tuple[int, int]]) -> int:
    return next((i for i, (a, b) in enumerate(clauses) if a <= pos < b), len(clauses) - 1)


CLOCK_ONLY = re.compile(r"(?i)[\d:.\s]*(?:[ap]\.?m\.?|o'clock|noon|midnight|hours?)?(?:\s+[A-Z]{2,5}| [A-Z][a-z]+(?: [A-Z][a-z]+)? time)?")


def _date_of(t: Timex, text: str = "") -> _Date | None:
    iv = t.interval
    if not iv or t.type not in ("DATE", "TIME"):
        return None
    value = t.value.split("T")[0] if t.type == "TIME" else t.value
    # a clock time alone ('at 6:02 p.m. EDT') names no day: it takes the day the narrative is on
    clock = t.type == "TIME" and bool(text) and bool(CLOCK_ONLY.fullmatch(text[t.start:t.end]))
    return _Date(value, iv[0], iv[1], approximate=clock, precision="clock" if clock else precision(value))


def covering_value(start: dt.date, end: dt.date) -> str:
    """The narrowest TIMEX3 value whose interval holds [start, end]."""
    if start == end:
        return start.isoformat()
    if iso_week(start) == iso_week(end):
        return iso_week(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%Y-%m}"
    if start.year == end.year and (start.month - 1) // 3 == (end.month - 1) // 3:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if start.year == end.year:
        return str(start.year)
    return f"{start.year // 10}" if start.year // 10 == end.year // 10 else f"{start.year // 100}"


# ---------------------------------------------------------------- deciding
class _Article:
    """The state one article's extraction carries from sentence to sentence."""

    def __init__(self, text: str, dct: dt.date, start: int, lex: Lexicon):
        self.text, self.dct, self.lex = text, dct, lex
        self.sentences = split_sentences(text, start)
        self.timexes = find_timexes(text, dct, start)
        self.found = find_actors(text, start)
        self.mentions = self.found.mentions
        self.timexes.sort(key=lambda t: t.start)
        self._starts = {id(xs): [x.start for x in xs] for xs in (self.timexes, self.mentions)}
        self.last_subject: str | None = None
        self.subject: Mention | None = None  # the person the current sentence starts with
        self.subjects: list[str] = []  # the people sentences have started with, in order, for 'the President'
        self.anaphors: list[Mention] = []  # this sentence's titles that stand for a person named before
        self.unnamed_titles: set[str] = set()  # titles first used bare with no holder: an unnamed person throughout
        self.unnamed_subject = False  # the current sentence starts with a title and no name
        self.sentence_start = 0
        self.last_event_date: _Date | None = None
        self.paragraph_date: tuple[int, _Date] | None = None  # (paragraph, the date its narrative is on)
        self.last_core: tuple[Role, ...] = ()  # the participants of the last encounter, for 'the two leaders'
        self.last_core_date: _Date | None = None
        self.last_by_type: dict[str, _Date] = {}  # the date of the last event of each type
        self.dateline: _Date | None = None  # 'Brussels, 26 June 2023': the day a release narrates
        self.trigger_starts: list[int] = []  # where the current sentence's act words start
        self.dropped: list[tuple[str, int, str]] = []  # (rule id, offset, why): triggers that made no event

    def drop(self, rule: str, at: int, why: str) -> None:
        self.dropped.append((rule, at, why))

    def _in(self, items: list, s: Sentence) -> list:
        """The items (sorted by start) that start inside sentence s."""
        starts = self._starts[id(items)]
        return items[bisect_left(starts, s.start):bisect_left(starts, s.end)]

    def kind(self, slug: str) -> str:
        return self.found.get(slug).kind

    def role(self, slug: str, role: str) -> Role:
        a = self.found.get(slug)
        return Role(slug, role, a.name, a.kind, a.discovered, a.affiliation or "", a.aliases)

    def resolve(self, m: Mention, before: list[Mention]) -> str | None:
        """A name is itself; 'he'/'she' is the sentence's subject when it comes first, else the last
        sentence's subject ('The Prime Minister ... He said': an unnamed subject resolves to nobody)."""
        if m.form != "pronoun":
            return m.slug
        subject = self.subject
        if subject is not None and subject.start < m.start:
            return subject.slug if subject.form != "pronoun" else self.last_subject
        if self.unnamed_subject and self.sentence_start <= m.start:
            return None
        people = [x.slug for x in before if x.form != "pronoun" and self.kind(x.slug) == "person"]
        return people[-1] if people and self.subject is None and not self.unnamed_subject else self.last_subject

    def sentence_mentions(self, s: Sentence) -> list[Mention]:
        """The actors named in a sentence, with the titles that stand for a person named before."""
        named = self._in(self.mentions, s)
        return sorted(named + self.anaphors) if self.anaphors else named

    def holder(self, title: str) -> str | None:
        """'the President': the last person a sentence started with whose role is that title."""
        for slug in reversed(self.subjects):
            role = re.split(r" of |,| for ", self.found.get(slug).role.lower())[0].strip()
            if role == title or (role.endswith(" " + title) and not NOT_HOLDER.search(role)):
                return slug
        return None

    def begin(self, s: Sentence) -> None:
        """Find the sentence's subject: a person named at its start, a title that stands for a person
        named before ('On October 22, the President held'), or an unnamed title ('The Prime Minister')."""
        self.sentence_start = s.start
        named = self._in(self.mentions, s)
        self.anaphors = []
        for m in TITLE_ANAPHOR.finditer(s.text):
            start, end = s.start + m.start(), s.start + m.end()
            title = " ".join(m["title"].lower().split())
            if title in self.unnamed_titles or any(x.start < end and start < x.end for x in named):
                continue
            # 'The Prime Minister spoke to Prime Minister Carney ... the Prime Minister said': a title
            # first met with no holder is the readout's own unnamed principal, never a later-named one
            slug = self.holder(title)
            if slug:
                self.anaphors.append(Mention(start, end, slug, "title", "person"))
            else:
                self.unnamed_titles.add(title)
        first = next((m for m in self.sentence_mentions(s)), None)
        lead = s.text[:first.start - s.start] if first else s.text
        people = first is not None and (first.form == "pronoun" or self.kind(first.slug) == "person")
        # 'The Foreign Minister of Ukraine, Dmytro Kuleba, said': the name follows its title
        apposed = people and len(lead.split()) <= 6 and lead.rstrip().endswith(",")
        opening = LEAD_CLAUSE.match(s.text)  # 'Looking ahead, the Prime Minister said'
        unnamed = UNNAMED_SUBJECT.match(s.text) or (opening and UNNAMED_SUBJECT.match(s.text, opening.end()))
        self.unnamed_subject = bool(unnamed) and not apposed and (first is None or len(lead.split()) > 1)
        self.subject = first if people and not self.unnamed_subject and (len(lead.split()) <= 3 or apposed) else None

    def end(self, s: Sentence) -> None:
        """The subject a following 'he' or 'she' refers to."""
        if self.subject is not None:
            self.last_subject = self.resolve(self.subject, []) if self.subject.form == "pronoun" else self.subject.slug
            if self.last_subject and self.kind(self.last_subject) == "person":
                self.subjects.append(self.last_subject)
        elif self.unnamed_subject:
            self.last_subject = None


CAPTION = re.compile(r"^\(?(?:FILE PHOTO|PHOTO|Photo|Reporting by|Writing by|Editing by|Additional reporting)\b|"
                     r"\bREUTERS/|\(AP Photo|\bAP Photo/|/File Photo\b|\bGetty Images\b|\(Photo by\b|\bPhotograph:")


CAPTION_WORDS = ("PHOTO", "Photo", "REUTERS/", "Getty", "Reporting by", "Writing by", "Editing by", "reporting by",
                 "Photograph")  # one of which every caption or credit holds: most texts skip the search


def _heading(s: Sentence) -> bool:
    return not END_PUNCT.search(s.text) and len(s.text.split()) < 8


def _is_future(text: str, clause_start: int, trig_start: int, noun: bool) -> bool:
    """Planned, possible or wished-for acts ('will meet', 'ready to discuss', 'plans to hold talks')."""
    before = text[max(clause_start, trig_start - 60):trig_start]
    infinitive = INFINITIVE_NOUN if noun else INFINITIVE_VERB
    if noun and (IRREALIS_NOUN.search(before) or MODAL.search(text, clause_start, trig_start)):
        return True  # 'would begin with a ceasefire, followed by negotiations'
    if CAUSED_TO.search(before):  # 'led Washington to restart aid': a consequence that happened
        return bool(IRREALIS.search(before[:CAUSED_TO.search(before).start()]))
    return bool(IRREALIS.search(before) or infinitive.search(before))


THAT = re.compile(r"\bthat\b")
VERB_START = re.compile(r"(?i)(?:\w+ed|imposing|placing|renewing|adding|banning|barring|slapped)\b")
CAUSED_TO = re.compile(r"\b(?:led|prompted|forced|pushed|allowed|enabled|caused|persuaded|convinced|voted)\s+(?:[\w.'\u2019-]+\s+){0,3}to\s+(?:\w+\s+)?$", re.I)
# 'A on Saturday and held B': the gap between two acts of one subject (no comma, no reported clause)
COORDINATED_ACT = re.compile(r"(?:(?!\bthat\b)[^,;])*?\band\s+(?:then\s+|also\s+|later\s+)?(?:[a-z]+ed\s+|held\s+|had\s+|met\s+|made\s+)?(?:(?:a|an|the)\s+)?(?:[\w-]+\s+)?", re.S)
TOLD_IN = re.compile(r"\s+" + IN_ENCOUNTER.pattern)  # from the reporting verb's end: ' Xi in a phone '
TOPIC_NOUN = re.compile(r"(?i)\b(?:over|about|regarding|concerning)\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+)?(?:[\w-]+\s+){0,2}$")
SAID_IN = re.compile(r"\bin\s+(?:a|an|his|her|its|their)\s+(?:[\w-]+\s+){0,2}(?:statement|post|message|briefing|interview|"
                     r"speech|address|letter|tweet|readout|communiqu[eé])\b")
# verbs of a reaction to a named act ('hailed the prisoner swap'), for its date and for the act's
REACTING = r"(?:welcomed|welcomes|hailed|hails|condemned|condemns|praised|praises|critici[sz]ed|denounced|denounces|" \
           r"rejected|dismissed|applauded|deplored|lamented)"
REACTED_TO = re.compile(rf"(?i)\b{REACTING}\s+(?:the|this|that|these|those|their|its|his|her|\w+['\u2019]s)\s+(?:[\w-]+\s+){{0,2}}$")
PURPOSE = re.compile(r"\bfor\s+(?:a\s+|an\s+|the\s+)?(?:[\w-]+\s+)?$")  # 'for talks', 'for a state visit'
LEAD_IN = re.compile(r"\s*(?:(?:And|But|So|Then|Also)\s+)?")


def _distance(text: str, h: "_Hit", start: int, end: int) -> int:
    """Characters between a trigger and a date, plus a penalty for each comma between them and for a
    'that' opening a reported clause ('told reporters on Friday that talks were going well')."""
    a, b = (h.end, start) if h.end <= start else (end, h.start)
    gap = max(0, b - a)
    between = text[min(a, b):max(a, b)]
    return gap + 100 * between.count(",") + 100 * len(THAT.findall(between))


def _assign_dates(text: str, hits: list[_Hit], dates: list[tuple[int, int, _Date]], clauses, busy: set[int]) -> None:
    """Each date belongs to the nearest trigger of its clause; the rest borrow across clauses
    (a reporting verb not from a later clause that has an event word of its own)."""
    for pos, end, d in dates:
        ci = _clause_of(pos, clauses)
        # 'Last week, the department welcomed ...': a date opening its clause dates the clause's first act
        opening = LEAD_IN.fullmatch(text, clauses[ci][0], pos) and text.startswith(",", end)
        # 'agreed that the Chancellor should visit Beijing next year': the date is the future act's
        same = [h for h in hits if h.clause == ci and not (h.end <= pos and MODAL.search(text, h.end, pos))]
        # 'welcomed the talks in a statement on Wednesday': the act reacted to is named, the reaction dated
        same = [h for h in same if not (h.end <= pos and SAID_IN.search(text, h.end, pos)
                                        and REACTED_TO.search(text, max(0, h.start - 40), h.start))] or same
        # 'met Xi at the G20 Summit today': the act takes the date; the occasion shares it below
        acts = [h for h in same if not SETTING.search(text, max(0, h.start - 30), h.start)]
        same = acts or same
        if same and opening:
            h = min((h for h in same if h.start > pos), key=lambda h: h.start, default=None) or same[0]
            if h.date is None or h.pos > 0:
                h.date, h.pos = d, 0
                h.rules.append("date.clause")
        elif same:
            h = min(same, key=lambda h: _distance(text, h, pos, end))
            if h.date is None or _distance(text, h, pos, end) < h.pos:
                h.date, h.pos = d, _distance(text, h, pos, end)
                h.rules.append("date.clause")
    for h in hits:
        # 'travelled to Paris on Wednesday for talks': the purpose took the nearer date; the trip shares it
        purpose = next((g for g in hits if g.clause == h.clause and g.date is not None and g.trigger.anaphoric
                        and PURPOSE.search(text, max(0, g.start - 25), g.start)), None)
        if h.date is None and purpose is not None and not h.trigger.anaphoric:
            h.date = purpose.date
            h.rules.append("date.clause")
        # 'told Xi in a phone call on Monday': what is said in a call is said on its day
        call = next((g for g in hits if h.trigger.reporting and g.clause == h.clause and g.date is not None
                     and g.trigger.type in ENCOUNTERS and g.start > h.end
                     and TOLD_IN.fullmatch(text, h.end, g.start)), None)
        # 'Speaking after talks with Modi on Monday, Albanese said': the remark is on the talks' day
        call = call or next((g for g in hits if h.trigger.reporting and g.date is not None and g.start < h.start
                             and g.trigger.type in ENCOUNTERS
                             and PARTICIPLE_LEAD.fullmatch(text, clauses[0][0], g.start)), None)
        if h.date is None and call is not None:
            h.date = call.date
            h.rules.append("date.tied")
        # 'made a stopover in Tehran on Saturday and held talks': two coordinated acts share their date
        pair = next((g for g in hits if g is not h and g.clause == h.clause and g.date is not None
                     and not h.trigger.reporting and (not g.trigger.reporting or g.start > h.start)
                     and COORDINATED_ACT.fullmatch(text, min(g.end, h.end), max(g.start, h.start))), None)
        if h.date is None and pair is not None:
            h.date = pair.date
            h.rules.append("date.coordinated")
        if h.date is None and SETTING.search(text, max(0, h.start - 30), h.start):
            # 'met Xi at the G20 Summit in Brazil today': the occasion shares its clause's date
            mine = [d for pos, _, d in dates if _clause_of(pos, clauses) == h.clause]
            if mine:
                h.date = mine[0]
                h.rules.append("date.setting")
        if h.date is None:
            others = [(pos, end, d) for pos, end, d in dates if _clause_of(pos, clauses) != h.clause
                      and not (h.trigger.reporting and _clause_of(pos, clauses) in busy
                               and _clause_of(pos, clauses) > h.clause)]
            if others:
                h.date = min(others, key=lambda x: abs(x[0] - h.start))[2]
                h.rules.append("date.sentence")


def _modifier(text: str, m: Mention) -> bool:
    """'Russia's energy sites', 'in Riyadh', 'the Saudi capital': a mention that is not a participant.
    A person is never a place ('Prime Minister of India Narendra Modi')."""
    after = text[m.end:m.end + 3]
    if POSSESSIVE.match(after) and m.form != "pronoun":
        return not INSTITUTION.match(text, m.end)
    if m.kind == "person" or not LOCATIVE.search(text[max(0, m.start - 16):m.start]) \
            or TARGET_AT.search(text, max(0, m.start - 30), m.start):
        return False
    return not REPRESENTED.search(text, max(0, m.start - 48), m.start)  # 'the leaders of Turkey, Norway and'


# 'the President of the European Council', 'the leaders of Turkey, Norway': who stands for the body or state
REPRESENTED = re.compile(r"(?i:president|prime minister|leaders?|heads?|governments?|king|emir|chancellor|ministers?|"
                         r"delegations?|representatives?|envoys?|secretary|secretary-general)\s+of\s+(?:the\s+)?"
                         r"(?:[A-Z][\w-]*,?\s+){0,3}$")


def _speaker_of_other(text: str, m: Mention) -> bool:
    """'South Korea's military said', 'Kremlin spokesman Dmitry Peskov told': the speaker of another clause."""
    end = _owner_end(text, m)
    if m.form == "description" and (name := NAME_AFTER.match(text, end)):
        end = name.end()
    return bool(SPEAKS.match(text, end, m.end + 60))


def _subject(text: str, cands: list[Mention]) -> list[Mention]:
    """The clause's subject among mentions before the trigger: the first that is no modifier."""
    plain = [m for m in cands if not _modifier(text, m)]
    if plain and plain[0].kind != "person":  # "Sudan's military chief Gen. Abdel Fattah al-Burhan met": the person
        nxt = next((m for m in cands if m.start >= plain[0].end), None)
        if nxt is not None and nxt.kind == "person" and (OWNED_TITLE.fullmatch(text, plain[0].end, nxt.start)
                                                        or (plain[0].form == "demonym" and DEMONYM_TITLE.fullmatch(text, plain[0].end, nxt.start))):
            return [nxt]  # also 'Georgian Dream founder Bidzina Ivanishvili met'
    return plain[:1] or cands[-1:]


def _owner_end(text: str, m: Mention) -> int:
    """Where a speaker's name ends: after its institution ('Russia's Foreign Ministry said')."""
    inst = INSTITUTION.match(text, m.end) or (DEMONYM_HEAD.match(text, m.end) if m.form == "demonym" else None)
    return inst.end() if inst else m.end


def _speaker(text: str, hit: _Hit, outside: list[Mention], before: list[Mention], after: list[Mention],
             lo: int = 0, unnamed: bool = False) -> list[Mention]:
    """Who said it: 'Trump said', 'said Trump', 'Medinsky, who led the team, said'; else nobody."""
    if PASSIVE_END.search(text, max(lo, hit.start - 14), hit.start):  # 'the meeting was confirmed by the Kremlin'
        by = [m for m in after if AGENT.search(text, max(hit.end, m.start - 40), m.start) and m.form != "pronoun"]
        if by:
            return by[:1]
    flat = APPOSITIVE.sub(lambda m: " " * len(m.group()), text[lo:hit.start])  # the sentence up to the verb
    near = [m for m in outside if lo <= m.start and m.end <= hit.start and flat[m.start - lo] != " "
            and SUBJECT_GAP.fullmatch(flat[_owner_end(text, m) - lo:])]
    # 'said Trump', never 'said he was' (the reported clause's subject)
    # '"...," said Foreign Minister Takeshi Iwaya': the title between the verb and the name
    post = [m for m in after if (not text[hit.end:m.start].strip() or (m.kind == "person" and TITLE_GAP.fullmatch(text, hit.end, m.start)))
            and INVERTED_END.match(text, m.end) and m.form != "pronoun"]
    plain = [m for m in near if not _modifier(text, m)]
    if near and not plain:  # 'Houthi forces in Yemen claimed': not the place, the clause's subject
        return _subject(text, [m for m in outside if lo <= m.start < near[-1].start]) or near[-1:]
    if near or post:
        return plain[-1:] or post[:1]
    earlier = [m for m in outside if m.start < hit.start]
    coordinated = COORDINATED_VERB.search(text, max(0, hit.start - 6), hit.start)
    if not (hit.trigger.participle or coordinated) or not earlier:
        return []
    # 'X met Y and said', 'X ..., saying': the sentence's subject speaks (nobody, if it is unnamed)
    return [] if unnamed else _subject(text, earlier)


# 'talks on Ukraine', 'discussed the situation in Gaza': what an encounter is about, not who takes part
TOPIC_OF = re.compile(r"\b(?:on|about|over|regarding|concerning|(?:situation|developments|war|conflict|crisis) in)\s+(?:the\s+)?$")
DEMONYM_TITLE = re.compile(r"\s+(?:(?:[A-Z][\w-]*|founder|co-founder|leader|chief|head|official|aide|commander|chairman|"
                           r"spokes(?:man|woman|person)|opposition|party|former|ex-|interim|acting)\s+){1,4}")
OWNED_TITLE = re.compile(r"['\u2019]s\s+(?:[\w.-]+\s+){0,4}")  # "Sudan's military chief Gen. "
FORCES = re.compile(r"['\u2019]s\s+(?:forces|troops|army|military|soldiers|navy|air force|warplanes|drones|missiles)\b")
TARGET_AT = re.compile(r"\b(?:missiles?|rockets?|drones?|shells?|projectiles?|fire)\s+at\s+(?:the\s+)?$")  # 'fired a missile at Israel'
THEIR = re.compile(r"(?i)their\s")
JOINED = re.compile(r"\s+(?:also\s+)?joined\s+(?:[A-Z][\w.-]*\s+){0,3}")  # 'Rubio joined President Trump in welcoming'
LIST_COMMA = re.compile(r",\s+")


def _coordinated(text: str, pool: list[Mention]) -> list[bool]:
    """Whether each mention is coordinated with the next: 'A and B', and 'A, B, C and D' (commas only in
    a list that 'and' closes, so 'In Moscow, Putin' is no pair)."""
    gaps = [text[a.end:b.start] for a, b in zip(pool, pool[1:])]
    joined = [bool(COORD.fullmatch(g) or JOINED.fullmatch(g)) for g in gaps]
    for k in range(len(gaps) - 1, -1, -1):
        if not joined[k] and LIST_COMMA.fullmatch(gaps[k]) and k + 1 < len(gaps) and joined[k + 1]:
            joined[k] = True
    return joined


def _roles(art: _Article, hit: _Hit, ms: list[Mention], clauses, quotes, sentence_start: int) -> list[Role]:
    """Initiator, counterparts and mentioned actors of one trigger."""
    text = art.text
    cs, ce = clauses[hit.clause]
    outside = [m for m in ms if not _inside(m.start, quotes)]
    before = [m for m in outside if cs <= m.start < hit.start]
    after = [m for m in outside if hit.end <= m.start < ce]
    earlier: list[Mention] = []
    # "Modi's first visit to": the owner named inside the trigger, or just before the event noun
    verb_led = bool(VERB_START.match(text, hit.start))  # 'adopted the EU's sanctions': the owner inside is no agent
    agent = [m for m in outside if hit.start <= m.start < hit.end and POSSESSIVE.match(text, m.end) and not verb_led] or \
            [m for m in before if POSSESSIVE_AGENT.fullmatch(text, m.end, hit.start)
             or (hit.trigger.anaphoric and not _verbal(text, hit.start) and NOUN_OWNER.fullmatch(text, m.end, hit.start))]
    subjectless = False
    if hit.trigger.type == "statement":
        pick = _speaker(text, hit, outside, before, after, sentence_start, art.unnamed_subject)
    elif agent:  # 'Moscow's full-scale invasion', 'Orban's visit to', 'Trump's call with Putin'
        pick, before = agent[-1:], []
    elif text.endswith(" by", hit.start, hit.end) and hit.trigger.type == "aid_pledge":
        # 'the £3 billion a year confirmed by the Prime Minister': the agent pledges, else the sentence's subject
        by = [m for m in after if AGENT.search(text, max(0, m.start - 40), m.start)][:1]
        pick = by or _subject(text, [m for m in outside if sentence_start <= m.start < hit.start])
        after = [m for m in outside if sentence_start <= m.start < ce and m not in pick and not _modifier(text, m)]
        before = []
    elif PASSIVE.search(text, hit.start, hit.end + 12) and (agent := [m for m in after if AGENT.search(text, max(0, m.start - 40), m.start)]):
        pick = agent[:1]
        after = [m for m in after if m is not agent[0]] + [m for m in before if not _modifier(text, m)]
        before = []
    elif BETWEEN.match(text, hit.end):
        pick = earlier = [m for m in after if not _modifier(text, m)][:1]
        before = []
    else:
        reported = list(REPORTED.finditer(text[:hit.start], sentence_start))
        complement = [m.end() for m in reported]
        if complement and IN_ENCOUNTER.fullmatch(text, complement[-1], hit.start):
            # 'Putin told Xi in a phone call': the call is where it was said, no reported clause; who was told takes part
            told = [m for m in outside if reported[-1].start() <= m.start < hit.start]
            reach = THAT.search(text, hit.end, ce)
            after = told + [m for m in after if not reach or m.start < reach.start()]
            complement = []
        if complement:
            before = [m for m in before if m.start >= complement[-1]]
        earlier = [m for m in outside if (complement[-1] if complement else 0) <= m.start < hit.start]
        # 'after the envoy visited Moscow': a subject of its own, unnamed; nobody earlier stands in
        # 'as fighting raged': an event noun with nothing before it in its clause is its own subject
        own = not before and (UNNAMED_NP.search(text, max(cs, hit.start - 40), hit.start)
                              or (hit.trigger.anaphoric and not _verbal(text, hit.start) and hit.clause > 0
                                  and not text[cs:hit.start].strip(" ,;:-\u2014as")))
        itself = bool(complement) and bool(ITS.match(text, complement[-1]))
        pick = [] if itself else _subject(text, before) or ([] if own else _subject(text, earlier))
        if pick and pick[0].form == "pronoun" and not art.resolve(pick[0], [x for x in outside if x.start < pick[0].start]):
            pick = []  # 'he' of an unnamed subject
        if not pick and THEIR.match(text, hit.start):
            # 'Putin told Trump in their call': 'their' is who the sentence names before it
            named = [m for m in outside if sentence_start <= m.start < hit.start and not _modifier(text, m)]
            if len(named) >= 2:
                pick, after = named[:1], named[1:] + after
        # 'the Czech foreign minister said he had summoned': 'he' is the unnamed speaker
        if not pick and complement and (hit.trigger.type == "aid_pledge" or itself or HE.match(text, complement[-1])):
            # 'the Netherlands announced it will fund a package', 'Moscow said its forces had captured',
            # 'the military said it had killed a Hamas commander': who announces, acts; the others are its
            # counterparts
            pick = _subject(text, [m for m in outside if sentence_start <= m.start < complement[-1]])
            if itself:
                after = [m for m in before if not _modifier(text, m)] + after
                before = []
        # 'The Prime Minister spoke to X', 'the President held meetings with X': the subject is not
        # named, so whoever follows is a counterpart, never the initiator
        lead = not pick and PARTICIPLE_LEAD.fullmatch(text, sentence_start, hit.start)
        comma = text.find(",", hit.end, ce) if lead else -1
        if lead and comma < 0 and hit.clause + 1 < len(clauses):  # 'After meeting X on Monday,' is a clause of its own
            comma = clauses[hit.clause + 1][0]
        if comma > 0:
            # 'After meeting Erdogan on Tuesday, Zelensky flew to Riyadh': the main clause's subject meets
            ne = next((b for a, b in clauses if a <= comma + 2 < b), ce)
            main = [m for m in outside if comma < m.start < ne and not _modifier(text, m)]
            pick = _subject(text, main)[:1]
            after = [m for m in after if m.start < comma]
            if pick:
                hit.rules.append("role.participle")
        subjectless = not pick
        pick = pick or [m for m in after if not _modifier(text, m) and not _speaker_of_other(text, m)][:1]
        if not pick and hit.trigger.anaphoric and hit.trigger.type in ENCOUNTERS and hit.clause + 1 < len(clauses) \
                and FRONTED.fullmatch(text, sentence_start, hit.start):
            ns, ne = clauses[hit.clause + 1]  # 'In a phone call on Monday, X and Y discussed': the main clause's subjects
            after = [m for m in outside if ns <= m.start < ne]
            pick, subjectless = [m for m in after if not _modifier(text, m)][:1], False
            hit.rules.append("role.fronted")
    chain = list(pick)
    pool = before if pick and pick[0] in before else after if pick and pick[0] in after else \
        earlier if hit.trigger.type != "statement" and pick and pick[0] in earlier else []
    if pick and pool:
        linked = _coordinated(text, pool)
        i = j = pool.index(pick[0])
        while j + 1 < len(pool) and linked[j]:
            chain.append(pool[j + 1])
            j += 1
        while i > 0 and linked[i - 1]:
            chain.insert(0, pool[i - 1])
            i -= 1
    if hit.trigger.type in ENCOUNTERS:  # 'called Putin and begun arranging a meeting between X and Y': X and Y are the meeting's
        bound = next((a for a in art.trigger_starts if a > hit.end), None)
        if bound is not None:
            after = [m for m in after if m.start < bound]
    if hit.trigger.type in ("sanction", "other") and verb_led:  # 'placed 11 U.S. defense firms on its list': the targets inside
        after = [m for m in outside if hit.start < m.start < hit.end and not POSSESSIVE.match(text, m.end)] + after
    talk = hit.trigger.type in ("statement", "speech")
    adjacent = lambda m: not text[hit.end:m.start].strip(" the")  # noqa: E731  'invasion of Ukraine'
    abroad = hit.trigger.id == "visit.attended"  # 'attended a parade in Pyongyang': the place is the host
    counter = [m for m in after if (not talk or not text[hit.end:m.start].strip())
               and (adjacent(m) or not _modifier(text, m) or (abroad and m.kind == "state")) and not _speaker_of_other(text, m)
               and not (hit.trigger.type in ENCOUNTERS and TOPIC_OF.search(text, max(0, m.start - 40), m.start))]
    roles: list[Role] = []
    for m in chain + [m for m in counter if m not in chain]:
        slug = art.resolve(m, [x for x in outside if x.start < m.start])
        if slug and FORCES.match(text, m.end) and art.kind(slug) == "person":  # "Putin's forces seized": Russia
            slug = art.found.get(slug).affiliation or slug
        if not slug or slug in {r.slug for r in roles}:
            continue
        if roles and art.found.get(roles[0].slug).affiliation == slug and (hit.trigger.type != "visit" or hit.trigger.id == "visit.attended"):
            continue
        roles.append(art.role(slug, "counterpart" if roles or subjectless else "initiator"))
    if subjectless and art.last_core and _collective_subject(text, cs, hit.start):
        # 'the two leaders agreed', 'both sides', 'They discussed': the participants of the last event
        roles = list(art.last_core) + [replace(r, role="counterpart") for r in roles
                                       if r.slug not in {x.slug for x in art.last_core}]
        hit.rules.append("role.collective")
    for m in ms:
        slug = m.slug if m.form != "pronoun" else None
        if slug and slug not in {r.slug for r in roles}:
            roles.append(art.role(slug, "mentioned"))
    return roles


def _hits(art: _Article, s: Sentence, clauses, quotes) -> list[_Hit]:
    hits = []
    matches = list(trigger_matches(s, art.lex))
    art.trigger_starts = [a for trig, a, _ in matches if not trig.reporting]
    for trig, a, b in matches:
        if _inside(a, quotes):
            art.drop(trig.id, a, "quoted")
            continue
        ci = _clause_of(a, clauses)
        pledged = trig.type == "aid_pledge" and PLEDGED.search(art.text, clauses[ci][0], a)
        if (_is_future(art.text, clauses[ci][0], a, trig.anaphoric) and not pledged) or HALTED.search(art.text, max(0, a - 40), a):
            art.drop(trig.id, a, "future or halted")
            continue
        if trig.type == "military_action" and trig.anaphoric and not _verbal(art.text, a) \
                and TOPIC_NOUN.search(art.text, max(0, a - 40), a):
            art.drop(trig.id, a, "what it is about")  # 'tensions over attacks on shipping': no act told
            continue
        hits.append(_Hit(trig, a, b, ci, rules=[trig.id]))
        if len(hits) == MAX_TRIGGERS:
            break
    return hits


def _undated(art: _Article, h: _Hit, clauses) -> _Date | None:
    """Publication, approximately, for what reports or describes the present ('said', 'is holding',
    'has imposed'); nothing for generic sentences ('for more than three years')."""
    cs, ce = clauses[h.clause]
    clause = art.text[cs:ce]
    before = art.text[max(cs, h.start - 60):h.start]
    if GENERIC.search(clause):
        return None
    progressive = AUXILIARY.search(before) and art.text[h.start:h.end].endswith("ing")
    perfect = PRESENT_PERFECT.search(before) and h.trigger.type != "statement"
    if h.trigger.reporting or progressive or perfect:
        return _Date(art.dct.isoformat(), art.dct, art.dct, approximate=True, precision="day")
    return None


# ---------------------------------------------------------------- dating rules for a trigger with no date of its own
@dataclass
class _Dating:
    """What the dating rules of one trigger see."""

    art: _Article
    s: Sentence
    h: _Hit
    cs: int  # start of the trigger's clause
    clauses: list
    ms: list[Mention]
    later: "_Date | None"  # 'almost an hour later' in this sentence
    attribution: "_Date | None"  # the date of this sentence's statement


def _relative(c: _Dating) -> _Date | None:
    return c.later


# 'The call came a day after X met Y': X met Y a day before the call
OFFSET_AFTER = re.compile(r"\b(?:[Tt]he|[Tt]his|[Tt]hat|[Tt]heir|[Hh]is|[Hh]er)\s+(?:[\w-]+\s+){0,2}?(?P<noun>call|conversation|meeting|talks|"
                          r"negotiations|summit|visit|trip)\s+(?:came|comes|was held|took place|followed|happened)\s+"
                          r"(?P<n>a|an|one|two|three|four|five|six|seven|\d+|hours|just hours|only hours)\s*(?P<unit>days?|weeks?)?\s+"
                          r"(?P<dir>after|before)\s+(?:[\w'\u2019-]+\s+){0,6}$")
COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def _offset_from(c: _Dating) -> _Date | None:
    """'The call came a day after Ukrainian and Russian delegations met': the act is dated from the
    encounter the sentence's subject names, by the offset the text gives."""
    m = OFFSET_AFTER.search(c.art.text, c.s.start, c.h.start)
    anchor = c.art.last_by_type.get(ANCHOR_TYPES[m["noun"].lower()]) if m else None
    if anchor is None or anchor.precision != "day":
        return None
    n = m["n"].lower()
    days = 0 if n.endswith("hours") or not m["unit"] else (COUNTS.get(n) or int(n)) * (7 if m["unit"].startswith("week") else 1)
    d = anchor.start - dt.timedelta(days=days) if m["dir"] == "after" else anchor.start + dt.timedelta(days=days)
    return _Date(d.isoformat(), d, d, precision="day")


# 'hailed the prisoner swap', 'condemned the strikes': a reaction that names the act it answers
REACTION = re.compile(rf"(?i){REACTING}\s+"
                      r"(?:the|this|that|these|those|their|its|his|her)\s+(?:[\w-]+\s+){0,2}?(?P<noun>prisoner (?:swap|exchange)|"
                      r"swap|exchange|deal|agreement|accord|ceasefire|truce|talks|meeting|summit|call|visit|strikes?|attacks?|"
                      r"sanctions|election|vote|referendum)\b")
REACTION_TYPES = {"prisoner swap": "other", "prisoner exchange": "other", "swap": "other", "exchange": "other",
                  "deal": "agreement", "agreement": "agreement", "accord": "agreement", "ceasefire": "agreement",
                  "truce": "agreement", "strike": "military_action", "strikes": "military_action",
                  "attack": "military_action", "attacks": "military_action", "sanctions": "sanction"}


def _reaction(c: _Dating) -> _Date | None:
    """'Both the U.S. and Russia hailed the prisoner swap': from the act it names to publication."""
    m = REACTION.match(c.art.text, c.h.start) if c.h.trigger.type == "statement" else None
    noun = " ".join(m["noun"].lower().split()) if m else ""
    act = c.art.last_by_type.get(REACTION_TYPES.get(noun) or ANCHOR_TYPES.get(noun, "")) if m else None
    if act is None or act.start > c.art.dct:
        return None
    return _Date(covering_value(act.start, c.art.dct), act.start, c.art.dct, precision="day" if act.start == c.art.dct else "interval")


SINCE_DATE = re.compile(r"\b[Ss]ince\s+(?:the\s+)?$")
HAVE_DONE = re.compile(r"\b(?:has|have)\s+(?:\w+ly\s+|also\s+|already\s+|now\s+)?(?:been\s+)?$", re.I)


def _since(c: _Dating) -> _Date | None:
    """'Since November 19, the Houthis have launched more than two dozen attacks': an act that has gone on
    since a date runs from it to publication."""
    text = c.art.text
    if c.h.trigger.type == "statement" or not HAVE_DONE.search(text, max(c.cs, c.h.start - 24), c.h.start):
        return None
    for t in c.art._in(c.art.timexes, c.s):
        if t.start < c.h.start and SINCE_DATE.search(text, max(0, t.start - 12), t.start) and (d := _date_of(t, text)):
            if d.start <= c.art.dct:
                return _Date(covering_value(d.start, c.art.dct), d.start, c.art.dct, precision="interval")
    return None


def _anchored(c: _Dating) -> _Date | None:
    """'after the call', 'during the visit': the last such event's date (else the last dated event's)."""
    if not c.art.last_event_date:
        return None
    anchor = ANCHORED.search(_unquoted(c.art.text[c.cs:c.h.start] + " " + c.s.text))
    if not anchor:
        return None
    named = c.art.last_by_type.get(ANCHOR_TYPES.get((anchor["noun"] or "").lower(), ""))
    return replace(named or c.art.last_event_date, approximate=False)


def _paragraph(c: _Dating) -> _Date | None:
    """An act in a paragraph whose narrative is on a day ('On October 23, ... Putin held ...')."""
    verbal = _verbal(c.art.text, c.h.start)
    if c.h.trigger.type == "statement" or not (verbal or not c.h.trigger.anaphoric):
        return None
    pd = c.art.paragraph_date
    return pd[1] if pd and pd[0] == c.s.paragraph else None


def _narrative(c: _Dating) -> _Date | None:
    """Current news (its narrative on a day in the week before publication): an act told in a later
    paragraph goes on on the narrative's day ('Iwaya hosted them on Saturday. ¶ Iwaya held separate talks
    with Wang'), approximately."""
    pd = c.art.paragraph_date
    if c.h.trigger.type == "statement" or not pd or not _verbal(c.art.text, c.h.start):
        return None
    d = pd[1]
    return replace(d, approximate=True) if d.start == d.end and 0 <= (c.art.dct - d.start).days <= 7 else None


def _collective(c: _Dating) -> _Date | None:
    """'the two leaders agreed': during their encounter."""
    if not (c.art.last_core_date and _collective_subject(c.art.text, c.cs, c.h.start)):
        return None
    # 'Trump wrote that the two men had agreed': who reports it is not a participant
    lo = max([c.cs] + [m.end() for m in REPORTED.finditer(c.art.text, c.cs, c.h.start)])
    return None if any(lo <= m.start < c.h.start for m in c.ms) else c.art.last_core_date


def _from_dateline(c: _Dating) -> _Date | None:
    return c.art.dateline if not c.h.trigger.anaphoric or _verbal(c.art.text, c.h.start) else None


def _pledge(c: _Dating) -> _Date | None:
    """'announced today they would fund a $500 million package': the pledge is made when announced."""
    if c.h.trigger.type != "aid_pledge" or not PLEDGED.search(c.art.text, c.cs, c.h.start):
        return None
    return c.attribution if c.attribution and not c.attribution.approximate else None


def _attribution(c: _Dating) -> _Date | None:
    """An act reported in a dated statement's sentence ('Russian forces captured the village, the
    ministry said on Sunday'): about that date."""
    if c.h.trigger.type == "statement" or not c.attribution or c.attribution.approximate:
        return None
    if not (_undated(c.art, c.h, c.clauses) or _past_act(c)):
        return None
    return replace(c.attribution, approximate=True)


def _past_act(c: _Dating) -> bool:
    """A verb that tells an act ('captured', 'held talks'), not a noun that may refer back, in a clause
    that is no generality."""
    if c.h.trigger.anaphoric and not _verbal(c.art.text, c.h.start):
        return False
    cs, ce = c.clauses[c.h.clause]
    return not GENERIC.search(c.art.text, cs, ce)


def _reported_week(c: _Dating) -> _Date | None:
    """A past act in what an undated statement reports ('Zelensky said he had spoken with Trump'):
    current news, so the week of publication."""
    if c.h.trigger.type == "statement" or not c.attribution or not c.attribution.approximate:
        return None
    text = c.art.text
    if not (_past_act(c) and REPORTED.search(text, c.cs, c.h.start)) or SINCE.search(text, max(c.cs, c.h.start - 60), c.h.start):
        return None
    if not (PAST_PERFECT.search(text, max(c.cs, c.h.start - 20), c.h.start) or PAST_VERB.match(text, c.h.start)):
        return None  # 'said any settlement required a halt to aid': what is reported is no act
    monday = c.art.dct - dt.timedelta(days=c.art.dct.weekday())
    return _Date(iso_week(monday), monday, monday + dt.timedelta(days=6), approximate=True, precision="week")


def _told_in_encounter(c: _Dating) -> _Date | None:
    """'Li held a video call with von der Leyen on Tuesday. ... Li told von der Leyen that': what one
    participant tells another, with no time of its own, was said in their encounter."""
    if c.h.trigger.type != "statement" or not c.art.last_core or c.art.last_core_date is None:
        return None
    core = {r.slug for r in c.art.last_core}
    reach = THAT.search(c.art.text, c.h.end, c.s.end)
    end = reach.start() if reach else c.h.end + 40
    named = {m.slug for m in c.ms if m.form != "pronoun" and c.cs <= m.start < end}
    return c.art.last_core_date if len(named) >= 2 and named <= core else None


def _publication(c: _Dating) -> _Date | None:
    return _undated(c.art, c.h, c.clauses)


# Tried in order until one dates the trigger; each records its id on the event.
EARLY_DATING = (("date.pledge", _pledge), ("date.relative", _relative), ("date.offset", _offset_from), ("date.reaction", _reaction), ("date.since", _since), ("date.anchor", _anchored), ("date.paragraph", _paragraph))
LATE_DATING = (("date.collective", _collective), ("date.dateline", _from_dateline), ("date.attribution", _attribution),
               ("date.reported_week", _reported_week), ("date.narrative", _narrative), ("date.told", _told_in_encounter),
               ("date.publication", _publication))


def _date_by(rules, c: _Dating) -> None:
    for rule_id, rule in rules:
        if c.h.date is not None:
            return
        if (d := rule(c)) is not None:
            c.h.date = d
            c.h.rules.append(rule_id)


def _consequence(art: _Article, h: _Hit, clauses, dates: list[tuple[int, int, _Date]]) -> None:
    """'..., which led to X': X happened between the event before it and publication."""
    cs = clauses[h.clause][0]
    if not CONSEQUENCE.search(art.text[cs:h.start]) or any(cs <= p < h.start for p, _, _ in dates):
        return
    earlier = [d for p, _, d in dates if p < cs]
    anchor = earlier[-1] if earlier else art.last_event_date
    if anchor and anchor.start <= art.dct:
        h.date = _Date(covering_value(anchor.start, art.dct), anchor.start, art.dct, precision="interval")
        h.rules.append("date.consequence")


def _relative_later(art: _Article, s: Sentence, timexes: list[Timex]) -> _Date | None:
    """'almost an hour later', 'two days later': counted from the last dated event."""
    for t in timexes:
        if t.type == "DURATION" and LATER.match(art.text[t.end:t.end + 12]) and art.last_event_date:
            base = art.last_event_date
            m = re.fullmatch(r"P(\d+)D", t.value)
            if t.value.startswith("PT"):
                return replace(base, approximate=False)
            if m:
                d = base.start + dt.timedelta(days=int(m[1]))
                return _Date(d.isoformat(), d, d, precision="day")
    return None


def _unquoted(text: str) -> str:
    return QUOTE.sub(" ", text)


def _event_dates(art: _Article, timexes: list[Timex], quotes) -> list[tuple[int, int, "_Date"]]:
    """Dates an event may take: outside quotes when there are any, never 'since X' or 'until X';
    day ranges ('23-25 March', 'September 13-17, 2023') as intervals."""
    usable = [t for t in timexes if not BOUND.search(art.text[max(0, t.start - 12):t.start])]
    ranged = [(t, r) for t in usable if (r := _day_range(art.text, t))] + _day_pairs(art.text, timexes)
    covered = [(r[0], r[1]) for _, r in ranged]
    plain = [t for t in usable if not any(a <= t.start < b for a, b in covered) or any(t is x for x, _ in ranged)]
    spans = {id(t): r for t, r in ranged}

    def date(t: Timex) -> _Date | None:
        if id(t) in spans:
            lo, hi = spans[id(t)][2:]
            return _Date(covering_value(lo, hi), lo, hi, precision="interval")
        d = _date_of(t, art.text)
        return _on_narrative_day(art, d) if d else None

    dates = [(t.start, t.end, d) for t in plain if (d := date(t)) and not _inside(t.start, quotes)]
    return dates or [(t.start, t.end, d) for t in plain if (d := date(t))]


WEEKDAY = re.compile(r"(?i)\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b")
WIRE_DATELINE = re.compile(
    r"[A-Z][A-Z .'\u2019-]{1,40}(?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)?(?:,\s*(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"[a-z]*\.?\s+\d{1,2}(?:,\s*\d{4})?)?\s*\((?:Reuters|AP|AFP|Bloomberg|dpa|UPI|Xinhua|TASS|Anadolu|Kyodo|Yonhap|"
    r"PTI|ANI|IANS|EFE|ANSA|Interfax|RFE/RL|Ukrinform|BelTA)\)\s*[-\u2013\u2014]+\s*")
PAIR_FROM = re.compile(r"(?i)\b(?:from|between)\s+(?:(?:on|the)\s+)?$")
PAIR_TO = re.compile(r"(?i)\s*(?:to|through|until|till|[-\u2013])\s*")
PAIR_AND = re.compile(r"(?i)\s*and\s*")


def _day_pairs(text: str, timexes: list[Timex]) -> list[tuple[Timex, tuple[int, int, dt.date, dt.date]]]:
    """'from Monday to Wednesday', 'from May 7 to May 10', 'between 3 and 5 March': two days that bound
    one interval (the first timex stands for it)."""
    out = []
    for a, b in zip(timexes, timexes[1:]):
        ia, ib = a.interval, b.interval
        if a.type != "DATE" or b.type != "DATE" or not ia or not ib or ia[0] != ia[1] or ib[0] != ib[1]:
            continue
        before, gap = text[max(0, a.start - 16):a.start], text[a.end:b.start]
        if not PAIR_FROM.search(before) or not (PAIR_TO.fullmatch(gap) or (PAIR_AND.fullmatch(gap) and "between" in before.lower())):
            continue
        lo, hi = ia[0], ib[0]
        if lo > hi and (lo - hi).days < 7 and WEEKDAY.search(a.text):  # 'from Monday to Wednesday' in a Monday paper
            lo -= dt.timedelta(days=7)
        if lo < hi and (hi - lo).days <= 366:
            out.append((a, (a.start, b.end, lo, hi)))
    return out


YEAR_RANGE = re.compile(r"(?i)\b(?:from|between)\s+(?P<y1>(?:19|20)\d\d)\s+(?:to|and|until|through)\s+$")
RANGE_BEFORE = re.compile(r"(?:\b(?:from|between)\s+)?\b(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?\s*(?:[-\u2013]|to|and|until)\s*$")
RANGE_AFTER = re.compile(r"(?:(?:,\s*[0-3]?\d)*,?\s*(?:and|[-\u2013]|to|until)\s*)(?P<d2>[0-3]?\d)\b(?!\s*(?:percent|%|,\d))(?:,?\s+(?P<year>(?:19|20)\d\d))?")


def _day_range(text: str, t: Timex) -> tuple[int, int, dt.date, dt.date] | None:
    """'23-25 March', 'from 13 to 17 September 2023', 'September 13-17, 2023', 'January 8, 9, and 10, 2024':
    the span of the range and its first and last day."""
    iv = t.interval
    if t.type == "DATE" and iv and re.fullmatch(r"\d{4}", t.value):  # 'from 2021 to 2022'
        years = YEAR_RANGE.search(text, max(0, t.start - 24), t.start)
        if years and int(years["y1"]) < iv[0].year:
            return years.start(), t.end, dt.date(int(years["y1"]), 1, 1), iv[1]
    if t.type != "DATE" or not iv or iv[0] != iv[1]:
        return None
    day = iv[0]
    before = RANGE_BEFORE.search(text, max(0, t.start - 16), t.start)
    if before and int(before["d1"]) < day.day:
        return before.start(), t.end, day.replace(day=int(before["d1"])), day
    after = RANGE_AFTER.match(text, t.end)
    if after and int(after["d2"]) > day.day and re.search(r"\d$", t.text):
        try:
            year = int(after["year"]) if after["year"] else day.year
            return t.start, after.end(), day.replace(year=year), day.replace(year=year, day=int(after["d2"]))
        except ValueError:
            return None
    return None


def _on_narrative_day(art: "_Article", d: _Date) -> _Date:
    """A clock time is on the day of the last dated event, else on the publication day."""
    if d.precision != "clock":
        return d
    base = art.last_event_date
    if base and base.start == base.end and base.start <= art.dct:
        return _Date(base.value, base.start, base.end, precision="day")
    return _Date(d.value, d.start, d.end, precision="day")


def _sentence_events(art: _Article, si: int, s: Sentence) -> list[EventCandidate]:
    clauses = clause_spans(s)
    quotes = quote_spans(art.text, s)
    # the work per sentence is bounded: a sentence of pasted tables or a run-on of 50 KB takes the first
    # triggers and mentions only, so one bad input cannot hold the writer for minutes
    ms = art.sentence_mentions(s)[:MAX_MENTIONS]
    timexes = art._in(art.timexes, s)[:MAX_MENTIONS]
    wire = WIRE_DATELINE.match(s.text)  # 'TOKYO, March 20 (Reuters) -': the story's filing date, no event's
    if wire:  # nor is its place anyone's: 'JEDDAH, Saudi Arabia (AP) -'
        timexes = [t for t in timexes if t.start >= s.start + wire.end()]
        ms = [m for m in ms if m.start >= s.start + wire.end()]
    dates = _event_dates(art, timexes, quotes)
    hits = _hits(art, s, clauses, quotes)
    for h in hits:
        _premodifying_date(art, h, timexes)
        _consequence(art, h, clauses, dates)
    _assign_dates(art.text, [h for h in hits if h.date is None], dates, clauses, {h.clause for h in hits})
    later = _relative_later(art, s, timexes)
    attribution = next((h.date for h in hits if h.trigger.type == "statement" and h.date), None)
    if attribution is None and any(h.trigger.reporting and h.date is None for h in hits):  # 'X said' with no time
        attribution = _Date(art.dct.isoformat(), art.dct, art.dct, approximate=True, precision="day")
    out: list[EventCandidate] = []
    topics: tuple[str, ...] | None = None
    for h in hits:
        cs = clauses[h.clause][0]
        ctx = _Dating(art, s, h, cs, clauses, ms, later, attribution)
        _date_by(EARLY_DATING, ctx)
        verbal = _verbal(art.text, h.start)
        definite = not verbal and (
            DEFINITE.search(art.text[max(cs, h.start - 40):h.start]) or DETERMINER.match(art.text, h.start))
        own_date = bool(OWN_DATE.intersection(h.rules))
        if h.trigger.anaphoric and not verbal and (h.date is None or (definite and not own_date)):
            art.drop(h.trigger.id, h.start, "refers back, no date of its own")
            continue
        _date_by(LATE_DATING, ctx)
        if h.date is None:
            art.drop(h.trigger.id, h.start, "no date")
            continue
        if h.date.start > art.dct and h.trigger.type == "statement":  # 'said he would meet Putin on Friday'
            h.date = _undated(art, h, clauses)
            if h.date:
                h.rules.append("date.publication")
        # 'looking forward to the G7 Summit in June': a date read forward from publication is a plan. A date
        # written with its year stays, even after publication (the editor's preview flags a wrong date line)
        if h.date is None or (h.date.start > art.dct and str(h.date.start.year) not in s.text):
            art.drop(h.trigger.id, h.start, "after publication")
            continue
        h.roles = _roles(art, h, ms, clauses, quotes, s.start)
        core = [r for r in h.roles if r.role != "mentioned"]
        if not core or (h.trigger.needs_counterpart and len(core) < 2 and not _object_named(h, ms, core, clauses)):
            art.drop(h.trigger.id, h.start, "no participant" if not core else "no counterpart")
            continue
        if h.trigger.type in ENCOUNTERS and len(core) >= 2 and not h.date.approximate:
            # 'X met Y on Thursday, where the two leaders signed': the encounter just told
            art.last_core, art.last_core_date = tuple(core), h.date
        topics = topics_in(s.text, art.lex) if topics is None else topics
        named = any(m.slug == r.slug and cs <= m.start < h.start for m in ms for r in core if r.role == "initiator")
        out += _each_counterpart(_candidate(art, si, s, h, topics), art.text[h.start:h.end], named)
    narrative = [d for _, _, d in dates if not d.approximate and (d.end - d.start).days < 31]
    if narrative:
        art.paragraph_date = (s.paragraph, narrative[0])
    return _fold_sentence(out)


VERBAL = re.compile(r"(?i)(?:held|hold|holds|holding|had|met|meets|continued|hosted|hosts|received|welcomed|welcoming|sat|"
                    r"conducted|carried|launched|began|mounted|sent|deployed|exchanged|negotiated|shook|greeted|was|were)\b")
# 'held talks', 'began direct negotiations': a verb that makes the event noun a new act, not a reference back
LIGHT_VERB = re.compile(r"(?i)\b(?:held|hold|holds|holding|had|conducted|began|opened|launched|started|resumed|"
                        r"concluded|continued)\s+(?:(?!the\b|this\b|that\b)\w+\s+){0,2}$")


def _verbal(text: str, start: int) -> bool:
    """The event noun at start is the object of a verb that performs it ('held talks', 'met')."""
    return bool(VERBAL.match(text, start) or LIGHT_VERB.search(text, max(0, start - 40), start))


ENCOUNTERS = {"call", "meeting", "talks", "visit"}
ANCHOR_TYPES = {"call": "call", "conversation": "call", "meeting": "meeting", "summit": "meeting", "talks": "talks",
                "visit": "visit", "negotiations": "talks", "trip": "visit", "election": "election",
                "vote": "election", "referendum": "election"}
COLLECTIVE = re.compile(r"\b(?:[Tt]he (?:two |three )?(?:leaders|sides|presidents|prime ministers|ministers|men|countries|"
                        r"governments|delegations|parties|heads of state)|[Bb]oth (?:sides|leaders|men|countries|governments|"
                        r"parties|presidents))\b")
THEY = re.compile(r"\s*They\b")  # 'They discussed ...' at the start of a sentence or clause


def _collective_subject(text: str, cs: int, end: int) -> bool:
    """'the two leaders agreed', 'both sides', 'They discussed': the participants of the last encounter."""
    return bool(COLLECTIVE.search(text, cs, end) or THEY.match(text, cs, end))
LEAD_CLAUSE = re.compile(r"[A-Z][^,]{0,60},\s+")
UNNAMED_SUBJECT = re.compile(rf"(?:The|the)\s+(?:{TITLES})\b")
NOT_HOLDER = re.compile(r"\b(?:former|ex|vice|deputy|acting|interim|assistant|under)\b")  # 'former Chancellor'
# a title with no name after it ('the President held', 'The Prime Minister said'), not 'the President of
# Kenya', 'the President, Xi Jinping,' or 'the Prime Minister Anthony Albanese'
TITLE_ANAPHOR = re.compile(r"\b[Tt]he\s+(?P<title>(?i:president|prime minister|premier|chancellor|foreign minister|"
                           r"defen[cs]e minister|foreign secretary|secretary of state|secretary-general|king|emir|"
                           r"crown prince))\b(?!\s+of\b|,?\s+[A-Z]|-elect)")
SERIES = re.compile(r"(?i)meetings|consultations|series")


def _each_counterpart(e: EventCandidate, trigger_text: str, subject_named: bool) -> list[EventCandidate]:
    """'held meetings with A, B and C', 'a series of bilateral talks': one event per counterpart
    (with no subject named, the first of them is a counterpart too)."""
    initiator = [r for r in e.actors if r.role == "initiator"] if subject_named else []
    counterparts = [replace(r, role="counterpart") for r in e.actors
                    if r.kind == "person" and r.role != "mentioned" and r not in initiator]
    if len(counterparts) < 2 or not SERIES.search(trigger_text):
        return [e]
    return [replace(e, actors=tuple(initiator + [c]), rules=e.rules + ("split.series",),
                    title=make_title(e.type, initiator + [c], e.topics, load_lexicon())) for c in counterparts]


def _object_named(h: _Hit, ms: list[Mention], core: list[Role], clauses) -> bool:
    """'The Prime Minister spoke to Anthony Albanese': an unnamed subject, a named counterpart."""
    slugs = {r.slug for r in core}
    return any(m.slug in slugs and h.end <= m.start < clauses[h.clause][1] for m in ms)


SETTING = re.compile(r"\b(?:at|during|on the (?:sidelines|margins) of)\s+(?:the\s+)?(?:[\w\u2013-]+\s+){0,3}$", re.I)
FIRST = re.compile(r"(?i)\bfirst\b")
OWNED = re.compile(r"(?i)(?:his|her|their|its|our|my|your)\b")
PREMODIFIER = re.compile(r"(?:['\u2019]s)?(?:\s+(?!(?:and|or|but|that|which|of|on|in|at|to|for|with|by|from|after|before|"
                         r"since|until|during|as|than|the|a|an|his|her|their|its|our|my|your)\b)[\w-]+){0,2}\s+")


def _first_since(art: _Article, h: _Hit, timexes: list[Timex]) -> bool:
    """'his first visit to X since 2000', 'their first summit since 2018': the previous one, in 2000."""
    if not FIRST.search(art.text, max(0, h.start - 30), h.end):
        return False
    since = art.text.find("since ", h.end, h.end + 60)  # the first 'since' after the noun, and its date
    for t in timexes:
        if since >= 0 and since < t.start <= since + 12 and (d := _date_of(t, art.text)):
            h.date, h.pos = d, 0
            h.rules.append("date.first_since")
            return True
    return False


def _premodifying_date(art: _Article, h: _Hit, timexes: list[Timex]) -> None:
    """'the October 7 attack', 'the June 27th peace agreement', 'Tuesday's call': a date in front of an
    event noun is its date, even after 'since'."""
    if _verbal(art.text, h.start) or _first_since(art, h, timexes) or not h.trigger.anaphoric:
        return
    if OWNED.match(art.text, h.start):
        return  # 'the day after his conversation': a date before a possessive is not the noun's
    for t in timexes:
        inside = h.start <= t.start and t.end <= h.end  # the trigger 'yesterday's call' holds it
        if (inside or t.end <= h.start and PREMODIFIER.fullmatch(art.text, t.end, h.start)) and (d := _date_of(t, art.text)):
            h.date, h.pos = d, 0
            h.rules.append("date.premodifier")


def _dateline(art: _Article, s: Sentence) -> _Date | None:
    """A heading that is a place and a day on or before publication dates what the release narrates."""
    days = [d for t in art._in(art.timexes, s) if (d := _date_of(t)) and d.start == d.end and d.start <= art.dct]
    return _Date(days[0].value, days[0].start, days[0].end, precision="day") if days else None


OWN_DATE = {"date.clause", "date.premodifier", "date.first_since", "date.setting"}


def cue_count(rules, roles) -> int:
    """Independent cues that carry one mention (1-4): its trigger, a date stated with it (in its clause or in
    front of its noun, not borrowed from elsewhere), a named initiator, a named counterpart."""
    rules, roles = set(rules), {r for _, r in roles}
    return 1 + bool(rules & OWN_DATE) + ("initiator" in roles) + ("counterpart" in roles)


def _candidate(art: _Article, si: int, s: Sentence, h: _Hit, topics: tuple[str, ...]) -> EventCandidate:
    d = h.date
    return EventCandidate(
        type=h.trigger.type, date=d.value, date_start=d.start, date_end=d.end,
        precision=d.precision or precision(d.value), approximate=d.approximate,
        actors=tuple(h.roles), topics=topics, evidence=s.text,
        start=s.start, end=s.end, rules=tuple(dict.fromkeys(h.rules)),
        title=make_title(h.trigger.type, h.roles, topics, art.lex), sentence_index=si)


def _better_date(a: EventCandidate, b: EventCandidate) -> EventCandidate:
    """The candidate whose date is the more informative: dated beats approximate, narrow beats wide."""
    key = lambda e: (e.approximate, (e.date_end - e.date_start).days)  # noqa: E731
    return a if key(a) <= key(b) else b


def _merge(keep: EventCandidate, other: EventCandidate, role: str = "counterpart") -> EventCandidate:
    best = _better_date(keep, other)
    roles = list(keep.actors)
    for r in other.actors:
        new = r if r.role == "mentioned" else replace(r, role=role)
        at = next((i for i, x in enumerate(roles) if x.slug == r.slug), None)
        if at is None:
            roles.append(new)
        elif roles[at].role == "mentioned" and new.role != "mentioned":
            roles[at] = new
    roles.sort(key=lambda r: ROLE_ORDER[r.role])  # participants first
    return replace(keep, date=best.date, date_start=best.date_start, date_end=best.date_end,
                   precision=best.precision, approximate=best.approximate, actors=tuple(roles),
                   topics=tuple(dict.fromkeys(keep.topics + other.topics)),
                   rules=tuple(dict.fromkeys(keep.rules + other.rules + ("merge.sentence",))))


def report_of(e: EventCandidate, key: tuple = ()) -> Report:
    """What merging needs of a candidate."""
    return Report(key or (e.start, e.type, e.initiator or ""), e.type, e.date_start, e.date_end, e.approximate,
                  e.initiator or "", frozenset(e.core_actors), frozenset(e.topics))


def _same_act(a: EventCandidate, b: EventCandidate) -> bool:
    if a.type == b.type == "statement":
        return a.initiator == b.initiator
    ra, rb = report_of(a), report_of(b)
    if a.approximate or b.approximate:
        ra, rb = replace(ra, start=dt.date.min, end=dt.date.max), rb
    return is_same_act(ra, rb)


def _fold_sentence(events: list[EventCandidate]) -> list[EventCandidate]:
    """One event per act and sentence; 'saying ...' folds into the sentence's main event."""
    out: list[EventCandidate] = []
    for e in sorted(events, key=lambda e: "statement.saying" in e.rules):
        participle = "statement.saying" in e.rules
        i = 0 if participle and out else next((i for i, x in enumerate(out) if _same_act(x, e)), None)
        if i is None:
            out.append(e)
        else:
            out[i] = _merge(out[i], e, "mentioned" if out[i].type != e.type else "counterpart")
    return sorted(out, key=lambda e: e.start)


def short_name(r: Role, lex: Lexicon) -> str:
    """The name a headline uses: a known actor's short name, a discovered person's surname."""
    if r.slug in lex.actors:
        return lex.actors[r.slug].short
    name = r.name or r.slug.replace("-", " ").title()
    return name.split()[-1] if r.kind == "person" else name


def make_title(etype: str, roles, topics, lex: Lexicon) -> str:
    """A readable headline from the type's template: 'Trump and Putin hold phone call'."""
    names = [short_name(r, lex) for r in roles if r.role == "initiator"]
    others = [short_name(r, lex) for r in roles if r.role == "counterpart"]
    a = names[0] if names else (others.pop(0) if others else "Unknown actor")
    templates = lex.types[etype].title.split("|")
    title = templates[0] if others and "{b}" in templates[0] else templates[-1]
    title = title.format(a=a, b=" and ".join(others[:2]))
    if etype in ("statement", "speech") and topics:
        title += f" on {topics[0]}"
    return title


def _continues(prev: EventCandidate, e: EventCandidate) -> bool:
    """'Trump said ... Trump added ...': an undated statement right after the same speaker's statement or speech."""
    return (e.type == "statement" and prev.type in ("statement", "speech") and e.approximate
            and 0 < e.sentence_index - prev.sentence_index <= 2 and e.initiator == prev.initiator)


def _other_targets(a: EventCandidate, b: EventCandidate) -> bool:
    """Two sentences that state sanctions are two designations (one event per sentence), unless they name a
    common target."""
    if a.type != "sanction" or a.sentence_index == b.sentence_index:
        return False
    ta, tb = ({r.slug for r in x.actors if r.role == "counterpart"} for x in (a, b))
    return not ta & tb


def fold_article(events: list[EventCandidate]) -> list[EventCandidate]:
    """Mentions of one act within an article become one event."""
    out: list[EventCandidate] = []
    reports: dict[int, tuple[EventCandidate, Report]] = {}

    def rep(x: EventCandidate) -> Report:  # each candidate's report once (the loop compares every pair)
        got = reports.get(id(x))
        if got is None or got[0] is not x:
            got = reports[id(x)] = (x, report_of(x))
        return got[1]

    for e in events:
        if out and _continues(out[-1], e):
            continue
        twin = next((i for i, x in enumerate(out) if x.type != "statement" and not _other_targets(x, e)
                     and ("date.since" in x.rules) == ("date.since" in e.rules)  # a series is not one of its acts
                     and is_same_act(rep(x), rep(e))), None)
        if twin is None:
            out.append(e)
        else:
            keep = out[twin] if not out[twin].approximate or e.approximate else e
            other = e if keep is out[twin] else out[twin]
            out[twin] = _merge(keep, other)
    return out


def extract_events(text: str, published: dt.date, start: int = 0, lex: Lexicon | None = None) -> list[EventCandidate]:
    """The events an article reports, dated against its publication date."""
    art = _Article(text, published, start, lex or load_lexicon())
    events: list[EventCandidate] = []
    # photo captions ('FILE PHOTO: ... REUTERS/Name') and credits tell of pictures, not the story
    captions = {s.paragraph for s in art.sentences if CAPTION.search(s.text)} \
        if any(w in text for w in CAPTION_WORDS) else set()
    for si, s in enumerate(art.sentences):
        if s.paragraph in captions:
            continue
        if _heading(s):
            art.dateline = art.dateline or _dateline(art, s)
            continue
        art.begin(s)
        found = _sentence_events(art, si, s)
        events += found
        for e in found:
            if not e.approximate and "date.first_since" not in e.rules:  # 'first since 2000' is not the narrative's
                art.last_by_type[e.type] = _Date(e.date, e.date_start, e.date_end, precision=e.precision)
        acts = [e for e in found if e.type in ENCOUNTERS and e.core_actors]
        if acts:
            art.last_core = tuple(r for r in acts[0].actors if r.role != "mentioned")
            art.last_core_date = _Date(acts[0].date, acts[0].date_start, acts[0].date_end, precision=acts[0].precision)
        dated = [e for e in found if not e.approximate and "date.first_since" not in e.rules]
        if dated:
            e = dated[0]
            art.last_event_date = _Date(e.date, e.date_start, e.date_end, precision=e.precision)
        art.end(s)
    return fold_article(events)
