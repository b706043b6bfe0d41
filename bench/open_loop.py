"""An open-loop load generator (wrk2-style): requests start on a fixed schedule whatever the server's answers,
and each latency runs from the request's scheduled start, so time spent queued is counted (no coordinated
omission). A bounded asyncio client: plain HTTP/1.1 keep-alive connections, at most `connections` requests
in flight; a request whose turn comes when every connection is busy waits for one, and that wait counts.

    .venv/bin/python bench/open_loop.py http://127.0.0.1:8000/?actor=x --rate 400 --seconds 10
"""
from __future__ import annotations

import argparse
import asyncio
import time
from urllib.parse import urlsplit


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port, self.reader, self.writer = host, port, None, None

    async def get(self, target: str, headers: dict) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.writer.write(head.encode())
        status_line = await self.reader.readline()
        length, chunked = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await self.reader.readexactly(length)
        return int(status_line.split()[1])


async def _run(url: str, headers: dict, rate: float, seconds: float, connections: int) -> dict:
    parts = urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    pool: asyncio.Queue = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(Connection(parts.hostname, parts.port or 80))
    latencies: list[float] = []
    errors = 0

    async def one(scheduled: float) -> None:
        nonlocal errors
        conn = await pool.get()
        try:
            status = await conn.get(target, headers)
            if status >= 400:
                errors += 1
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            errors += 1
            conn.writer = None
        finally:
            pool.put_nowait(conn)
        latencies.append((time.perf_counter() - scheduled) * 1000)

    tasks = []
    start = time.perf_counter()
    n = int(rate * seconds)
    for i in range(n):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    latencies.sort()
    pick = lambda p: latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else 0.0  # noqa: E731
    return {"rate": rate, "sent": n, "achieved_rps": n / elapsed, "errors": errors,
            "p50_ms": pick(50), "p99_ms": pick(99), "max_ms": latencies[-1] if latencies else 0.0}


def open_loop(url: str, headers: dict | None = None, rate: float = 100, seconds: float = 10,
              connections: int = 64) -> dict:
    """p50/p99/max latency (ms, from each request's scheduled start) at a fixed arrival rate."""
    return asyncio.run(_run(url, headers or {}, rate, seconds, connections))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url")
    ap.add_argument("--rate", type=float, default=100)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--hx", action="store_true", help="send HX-Request: true (the fragment)")
    a = ap.parse_args()
    print(open_loop(a.url, {"HX-Request": "true"} if a.hx else {}, a.rate, a.seconds, a.connections))


if __name__ == "__main__":
    main()
