"""The JSON API's OpenAPI description: its own paths only (never the HTML pages), and in
production only for signed-in staff and API clients (with their tokens)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from sqlmodel import Session

from app import __version__
from app.deps import OptionalSignIn, SessionDep, SettingsDep, TemplatesDep
from app.deps.paths import app_routes
from app.errors import SignInRequired
from app.services import api_clients
from app.timeutil import utcnow

router = APIRouter(tags=["api"])
API_PREFIX = "/api/"
GUIDE = """The council's PRIMAS service, for its contract management system (docs/api.md has
the whole guide, with a worked example).

- **Tokens.** An administrator adds an API client and gives it a token (`primas_...`), shown
  once. Send it as `Authorization: Bearer <token>`, never in the address. Scopes: `read`,
  `write` (procurements), `outcomes`.
- **Errors** are `application/problem+json` (RFC 9457); `errors` names each field at fault.
  401 without a good token, 403 without the scope, 429 with `Retry-After` past the rate.
- **ETags.** Every GET has one (`If-None-Match` gives 304). A PATCH needs `If-Match` with the
  ETag it was read with: 428 without, 412 if it has changed since.
- **Idempotency-Key** on POST: a retry with the same key and body gets the first answer.
- **Keeping in step.** Read `GET /api/v1/changes?after=<cursor>` and keep `next_cursor`.
- Money is whole pence; times are ISO 8601 in UTC; dates are ISO 8601 dates.
"""


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
        cached = get_openapi(title="PRIMAS API", version=__version__, routes=routes,
                             description=GUIDE)  # fmt: skip
        request.app.state.api_schema = cached
    return cached


@router.get("/api/v1/docs", include_in_schema=False, response_class=HTMLResponse)
def api_docs(
    request: Request,
    settings: SettingsDep,
    signed_in: OptionalSignIn,
    session: SessionDep,
    templates: TemplatesDep,
) -> HTMLResponse:
    """The API reference, drawn from the description by the vendored Swagger UI; in
    production, for signed-in staff and API clients only, as the description is."""
    if settings.is_production and signed_in is None and not _a_client(request, session):
        raise SignInRequired()
    context = {"openapi_url": request.app.state.paths("openapi")}
    return templates.TemplateResponse(request, "api/docs.html", context)


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
