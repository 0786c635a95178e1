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


def test_the_reference_page_draws_the_description_with_vendored_files(client: TestClient) -> None:
    """Swagger UI from app/static with its licence, never a CDN; only this page lets the
    stylesheet's data: icons through the content security policy."""
    from tests.support.html import parse

    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = parse(response)
    sources = [tag["src"] for tag in page.find_all("script")]
    sources += [tag["href"] for tag in page.find_all("link", rel="stylesheet")]
    assert sources and all(source.startswith("/static/") for source in sources)
    assert page.body["data-openapi"] == "/api/v1/openapi.json"
    assert "img-src 'self' data:" in response.headers["content-security-policy"]
    assert "img-src 'self';" in client.get("/").headers["content-security-policy"]
    licence = client.get(page.find("a", string="Apache License 2.0")["href"])
    assert licence.status_code == 200 and "Apache License" in licence.text
    assert page.noscript is not None


def test_in_production_the_reference_page_is_for_staff_and_clients(
    settings: Settings, session: Session
) -> None:
    from tests.support.api import bearer, make_api_client
    from tests.support.primas import PRODUCTION_MAIL

    production = settings.model_copy(update={"env": "production", **PRODUCTION_MAIL})
    app: FastAPI = create_app(production, catalogue=shipped())
    _api, token = make_api_client(session)
    try:
        anonymous = TestClient(app, base_url="https://testserver")
        assert anonymous.get("/api/v1/docs").status_code == 401
        assert anonymous.get("/api/v1/docs", headers=bearer(token)).status_code == 200
    finally:
        app.state.engine.dispose()
