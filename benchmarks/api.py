"""The JSON API under 16 clients at once: reading one procurement, and recording one.

    .venv/bin/python -m benchmarks.api [--requests 40] [--clients 16] [--databases sqlite,...]

For each database (a SQLite file in WAL mode, and a throwaway PostgreSQL 15 as the tests start
it): a fresh database at the latest migration with 200 procurements (each a £2.4m cleaning
contract, as the web form records it), one lead officer and one API client with the read and
write scopes; one uvicorn worker serving the app as deployed (`PRIMAS_ENV=production`), over
real HTTP on loopback. Then `--clients` threads, each with its own keep-alive connection and
the same token (the rate limit raised out of the way), each sending `--requests` requests
after 3 not measured:

- GET /api/v1/procurements/{reference}: a procurement chosen at random, with what it owes (its
  record alone, scored with the newest form's rules and no answers);
- POST /api/v1/procurements: a new procurement, with an Idempotency-Key of its own.

Each request is timed from sending to the whole answer read; p50 and p95 are of all clients'
requests together, and the rate is requests answered per second of wall-clock time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date

from benchmarks.serving import each_database, production_server

WARM_UP = 3


def seed(url: str, count: int) -> tuple[str, list[str], str]:
    """The database at the latest migration with `count` procurements; returns the lead's
    email, the references and a token with the read and write scopes."""
    from app.db import create_database_engine
    from app.models import Role
    from app.schema import upgrade_to_head
    from app.services import api_clients, procurements
    from app.services.audit import SYSTEM
    from app.services.startup import start
    from tests.support.factories import make_user, procurement_facts

    start()
    engine = create_database_engine(url)
    upgrade_to_head(engine)
    from sqlmodel import Session

    with Session(engine) as session:
        lead = make_user(session, Role.LEAD, email="bench.lead@example.gov.uk")
        facts = procurement_facts(session, value="2,400,000")
        references = [procurements.create(session, lead, facts, today=date.today()).reference
                      for _ in range(count)]  # fmt: skip
        _client, token = api_clients.create(session, SYSTEM, "Benchmark", ["read", "write"],
                                            by_user_id=None)  # fmt: skip
        email = lead.email
    engine.dispose()
    return email, references, token


def body_for(lead: str) -> bytes:
    year = date.today().year + 1
    return json.dumps({
        "title": "Cleaning of council offices", "description": "Daily cleaning.",
        "directorate": "finance-corporate-resources", "category": "cleaning",
        "contract_type": "services", "light_touch": False, "framework": {"role": "none"},
        "whole_life_value_pence": 240_000_000, "term_months": 36, "extension_months": 24,
        "planned_tender_date": f"{year}-03-01", "expected_start_date": f"{year}-09-01",
        "delivery_location": "in-borough", "lead_officer": lead,
    }).encode()  # fmt: skip


Send = Callable[[http.client.HTTPConnection], int]


def measure(port: int, clients: int, requests: int, send: Send) -> tuple[list[float], float]:
    """Every client's timings in ms, and the requests answered per second."""
    timings: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    failures: list[str] = []

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            for _ in range(WARM_UP):
                send(connection)
        finally:
            start.wait(120)
        mine = []
        for _ in range(requests):
            began = time.perf_counter()
            try:
                status = send(connection)
            except (OSError, http.client.HTTPException) as error:
                failures.append(f"{type(error).__name__}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine.append((time.perf_counter() - began) * 1000)
            if status >= 400:
                failures.append(str(status))
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait(120)
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed: {sorted(set(failures))}")
    return timings, len(timings) / elapsed


def run(url: str, clients: int, requests: int) -> dict[str, tuple[list[float], float]]:
    lead, references, token = seed(url, 200)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = body_for(lead)

    def get(connection: http.client.HTTPConnection) -> int:
        connection.request("GET", f"/api/v1/procurements/{random.choice(references)}",
                           headers=headers)  # fmt: skip
        response = connection.getresponse()
        response.read()
        return response.status

    def post(connection: http.client.HTTPConnection) -> int:
        connection.request("POST", "/api/v1/procurements", body=body,
                           headers=headers | {"Idempotency-Key": str(uuid.uuid4())})  # fmt: skip
        response = connection.getresponse()
        response.read()
        return response.status

    extra = {"PRIMAS_API_REQUESTS_PER_MINUTE": "100000000", "PRIMAS_SEND_MAIL": "false"}
    with production_server(url, extra) as port:
        return {
            "GET procurement": measure(port, clients, requests, get),
            "POST procurement": measure(port, clients, requests, post),
        }


def report(database: str, results: dict[str, tuple[list[float], float]]) -> None:
    for name, (timings, rate) in results.items():
        ordered = sorted(timings)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        print(f"{database:<11} {name:<17} n={len(timings):<5} p50 {statistics.median(timings):7.1f}"
              f" ms  p95 {p95:7.1f} ms  {rate:6.1f}/s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="per client, after 3 warm-ups")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()

    for database, url in each_database(args.databases, "primas_api"):
        report(database, run(url, args.clients, args.requests))


if __name__ == "__main__":
    main()
