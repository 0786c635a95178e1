"""Errors are answered in the caller's terms: GOV.UK pages for people, problem+json for the API."""

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.errors import PrimasError
from tests.support.html import heading, parse


def test_unknown_page_is_a_govuk_404(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert heading(parse(response)) == "Page not found"


def test_unknown_api_path_is_problem_json(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["title"] == "Not Found"
    assert body["instance"] == "/api/v1/no-such-thing"


def test_method_not_allowed_is_a_page_not_a_500(client: TestClient) -> None:
    response = client.delete("/")
    assert response.status_code == 405
    assert heading(parse(response)) == "Method Not Allowed"
    assert "GET" in response.headers["allow"]


def test_primas_error_renders_as_page_or_problem(app: FastAPI) -> None:
    @app.get("/refused")
    def refused_page() -> None:
        raise PrimasError(409, "Someone else saved this first", "Review their changes.")

    @app.get("/api/v1/refused")
    def refused_api() -> None:
        raise PrimasError(409, "Conflict", "The record changed.", current_version=3)

    with TestClient(app) as client:
        page = parse(client.get("/refused"))
        assert heading(page) == "Someone else saved this first"
        problem = client.get("/api/v1/refused")
    assert problem.status_code == 409
    assert problem.json()["current_version"] == 3
    assert problem.json()["detail"] == "The record changed."


def test_api_validation_errors_are_problem_json(app: FastAPI) -> None:
    @app.get("/api/v1/numbers/{number}")
    def number(number: int) -> dict[str, int]:
        return {"number": number}

    with TestClient(app) as client:
        response = client.get("/api/v1/numbers/not-a-number")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["location"] == ["path", "number"]
