"""Several app processes on one database serve consistent results."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import json

from tests.conftest import ADMIN_TOKEN, ROOT

ARTICLE = {"title": "Call", "published": "2025-09-02", "outlet": "Wire",
           "body": "Donald Trump and Recep Tayyip Erdogan held a phone call on Monday, Ankara said."}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> dict:
    """A JSON answer with the server's own address taken out of its links."""
    base = url.split("/", 3)[:3]
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read().decode().replace("/".join(base), ""))


def test_two_app_processes_share_one_database(db_url):
    env = {**os.environ, "TIMELINE_DATABASE_URL": db_url, "TIMELINE_ADMIN_TOKEN": ADMIN_TOKEN}
    ports = [free_port(), free_port()]
    procs = [subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(p)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in ports]
    try:
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        for base in bases:
            for _ in range(100):
                try:
                    get(base + "/api/v1/topics")
                    break
                except OSError:
                    time.sleep(0.1)
        assert get(bases[0] + "/events.json") == get(bases[1] + "/events.json")
        req = urllib.request.Request(bases[0] + "/api/v1/articles", data=json.dumps(ARTICLE).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.status == 201
        seen = [get(b + "/events.json?actor=recep-tayyip-erdogan") for b in bases]
        assert seen[0] == seen[1] and seen[0]["events"] and seen[0]["events"][0]["date"] == "2025-09-01"
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=20)
