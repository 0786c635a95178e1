"""Health and readiness checks."""

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.schema import head_revision
from app.settings import Settings

# Run again on PostgreSQL (docs/testing.md, the PostgreSQL set).
pytestmark = pytest.mark.postgres


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_when_the_database_is_at_head(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "migrations": head_revision()}


def test_readyz_is_503_when_the_database_is_unreachable() -> None:
    settings = Settings(env="test", database_url="postgresql+psycopg://nobody@127.0.0.1:9/primas")
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
        assert client.get("/healthz").status_code == 200
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_readyz_is_503_before_migrations(empty_database_url: str) -> None:
    settings = Settings(env="test", database_url=empty_database_url)
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == f"at None, head {head_revision()}"
