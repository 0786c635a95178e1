"""The API's OpenAPI description lists the API alone, and in production only for staff."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.main import create_app
from app.settings import Settings
from tests.support.auth import signed_in_client
from tests.support.catalogue import shipped
from tests.support.factories import make_user


def test_the_description_lists_no_html_page(client: TestClient) -> None:
    described = client.get("/api/v1/openapi.json")
    assert described.status_code == 200
    document = described.json()
    assert document["info"]["title"] == "PRIMAS API"
    assert all(path.startswith("/api/") for path in document["paths"])
    listed = str(document)
    for page in ("/sign-in", "/admin/users", "/account"):  # (/api/v1/procurements is the API's)
        assert page not in listed


def test_in_production_only_signed_in_staff_may_read_it(
    settings: Settings, session: Session
) -> None:
    production = settings.model_copy(update={"env": "production"})
    app: FastAPI = create_app(production, catalogue=shipped())
    try:
        anonymous = TestClient(app, base_url="https://testserver").get("/api/v1/openapi.json")
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        staff = signed_in_client(app, session, make_user(session))
        staff.base_url = "https://testserver"  # type: ignore[misc]
        assert staff.get("/api/v1/openapi.json").status_code == 200
    finally:
        app.state.engine.dispose()
