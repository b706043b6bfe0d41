"""README screenshots that say what they show: the browser tests write into each PNG (a tEXt chunk) the
text of the parts of the page that tell its state (summary, captions, counts), and
tests/web/test_screenshots.py renders the same pages now and compares, so a screenshot left behind by a
change of the pages (or of the seeds' events) fails a test instead of going stale in the README.
"""
from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

KEY = b"timeline-page-state"
SIGNATURE = b"\x89PNG\r\n\x1a\n"
# per README screenshot: the page it shows and the parts whose text is its state
SHOTS = {
    "lanes.png": ("/?view=lanes&actor=donald-trump&actor=vladimir-putin&actor=volodymyr-zelensky",
                  (".summary", "#lanes-cap", "#overview-cap")),
    "lanes-360.png": ("/?view=lanes&actor=donald-trump&actor=vladimir-putin&actor=volodymyr-zelensky",
                      (".summary", "#lanes-cap", "#overview-cap")),
    "dyad.png": ("/actors/donald-trump/with/vladimir-putin", (".dyad-facts", "table.counts")),
    # the timeline (tests/browser/test_views.py): the site links and the list/lanes switch tell its UI
    "timeline.png": ("/?actor=vladimir-putin", ("header.site nav", "h1", "#results-h", ".view-switch", "#filters summary")),
    "timeline-390.png": ("/?actor=vladimir-putin", ("h1", "#results-h", ".view-switch", "#filters summary")),
}
REGENERATE = "UPDATE_SCREENSHOTS=1 .venv/bin/pytest tests/browser/test_lanes.py -p no:cacheprovider"
REGENERATE_TIMELINE = "UPDATE_SCREENSHOTS=1 .venv/bin/pytest tests/browser/test_views.py -p no:cacheprovider"


def regenerate(shot: str) -> str:
    """The command that takes README screenshot `shot` again."""
    return REGENERATE_TIMELINE if shot.startswith("timeline") else REGENERATE


def squash(text: str | None) -> str:
    return " ".join((text or "").split())


def _chunks(data: bytes):
    pos = len(SIGNATURE)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        yield data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length], pos + 12 + length
        pos += 12 + length


def stamped(png: bytes, state: dict[str, str]) -> bytes:
    """The PNG with the page's state in a tEXt chunk right after its header."""
    assert png.startswith(SIGNATURE)
    _, _, after_header = next(_chunks(png))
    body = KEY + b"\0" + json.dumps(state, ensure_ascii=True, sort_keys=True).encode("latin-1")
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body) & 0xFFFFFFFF)
    return png[:after_header] + chunk + png[after_header:]


def state_of(path: Path) -> dict[str, str] | None:
    """The state a screenshot was taken in, or None when it carries none."""
    data = path.read_bytes()
    for kind, body, _ in _chunks(data):
        if kind == b"tEXt" and body.startswith(KEY + b"\0"):
            return json.loads(body[len(KEY) + 1:].decode("latin-1"))
        if kind == b"IDAT":
            break
    return None


def take(page, shot: str, folder: Path, element=None) -> None:
    """A screenshot of the page (or one element of it) as README screenshot `shot`, stamped with its state."""
    _, parts = SHOTS[shot]
    state = {sel: squash(page.locator(sel).first.text_content()) for sel in parts}
    png = (element or page).screenshot()
    (folder / shot).write_bytes(stamped(png, state))
