"""Files, feeds, JSON and pasted text -> RawArticle, or a ReadError that says what is wrong."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

TEXT_SUFFIXES = {".txt", ".md", ".text", ""}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".feed"}
HEADER = re.compile(r"^\s*date\s+(\S+)\s*(.*)$")
FRONT = re.compile(r"^\s*(date|title|source|outlet|url|published)\s*:\s*(.*)$", re.I)
TITLE_KEYS = ("title", "headline", "name")
DATE_KEYS = ("published", "published_at", "publishedAt", "date", "pubDate", "datePublished", "publication_date", "seendate", "time")
BODY_KEYS = ("body", "text", "content", "article", "full_text", "description", "summary")
OUTLET_KEYS = ("source", "outlet", "publisher", "site_name", "domain", "source_name")
URL_KEYS = ("url", "link", "uri", "canonical_url")


EARLIEST = dt.date(1900, 1, 1)
URL_SCHEMES = ("http", "https")
# what XML 1.0 and PostgreSQL text cannot hold: C0 controls but tab, newline and return; DEL-C1 are kept
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SURROGATE = re.compile(r"[\ud800-\udfff]")


class ReadError(ValueError):
    """One item that could not be read: where, and why, in a line."""

    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}: {reason}")
        self.where, self.reason = where, reason

    def __reduce__(self):
        """Pickled as its two strings, so it crosses process boundaries (the bulk load's workers)."""
        return (ReadError, (self.where, self.reason))


def latest_date() -> dt.date:
    """The latest publication date accepted: a day after today (time zones ahead of UTC)."""
    return dt.date.today() + dt.timedelta(days=1)


def check_published(date: dt.date, where: str) -> dt.date:
    """A publication date inside the sane window (1900 to a day after today), else an error."""
    if not EARLIEST <= date <= latest_date():
        raise ReadError(where, f"publication date {date.isoformat()} is outside {EARLIEST.isoformat()} "
                               f"to {latest_date().isoformat()}")
    return date


def check_url(value: object, where: str) -> str | None:
    """An http(s) URL with a host, or None when absent; any other scheme (javascript:, data:) is an error."""
    from urllib.parse import urlsplit

    link = clean_line(str(value)) if value else ""
    if not link:
        return None
    try:
        parts = urlsplit(link)
    except ValueError:
        raise ReadError(where, f"unreadable URL {link[:80]!r}") from None
    if parts.scheme.lower() not in URL_SCHEMES or not parts.netloc or any(c.isspace() for c in link):
        raise ReadError(where, f"URL must be http(s)://host/…, not {link[:80]!r}")
    return link


def clean_text(value: str, where: str) -> str:
    """Text without what XML 1.0 and PostgreSQL cannot store (NUL, control characters); lone
    surrogates are not Unicode text and are refused."""
    if SURROGATE.search(value):
        raise ReadError(where, "text is not valid Unicode (lone surrogate code points)")
    return CONTROL.sub("", value)


def clean_line(value: str) -> str:
    """One line of text: control characters dropped, whitespace runs made one space."""
    return re.sub(r"\s+", " ", CONTROL.sub("", value)).strip()


def display_path(path: Path | str) -> str:
    """A file name as text: bytes that are not UTF-8 shown as U+FFFD instead of lone surrogates."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass(frozen=True)
class RawArticle:
    """An article as read, before extraction: validated and normalised."""

    title: str
    published: dt.date
    body: str
    outlet: str = ""
    url: str | None = None
    source: str = ""
    summary_only: bool = False

    @property
    def key(self) -> str:
        """Identity: the URL when known, else a hash of the normalised text."""
        return self.url if self.url else "sha256:" + self.content_hash

    @property
    def content_hash(self) -> str:
        norm = re.sub(r"\s+", " ", unicodedata.normalize("NFC", f"{self.title}\n{self.body}")).strip().lower()
        return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def parse_date(value: object, where: str) -> dt.date:
    """ISO dates and datetimes, RFC 822 feed dates, epoch seconds; anything else is an error."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            date = dt.datetime.fromtimestamp(value, dt.timezone.utc).date()
        except (OverflowError, OSError, ValueError):
            raise ReadError(where, f"impossible date {value!r} (epoch seconds out of range)") from None
        return check_published(date, where)
    if not isinstance(value, (str, dt.date)) and value is not None:
        raise ReadError(where, f"unreadable date of type {type(value).__name__} (use YYYY-MM-DD)")
    return check_published(_parse_date_text(str(value or "").strip(), where), where)


def _parse_date_text(s: str, where: str) -> dt.date:
    if not s:
        raise ReadError(where, "missing date")
    m = re.match(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[T ]|$|Z)", s)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise ReadError(where, f"impossible date {s!r}") from None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(s).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        raise ReadError(where, f"unreadable date {s!r} (use YYYY-MM-DD)") from None


def decode(data: bytes, where: str) -> str:
    """UTF-8, else the charset a detector is confident of, else an error; binary is refused."""
    if b"\x00" in data[:8192]:
        raise ReadError(where, "binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ReadError(where, "undecodable text (not UTF-8 and no charset detected)")
    return str(best)


def _clean_body(body: str) -> str:
    lines = [ln.rstrip() for ln in body.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(ln for ln in lines if ln.strip()).strip("\n")


def make_article(where: str, title: object, published: object, body: object, outlet: object = "",
             url: object = None, summary_only: bool = False) -> RawArticle:
    text = _clean_body(clean_text(_as_text(body), where))
    if not text.strip():
        raise ReadError(where, "empty body")
    date = parse_date(published, where)
    link = check_url(clean_text(_as_text(url), where), where)
    head = clean_line(clean_text(_as_text(title), where))
    return RawArticle(head or text.split("\n", 1)[0][:120], date, text,
                      clean_line(clean_text(_as_text(outlet), where)), link, safe_where(where), summary_only)


def safe_where(where: str) -> str:
    """Where an item came from, storable and printable: controls dropped, lone surrogates replaced."""
    return CONTROL.sub("", SURROGATE.sub("\ufffd", where))


def optional_url(value: object, where: str) -> str | None:
    """A URL found in a page's metadata or a feed entry: kept when http(s), else dropped (the
    article itself is still good)."""
    try:
        return check_url(value, where)
    except ReadError:
        return None


def _as_text(value: object) -> str:
    """A field as text; numbers and the like as written, absent as empty (JSON gives any type)."""
    if value is None or value == [] or value == {}:
        return ""
    return value if isinstance(value, str) else str(value)


def parse_text(text: str, where: str) -> RawArticle:
    """The seed format: 'date YYYY-MM-DD headline', or front-matter lines, then paragraphs."""
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ReadError(where, "empty file")
    if m := HEADER.match(lines[0]):
        return make_article(where, m[2], m[1], "\n".join(lines[1:]))
    meta: dict[str, str] = {}
    i = 0
    while i < len(lines) and (fm := FRONT.match(lines[i])):
        meta[fm[1].lower()] = fm[2].strip()
        i += 1
    if not meta:
        raise ReadError(where, "missing date: first line must be 'date YYYY-MM-DD headline' or 'date: YYYY-MM-DD'")
    return make_article(where, meta.get("title"), meta.get("date") or meta.get("published"), "\n".join(lines[i:]),
                    meta.get("source") or meta.get("outlet"), meta.get("url"))


def _pick(obj: dict, keys: tuple[str, ...]) -> object:
    for k in keys:
        v = obj.get(k)
        if isinstance(v, dict):
            v = v.get("name") or v.get("title") or v.get("value")
        if v not in (None, "", []):
            return v
    return None


def from_mapping(obj: object, where: str) -> RawArticle:
    """A JSON object with the usual field names of news APIs."""
    if not isinstance(obj, dict):
        raise ReadError(where, "expected a JSON object for an article")
    body = _pick(obj, BODY_KEYS)
    summary_only = not any(obj.get(k) for k in ("body", "text", "content", "article", "full_text"))
    return make_article(where, _pick(obj, TITLE_KEYS), _pick(obj, DATE_KEYS), body,
                    _pick(obj, OUTLET_KEYS), _pick(obj, URL_KEYS), summary_only and bool(body))


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")


def _load_json(text: str, where: str) -> object:
    """json.loads that refuses NaN and Infinity and reports nesting too deep as a ReadError."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ReadError(where, "malformed JSON: nested too deeply") from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise
        raise ReadError(where, f"malformed JSON: {exc}") from None


def parse_json(text: str, where: str, jsonl: bool) -> Iterator[RawArticle | ReadError]:
    if jsonl:
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                yield from_mapping(_load_json(line, f"{where}:{n}"), f"{where}:{n}")
            except json.JSONDecodeError as exc:
                yield ReadError(f"{where}:{n}", f"malformed JSON: {exc.msg}")
            except ReadError as exc:
                yield exc
        return
    try:
        data = _load_json(text, where)
    except json.JSONDecodeError as exc:
        yield ReadError(where, f"malformed JSON at line {exc.lineno}: {exc.msg}")
        return
    except ReadError as exc:
        yield exc
        return
    items = data.get("articles", data.get("items", [data])) if isinstance(data, dict) else data
    if not isinstance(items, list):
        yield ReadError(where, "expected an article object or a list of them")
        return
    for i, obj in enumerate(items):
        try:
            yield from_mapping(obj, f"{where}[{i}]" if len(items) > 1 else where)
        except ReadError as exc:
            yield exc


def parse_html(text: str, where: str, url: str | None = None) -> RawArticle:
    """Main text, title and date of a news page, by trafilatura."""
    import trafilatura

    found = trafilatura.bare_extraction(text, url=url, with_metadata=True, include_comments=False)
    doc = found.as_dict() if hasattr(found, "as_dict") else found
    if not doc or not (doc.get("text") or "").strip():
        raise ReadError(where, "no article text found in the HTML page")
    return make_article(where, doc.get("title"), doc.get("date"), doc.get("text"),
                    doc.get("sitename") or doc.get("hostname"), optional_url(url or doc.get("url"), where))


def parse_feed(data: bytes | str, where: str) -> Iterator[RawArticle | ReadError]:
    """Each entry of an RSS or Atom feed; entries with only a summary are flagged."""
    import feedparser

    feed = feedparser.parse(data)
    if feed.bozo and (not feed.entries or "SAX" in type(feed.get("bozo_exception")).__name__):
        recovered = f" ({len(feed.entries)} entries recovered)" if feed.entries else ""
        yield ReadError(where, f"malformed feed{recovered}: {feed.get('bozo_exception', 'not RSS or Atom')}")
        if not feed.entries:
            return
    outlet = feed.feed.get("title", "")
    for i, e in enumerate(feed.entries):
        content = " ".join(c.get("value", "") for c in e.get("content", []))
        body = content or e.get("summary", "")
        body = _html_to_text(body)
        published = e.get("published") or e.get("updated") or e.get("created")
        try:
            yield make_article(f"{where}#{i + 1}", e.get("title"), published, body, outlet,
                               optional_url(e.get("link"), where), summary_only=not content)
        except ReadError as exc:
            yield exc


def _html_to_text(fragment: str) -> str:
    if "<" not in fragment:
        return fragment
    import lxml.html

    try:
        root = lxml.html.fromstring(f"<div>{fragment}</div>")
    except Exception:  # noqa: BLE001 - lxml raises several types on junk; treat as plain text
        return re.sub(r"<[^>]+>", " ", fragment)
    for br in root.iter("br", "p", "li"):
        br.tail = "\n" + (br.tail or "")
    return root.text_content()


def sniff(text: str) -> str:
    head = text.lstrip()[:500].lower()
    if head.startswith(("{", "[")):
        return "json"
    if head.startswith("<?xml") and ("<rss" in head or "<feed" in head) or head.startswith(("<rss", "<feed")):
        return "feed"
    if head.startswith(("<!doctype html", "<html")) or "<body" in head:
        return "html"
    return "text"


def read_bytes(data: bytes, where: str, suffix: str = "", limit: int | None = None) -> Iterator[RawArticle | ReadError]:
    """Every article in one file's bytes (a feed or JSON list holds many)."""
    if limit is not None and len(data) > limit:
        yield ReadError(where, f"too large ({len(data):,} bytes; the limit is {limit:,})")
        return
    try:
        text = decode(data, where)
    except ReadError as exc:
        yield exc
        return
    kind = {**dict.fromkeys(JSON_SUFFIXES, "json"), **dict.fromkeys(HTML_SUFFIXES, "html"),
            **dict.fromkeys(FEED_SUFFIXES, "feed")}.get(suffix.lower()) or sniff(text)
    try:
        if kind == "json":
            yield from parse_json(text, where, suffix.lower() in (".jsonl", ".ndjson") or _looks_jsonl(text))
        elif kind == "feed":
            yield from parse_feed(data, where)
        elif kind == "html":
            yield parse_html(text, where)
        else:
            yield parse_text(text, where)
    except ReadError as exc:
        yield exc
    except (RecursionError, OverflowError, ValueError, TypeError, LookupError) as exc:
        # a parser library tripping over hostile input: this item fails alone, the batch goes on
        yield ReadError(where, f"unreadable ({type(exc).__name__}: {str(exc)[:200]})")


def _looks_jsonl(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return len(lines) > 1 and all(ln.lstrip().startswith("{") for ln in lines[:2])


def iter_files(paths: list[Path]) -> Iterator[Path]:
    """Files under the given paths, folders recursed in name order, hidden files and READMEs skipped."""
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts) \
                        and f.name.lower() not in ("readme.md", "readme.txt", "readme"):
                    yield f
        else:
            yield p


def read_url(url: str, limit: int) -> Iterator[RawArticle | ReadError]:
    """An http(s) feed or page, fetched with a size limit."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, headers={"User-Agent": "diplomatic-timeline/0.1"})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:  # noqa: S310 - the scheme is checked by the caller
            data = r.read(limit + 1)
            ctype = r.headers.get("content-type", "")
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        yield ReadError(url, f"could not fetch: {getattr(exc, 'reason', exc)}")
        return
    if len(data) > limit:
        yield ReadError(url, f"too large (over {limit:,} bytes)")
        return
    if "html" in ctype and b"<rss" not in data[:1000] and b"<feed" not in data[:1000]:
        try:
            yield parse_html(decode(data, url), url, url)
        except ReadError as exc:
            yield exc
        return
    yield from read_bytes(data, url, ".xml" if ("xml" in ctype or "rss" in ctype or "atom" in ctype) else "", limit)


def read_sources(sources: list[str], limit: int, stdin: bytes | None = None) -> Iterator[RawArticle | ReadError]:
    """Articles from paths, folders, URLs and '-' (standard input)."""
    for src in sources:
        if src == "-":
            yield from read_bytes(stdin or b"", "<stdin>", "", limit)
        elif re.match(r"^https?://", src):
            yield from read_url(src, limit)
        elif not Path(src).exists():
            yield ReadError(src, "no such file or folder")
        else:
            for f in iter_files([Path(src)]):
                try:
                    data = f.read_bytes()
                except OSError as exc:
                    yield ReadError(display_path(f), f"cannot read: {exc.strerror}")
                    continue
                yield from read_bytes(data, display_path(f), f.suffix, limit)
