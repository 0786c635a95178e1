"""The PRIMAS task page and its save round trip, over real HTTP, against one server process.

    .venv/bin/python -m benchmarks.primas_pages [--seconds 30]

1. The largest task page (the one with most questions showing) for a real draft, beside a bare
   route that renders the same template from data held in memory, in the same server run.
2. Saving answers as people do: 16 users, each saving once a second (open loop), then the same
   16 users saving as fast as they can (saturation). Every response must be 2xx, no save may be
   refused, and afterwards every save must be in the database.
3. The KPI task: its page (scoring the draft, suggesting KPIs and drawing their cards), then 16
   users each changing a KPI's target once a second through htmx, checked the same way.

Server: `uvicorn --factory benchmarks.bench_app:make_app`, one worker, SQLite in WAL mode in a
temporary directory. Load comes from threads in this process, on the same machine.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.bench_app import BARE_PATH
from tests.support.catalogue import shipped
from tests.support.postgres import free_port

USERS = 16
ROUNDS = 6
SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"


@dataclass
class Person:
    cookie: str
    base: str
    token: str = ""
    revision: int = 0
    saves: int = 0
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    kpi_revision: int = 0
    kpi_saves: int = 0


def seed(database_url: str) -> tuple[list[Person], str, str]:
    """Users, procurements and drafts; returns the people and the largest task to serve."""
    os.environ["PRIMAS_DATABASE_URL"] = database_url
    from sqlmodel import Session

    from app.db import create_database_engine
    from app.models import Role, User
    from app.schema import upgrade_to_head
    from app.services import assessments, procurements, sessions
    from app.services.passwords import hash_password
    from app.timeutil import utcnow
    from tests.support.factories import procurement_facts

    engine = create_database_engine(database_url)
    upgrade_to_head(engine)
    definition = shipped().latest("primas")
    policy = sessions.SessionPolicy(
        idle_timeout=__import__("datetime").timedelta(hours=2),
        max_age=__import__("datetime").timedelta(hours=4),
    )
    people: list[Person] = []
    password_hash = hash_password("benchmark password here")
    with Session(engine, expire_on_commit=False) as session:
        for number in range(USERS):
            lead = User(
                email=f"lead{number}@bench.example",
                name=f"Lead {number}",
                password_hash=password_hash,
                roles=[Role.LEAD.value],
            )
            session.add(lead)
            session.commit()
            raw = procurement_facts(
                session,
                category="construction-works",
                contract_type="works",
                value="2,400,000",
                title=f"Works {number}",
            )
            procurement = procurements.create(session, lead, raw, today=date.today())
            draft = assessments.start(session, lead, procurement, definition)
            for question, answer in (("llw_workers", "yes"), ("supplies_goods", "yes")):
                assessments.save_answer(
                    session, lead, draft, definition.question(question), answer, seen_revision=0
                )
            token = sessions.start_session(session, lead, policy, utcnow())
            session.commit()
            base = f"/procurements/{procurement.reference}/primas"
            people.append(
                Person(cookie=f"__Host-primas_session={token}", base=base)
            )  # production name
        loaded = assessments.load(session, draft, shipped())
        largest = max(
            loaded.walk.applicable_tasks(), key=lambda t: len(loaded.walk.questions_in(t))
        )
    engine.dispose()
    return people, people[-1].base.split("/")[2], largest.id


def request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    headers: dict[str, str],
    body: str | None = None,
) -> tuple[int, str, float]:
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode()
    return response.status, text, time.perf_counter() - started


def server_cpu_seconds(pid: int) -> float:
    """CPU time the server process has used (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def closed_loop(port: int, path: str, cookie: str, clients: int, seconds: float) -> list[float]:
    """Clients requesting `path` back to back for `seconds`; every answer must be 200."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.perf_counter() < deadline:
            status, _, elapsed = request(connection, "GET", path, {"Cookie": cookie})
            assert status == 200, (path, status)
            mine.append(elapsed)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def htmx_post(
    connection: http.client.HTTPConnection,
    person: Person,
    path: str,
    fields: dict[str, str],
    revision_field: str,
) -> int | None:
    """One form sent as the page's htmx sends it; the revision the reply carries, or None (and
    a failure noted) when it was refused or failed."""
    headers = {
        "Cookie": person.cookie,
        "HX-Request": "true",
        "X-CSRF-Token": person.token,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    status, text, elapsed = request(connection, "POST", path, headers, urlencode(fields))
    person.latencies.append(elapsed)
    found = re.search(rf'name="{revision_field}" value="(\d+)"', text)
    if status // 100 != 2 or "Someone else changed" in text or not found:
        person.failures.append(f"{path.rsplit('/', 2)[-2]} {status}")
        return None
    return int(found.group(1))


def save(connection: http.client.HTTPConnection, person: Person) -> None:
    """One answer saved as the page's htmx does; its revision is kept for the next."""
    fields = {"workforce_size": str(10 + person.saves), "rev-workforce_size": str(person.revision)}
    path = f"{person.base}/answers/workforce_size"
    revision = htmx_post(connection, person, path, fields, "rev-workforce_size")
    if revision is not None:
        person.revision, person.saves = revision, person.saves + 1


KPI = "llw-staff-share"  # required: staff work on council premises


def decide(connection: http.client.HTTPConnection, person: Person) -> None:
    """One KPI target changed as the KPI card's htmx does; its revision is kept for the next."""
    fields = {"action": "accept", "target": str(50 + person.kpi_saves % 40),
              "revision": str(person.kpi_revision)}  # fmt: skip
    revision = htmx_post(connection, person, f"{person.base}/kpis/{KPI}", fields, "revision")
    if revision is not None:
        person.kpi_revision, person.kpi_saves = revision, person.kpi_saves + 1


def run_all(work: list[tuple[Callable[..., None], tuple[object, ...]]]) -> None:
    """Run each (function, arguments) in a thread of its own, all at once; wait for all."""
    threads = [threading.Thread(target=target, args=args) for target, args in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def paced(
    port: int,
    people: list[Person],
    seconds: float,
    rate_per_person: float,
    action: Callable[[http.client.HTTPConnection, Person], None] = save,
) -> float:
    """Each person acts `rate_per_person` times a second, spread evenly; returns elapsed."""
    start = time.perf_counter() + 0.5

    def run(index: int, person: Person) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        offset = index / (len(people) * rate_per_person)
        tick = 0
        while True:
            due = start + offset + tick / rate_per_person
            if due > start + seconds:
                return
            time.sleep(max(0.0, due - time.perf_counter()))
            action(connection, person)
            tick += 1

    run_all([(run, (i, p)) for i, p in enumerate(people)])
    return time.perf_counter() - start


def flat_out(port: int, people: list[Person], seconds: float) -> float:
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()

    def run(person: Person) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            save(connection, person)

    run_all([(run, (p,)) for p in people])
    return time.perf_counter() - started


def row(label: str, latencies: list[float], elapsed: float) -> str:
    cuts = statistics.quantiles(latencies, n=100)
    return (
        f"| {label} | {len(latencies)} | {len(latencies) / elapsed:,.1f} | {cuts[49] * 1000:.1f} "
        f"| {cuts[94] * 1000:.1f} | {cuts[98] * 1000:.1f} | {max(latencies) * 1000:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        database_url = f"sqlite:///{Path(directory) / 'bench.db'}"
        people, reference, task_id = seed(database_url)
        port = free_port()
        env = {
            **os.environ,
            "PRIMAS_DATABASE_URL": database_url,
            "PRIMAS_SECRET_KEY": SECRET,
            "PRIMAS_SIGNING_KEY": SECRET,
            "PRIMAS_SMTP_HOST": "mail.invalid",
            "PRIMAS_BASE_URL": "https://primas.invalid",
            "PRIMAS_ENV": "production",  # as deployed: templates are not re-read from disk
            "BENCH_BARE_PROCUREMENT": people[-1].base.split("/")[2],
            "BENCH_BARE_TASK": task_id,
            "PRIMAS_SESSION_IDLE_TIMEOUT_SECONDS": "7200",
            "PRIMAS_SESSION_MAX_AGE_SECONDS": "14400",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "benchmarks.bench_app:make_app",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    if request(connection, "GET", "/healthz", {})[0] == 200:
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            page_path = f"{people[-1].base}/tasks/{task_id}"
            for person in people:  # each page carries its own CSRF token, as a browser's does
                _, text, _ = request(
                    connection, "GET", f"{person.base}/tasks/{task_id}", {"Cookie": person.cookie}
                )
                person.token = re.search(r'"X-CSRF-Token": "([^"]+)"', text).group(1)  # type: ignore[union-attr]
                person.revision = int(
                    re.search(r'name="rev-workforce_size" value="(\d+)"', text).group(1)
                )  # type: ignore[union-attr]
            cookie = people[-1].cookie
            closed_loop(port, page_path, cookie, 4, 2)  # warm up both
            closed_loop(port, BARE_PATH, cookie, 4, 2)
            # This machine's speed drifts by tens of per cent over a minute (other tenants of its
            # host), so the two routes take turns in short rounds and each sees the same drift.
            round_seconds = max(1.0, args.seconds / 3 / ROUNDS)
            task: list[float] = []
            bare: list[float] = []
            ratios = []
            cpu = {page_path: 0.0, BARE_PATH: 0.0}
            for number in range(ROUNDS):
                order = [(page_path, task), (BARE_PATH, bare)]
                counts = {}
                for path, into in order if number % 2 == 0 else order[::-1]:
                    cpu_before = server_cpu_seconds(server.pid)
                    latencies = closed_loop(port, path, cookie, 8, round_seconds)
                    cpu[path] += server_cpu_seconds(server.pid) - cpu_before
                    counts[path] = len(latencies)
                    into.extend(latencies)
                ratios.append(counts[page_path] / counts[BARE_PATH])
            page_seconds = round_seconds * ROUNDS
            print(
                f"Largest task page: '{task_id}'; 8 keep-alive clients; {ROUNDS} rounds of "
                f"{round_seconds:.1f} s each, taking turns ({page_seconds:.0f} s a route)\n"
            )
            print("| route | requests | requests/s | p50 ms | p95 ms | p99 ms | max ms |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            print(row(f"task page `{task_id}` (signed in, database)", task, page_seconds))
            print(row("bare route, same template, data in memory", bare, page_seconds))
            print(
                f"\ntask page / bare route throughput: {len(task) / len(bare):.0%} "
                f"(rounds: {', '.join(f'{ratio:.0%}' for ratio in ratios)})"
            )
            page_cpu, bare_cpu = cpu[page_path] / len(task), cpu[BARE_PATH] / len(bare)
            print(
                f"server CPU a request: task page {page_cpu * 1000:.2f} ms, bare route "
                f"{bare_cpu * 1000:.2f} ms; ratio {bare_cpu / page_cpu:.0%} (less affected by "
                "the machine's drift)\n"
            )

            elapsed = paced(port, people, args.seconds, 1.0)
            paced_latencies = [t for p in people for t in p.latencies]
            paced_saves = sum(p.saves for p in people)
            for person in people:
                person.latencies.clear()
            before = sum(p.saves for p in people)
            flat_elapsed = flat_out(port, people, max(5.0, args.seconds / 2))
            flat_latencies = [t for p in people for t in p.latencies]
            print(f"Saves: {USERS} users, {args.seconds:.0f} s at 1 a second each, then flat out\n")
            print("| load | saves | saves/s | p50 ms | p95 ms | p99 ms | max ms |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            print(row("16 users x 1 save/s", paced_latencies, elapsed))
            print(row("16 users, saturation", flat_latencies, flat_elapsed))
            failures = [f for p in people for f in p.failures if f.startswith("answers")]
            print(f"\nrefused or failed saves: {len(failures)} {failures[:5]}")
            flat_saves = sum(p.saves for p in people) - before
            print(f"saves made: {paced_saves} paced + {flat_saves} flat out\n")

            kpi_path = f"{people[-1].base}/kpis"
            closed_loop(port, kpi_path, cookie, 4, 2)  # warm up
            kpi_seconds = max(3.0, args.seconds / 3)
            kpi_page = closed_loop(port, kpi_path, cookie, 8, kpi_seconds)
            for person in people:
                person.latencies.clear()
            kpi_elapsed = paced(port, people, args.seconds, 1.0, decide)
            decisions = [t for p in people for t in p.latencies]
            print("KPI task: the page (8 keep-alive clients), then 16 users changing a target\n")
            print("| load | requests | requests/s | p50 ms | p95 ms | p99 ms | max ms |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            print(row("KPI task page (signed in, database)", kpi_page, kpi_seconds))
            print(row("16 users x 1 KPI decision/s", decisions, kpi_elapsed))
            failures = [f for p in people for f in p.failures if f.startswith("kpis")]
            print(f"\nrefused or failed decisions: {len(failures)} {failures[:5]}")
        finally:
            server.terminate()
            server.wait(timeout=10)
        verify(database_url, people)


def verify(database_url: str, people: list[Person]) -> None:
    """Every save is in the database: each answer's revision counts its saves."""
    from sqlmodel import Session, select

    from app.db import create_database_engine
    from app.models import AssessmentAnswer, KpiSelection

    engine = create_database_engine(database_url)
    with Session(engine) as session:
        revisions = sorted(
            row.revision
            for row in session.exec(
                select(AssessmentAnswer).where(AssessmentAnswer.question_id == "workforce_size")
            )
        )
        kpi_revisions = sorted(
            row.revision
            for row in session.exec(select(KpiSelection).where(KpiSelection.kpi_code == KPI))
        )
    engine.dispose()
    expected = sorted(person.saves for person in people)
    status = "every save reached the database" if revisions == expected else "MISMATCH"
    print(f"database check: {status} ({sum(revisions)} revisions for {sum(expected)} saves)")
    decided = sorted(person.kpi_saves for person in people)
    status = "every decision reached the database" if kpi_revisions == decided else "MISMATCH"
    print(f"database check: {status} ({sum(kpi_revisions)} revisions for {sum(decided)} decisions)")


if __name__ == "__main__":
    main()
