"""Latency and throughput of the service's pages over real HTTP.

    .venv/bin/python -m benchmarks.http_pages [--requests 2000] [--concurrency 8]

Migrates a fresh SQLite database in a temporary directory, starts `primas serve` on a free port
(one worker, as `make run` does), then requests each path with keep-alive connections from
client threads in this process and prints a Markdown table. Client and server share the machine.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.serving import wait_until_up
from tests.support.postgres import free_port

PATHS = ["/healthz", "/readyz", "/", "/accessibility", "/static/css/primas.css"]
SIGNED_IN_PATHS = ["/account", "/admin/users", "/admin/audit"]


def sign_in_cookie(port: int, email: str, password: str) -> str:
    """Sign in over HTTP as a browser does; returns the Cookie header for the session."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/sign-in")
    response = connection.getresponse()
    page = response.read().decode()
    anonymous = response.getheader("set-cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    body = urlencode({"email": email, "password": password, "csrf_token": token})
    headers = {"Cookie": anonymous, "Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", "/sign-in", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    assert response.status == 303, response.status
    return response.getheader("set-cookie", "").split(";")[0]


def measure(
    port: int, path: str, requests: int, concurrency: int, cookie: str = ""
) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = requests // concurrency

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        for _ in range(per_thread):
            started = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            response.read()
            assert response.status == 200, (path, response.status)
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        env = {**os.environ, "PRIMAS_DATABASE_URL": f"sqlite:///{Path(directory) / 'bench.db'}"}
        primas = str(Path(sys.executable).parent / "primas")
        subprocess.run([primas, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([primas, "load-demo"], env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [primas, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(port)
            measure(port, "/", 200, 4)  # warm up
            print(f"{args.requests} requests per path, {args.concurrency} keep-alive clients\n")
            print("| path | requests/s | p50 ms | p95 ms | p99 ms | max ms |")
            print("|---|---:|---:|---:|---:|---:|")
            cookie = sign_in_cookie(port, "admin@primas.example", "manager-demo-password")
            for path in PATHS + SIGNED_IN_PATHS:
                signed_in = cookie if path in SIGNED_IN_PATHS else ""
                latencies, elapsed = measure(port, path, args.requests, args.concurrency, signed_in)
                cuts = statistics.quantiles(latencies, n=100)
                label = f"`{path}`" + (" (signed in)" if signed_in else "")
                print(
                    f"| {label} | {len(latencies) / elapsed:,.0f} | {cuts[49] * 1000:.1f} "
                    f"| {cuts[94] * 1000:.1f} | {cuts[98] * 1000:.1f} "
                    f"| {max(latencies) * 1000:.1f} |"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
