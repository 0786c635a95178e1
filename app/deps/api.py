"""Who is calling the JSON API: an API client, by the bearer token in its Authorization header
(RFC 6750), with the scope the route needs, within its rate. Every refusal is problem+json
with the challenge RFC 6750 asks for (app/deps/errors.py)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.deps.core import SessionDep
from app.deps.limits import ApiRate
from app.errors import PrimasError
from app.models import ApiClient
from app.services import api_clients
from app.timeutil import utcnow

REALM = 'Bearer realm="PRIMAS API"'
# Names a token might be put under in an address: refused, as addresses end up in logs.
TOKEN_PARAMETERS = ("access_token", "token", "api_key", "apikey", "key")

_bearer = HTTPBearer(auto_error=False, description="An API client's token: `primas_...`")


def _unauthorised(detail: str, error: str | None = "invalid_token") -> PrimasError:
    challenge = REALM + (f', error="{error}"' if error else "")
    return PrimasError(401, "Unauthorized", detail, headers={"WWW-Authenticate": challenge})


def _api_client(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiClient:
    """The client whose token the request carries; 401 without one, or for a wrong or revoked
    one, or for a token in the address; 429 past its rate."""
    if any(name in request.query_params for name in TOKEN_PARAMETERS):
        raise _unauthorised("Send the token in the Authorization header "
                            "(Authorization: Bearer <token>), never in the address.",
                            "invalid_request")  # fmt: skip
    if credentials is None:
        raise _unauthorised(
            "This API needs a client's token: send Authorization: Bearer <token>.", None
        )
    client = api_clients.authenticate(session, credentials.credentials, utcnow())
    if client is None:
        raise _unauthorised("The token is not one this service issued, or it has been revoked.")
    rate: ApiRate = request.app.state.api_rate
    wait = rate.wait(client.id or 0)
    if wait > 0:
        raise PrimasError(429, "Too Many Requests",
                          "This client has made too many requests: wait, then try again.",
                          headers={"Retry-After": str(math.ceil(wait))})  # fmt: skip
    request.state.api_client = client
    return client


def require_scope(scope: str) -> Callable[..., ApiClient]:
    """A dependency: the calling client, which must hold `scope` (403 otherwise)."""

    def _scoped(client: Annotated[ApiClient, Depends(_api_client)]) -> ApiClient:
        if not client.may(scope):
            raise PrimasError(
                403, "Forbidden", f"This client's token does not carry the {scope} scope.",
                headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", '
                                             f'scope="{scope}"'},
            )  # fmt: skip
        return client

    return _scoped


ApiClientDep = Annotated[ApiClient, Depends(_api_client)]
ReadClient = Annotated[ApiClient, Depends(require_scope("read"))]
WriteClient = Annotated[ApiClient, Depends(require_scope("write"))]
OutcomesClient = Annotated[ApiClient, Depends(require_scope("outcomes"))]
