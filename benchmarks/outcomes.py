"""Outcomes through the API under 16 clients at once, and drawing a KPI's chart.

    .venv/bin/python -m benchmarks.outcomes [--requests 40] [--clients 16] [--databases ...]

For each database (a SQLite file in WAL mode, and a throwaway PostgreSQL 15): a fresh database at
the latest migration with one procurement approved through the services (the £1.2m cleaning
contract of the tests, 8 contract KPIs, started three years ago) and 12 quarterly reports of one
KPI; one uvicorn worker serving the app as deployed, over real HTTP on loopback; `--clients`
threads each sending `--requests` requests after 3 not measured:

- GET /api/v1/kpis/{id}/outcomes: the KPI with its 12 reports, ratings and overdue periods;
- GET /api/v1/procurements/{reference}/ocds: the Open Contracting release package;
- POST /api/v1/kpis/{id}/outcomes: a report of a day of its own (so none is refused as taken).

And, in this process before the requests, the KPI's chart (its 12 reports and the overdue
periods since) drawn as SVG 200 times (app/web/charts.py, pygal).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import statistics
import threading
import time
from datetime import date, timedelta

from benchmarks.api import measure, report
from benchmarks.serving import each_database, production_server


def seed(url: str) -> tuple[str, int, str]:
    """The approved procurement with 12 reports of one KPI; its reference, that KPI's id and a
    token with the read and outcomes scopes."""
    from sqlmodel import Session

    from app.db import create_database_engine
    from app.schema import upgrade_to_head
    from app.services import api_clients, outcome_reports, outcomes
    from app.services.audit import SYSTEM, Actor
    from app.services.startup import start
    from tests.support.outcomes import approved_contract

    start()
    engine = create_database_engine(url)
    upgrade_to_head(engine)
    starts = date.today().replace(day=1) - timedelta(days=3 * 365)
    with Session(engine) as session:
        contract = approved_contract(session, starts=starts)
        waste = contract.kpis["waste-diverted"]
        for period in outcomes.outcomes_of(session, waste, date.today()).scheduled[:12]:
            typed = outcome_reports.NewOutcome(period.start, period.end, "66.5", "On track.")
            outcome_reports.report(session, Actor.of(contract.lead), waste, typed, date.today())
        _client, token = api_clients.create(session, SYSTEM, "Benchmark", ["read", "outcomes"],
                                            by_user_id=None)  # fmt: skip
        found = (contract.procurement.reference, waste.id or 0, token)
    engine.dispose()
    return found


def chart_timings(url: str, kpi_id: int, times: int = 200) -> list[float]:
    """Drawing the KPI's chart `times` times, in ms each."""
    from sqlmodel import Session

    from app.db import create_database_engine
    from app.models import ContractKpi
    from app.services import outcomes
    from app.web import charts

    engine = create_database_engine(url)
    with Session(engine) as session:
        kpi = session.get(ContractKpi, kpi_id)
        assert kpi is not None
        found = outcomes.outcomes_of(session, kpi, date.today())
    engine.dispose()
    timings = []
    for _ in range(times):
        began = time.perf_counter()
        charts.svg(found)
        timings.append((time.perf_counter() - began) * 1000)
    return timings


def run(url: str, clients: int, requests: int) -> dict[str, tuple[list[float], float]]:
    reference, kpi_id, token = seed(url)
    drawn = chart_timings(url, kpi_id)  # its 12 reports, before the POSTs add more
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    days = itertools.count(1)
    days_lock = threading.Lock()

    def getter(path: str):  # type: ignore[no-untyped-def]
        def get(connection: http.client.HTTPConnection) -> int:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status

        return get

    def post(connection: http.client.HTTPConnection) -> int:
        with days_lock:
            day = (date.today() - timedelta(days=4 * 365 + next(days))).isoformat()
        body = json.dumps({"period_start": day, "period_end": day, "actual": 70}).encode()
        connection.request("POST", f"/api/v1/kpis/{kpi_id}/outcomes", body=body,
                           headers=headers)  # fmt: skip
        response = connection.getresponse()
        response.read()
        return response.status

    extra = {"PRIMAS_API_REQUESTS_PER_MINUTE": "100000000", "PRIMAS_SEND_MAIL": "false"}
    with production_server(url, extra) as port:
        results = {
            "GET outcomes": measure(port, clients, requests,
                                    getter(f"/api/v1/kpis/{kpi_id}/outcomes")),
            "GET ocds": measure(port, clients, requests,
                                getter(f"/api/v1/procurements/{reference}/ocds")),
            "POST outcome": measure(port, clients, requests, post),
        }  # fmt: skip
    results["chart (in process)"] = (drawn, 1000 / statistics.mean(drawn))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="per client, after 3 warm-ups")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()

    for database, url in each_database(args.databases, "primas_outcomes"):
        report(database, run(url, args.clients, args.requests))


if __name__ == "__main__":
    main()
