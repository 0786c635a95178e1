"""Health checks for load balancers and deployments."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db import write_problem
from app.deps import EngineDep
from app.schema import current_revision, head_revision

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up and answering. On the event loop, so it never waits for a thread
    behind other requests' database work (which never runs on the loop)."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(engine: EngineDep) -> JSONResponse:
    """Ready for traffic: the database answers, would take a write (for SQLite, its file is the
    one opened, writable and has room; for PostgreSQL, it is not read-only) and its schema is at
    the latest migration."""
    head = head_revision()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = current_revision(connection)
            problem = write_problem(engine, connection)
    except (SQLAlchemyError, OSError):
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if problem is not None:
        return JSONResponse({"status": "unavailable", "database": problem}, status_code=503)
    if current != head:
        return JSONResponse(
            {"status": "unavailable", "database": "ok", "migrations": f"at {current}, head {head}"},
            status_code=503,
        )
    return JSONResponse({"status": "ready", "database": "ok", "migrations": head})
