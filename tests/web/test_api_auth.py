"""Who may call the JSON API (issue 20): an API client with a bearer token in the Authorization
header (RFC 6750), holding the scope the call needs, within its rate; every refusal is
problem+json with its challenge. And the managed lists, with ETags."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.main import create_app
from app.models import ApiClient, Category
from app.services import api_clients
from app.services.audit import SYSTEM
from app.settings import Settings
from tests.support.api import bearer, make_api_client
from tests.support.catalogue import shipped
from tests.support.primas import PRODUCTION_MAIL

CHALLENGE = 'Bearer realm="PRIMAS API"'


def problem(response) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == response.status_code
    return body  # type: ignore[no-any-return]


def test_a_call_without_a_token_is_told_how_to_send_one(client: TestClient) -> None:
    response = client.get("/api/v1/categories")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == CHALLENGE
    assert "Authorization: Bearer" in problem(response)["detail"]


@pytest.mark.parametrize(
    "header",
    ["Bearer primas_not-a-token-this-service-issued", "Bearer nonsense", "Basic dXNlcjpwYXNz"],
)
def test_a_wrong_token_is_refused(client: TestClient, header: str) -> None:
    response = client.get("/api/v1/categories", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith(CHALLENGE)
    problem(response)


def test_a_revoked_token_stops_working_at_once(client: TestClient, session: Session) -> None:
    api, token = make_api_client(session)
    assert client.get("/api/v1/categories", headers=bearer(token)).status_code == 200
    api_clients.revoke(session, SYSTEM, api)
    response = client.get("/api/v1/categories", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == CHALLENGE + ', error="invalid_token"'
    assert "revoked" in problem(response)["detail"]


@pytest.mark.parametrize("name", ["access_token", "token", "api_key"])
def test_a_token_in_the_address_is_refused_even_with_a_good_header(
    client: TestClient, session: Session, name: str
) -> None:
    _api, token = make_api_client(session)
    response = client.get(f"/api/v1/categories?{name}={token}", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == CHALLENGE + ', error="invalid_request"'
    assert "never in the address" in problem(response)["detail"]


def test_a_token_without_the_scope_is_forbidden(client: TestClient, session: Session) -> None:
    _api, token = make_api_client(session, "outcomes")
    response = client.get("/api/v1/directorates", headers=bearer(token))
    assert response.status_code == 403
    assert response.headers["www-authenticate"] == (
        CHALLENGE + ', error="insufficient_scope", scope="read"'
    )
    assert "read scope" in problem(response)["detail"]


def test_the_managed_lists_give_code_and_name_with_an_etag(
    client: TestClient, session: Session
) -> None:
    api, token = make_api_client(session)
    response = client.get("/api/v1/categories", headers=bearer(token))
    assert response.status_code == 200
    items = response.json()["items"]
    active = session.exec(select(Category).where(Category.active)).all()
    assert sorted(item["code"] for item in items) == sorted(each.code for each in active)
    assert items == sorted(items, key=lambda item: item["name"])
    assert set(items[0]) == {"code", "name"}
    etag = response.headers["etag"]
    again = client.get("/api/v1/categories", headers=bearer(token) | {"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    # A change to the list changes its tag.
    first = session.exec(select(Category).where(Category.active)).first()
    assert first is not None
    first.name = "Renamed category"
    session.add(first)
    session.commit()
    changed = client.get("/api/v1/categories", headers=bearer(token) | {"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    directorates = client.get("/api/v1/directorates", headers=bearer(token)).json()["items"]
    assert directorates and set(directorates[0]) == {"code", "name"}
    session.refresh(api)
    assert api.last_used_at is not None


def test_a_client_past_its_rate_is_told_when_to_try_again(
    settings: Settings, session: Session
) -> None:
    """600 a minute by default, in bursts of 60; here 60 a minute, in bursts of 6."""
    app: FastAPI = create_app(settings.model_copy(update={"api_requests_per_minute": 60}),
                              catalogue=shipped())  # fmt: skip
    _api, token = make_api_client(session)
    other, other_token = make_api_client(session)
    try:
        with TestClient(app) as client:
            answers = [client.get("/api/v1/categories", headers=bearer(token)) for _ in range(7)]
            assert [answer.status_code for answer in answers] == [200] * 6 + [429]
            assert answers[-1].headers["retry-after"] == "1"
            assert "too many requests" in problem(answers[-1])["detail"]
            # Another client has a rate of its own.
            assert client.get("/api/v1/categories", headers=bearer(other_token)).status_code == 200
    finally:
        app.state.engine.dispose()


def test_in_production_api_clients_may_read_the_description(
    settings: Settings, session: Session
) -> None:
    production = settings.model_copy(update={"env": "production", **PRODUCTION_MAIL})
    app: FastAPI = create_app(production, catalogue=shipped())
    _api, token = make_api_client(session)
    try:
        client = TestClient(app, base_url="https://testserver")
        refused = client.get("/api/v1/openapi.json")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == CHALLENGE
        assert client.get("/api/v1/openapi.json", headers=bearer("primas_wrong")).status_code == 401
        described = client.get("/api/v1/openapi.json", headers=bearer(token))
        assert described.status_code == 200
        document = described.json()
        assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
        responses = document["paths"]["/api/v1/categories"]["get"]["responses"]
        assert {"200", "401", "403", "429"} <= set(responses)
    finally:
        app.state.engine.dispose()


def test_the_last_use_is_kept_to_the_minute(session: Session) -> None:
    api, token = make_api_client(session)
    first = datetime(2026, 12, 7, 10, 0, 5, tzinfo=UTC)
    api_clients.authenticate(session, token, first)
    api_clients.authenticate(session, token, first.replace(second=50))
    stored = session.get(ApiClient, api.id)
    assert stored is not None and stored.last_used_at == first
    api_clients.authenticate(session, token, first.replace(minute=1, second=6))
    session.refresh(stored)
    assert stored.last_used_at == first.replace(minute=1, second=6)


def test_every_api_route_asks_for_a_scope(client: TestClient, session: Session) -> None:
    """No route answers a token without the scope it needs: reading needs read, recording or
    changing a procurement write, and reporting outcomes the outcomes scope; so a token with
    the outcomes scope alone may only report, and one with read alone changes nothing."""
    from app.deps.paths import app_routes

    _outcomes, outcomes_only = make_api_client(session, "outcomes")
    _reader, read_only = make_api_client(session, "read")
    described = ("/api/v1/openapi.json", "/api/v1/docs")
    routes = [(method, route.path) for route in app_routes(client.app)  # type: ignore[arg-type]
              if getattr(route, "path", "").startswith("/api/v1/") and route.path not in described
              for method in sorted(getattr(route, "methods", ()) or ())
              if method != "HEAD"]  # fmt: skip
    assert len(routes) == 18
    for method, path in routes:
        concrete = (path.replace("{reference}", "PRC-2026-0001").replace("{assessment_id}", "1")
                    .replace("{form}", "primas").replace("{version}", "3")
                    .replace("{kpi_id}", "1").replace("{outcome_id}", "1"))  # fmt: skip
        reports = method == "POST" and path.startswith("/api/v1/kpis/")
        answered = client.request(method, concrete, headers=bearer(outcomes_only), json={})
        assert (answered.status_code == 403) is not reports, (method, path)
        if method in ("POST", "PATCH") and not path.endswith("/evaluate"):
            assert client.request(method, concrete, headers=bearer(read_only),
                                  json={}).status_code == 403, (method, path)  # fmt: skip
