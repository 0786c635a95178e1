"""Health checks for load balancers and deployments."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

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
    """Ready for traffic: the database answers and its schema is at the latest migration."""
    head = head_revision()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = current_revision(connection)
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if current != head:
        return JSONResponse(
            {"status": "unavailable", "database": "ok", "migrations": f"at {current}, head {head}"},
            status_code=503,
        )
    return JSONResponse({"status": "ready", "database": "ok", "migrations": head})
