"""The time to approve a full PRIMAS, and the size of the signed record it freezes.

    .venv/bin/python -m benchmarks.approval [--assessments 40] [--databases sqlite,postgresql]

For each database (a SQLite file, and a throwaway PostgreSQL 15 as the tests start it): a fresh
database at the latest migration, and `--assessments` complete PRIMAS for £1.2m cleaning
contracts (every question answered as the full cleaning case answers it, every suggested KPI
accepted), each submitted by its lead. Then each is approved through the service, as the
decision page's handler calls it, one at a time: the answers read, scored, the KPI task worked
out, the record built, canonicalised (RFC 8785), hashed, signed and written with the decision,
the change of status and the history, in one transaction. Measured around that call alone.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from tests.support.postgres import PostgresServer, find_postgres_bin

KEY = "benchmark-signing-key-that-is-long-enough-0123456789"


def run(url: str, count: int) -> tuple[list[float], list[int]]:
    from app.db import create_database_engine
    from app.models import ApprovedRecord, Role, User
    from app.schema import upgrade_to_head
    from app.services import approvals
    from app.services.startup import start
    from tests.support.factories import complete_draft, make_user

    start()  # the audit log and the record of who changed what, as the service runs
    engine = create_database_engine(url)
    upgrade_to_head(engine)
    today = date.today()
    times: list[float] = []
    with Session(engine, expire_on_commit=False) as session:
        approver = make_user(session, Role.APPROVER)
        waiting = []
        for _ in range(count):
            record, draft = complete_draft(session)
            lead = session.get(User, record.lead_officer_id)
            assert lead is not None
            approvals.submit(session, lead, record, draft, declared=True,
                             seen_version=draft.assessment.status_version, today=today)  # fmt: skip
            waiting.append(draft)
        for draft in waiting:
            session.refresh(draft.assessment)
            started = time.perf_counter()
            approvals.decide(session, approver, draft, approve=True, comment="Approved.",
                             points=[], seen_version=draft.assessment.status_version,
                             signing_key=KEY, today=today)  # fmt: skip
            times.append((time.perf_counter() - started) * 1000)
        sizes = [len(r.content.encode()) for r in session.exec(select(ApprovedRecord)).all()]
    engine.dispose()
    return times, sizes


def main() -> None:

    parser = argparse.ArgumentParser()
    parser.add_argument("--assessments", type=int, default=40)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        if "sqlite" in args.databases:
            results["SQLite"] = run(f"sqlite:///{Path(directory) / 'approval.db'}",
                                    args.assessments)  # fmt: skip
        if "postgresql" in args.databases:
            bin_dir = find_postgres_bin()
            assert bin_dir is not None, "PostgreSQL 15 is not installed"
            with PostgresServer(bin_dir) as postgres:
                url = postgres.create_database("primas_approval")
                results["PostgreSQL"] = run(url, args.assessments)
    print(f"\n{args.assessments} approvals each, one at a time\n")
    print("| database | approve p50 ms | approve p95 ms | record bytes (median, largest) |")
    print("|---|---:|---:|---:|")
    for name, (times, sizes) in results.items():
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        print(f"| {name} | {statistics.median(times):.1f} | {p95:.1f} | "
              f"{statistics.median(sizes):,.0f}, {max(sizes):,} |")  # fmt: skip


if __name__ == "__main__":
    main()
