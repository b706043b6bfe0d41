"""A local HTTP server on 127.0.0.1 that the feed tests control: each path answers as its Route says
(a body with ETag / Last-Modified and 304s, a status, a delay, a temporary or permanent redirect,
a huge body), and every
request is recorded with its headers."""
from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str = ""
    last_modified: str = ""
    delay: float = 0.0
    location: str = ""  # redirect to here
    redirect: int = 302  # with this status (301, 302, 307, 308)
    huge: int = 0  # stream this many bytes (no Content-Length)


@dataclass
class Hit:
    path: str
    headers: dict
    at: float = field(default_factory=time.monotonic)


def rss(title: str, items: list[dict]) -> bytes:
    """An RSS 2.0 document; each item has link, title, date (YYYY-MM-DD) and body."""
    def item(i: dict) -> str:
        day = dt.datetime.fromisoformat(i["date"]).replace(tzinfo=dt.timezone.utc)
        return (f"<item><title>{escape(i['title'])}</title><link>{escape(i['link'])}</link>"
                f"<guid>{escape(i['link'])}</guid><pubDate>{format_datetime(day)}</pubDate>"
                f"<description>{escape(i['body'])}</description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
            f"<link>http://127.0.0.1/</link><description>test</description>{''.join(item(i) for i in items)}"
            "</channel></rss>").encode()


class FeedServer:
    """ThreadingHTTPServer in a daemon thread; set routes[path] and read hits."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep the test output clean
                pass

            def do_GET(self):
                with server.lock:
                    server.hits.append(Hit(self.path, dict(self.headers)))
                    route = server.routes.get(self.path)
                if route is None:
                    return self._send(404, b"not found", "text/plain")
                if route.delay:
                    time.sleep(route.delay)
                if route.location:
                    self.send_response(route.redirect)
                    self.send_header("Location", route.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.huge:
                    return self._stream(route)
                fresh = (route.etag and self.headers.get("If-None-Match") == route.etag) or \
                        (route.last_modified and not route.etag and self.headers.get("If-Modified-Since") == route.last_modified)
                if fresh:
                    self.send_response(304)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                extra = [("ETag", route.etag)] * bool(route.etag) + [("Last-Modified", route.last_modified)] * bool(route.last_modified)
                self._send(route.status, route.body, route.content_type, extra)

            def _send(self, status, body, ctype, extra=()):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in extra:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def _stream(self, route):
                self.send_response(200)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                chunk = b"<!-- padding -->" * 4096
                try:
                    self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>huge</title>')
                    for _ in range(route.huge // len(chunk) + 1):
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def count(self, path: str) -> int:
        with self.lock:
            return sum(1 for h in self.hits if h.path == path)

    def last(self, path: str) -> Hit:
        with self.lock:
            return [h for h in self.hits if h.path == path][-1]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
