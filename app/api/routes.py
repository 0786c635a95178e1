"""Every route of the JSON API v1 (docs/api.md). Clients authenticate with bearer tokens
(app/deps/api.py), so unlike the pages there is no CSRF check: a browser never sends the token
by itself."""

from __future__ import annotations

from fastapi import APIRouter

from app.api import assessments, changes, forms, ocds, outcomes, procurements, reference

AREAS = (reference, procurements, assessments, outcomes, forms, changes, ocds)


def api_router() -> APIRouter:
    """Every API route."""
    router = APIRouter()
    for area in AREAS:
        router.include_router(area.router)
    return router
