"""Security headers on every kind of response: pages, errors and static files."""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response

from tests.support.html import parse
from tests.support.primas import PRODUCTION_MAIL


def assert_security_headers(response: Response) -> str:
    """Check the headers and return the CSP nonce."""
    csp = response.headers["content-security-policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2]
        for part in csp.split(";")  # type: ignore[misc]
    )
    assert directives["default-src"] == "'self'"
    match = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{20,})'", directives["script-src"])
    assert match, directives["script-src"]
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    return match.group(1)


def test_page_headers_and_the_nonce_on_the_inline_script(client: TestClient) -> None:
    response = client.get("/")
    nonce = assert_security_headers(response)
    assert response.headers["cache-control"] == "no-store"
    inline = [s for s in parse(response).find_all("script") if not s.get("src")]
    assert len(inline) == 1
    assert inline[0]["nonce"] == nonce


def test_each_response_gets_a_fresh_nonce(client: TestClient) -> None:
    first = assert_security_headers(client.get("/"))
    second = assert_security_headers(client.get("/"))
    assert first != second


def test_not_found_has_the_headers(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert_security_headers(response)


@pytest.mark.parametrize(
    "path", ["/static/css/primas.css", "/static/govuk/govuk-frontend.min.js", "/static/nope.js"]
)
def test_static_files_have_the_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == (404 if "nope" in path else 200)
    assert_security_headers(response)


def test_server_error_has_the_headers_and_no_stack_trace(app: FastAPI) -> None:
    @app.get("/explode")
    def explode() -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/explode")
    assert response.status_code == 500
    nonce = assert_security_headers(response)
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    page = parse(response)
    assert page.find("h1").get_text(strip=True) == "Sorry, there is a problem with the service"
    inline = [s for s in page.find_all("script") if not s.get("src")]
    assert inline[0]["nonce"] == nonce


def test_production_adds_strict_transport_security(database_url: str) -> None:
    from app.main import create_app
    from app.settings import Settings

    settings = Settings(
        env="production",
        database_url=database_url,
        secret_key="p" * 40,
        signing_key="p" * 40,
        **PRODUCTION_MAIL,
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/").headers["strict-transport-security"].startswith("max-age=")
