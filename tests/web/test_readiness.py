"""Ready means ready: /readyz says unavailable when the SQLite file cannot be written (made
read-only, removed or replaced), and a write then is refused on the page, never acknowledged
into a file that is gone."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from app.db import create_database_engine
from app.main import create_app
from app.models import Role
from app.schema import upgrade_to_head
from app.settings import Settings
from tests.conftest import TEST_SECRET_KEY
from tests.support.auth import signed_in_client
from tests.support.catalogue import shipped
from tests.support.factories import make_user, procurement_form_data
from tests.support.html import heading, parse
from tests.support.primas import csrf_token


@pytest.fixture
def database_file(tmp_path: Path) -> Path:
    path = tmp_path / "primas.db"
    engine = create_database_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_app(database_file: Path) -> Iterator[FastAPI]:
    settings = Settings(env="test", database_url=f"sqlite:///{database_file}",
                        secret_key=TEST_SECRET_KEY)  # fmt: skip
    app = create_app(settings, catalogue=shipped())
    yield app
    app.state.engine.dispose()


def _signed_in(app: FastAPI) -> TestClient:
    with Session(app.state.engine, expire_on_commit=False) as session:
        lead = make_user(session, Role.LEAD)
        client = signed_in_client(app, session, lead)
    client.get("/readyz")
    return client


def test_ready_when_the_file_can_be_written(sqlite_app: FastAPI) -> None:
    assert _signed_in(sqlite_app).get("/readyz").json()["status"] == "ready"


def test_unavailable_when_the_file_is_made_read_only(
    sqlite_app: FastAPI, database_file: Path
) -> None:
    client = _signed_in(sqlite_app)
    os.chmod(database_file, 0o444)
    try:
        answer = client.get("/readyz")
    finally:
        os.chmod(database_file, 0o644)
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "database": "the database file is read-only"}


@pytest.mark.parametrize("how", ["removed", "replaced"])
def test_a_file_removed_or_replaced_is_unavailable_and_no_write_is_acknowledged(
    sqlite_app: FastAPI, database_file: Path, how: str
) -> None:
    client = _signed_in(sqlite_app)
    token = csrf_token(client)
    if how == "removed":
        database_file.unlink()
    else:
        shutil.copyfile(database_file, database_file.with_suffix(".new"))
        os.replace(database_file.with_suffix(".new"), database_file)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["database"] == f"the database file has been {how}"
    data = procurement_form_data() | {"csrf_token": token}
    saved = client.post("/procurements/new", data=data, follow_redirects=False)
    assert saved.status_code == 503  # refused, never a redirect saying it was recorded
    assert heading(parse(saved)) == "Sorry, what you sent was not saved"


def test_unavailable_when_the_disk_is_full(
    sqlite_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _signed_in(sqlite_app)
    monkeypatch.setattr("app.db.MIN_FREE_BYTES", 2**62)  # more than any disk has free
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["database"] == "the disk holding the database is full"


def test_a_write_the_database_refuses_says_so_and_is_not_a_500(sqlite_app: FastAPI) -> None:
    """SQLite refusing a write (read-only, full) raises an OperationalError: the page says
    nothing was saved, rather than showing an unexpected error."""
    client = _signed_in(sqlite_app)
    token = csrf_token(client)
    engine = sqlite_app.state.engine

    def read_only(dbapi_connection: Any, _record: Any) -> None:  # as a read-only file would be
        dbapi_connection.execute("PRAGMA query_only = ON")

    engine.dispose()
    event.listen(engine, "connect", read_only)
    data = procurement_form_data() | {"csrf_token": token}
    refused = client.post("/procurements/new", data=data, follow_redirects=False)
    assert refused.status_code == 503
    assert heading(parse(refused)) == "Sorry, what you sent was not saved"
