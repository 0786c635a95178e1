"""Signed-in pages and /healthz while 30 clients flood the sign-in form with made-up addresses.

    .venv/bin/python -m benchmarks.sign_in_flood [--seconds 20]

Each password check costs tens of milliseconds of both cores (argon2), and a made-up address is
checked against a dummy hash so that it takes as long as a real one. So a flood of sign-ins,
each for a new address (which the per-account throttle cannot see), could take the processor
from everyone. Three runs against one server process (`primas` as deployed: uvicorn, one
worker, `PRIMAS_ENV=production`, SQLite in WAL mode in a temporary directory):

1. quiet: a signed-in lead opening the procurement list, and a load balancer asking /healthz;
2. the same while 30 flooding clients (each its own address, through a trusted proxy) post
   sign-ins for new addresses back to back, with the limits on (the defaults);
3. the same flood with the limits off (as before issue 16).

The page and /healthz are each fetched 20 times first (not measured); then the page by 2 clients
back to back and /healthz by 2 clients ten times a second each, from threads in this process;
the flooding clients are threads of another process (so that they do not hold the measuring
threads' interpreter lock), started 2 s before measuring. All on the same machine as the server.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import multiprocessing
import re
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.serving import production_server

FLOODERS = 30
# A load balancer asks /healthz every few seconds; the two clients here ask ten times a second
# each. Asked back to back, /healthz took the event loop from the pages (2,500 a second, and
# in some runs 7,000 a second, halving the pages measured: an effect of the measuring, not of
# what is measured).
HEALTH_EVERY = 0.1
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
NO_LIMITS = {
    "PRIMAS_PASSWORD_CHECKS_IN_FLIGHT": "64",
    "PRIMAS_PASSWORD_CHECKS_PER_SECOND": "100000",
    "PRIMAS_SIGN_IN_CLIENT_MAX_FAILURES": "1000000",
}


def seed(database_url: str) -> str:
    """A migrated database with one lead and a session; returns the session's cookie."""
    from sqlmodel import Session

    from app.db import create_database_engine
    from app.deps import session_policy
    from app.models import Role, User
    from app.schema import upgrade_to_head
    from app.services import sessions
    from app.services.passwords import hash_password
    from app.settings import Settings
    from app.timeutil import utcnow

    engine = create_database_engine(database_url)
    upgrade_to_head(engine)
    with Session(engine) as session:
        lead = User(email="lead@example.gov.uk", name="Lead", roles=[Role.LEAD.value],
                    password_hash=hash_password("a long and private passphrase"))  # fmt: skip
        session.add(lead)
        session.commit()
        policy = session_policy(Settings(session_idle_timeout_seconds=7200,
                                         session_max_age_seconds=14400))  # fmt: skip
        token = sessions.start_session(session, lead, policy, utcnow())
        session.commit()
    engine.dispose()
    return f"__Host-primas_session={token}"


def timed_gets(
    port: int, path: str, cookie: str, stop: threading.Event, out: list[float], every: float = 0.0
) -> None:
    """GET `path` until stopped, timing each: back to back, or one every `every` seconds."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while not stop.is_set():
        started = time.perf_counter()
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)
        out.append(time.perf_counter() - started)
        if every:
            stop.wait(max(0.0, every - (time.perf_counter() - started)))


def flood(port: int, number: int, stop: threading.Event, statuses: Counter[int]) -> None:
    """One client posting sign-ins for address after address, from its own address."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    match = None
    while match is None:  # the form's token (a busy server may be slow to give it)
        if stop.is_set():
            return
        connection.request("GET", "/sign-in")
        page = connection.getresponse()
        html = page.read().decode()
        cookie = (page.getheader("set-cookie") or "").split(";")[0]
        match = TOKEN.search(html)
    forwarded = f"203.0.113.{number + 1}"
    for attempt in itertools.count():
        if stop.is_set():
            return
        body = urlencode({"email": f"nobody-{number}-{attempt}@example.com",
                          "password": "guess", "csrf_token": match.group(1)})  # fmt: skip
        connection.request("POST", "/sign-in", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
            "X-Forwarded-For": forwarded})  # fmt: skip
        response = connection.getresponse()
        response.read()
        statuses[response.status] += 1


def flooders(port: int, seconds: float, results: multiprocessing.Queue[dict[int, int]]) -> None:
    """The 30 flooding clients, in a process of their own, so their threads do not hold the
    measuring threads' interpreter lock (which would add their time to the page's)."""
    stop = threading.Event()
    statuses: Counter[int] = Counter()
    threads = [threading.Thread(target=flood, args=(port, n, stop, statuses))
               for n in range(FLOODERS)]  # fmt: skip
    _run_for(threads, stop, seconds)
    results.put(dict(statuses))


def _run_for(threads: list[threading.Thread], stop: threading.Event, seconds: float) -> None:
    """Start the threads, let them run for `seconds`, then stop them and wait for each."""
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()


def warm_up(port: int, cookie: str) -> None:
    """A few requests first, so no run measures the first page's template compiling."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for path, headers in (("/procurements", {"Cookie": cookie}), ("/healthz", {})):
        for _ in range(20):
            connection.request("GET", path, headers=headers)
            connection.getresponse().read()


def run(port: int, cookie: str, seconds: float, flooding: bool) -> dict[str, object]:
    stop = threading.Event()
    page: list[float] = []
    health: list[float] = []
    statuses: Counter[int] = Counter()
    results: multiprocessing.Queue[dict[int, int]] = multiprocessing.Queue()
    flooder = multiprocessing.Process(target=flooders, args=(port, seconds + 2, results))
    warm_up(port, cookie)
    if flooding:
        flooder.start()
        time.sleep(2)  # the flood under way before measuring
    threads = [threading.Thread(target=timed_gets, args=(port, "/procurements", cookie, stop, page))
               for _ in range(2)]  # fmt: skip
    threads += [threading.Thread(target=timed_gets,
                                 args=(port, "/healthz", "", stop, health, HEALTH_EVERY))
                for _ in range(2)]  # fmt: skip
    _run_for(threads, stop, seconds)
    if flooding:
        statuses.update(results.get())
        flooder.join()
    return {"page": page, "health": health, "statuses": statuses}


def ms(values: list[float], q: float) -> str:
    if not values:
        return "none answered"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        database_url = f"sqlite:///{Path(directory) / 'bench.db'}"
        cookie = seed(database_url)
        print(f"{FLOODERS} flooding clients; {args.seconds:.0f} s a run\n")
        print(
            "| run | page p50 ms | page p95 ms | pages | /healthz p50 ms | /healthz p95 ms "
            "| sign-ins answered (by status) |"
        )
        print("|---|---:|---:|---:|---:|---:|---|")
        for label, flooding, extra in (
            ("quiet", False, {}),
            ("flood, limits on (defaults)", True, {}),
            ("flood, limits off", True, NO_LIMITS),
        ):
            with production_server(
                database_url, {"PRIMAS_TRUSTED_PROXIES": "127.0.0.1", **extra}
            ) as port:
                result = run(port, cookie, args.seconds, flooding)
            page, health = result["page"], result["health"]
            statuses = result["statuses"]
            assert isinstance(page, list) and isinstance(health, list)
            assert isinstance(statuses, Counter)
            answered = ", ".join(
                f"{count} × {status}" for status, count in sorted(statuses.items())
            )
            print(f"| {label} | {ms(page, 0.5)} | {ms(page, 0.95)} | {len(page)} | "
                  f"{ms(health, 0.5)} | {ms(health, 0.95)} | {answered or 'none'} |")  # fmt: skip


if __name__ == "__main__":
    main()
