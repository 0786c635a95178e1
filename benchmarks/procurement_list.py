"""The procurements list at 10,000 and 100,000 records, on SQLite and on PostgreSQL.

    .venv/bin/python -m benchmarks.procurement_list [--requests 40] [--databases sqlite,postgresql]

For each database: a fresh database at the latest migration, 50 lead officers, and 10,000
procurements made by the generator below (titles and descriptions from a vocabulary of
procurement words, every category, directorate and value band, a tenth withdrawn, a third with a
collaborator, created over ten years); the list is measured; then 90,000 more are added and it is
measured again. Measured over real HTTP against one uvicorn worker as deployed
(`PRIMAS_ENV=production`), signed in as a lead, one request at a time (after 3 not measured),
for the list with each of its searches and filters, deep pages and its last page.
PostgreSQL is a throwaway server (as the tests start), analysed after loading.
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import Engine, insert, select, text
from sqlmodel import Session

from benchmarks.serving import production_server
from tests.support.postgres import PostgresServer, find_postgres_bin

SIZES = (10_000, 100_000)
LEADS = 50
VOCABULARY = (
    "cleaning catering security waste collection recycling school meals home care day centres "
    "supported living fleet vehicles maintenance repairs roofing windows boilers heating lighting "
    "street parks trees grounds libraries leisure centres swimming pools housing estates lifts "
    "concierge cctv software licences laptops printing stationery furniture uniforms agency "
    "staff interpreters translation legal advice audit consultancy training apprenticeships "
    "transport taxis minibuses school travel road resurfacing highways drainage bridges "
    "lighting columns signage markets events festivals theatre arts museum archive digital "
    "website hosting telephony broadband mobile phones energy electricity gas water insurance "
    "pest control hygiene washrooms laundry linen food drinks vending coffee fruit vegetables "
    "children families youth services foster care residential nursing dementia mental health "
    "substance misuse homelessness temporary accommodation hostels refuge domestic abuse "
    "employment support adult learning community safety graffiti removal fly tipping "
    "demolition construction refurbishment extension new build design surveying asbestos "
    "electrical plumbing carpentry decorating flooring kitchens bathrooms adaptations"
).split()
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("the list (active, newest first)", {}),
    ("page 20", {"page": "20"}),
    ("last page", {"page": "last"}),
    ("all statuses, last page", {"status": "any", "page": "last"}),
    ("withdrawn", {"status": "withdrawn"}),
    ("search: a common word", {"q": "cleaning"}),
    ("search: a word's start", {"q": "refurb"}),
    ("search: two words", {"q": "school meals"}),
    ("search: a rare word", {"q": "graffiti removal asbestos"}),
    ("search: a reference number", {"q": "0042"}),
    ("search: a whole reference", {"q": "PRC-2017-0042"}),
    ("search, last page", {"q": "cleaning", "page": "last"}),
    ("category", {"category": "cleaning"}),
    ("directorate", {"directorate": "children-education"}),
    ("lead officer", {"lead": "{lead}"}),
    ("value band", {"band": "1m-5m"}),
    ("mine", {"mine": "yes"}),
    ("search and category", {"q": "school", "category": "catering"}),
    (
        "category, band and all statuses",
        {"category": "cleaning", "band": "100k-500k", "status": "any"},
    ),  # fmt: skip
    (
        "every filter",
        {
            "q": "care",
            "category": "home-care",
            "status": "any",
            "mine": "yes",
            "directorate": "adults-health-integration",
            "band": "1m-5m",
        },
    ),  # fmt: skip
]


def generate(engine: Engine, count: int, start: int, leads: list[int], seed: int) -> None:
    """Add `count` procurements (numbers from `start`), in batches, as the service stores them."""
    from app.models import Category, Directorate, Procurement, ProcurementCollaborator
    from app.textsearch import indexed_text

    rng = random.Random(seed)
    with Session(engine) as session:
        categories = list(session.exec(select(Category.id)).scalars())  # type: ignore[call-overload]
        directorates = list(session.exec(select(Directorate.id)).scalars())  # type: ignore[call-overload]
    first_day = datetime(2017, 1, 1, tzinfo=UTC)
    span = (datetime(2026, 12, 1, tzinfo=UTC) - first_day).total_seconds()
    batch: list[dict[str, object]] = []
    collaborators: list[dict[str, object]] = []
    for number in range(start, start + count):
        created = first_day + timedelta(seconds=span * number / 110_000 + rng.random())
        reference = f"PRC-{created.year}-{number:04d}"
        title = " ".join(rng.choices(VOCABULARY, k=rng.randint(2, 6))).capitalize()
        description = " ".join(rng.choices(VOCABULARY, k=rng.randint(15, 60))).capitalize() + "."
        lead = rng.choice(leads)
        batch.append({
            "id": number, "reference": reference, "title": title, "description": description,
            "directorate_id": rng.choice(directorates), "category_id": rng.choice(categories),
            "contract_type": rng.choice(("goods", "services", "works")), "light_touch": False,
            "framework": "none", "framework_name": "",
            "value_pence": rng.choice((5, 20, 70, 300, 800)) * rng.randint(10, 100) * 100_000,
            "term_months": 36, "extension_months": 12,
            "planned_tender_date": created.date() + timedelta(days=60),
            "expected_start_date": created.date() + timedelta(days=180),
            "delivery_location": "in-borough", "lead_officer_id": lead,
            "status": "withdrawn" if rng.random() < 0.1 else "active",
            "withdrawn_reason": "", "version": 1, "created_by_id": lead,
            "created_at": created, "updated_at": created,
            "search_text": indexed_text(reference, title, description),
        })  # fmt: skip
        if rng.random() < 1 / 3:
            other = rng.choice([user for user in leads if user != lead])
            collaborators.append({"procurement_id": number, "user_id": other,
                                  "added_at": created})  # fmt: skip
        if len(batch) == 5_000:
            _insert(engine, Procurement, ProcurementCollaborator, batch, collaborators)
            batch, collaborators = [], []
    _insert(engine, Procurement, ProcurementCollaborator, batch, collaborators)
    # As the database would be after a while in use: statistics gathered and, on PostgreSQL,
    # vacuumed (which autovacuum does after a bulk of inserts), so index-only scans can be used.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT setval('procurement_id_seq', max(id)) FROM procurement")
            )
            connection.execute(text("VACUUM ANALYZE"))
        else:
            connection.execute(text("ANALYZE"))


def _insert(engine: Engine, procurement: type, collaborator: type, rows: list[dict[str, object]],
            collaborators: list[dict[str, object]]) -> None:  # fmt: skip
    if not rows:
        return
    with engine.begin() as connection:
        connection.execute(insert(procurement.__table__), rows)  # type: ignore[attr-defined]
        if collaborators:
            connection.execute(insert(collaborator.__table__), collaborators)  # type: ignore[attr-defined]


def seed_people(engine: Engine) -> tuple[list[int], str]:
    """50 lead officers; returns their ids and a session cookie for the first."""
    from app.deps import session_policy
    from app.models import Role, User
    from app.services import sessions
    from app.settings import Settings
    from app.timeutil import utcnow

    with Session(engine) as session:
        users = [User(email=f"lead{n}@example.gov.uk", name=f"Lead {n}", roles=[Role.LEAD.value],
                      password_hash="not-used") for n in range(LEADS)]  # fmt: skip
        session.add_all(users)
        session.commit()
        policy = session_policy(Settings(session_idle_timeout_seconds=7200,
                                         session_max_age_seconds=14400))  # fmt: skip
        token = sessions.start_session(session, users[0], policy, utcnow())
        session.commit()
        return [user.id for user in users if user.id is not None], token


def last_page(connection: http.client.HTTPConnection, cookie: str, values: dict[str, str]) -> int:
    """The list's last page number, as its caption gives it ("..., page 1 of 3,600")."""
    connection.request("GET", "/procurements?" + urlencode({**values, "page": "1"}),
                       headers={"Cookie": cookie})  # fmt: skip
    page = connection.getresponse().read().decode()
    found = re.search(r"page 1 of ([\d,]+)", page)
    return int(found.group(1).replace(",", "")) if found else 1


def measure(port: int, cookie: str, lead: int, requests: int) -> dict[str, float]:
    """The 95th percentile in ms of each query, one request at a time."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    results = {}
    for label, query in QUERIES:
        values = {name: value.replace("{lead}", str(lead)) for name, value in query.items()}
        if values.get("page") == "last":  # the number the pager's last link carries
            values["page"] = str(last_page(connection, cookie, values))
        path = "/procurements" + ("?" + urlencode(values) if values else "")
        times = []
        for attempt in range(requests + 3):
            started = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200, (path, response.status)
            assert b"govuk-table" in body or b"No procurements match" in body, path
            if attempt >= 3:
                times.append(time.perf_counter() - started)
        ordered = sorted(times)
        results[label] = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000
        results[label + " (median)"] = statistics.median(times) * 1000
    return results


def run(
    database_url: str, engine: Engine, requests: int, sizes: tuple[int, int]
) -> dict[int, dict[str, float]]:
    from app.schema import upgrade_to_head

    upgrade_to_head(engine)
    leads, token = seed_people(engine)
    cookie = f"__Host-primas_session={token}"
    made = 0
    found: dict[int, dict[str, float]] = {}
    for size in sizes:
        started = time.perf_counter()
        generate(engine, size - made, made + 1, leads, seed=size)
        print(f"  {size:,} procurements in {time.perf_counter() - started:.0f} s", flush=True)
        made = size
        with production_server(database_url) as port:
            found[size] = measure(port, cookie, leads[0], requests)
    return found


def main() -> None:
    from app.db import create_database_engine

    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="small,large")
    args = parser.parse_args()
    small, large = (int(size) for size in args.sizes.split(","))
    results: dict[str, dict[int, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as directory:
        if "sqlite" in args.databases:
            print("SQLite", flush=True)
            url = f"sqlite:///{Path(directory) / 'list.db'}"
            engine = create_database_engine(url)
            results["SQLite"] = run(url, engine, args.requests, (small, large))
            engine.dispose()
        if "postgresql" in args.databases:
            bin_dir = find_postgres_bin()
            assert bin_dir is not None, "PostgreSQL 15 is not installed"
            print("PostgreSQL", flush=True)
            with PostgresServer(bin_dir) as postgres:
                url = postgres.create_database("primas_list")
                engine = create_database_engine(url)
                results["PostgreSQL"] = run(url, engine, args.requests, (small, large))
                engine.dispose()
    print(f"\np95 ms of {args.requests} requests each (median in brackets); "
          f"ratio: {large:,} / {small:,}\n")  # fmt: skip
    names = list(results)
    header = "| list |" + "".join(f" {name} {small:,} | {name} {large:,} | ratio |"
                                  for name in names)  # fmt: skip
    print(header)
    print("|---|" + "---:|---:|---:|" * len(names))
    for label, _ in QUERIES:
        cells = []
        for name in names:
            few, many = results[name][small], results[name][large]
            cells.append(f" {few[label]:.1f} ({few[label + ' (median)']:.1f}) |"
                         f" {many[label]:.1f} ({many[label + ' (median)']:.1f}) |"
                         f" {many[label] / few[label]:.2f} |")  # fmt: skip
        print(f"| {label} |" + "".join(cells))


if __name__ == "__main__":
    main()
