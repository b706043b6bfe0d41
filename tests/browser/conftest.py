"""A live server (uvicorn in a thread, port 0) over the seeded database, and Debian's Chromium."""
from __future__ import annotations

import os
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page

from app.main import create_app
from tests.conftest import drop_database, make_settings, new_database

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@contextmanager
def serve(settings):
    """The app on uvicorn in a thread, on a free port of this machine; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # a loaded machine can take a while to start it
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(seeded_db):
    db = new_database("live", template=seeded_db)
    with serve(make_settings(db)) as url:
        yield url
    drop_database(db)


AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
# Screenshots go to docs/ (shown in the README) with UPDATE_SCREENSHOTS=1, as golden files with
# UPDATE_GOLDEN=1; otherwise to a scratch folder, so that a test run leaves the tree as it was.
DOCS = (Path(__file__).resolve().parents[2] / "docs" if os.environ.get("UPDATE_SCREENSHOTS")
        else Path(tempfile.mkdtemp(prefix="timeline-shots-")))


@pytest.fixture
def site(live_server) -> str:
    """The server a test's page talks to (a test module may serve another)."""
    return live_server


@pytest.fixture
def page(page: Page, site):
    """A page that fails the test on any console error, page error or request leaving this machine."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: problems.append(f"third-party request: {r.url}")
            if not r.url.startswith(site) and not r.url.startswith("data:") else None)
    page.base = site
    yield page
    assert problems == []


def serious_violations(page: Page) -> list:
    """axe-core's serious and critical violations on the page as it is (id, impact, first targets)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
            if v["impact"] in ("serious", "critical")]
