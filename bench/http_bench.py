"""Serve a loaded database and drive it with wrk, beside the stack's ceiling and Datasette.

    .venv/bin/python bench/http_bench.py --db sqlite:///bench/out/bench.db [--seconds 10] [--connections 32]

Runs, in one go on this machine: our app (2 workers) over a mix of filter URLs (fragments,
full pages, JSON twins, deep cursor pages, text search); a bare FastAPI endpoint returning a
constant page (the ceiling); Datasette over the same SQLite file (a faceted table page, a canned
query as HTML and JSON) when it is installed. Prints requests/s, p50 and p99 and the ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, seconds: float = 60) -> None:
    end = time.time() + seconds
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


def start(cmd: list[str], env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop(p: subprocess.Popen) -> None:
    os.killpg(p.pid, signal.SIGTERM)
    p.wait(timeout=30)


def wrk(url: str, seconds: int, connections: int, threads: int = 2, headers: dict | None = None,
        timeout: int = 10) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", f"{timeout}s"]
    for k, v in (headers or {}).items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + timeout + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50_ms": to_ms(lat.get("50", "0ms")), "p99_ms": to_ms(lat.get("99", "0ms")),
            "non2xx": int(errors.group(1)) if errors else 0}


def first_request_ms(url: str, headers: dict, warm: int = 3) -> float:
    """The first request of a view (cold: its counts, panel and cards are computed), then a few more so
    that wrk measures the steady state. Each worker process keeps its own parts, so a worker that the
    warm-up missed computes the view once more inside the wrk run."""
    t = time.perf_counter()
    urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120).read()
    first = (time.perf_counter() - t) * 1000
    for _ in range(warm):
        urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120).read()
    return first


def to_ms(v: str) -> float:
    n, unit = re.match(r"([\d.]+)(\w+)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def rss_mb(pid: int) -> list[float]:
    """Resident memory of a server's worker processes (its children), in MB."""
    out = []
    for child in Path("/proc").glob("[0-9]*"):
        try:
            stat = (child / "stat").read_text().split()
            if int(stat[3]) == pid:
                rss = re.search(r"VmRSS:\s+(\d+) kB", (child / "status").read_text())
                out.append(int(rss.group(1)) / 1024)
        except (OSError, IndexError, AttributeError):
            continue
    return out


def app_urls(base: str) -> dict[str, tuple[str, dict]]:
    """A mix of filter URLs chosen from the data: common and rare actors, pairs, dates, text, deep pages."""
    actors = json.load(urllib.request.urlopen(base + "/api/v1/actors", timeout=60))
    topics = json.load(urllib.request.urlopen(base + "/api/v1/topics", timeout=60))
    top, mid = actors[0]["slug"], actors[min(len(actors) - 1, len(actors) // 3)]["slug"]
    topic = topics[0]["slug"]
    page = json.load(urllib.request.urlopen(f"{base}/events.json?actor={top}", timeout=60))
    for _ in range(5):
        if page.get("next"):
            page = json.load(urllib.request.urlopen(page["next"], timeout=60))
    deep = page.get("next") or f"{base}/events.json?actor={top}"
    hx = {"HX-Request": "true"}
    return {
        "fragment: one actor": (f"{base}/?actor={top}", hx),
        "fragment: actor + topic": (f"{base}/?actor={top}&topic={topic}", hx),
        "fragment: rarer actor": (f"{base}/?actor={mid}", hx),
        "fragment: type + dates": (f"{base}/?type=call&from=2020-01-01&to=2020-12-31", hx),
        "fragment: text search": (f"{base}/?q=ceasefire", hx),
        "full page: one actor": (f"{base}/?actor={top}", {}),
        "JSON twin: one actor": (f"{base}/events.json?actor={top}", {}),
        "JSON: deep cursor page": (deep, {}),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="TIMELINE_DATABASE_URL of a loaded database")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    results: dict[str, dict] = {}

    port = free_port()
    app = start([str(BIN / "timeline"), "serve", "--port", str(port), "--workers", str(a.workers)],
                {"TIMELINE_DATABASE_URL": a.db})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(base + "/api/v1/topics")
        urls = app_urls(base)
        first = next(iter(urls.values()))
        colds = {next(iter(urls)): first_request_ms(*first)}
        results["unloaded p50 (1 connection): " + next(iter(urls))] = wrk(first[0], 5, 1, 1, first[1])
        for name, (url, headers) in urls.items():
            cold = colds.get(name) or first_request_ms(url, headers)
            results[name] = wrk(url, a.seconds, a.connections, headers=headers) | {"first_ms": cold}
        # open loop (wrk2-style): the fragment at a fixed arrival rate of half its measured capacity, against
        # the same client's unloaded figure (10 requests/s)
        from open_loop import open_loop

        frag_url, frag_headers = urls["fragment: one actor"]
        half = results["fragment: one actor"]["rps"] / 2
        open_unloaded = open_loop(frag_url, frag_headers, rate=10, seconds=5, connections=4)
        open_half = open_loop(frag_url, frag_headers, rate=half, seconds=a.seconds)
        memory = rss_mb(app.pid)
    finally:
        stop(app)

    port = free_port()
    bare = start([str(BIN / "uvicorn"), "bench.bare_app:app", "--port", str(port), "--workers", str(a.workers),
                  "--log-level", "warning"])
    try:
        wait_up(f"http://127.0.0.1:{port}/")
        results["unloaded p50 (1 connection): bare FastAPI"] = wrk(f"http://127.0.0.1:{port}/", 5, 1, 1)
        results["bare FastAPI constant page"] = wrk(f"http://127.0.0.1:{port}/", a.seconds, a.connections)
    finally:
        stop(bare)

    db_file = a.db.split("sqlite:///", 1)[-1] if a.db.startswith("sqlite") else None
    datasette = BIN / "datasette"
    if db_file and datasette.exists():
        results.update(run_datasette(datasette, db_file, urls, a))

    print(f"{'what':44s} {'req/s':>9s} {'p50 ms':>8s} {'p99 ms':>8s} {'non-2xx':>8s} {'first ms':>9s}")
    for name, r in results.items():
        first = f"{r['first_ms']:9.0f}" if "first_ms" in r else f"{'':9s}"
        print(f"{name:44s} {r['rps']:9.1f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} {r['non2xx']:8d} {first}")
    ceiling = results["bare FastAPI constant page"]["rps"]
    frag = results["fragment: one actor"]
    unloaded = next(v for k, v in results.items() if k.startswith("unloaded"))
    bare, bare_unloaded = results["bare FastAPI constant page"], results["unloaded p50 (1 connection): bare FastAPI"]
    print(f"\nfragment / bare ceiling: {frag['rps'] / ceiling:.3f} (target >= 0.05)")
    print(f"fragment p99 / unloaded p50: {frag['p99_ms'] / max(unloaded['p50_ms'], 0.001):.1f} (target <= 10); "
          f"p99 / p50 under load: {frag['p99_ms'] / max(frag['p50_ms'], 0.001):.1f}")
    print(f"  Little's law: {a.connections} connections always waiting give a mean latency of connections / req/s = "
          f"{a.connections / frag['rps'] * 1000:.1f} ms for the fragment;")
    print(f"  the bare constant page itself: p99 / unloaded p50 = {bare['p99_ms'] / max(bare_unloaded['p50_ms'], 0.001):.1f}")
    if "Datasette: table page with facet" in results:
        print(f"fragment / Datasette faceted table: {ratio(frag, results['Datasette: table page with facet'])} (target >= 20)")
        print(f"JSON twin / Datasette canned JSON: {ratio(results['JSON twin: one actor'], results['Datasette: canned query JSON'])} (target >= 1.5)")
    print(f"open loop, fragment at {open_half['rate']:.0f} req/s (half of {frag['rps']:.0f}): achieved "
          f"{open_half['achieved_rps']:.0f} req/s, p50 {open_half['p50_ms']:.2f} ms, p99 {open_half['p99_ms']:.2f} ms, "
          f"max {open_half['max_ms']:.1f} ms, errors {open_half['errors']}; unloaded (10 req/s, same client) p50 "
          f"{open_unloaded['p50_ms']:.2f} ms, p99 {open_unloaded['p99_ms']:.2f} ms")
    print(f"open-loop p99 / unloaded p50: {open_half['p99_ms'] / max(open_unloaded['p50_ms'], 0.001):.1f} (target <= 5); "
          f"against wrk's 1-connection p50: {open_half['p99_ms'] / max(unloaded['p50_ms'], 0.001):.1f}")
    print(f"server worker RSS (MB): {', '.join(f'{m:.0f}' for m in memory)} (target <= 300 each)")


def ratio(a: dict, b: dict) -> str:
    return f"{a['rps'] / b['rps']:.1f}" if b["rps"] else "unbounded (the other side completed no request within wrk's timeout)"


def run_datasette(datasette: Path, db_file: str, urls: dict, a) -> dict:
    """Datasette over the same file: its faceted table page, and a canned query for one actor's events."""
    import sqlite3

    top = re.search(r"actor=([a-z0-9-]+)", urls["fragment: one actor"][0]).group(1)
    actor_id = sqlite3.connect(db_file).execute("select id from actor where slug = ?", (top,)).fetchone()[0]
    name = Path(db_file).stem
    meta = Path("/tmp/timeline-datasette-metadata.json")
    meta.write_text(json.dumps({"databases": {name: {"queries": {"actor_events": {"sql":
        "select e.id, e.date, e.type, e.title from eventactor ea join event e on e.id = ea.event_id "
        "where ea.actor_id = :actor and ea.role != 'mentioned' order by ea.date_start desc, ea.event_id desc limit 50"}}}}}))
    port = free_port()
    ds = start([str(datasette), "serve", db_file, "--port", str(port), "--metadata", str(meta), "--immutable", db_file,
                "--setting", "sql_time_limit_ms", "10000", "--setting", "facet_time_limit_ms", "10000"])
    out = {}
    try:
        base = f"http://127.0.0.1:{port}/{name}"
        wait_up(f"{base}.json", 120)
        # a long timeout, so that a slow page still completes and gives a ratio
        out["Datasette: table page with facet"] = wrk(f"{base}/event?_facet=type&type=call", a.seconds * 3,
                                                       a.connections, timeout=60)
        out["Datasette: canned query HTML"] = wrk(f"{base}/actor_events?actor={actor_id}", a.seconds, a.connections)
        out["Datasette: canned query JSON"] = wrk(f"{base}/actor_events.json?actor={actor_id}", a.seconds, a.connections)
    finally:
        stop(ds)
    return out


if __name__ == "__main__":
    main()
