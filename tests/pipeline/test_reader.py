"""Readers for every input format, and a clear one-line error for every kind of bad input."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from app.pipeline.reader import RawArticle, ReadError, read_sources

LIMIT = 5_000_000
BODY = "Donald Trump and Vladimir Putin held a phone call on Tuesday."


def read_all(paths, limit=LIMIT):
    return list(read_sources([str(p) for p in paths], limit))


def only_article(path) -> RawArticle:
    [item] = read_all([path])
    assert isinstance(item, RawArticle), item
    return item


def test_seed_text_format(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(f" date 2025-03-18 Trump, Putin talk\n{BODY}\n\nSecond paragraph.\n")
    a = only_article(f)
    assert (a.title, a.published, a.body) == ("Trump, Putin talk", dt.date(2025, 3, 18), BODY + "\nSecond paragraph.")


def test_front_matter(tmp_path):
    f = tmp_path / "b.md"
    f.write_text(f"title: Call\ndate: 2025-03-18\nsource: Wire\nurl: https://example.org/a\n\n{BODY}\n")
    a = only_article(f)
    assert (a.title, a.outlet, a.url, a.key) == ("Call", "Wire", "https://example.org/a", "https://example.org/a")


def test_json_list_and_news_api_aliases(tmp_path):
    f = tmp_path / "c.json"
    f.write_text(json.dumps({"articles": [
        {"headline": "One", "publishedAt": "2025-03-18T10:00:00Z", "content": BODY, "source": {"name": "Wire"}},
        {"title": "Two", "date": "2025-03-19", "text": BODY + " Again.", "link": "https://example.org/2"},
    ]}))
    a, b = read_all([f])
    assert (a.title, a.published, a.outlet) == ("One", dt.date(2025, 3, 18), "Wire")
    assert (b.title, b.url) == ("Two", "https://example.org/2")


def test_jsonl_names_the_bad_line(tmp_path):
    f = tmp_path / "d.jsonl"
    f.write_text(json.dumps({"title": "A", "published": "2025-03-18", "body": BODY}) + "\n{not json\n"
                 + json.dumps({"title": "C", "published": "2025-13-40", "body": BODY}) + "\n")
    good, bad1, bad2 = read_all([f])
    assert isinstance(good, RawArticle)
    assert isinstance(bad1, ReadError) and bad1.where.endswith("d.jsonl:2") and "malformed JSON" in bad1.reason
    assert isinstance(bad2, ReadError) and bad2.where.endswith(":3") and "impossible date" in bad2.reason


def test_html_page(tmp_path):
    f = tmp_path / "e.html"
    paras = "".join(f"<p>{BODY} Paragraph {i} with enough words to count as article text for extraction.</p>" for i in range(6))
    f.write_text(f"""<!doctype html><html><head><title>Leaders speak</title>
<meta property="article:published_time" content="2025-03-18T09:00:00Z"><meta property="og:site_name" content="Wire"></head>
<body><nav>Menu</nav><article><h1>Leaders speak</h1>{paras}</article><footer>Copyright</footer></body></html>""")
    a = only_article(f)
    assert a.published == dt.date(2025, 3, 18) and "phone call" in a.body and "Menu" not in a.body


def test_rss_feed_flags_summary_only_entries(tmp_path):
    f = tmp_path / "f.xml"
    f.write_text(f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><title>Call</title><link>https://example.org/1</link><pubDate>Tue, 18 Mar 2025 10:00:00 GMT</pubDate>
<description>{BODY}</description></item></channel></rss>""")
    a = only_article(f)
    assert (a.title, a.outlet, a.published, a.summary_only) == ("Call", "Wire", dt.date(2025, 3, 18), True)


def test_atom_feed_with_full_content(tmp_path):
    f = tmp_path / "g.atom"
    f.write_text(f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
<id>urn:x</id><updated>2025-03-18T10:00:00Z</updated><entry><title>Call</title><id>urn:1</id>
<link href="https://example.org/1"/><updated>2025-03-18T10:00:00Z</updated>
<content type="html">&lt;p&gt;{BODY}&lt;/p&gt;</content></entry></feed>""")
    a = only_article(f)
    assert (a.summary_only, a.body.strip()) == (False, BODY)


def test_folders_recurse_and_skip_readmes(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text(f"date 2025-03-18 A\n{BODY}\n")
    (tmp_path / "README.md").write_text("# not an article\n")
    assert [a.title for a in read_all([tmp_path])] == ["A"]


def test_stdin(tmp_path):
    [a] = read_sources(["-"], LIMIT, f"date 2025-03-18 From stdin\n{BODY}\n".encode())
    assert a.title == "From stdin"


BAD = [
    ("missing date", b"Just a headline\nand text\n", "missing date"),
    ("impossible date", b"date 2025-02-30 Headline\nText.\n", "impossible date"),
    ("empty body", b"date 2025-03-18 Headline\n\n\n", "empty body"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary file"),
    ("malformed json", b'{"title": "x",', "malformed JSON"),
]


@pytest.mark.parametrize("name,data,reason", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_clear_line(tmp_path, name, data, reason):
    f = tmp_path / ("bad.json" if "json" in name else "bad.txt")
    f.write_bytes(data)
    [err] = read_all([f])
    assert isinstance(err, ReadError) and reason in err.reason and str(f) in str(err) and "\n" not in str(err)


def test_oversize_is_refused(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("date 2025-03-18 Big\n" + "word " * 1000)
    [err] = read_all([f], limit=1000)
    assert isinstance(err, ReadError) and "too large" in err.reason


def test_legacy_encodings_are_decoded(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes("date 2025-03-18 Élysée talks\nMacron reçut Zelensky à l'Élysée mardi; les deux présidents ont parlé longuement.\n".encode("cp1252"))
    a = only_article(f)
    assert a.title == "Élysée talks"


def test_identity_is_url_else_text_hash():
    a = RawArticle("T", dt.date(2025, 3, 18), "Body  text.")
    b = RawArticle("T", dt.date(2025, 3, 18), "Body text.")
    assert a.key == b.key and a.key.startswith("sha256:")


def test_malformed_feed_is_named(tmp_path):
    f = tmp_path / "broken.rss"
    f.write_text("<rss><channel><title>x</title><item><title>unclosed")
    errors = [e for e in read_all([f]) if isinstance(e, ReadError)]
    assert any("malformed feed" in e.reason and str(f) in str(e) for e in errors)


def test_feed_from_an_http_url(tmp_path):
    """A feed served over HTTP on this machine, read by URL."""
    import http.server
    import threading
    from functools import partial

    (tmp_path / "feed.xml").write_text(f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><title>Call</title><link>https://example.org/1</link><pubDate>Tue, 18 Mar 2025 10:00:00 GMT</pubDate>
<description>{BODY}</description></item></channel></rss>""")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
        [a] = read_sources([url], LIMIT)
        assert isinstance(a, RawArticle) and (a.title, a.outlet, a.url) == ("Call", "Wire", "https://example.org/1")
        [missing] = read_sources([url.replace("feed.xml", "nothing.xml")], LIMIT)
        assert isinstance(missing, ReadError) and "could not fetch" in missing.reason
    finally:
        server.shutdown()
