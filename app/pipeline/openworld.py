"""Open-world actors: people named with a title or role, bodies named by their form, later mentions.

The gazetteer knows a few hundred actors; news names thousands. A person introduced with a title
("Japanese Foreign Minister Takeshi Iwaya", "the Prime Minister of Australia, Anthony Albanese",
"Kempes Sanon, leader of the Bel Air gang") is an actor whether or not the gazetteer holds them:
canonical name = the full name as written, state from the title. A body named by its form
("the Rapid Support Forces (RSF)") is an organisation. Later mentions (the surname, the acronym)
resolve to them within the article.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from app.lexicon import Actor, load_lexicon, slugify

# words that make what follows a person's name (matched case-insensitively at their first letter)
TITLES = (
    r"(?:Vice |Deputy |Acting |Interim |Former |former |then-|Under |Assistant |Special |Senior |Chief |"
    r"First |Grand |Supreme |Crown |High |Permanent )*"
    r"(?:President|Prime Minister|Premier|Chancellor|Foreign Minister|Defen[cs]e Minister|Interior Minister|"
    r"Finance Minister|Minister(?: of (?:State for )?[A-Z][\w ]{2,40}?(?= [A-Z]))?|Secretary of State|"
    r"(?:Foreign|Home|Defen[cs]e|Treasury|Commerce|Energy|Cabinet|Press|General) Secretary|"
    r"Secretary(?:-General| General)?|State Counsellor|King|Queen|Prince|Princess|Emir|Sheikh|Sultan|"
    r"Ambassador|Envoy|envoy|General|Gen\.|Lt\. Gen\.|Admiral|Adm\.|Commander|commander|Marshal|Colonel|"
    r"Col\.|Senator|Sen\.|Rep\.|Representative|Governor|Gov\.|Mayor|Director|Spokesperson|Spokesman|"
    r"Spokeswoman|spokesperson|spokesman|spokeswoman|Commissioner|Speaker|Chairman|Chairwoman|Chair|"
    r"Representative|Negotiator|negotiator|Adviser|Advisor|adviser|advisor|Leader|leader|"
    r"Chief Executive(?: Officer)?|chief executive|CEO|chief|Chief|"
    r"Pope|Patriarch|Ayatollah|Rabbi|Archbishop|Cardinal|Field Marshal|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Sir|Dame|Lord|Lady|"
    r"president|prime minister|foreign minister|defen[cs]e minister|interior minister|finance minister|minister|"
    r"chancellor|foreign secretary|secretary of state|secretary-general|premier|king|crown prince|ambassador|"
    r"governor|senator|top diplomat|President-elect|Prime Minister-elect|Prime Minister-designate)"
)
PARTICLE = r"(?:al|el|bin|ibn|bint|de|da|do|dos|du|van|von|der|la|le|di|ul|Abu|Abd|Abdel)"
NAME_WORD = r"(?:[A-Z][a-z\u00e0-\u024f]+(?:-[A-Z]?[a-z\u00e0-\u024f]+)*|[A-Z]\.|(?:al|el)-[A-Z][a-z\u00e0-\u024f]+|Mc[A-Z][a-z]+|O['\u2019][A-Z][a-z]+)"
NAME = rf"{NAME_WORD}(?:\s+(?:{PARTICLE}\s+|{PARTICLE}-)?{NAME_WORD}){{0,3}}"
# 'Foreign Minister Takeshi Iwaya', 'President Xi Jinping', 'Director ... Bradley T. Smith'
# the same titles as literals, found in one pass (Aho-Corasick); a title's modifiers come from TITLE_PREFIX
TITLE_WORDS = (
    "President", "Prime Minister", "Premier", "Chancellor", "Foreign Minister", "Defence Minister", "Defense Minister",
    "Interior Minister", "Finance Minister", "Minister", "Secretary of State", "Foreign Secretary", "Home Secretary",
    "Defence Secretary", "Defense Secretary", "Treasury Secretary", "Commerce Secretary", "Energy Secretary",
    "Cabinet Secretary", "Press Secretary", "General Secretary", "Secretary-General", "Secretary General", "Secretary",
    "State Counsellor", "King", "Queen", "Prince", "Princess", "Emir", "Sheikh", "Sultan", "Ambassador", "Envoy",
    "envoy", "General", "Gen.", "Lt. Gen.", "Admiral", "Adm.", "Commander", "commander", "Marshal", "Field Marshal",
    "Colonel", "Col.", "Senator", "Sen.", "Rep.", "Representative", "Governor", "Gov.", "Mayor", "Director",
    "Spokesperson", "Spokesman", "Spokeswoman", "spokesperson", "spokesman", "spokeswoman", "Commissioner", "Speaker",
    "Chairman", "Chairwoman", "Chair", "Negotiator", "negotiator", "Adviser", "Advisor", "adviser", "advisor", "Leader",
    "leader", "chief", "Chief", "Chief Executive", "chief executive", "Chief Executive Officer", "CEO", "Pope", "Patriarch", "Ayatollah", "Rabbi", "Archbishop", "Cardinal", "Mr.", "Mr",
    "Mrs.", "Mrs", "Ms.", "Ms", "Dr.", "Dr", "Sir", "Dame", "Lord", "Lady", "counterpart",
    # wire copy writes titles lower case: 'The Malaysian prime minister, Anwar Ibrahim', 'former president Jair Bolsonaro'
    "president", "prime minister", "foreign minister", "defence minister", "defense minister", "interior minister",
    "finance minister", "minister", "chancellor", "foreign secretary", "secretary of state", "secretary-general",
    "premier", "king", "crown prince", "ambassador", "governor", "senator",
    # 'Japan's top diplomat, Takeshi Iwaya', 'President-elect Lee Jae-myung', 'Hamas official Basem Naim'
    "top diplomat", "President-elect", "Prime Minister-elect", "Prime Minister-designate", "official", "aide", "founder",
    "co-founder",
)
PREFIXES = (r"(?:(?:Vice|Deputy|Acting|Interim|Former|former|Under|Assistant|Special|Senior|Chief|First|Grand|Supreme|"
            r"Crown|High|Permanent)[ -])+|then-")
TITLE_PREFIX = re.compile(rf"(?:{PREFIXES})$")


def _title_automaton():
    import ahocorasick

    auto = ahocorasick.Automaton()
    for word in TITLE_WORDS:
        auto.add_word(word, word)
    auto.make_automaton()
    return auto


_TITLES_AC = _title_automaton()


def _titles(text: str, start: int, end: int):
    """(start, end, title) of every whole-word title in text[start:end], longest at each end position."""
    best: dict[int, tuple[int, str]] = {}
    for last, word in _TITLES_AC.iter(text, start, end):
        s, e = last - len(word) + 1, last + 1
        if (s > 0 and (text[s - 1].isalnum() or text[s - 1] == "-")) or (e < len(text) and text[e].isalnum()):
            continue
        if s not in best or len(word) > len(best[s][1]):
            best[s] = (e, word)
    spans = sorted((s, e, w) for s, (e, w) in best.items())
    out, reach = [], -1
    for s, e, w in spans:  # drop a title inside a longer one ('Minister' in 'Prime Minister')
        if e <= reach:
            continue
        out.append((s, e, w))
        reach = e
    return out
# 'President of Kenya William Ruto' / 'the Prime Minister of Australia, Anthony Albanese'
# (a body's word may hold dots, 'U.S.', but a sentence's final period is not part of it: 'of Ethiopia Abiy Ahmed.')
OF_WORD = r"[A-Z](?:\w|\.(?=\w)|(?<=\b\w)\.)*"
INITIAL = re.compile(r"[A-Z]\.")
# 'of the Office of Foreign Assets Control': a body's name may hold 'of' and 'of the' between its words
TITLED_TAILS = tuple(re.compile(rf"(?:\s+(?:of|for)\s+(?:the\s+)?(?P<of>{OF_WORD}(?:\s+(?:of\s+(?:the\s+)?)?{OF_WORD}){{0,5}}))?{comma}\s+(?P<name>{NAME})\b")
                     for comma in ("", ","))
# 'Dmytro Kuleba, the Foreign Minister of Ukraine' / 'Kempes Sanon (Sanon), leader of the Bel Air gang'
APPOSED = re.compile(rf"\b(?P<name>{NAME})(?:\s+\((?P<alias>[A-Z][\w'\u2019-]+)\))?,\s+(?:the\s+|a\s+|an\s+)?(?:(?:[A-Z][\w'\u2019]+|\w+['\u2019]s)\s+)?(?P<title>{TITLES})\b")
# bodies named by their form; an acronym in parentheses becomes an alias
ORG_HEAD = (r"(?:Armed Forces|Support Forces|Forces|Army|Militia|Brigades?|Movement|Front|Party|Company|Corporation|"
            r"Corp\.|Inc\.|Ltd\.?|LLC|Petrochemical|Refinery|Refining|Bank|Alliance|Coalition|Group|Federation|"
            r"Liberation Army|Guard|Battalion|Cartel|Gang|gang)")
ORG = re.compile(rf"\b(?P<name>(?:[A-Z][\w'\u2019&.-]*\s+(?:of\s+(?:the\s+)?)?){{1,6}}{ORG_HEAD})(?:\s+\((?P<alias>[A-Z][A-Za-z]{{1,8}})\))?")
NOT_NAME = {
    "The", "A", "An", "This", "That", "These", "Those", "He", "She", "They", "We", "It", "His", "Her", "Their",
    "Our", "In", "On", "At", "For", "And", "But", "Or", "As", "After", "Before", "When", "While", "Today",
    "Yesterday", "Tomorrow", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Minister", "President", "Secretary", "Prime", "Foreign", "Office", "Department",
    "Council", "Ministry", "Government", "State", "States", "Republic", "Kingdom", "Federation", "Union",
    "Forces", "Army", "Affairs", "Defence", "Defense", "Security", "National", "General", "Assembly", "Summit",
    "Treasury", "Commission", "Committee", "Parliament", "Court", "Agency", "Service", "Leader", "Chief",
    "Mr", "Mrs", "Ms", "Dr", "Sir", "Also", "Both", "Vice", "Deputy", "Special", "Envoy", "Ambassador",
    "Spokesperson", "Chancellor", "King", "Queen", "Prince", "Emir", "Sheikh", "Director", "Commander",
    # company names that begin with a title word ('General Motors', 'General Electric', 'Chief Executive ...')
    "Motors", "Electric", "Dynamics", "Mills", "Atomics", "Staff", "Executive", "Officer", "Operating", "Financial",
}
PRECEDED_BY_NAME = re.compile(r"(?:[A-Z][\w.]*|of|of the)\s+$")  # inside a longer run of capitalised words: not an apposition
TRAILING_NOT_NAME = re.compile(r"\s+(?:[A-Z][a-z]+day|of|and|the)$")


@dataclass(frozen=True)
class Found:
    """An open-world actor mention: its span, the actor, and the span of the title that introduced it."""

    start: int
    end: int
    actor: Actor
    state_hint: str = ""  # text naming the state in the title ('of Australia'), resolved by the caller


def _clean_name(name: str) -> str | None:
    words = name.split()
    while words and words[-1] in NOT_NAME:
        words.pop()
    while words and words[0] in NOT_NAME:
        words.pop(0)
    if not words or all(len(w) <= 2 for w in words):
        return None
    return " ".join(words)


# family names written first (Chinese, Korean, Vietnamese): 'Wang Yi' is later 'Wang', 'Cho Tae-yul' 'Cho'
FAMILY_FIRST = frozenset("""Wang Li Zhang Liu Chen Yang Zhao Huang Zhou Wu Xu Sun Hu Zhu Gao Lin He Guo Ma Luo Xi Qin
Han Deng Feng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu Du Ye Cheng Wei Su Lu Ding Ren Shen Yao Zheng Xie Kim
Lee Park Choi Cho Jung Kang Yoon Moon Jang Lim Shin Han Oh Seo Kwon Hwang Ahn Song Yoo Hong Nguyen Tran Le Pham Hoang
Vo Phan Dang Bui Do Ho Ngo Duong To""".split())


def _person(name: str, title: str) -> Actor:
    words = name.split()
    surname = words[-1] if len(words) > 1 else ""
    if len(words) in (2, 3) and words[0] in FAMILY_FIRST:
        surname = words[0]
    short = len(surname) > 2 or surname in FAMILY_FIRST
    aliases = (surname,) if surname and short and not re.fullmatch(r"[A-Z]\.", surname) else ()
    return Actor(slugify(name), name, "person", aliases, role=title.strip(), discovered=True)


HEAD_WORD = re.compile(rf"(?:{ORG_HEAD}|Council|Commission|Union|Nations|Republic|Kingdom|States|Emirates|Organi[sz]ation|Fund|Agency|Court|Office|Ministry|Department)$")


def _split_of(of: str, name: str) -> tuple[str, str]:
    """'President of the New Development Bank Dilma Rousseff': where the body ends and the name begins.
    The body is a known name or ends in a body's head word; else the name is the last two words."""
    if not of:
        return of, name
    words = (of + " " + name).split()
    known = _known_surfaces()
    for k in range(len(words) - 1, 0, -1):
        head = " ".join(words[:k])
        if head in known or (HEAD_WORD.search(head) and words[k] != "of"):
            return head, " ".join(words[k:])
    if len(words) < 3:  # 'Minister of National Resources and ...': no name left over
        return of, ""
    k = len(words) - 2
    if INITIAL.fullmatch(words[k]) and k > 1:  # 'Director of the Office ... Bradley T. Smith'
        k -= 1
    return " ".join(words[:k]), " ".join(words[k:])


@lru_cache(maxsize=1)
def _known_surfaces() -> frozenset[str]:
    """Names and aliases of the gazetteer's states and bodies (built once a process)."""
    lex = load_lexicon()
    return frozenset(x for a in lex.actors.values() if a.kind != "person" for x in (a.name,) + a.aliases)


APPOSED_BEFORE = re.compile(rf"(?P<name>{NAME})(?:\s+\((?P<alias>[A-Z][\w'\u2019-]+)\))?,\s+(?:the\s+|a\s+|an\s+)?"
                            rf"(?:(?:[A-Z][\w'\u2019]+|\w+['\u2019]s)\s+)?(?:{PREFIXES})?$")


PREFIX_ONLY = frozenset({"official", "aide", "founder", "co-founder"})


def _apposed(text: str, titles):
    """'Dmytro Kuleba, the Foreign Minister': a name, a comma, then a title (looked for back from each title)."""
    for ts, _, title in titles:
        if title in PREFIX_ONLY:  # 'Rodong Sinmun, the official newspaper': these are titles only before a name
            continue
        if (m := APPOSED_BEFORE.search(text, max(0, ts - 120), ts)) is not None:
            yield m, title


def titled_people(text: str, start: int = 0, end: int | None = None) -> list[Found]:
    """People introduced by a title before or after their name."""
    end = len(text) if end is None else end
    out: list[Found] = []
    titles = _titles(text, start, end)
    title_starts = {ts for ts, _, _ in titles}
    for ts, te, title in titles:
        m = next((m for tail in TITLED_TAILS if (m := tail.match(text, te, end))
                  and m["name"].split()[0] not in NOT_NAME), None)
        if not m or m.start("name") in title_starts:  # 'military chief Gen. Abdel Fattah': the next title holds the name
            continue
        of_part, name_part = _split_of(m["of"] or "", m["name"])
        name = _clean_name(name_part) if name_part else None
        if not name or title.rstrip(".") in {"Mr", "Mrs", "Ms", "Dr", "official", "aide", "founder", "co-founder"} and " " not in name:
            continue
        if title == "official" and re.search(r"\b(?:the|a|an)\s+$", text[max(0, ts - 6):ts], re.I):
            continue  # 'the official Rodong Sinmun newspaper': an adjective, no title
        offset = text.find(name, m.start(), m.end())
        prefix = TITLE_PREFIX.search(text, max(0, ts - 40), ts)
        if offset >= 0:
            out.append(Found(offset, offset + len(name), _person(name, (prefix.group() if prefix else "") + title), of_part))
    for m, title in _apposed(text, titles):
        name = _clean_name(m["name"])
        if not name or " " not in name or PRECEDED_BY_NAME.search(text, max(0, m.start() - 30), m.start()):
            continue
        if name not in m["name"]:  # spaced otherwise than one space: not taken
            continue
        offset = m.start("name") + m["name"].index(name)
        actor = _person(name, title)
        if m["alias"]:
            actor = Actor(actor.slug, actor.name, "person", tuple(dict.fromkeys(actor.aliases + (m["alias"],))),
                          role=actor.role, discovered=True)
        out.append(Found(offset, offset + len(name), actor))
    return out


# 'Venezuela's Nicolas Maduro', 'Kenya's William Ruto': a state's person, named without a title
POSSESSED = re.compile(rf"\b(?P<owner>[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){{0,2}})['\u2019]s\s+"
                       rf"(?P<name>{NAME_WORD}(?:\s+(?:{PARTICLE}\s+|{PARTICLE}-)?{NAME_WORD}){{1,3}})\b")
INSTITUTION_WORD = re.compile(rf"(?:{ORG_HEAD}|Council|Commission|Union|Nations|Republic|Kingdom|States|Emirates|"
                              r"Organi[sz]ation|Fund|Agency|Court|Office|Ministry|Department|Service|Guard|Police|"
                              r"Navy|Cabinet|Parliament|Assembly|Senate|Congress|Embassy|Mission|Region|Province|"
                              r"City|Sea|Strait|Gulf|River|Airport|Port|Palace|House|Square|Street|Day|War|Plan|Act|Force|Index|Times|"
                              r"Exchange|Market|Games|Cup|League|Olympics|Festival|Museum|University|School|Hospital|"
                              r"Airlines|Airways|Railways|Bridge|Tower|Dam|Canal|Islands?|Mountains|Desert|Valley|Coast|"
                              r"Border|Line|Media|News|Post|Television|Radio|Agency)$")


@lru_cache(maxsize=1)
def _state_names() -> frozenset[str]:
    lex = load_lexicon()
    return frozenset(n for a in lex.actors.values() if a.kind == "state" for n in (a.name, *a.aliases))


@lru_cache(maxsize=1)
def _demonyms() -> frozenset[str]:
    return frozenset(d for a in load_lexicon().actors.values() for d in a.demonyms)


def possessed_people(text: str, start: int = 0, end: int | None = None) -> list[Found]:
    """People named after the state that owns them ('Venezuela's Nicolas Maduro'), the state as a hint."""
    end = len(text) if end is None else end
    out = []
    states = _state_names()
    for m in POSSESSED.finditer(text, start, end):
        owner, words = m["owner"], m["name"].split()
        owner = next((o for o in (owner, " ".join(owner.split()[1:]), owner.split()[-1]) if o in states), None)
        if owner is None or any(w in NOT_NAME or INSTITUTION_WORD.match(w) for w in words):
            continue
        name = m["name"]
        out.append(Found(m.start("name"), m.end("name"), _person(name, ""), owner))
    return out


def _word_start(text: str, n: int) -> int:
    """Offset of the n-th whitespace-separated word of text (0-based)."""
    return [m.start() for m in re.finditer(r"\S+", text)][n]


def organisations(text: str, start: int = 0, end: int | None = None) -> list[Found]:
    """Bodies named by their form ('the Rapid Support Forces (RSF)'), with their acronym as an alias."""
    end = len(text) if end is None else end
    out = []
    for m in ORG.finditer(text, start, end):
        words = m["name"].split()
        if " of " in m["name"] and re.match(TITLES + r"\b", m["name"]):  # 'President of the X Bank'
            words = m["name"].split(" of ", 1)[1].split()
        while words and words[0] in {"The", "the", "A", "An", "In", "On", "Also", "And", "But", "Since", "From"}:
            words.pop(0)
        if len(words) > 3 and words[1] == "of" and words[0].endswith("s"):  # 'Fighters of the X Brigades'
            words = words[3:] if words[2] == "the" else words[2:]
        if len(words) < 2 or all(w in _demonyms() for w in words[:-1]):  # 'the Venezuelan gang': no name
            continue
        name = " ".join(words)  # the name as written, its spaces normalised
        skipped = len(m["name"].split()) - len(words)  # words dropped from the front
        offset = m.start("name") + _word_start(m["name"], skipped)
        aliases = (m["alias"],) if m["alias"] else ()
        out.append(Found(offset, m.end("name"), Actor(slugify(name), name, "organisation", aliases, discovered=True)))
    return out


# 'Russian oil producer Gazprom Neft', 'Chinese tech firm Huawei': a company named after what it is
DESCRIBED = re.compile(r"\b(?:company|companies|firm|producer|giant|exporter|maker|manufacturer|operator|contractor|"
                       r"conglomerate|lender|insurer|carrier|shipper|trader|refiner|major|supplier|gang|cartel|militia|"
                       r"armed group|rebel group|militant group)\s+"
                       r"(?P<name>[A-Z][\w&-]*(?:\.(?=\w))?(?:\s+(?:(?:de|del|al|el|of)\s+)?[A-Z][\w&-]*){0,2})")


def described_companies(text: str, start: int = 0, end: int | None = None) -> list[Found]:
    """Companies introduced by what they are ('oil producer Rosneft'), with their name as written."""
    end = len(text) if end is None else end
    out = []
    for m in DESCRIBED.finditer(text, start, end):
        words = m["name"].split()
        while words and words[-1] in NOT_NAME:  # 'the firm Tuesday': no name
            words.pop()
        if not words or words[0] in NOT_NAME:
            continue
        name = " ".join(words)
        if name in _state_names() or name in _demonyms() or re.match(TITLES + r"\b", name) or (name.isupper() and len(name) <= 3):
            continue  # 'carrier United States', 'maker CEO Steve Jobs', 'maker SUV'
        s = m.start("name")
        out.append(Found(s, s + len(name), Actor(slugify(name), name, "organisation", (), discovered=True)))
    return out


def later_mentions(text: str, actors: list[Actor], start: int = 0, end: int | None = None) -> list[Found]:
    """Surnames and acronyms of actors discovered earlier in the article, as whole words."""
    import ahocorasick

    end = len(text) if end is None else end
    keys = [(alias, ai, ki) for ai, actor in enumerate(actors) for ki, alias in enumerate(actor.aliases) if alias]
    if not keys:
        return []
    auto = ahocorasick.Automaton()  # one pass for every alias (a regex per alias made long texts quadratic)
    for alias, ai, ki in keys:
        auto.add_word(alias, auto.get(alias, ()) + ((ai, ki),))
    auto.make_automaton()
    hits = []
    for last, owners in auto.iter(text, start, end):
        s, e = last - len(actors[owners[0][0]].aliases[owners[0][1]]) + 1, last + 1
        before = text[s - 1] if s > start else " "
        after = text[e] if e < end else " "
        if before.isalnum() or before in "-_" or after.isalnum() or after in "-_":
            continue
        hits += [(ai, ki, s, e) for ai, ki in owners]
    out, reach = [], {}
    for ai, ki, s, e in sorted(hits):  # per actor and alias, left to right, not overlapping (as finditer)
        if s >= reach.get((ai, ki), -1):
            out.append(Found(s, e, actors[ai]))
            reach[(ai, ki)] = e
    return out
