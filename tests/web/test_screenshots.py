"""The README's screenshots of the timeline, the lanes view and the dyad page show the pages as they are now: the state
each was taken in (tests/screenshots.py) equals the same parts of the page rendered here."""
from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from tests.screenshots import SHOTS, regenerate, squash, state_of

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("shot", sorted(SHOTS))
def test_readme_screenshots_show_the_pages_as_they_are(client, shot):
    path, parts = SHOTS[shot]
    taken = state_of(DOCS / shot)
    assert taken is not None, f"docs/{shot} does not say what it shows: regenerate it ({regenerate(shot)})"
    tree = lxml.html.fromstring(client.get(path, headers={"accept": "text/html"}).text)
    now = {sel: squash(tree.cssselect(sel)[0].text_content()) for sel in parts}
    assert taken == now, f"docs/{shot} is stale: regenerate it ({regenerate(shot)})"
