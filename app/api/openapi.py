"""The JSON API's OpenAPI description: its own paths only (never the HTML pages), and in
production only for signed-in staff (API clients, with their tokens, from issue 20)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from app import __version__
from app.deps import OptionalSignIn, SettingsDep
from app.deps.paths import app_routes
from app.errors import SignInRequired

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
def openapi(request: Request, settings: SettingsDep, signed_in: OptionalSignIn) -> JSONResponse:
    """The API's description; in production, for signed-in staff only."""
    if settings.is_production and signed_in is None:
        raise SignInRequired()
    return JSONResponse(api_schema(request))
