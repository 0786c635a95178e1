"""The JSON API's OpenAPI description: its own paths only (never the HTML pages), and in
production only for signed-in staff and API clients (with their tokens)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlmodel import Session

from app import __version__
from app.deps import OptionalSignIn, SessionDep, SettingsDep
from app.deps.paths import app_routes
from app.errors import SignInRequired
from app.services import api_clients
from app.timeutil import utcnow

router = APIRouter(tags=["api"])
API_PREFIX = "/api/"


def api_schema(request: Request) -> dict[str, Any]:
    """The OpenAPI document of the routes under /api/, built once per app."""
    cached: dict[str, Any] | None = getattr(request.app.state, "api_schema", None)
    if cached is None:
        routes = [
            route
            for route in app_routes(request.app)
            if isinstance(route, APIRoute)
            and route.path.startswith(API_PREFIX)
            and route.include_in_schema
        ]
        cached = get_openapi(title="PRIMAS API", version=__version__, routes=routes)
        request.app.state.api_schema = cached
    return cached


@router.get("/api/v1/openapi.json", include_in_schema=False)
def openapi(
    request: Request, settings: SettingsDep, signed_in: OptionalSignIn, session: SessionDep
) -> JSONResponse:
    """The API's description; in production, for signed-in staff and API clients only."""
    if settings.is_production and signed_in is None and not _a_client(request, session):
        raise SignInRequired()
    return JSONResponse(api_schema(request))


def _a_client(request: Request, session: Session) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return api_clients.authenticate(session, token.strip(), utcnow()) is not None
