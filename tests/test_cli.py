"""The `primas` command line."""

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from sqlmodel import Session, select

from app.cli import main
from app.db import create_database_engine
from app.main import create_app
from app.models import Procurement, User
from app.schema import head_revision
from app.services.demo import DEMO_PROCUREMENTS, DEMO_USERS
from app.settings import Settings
from tests.support.primas import PRODUCTION_MAIL


def test_commands_are_listed() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert {"serve", "migrate"} <= set(result.output.split())


def test_python_dash_m_app_is_the_same_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "--help"], capture_output=True, text=True, check=True
    )
    assert "migrate" in result.stdout and "serve" in result.stdout


def test_migrate_builds_the_database(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRIMAS_DATABASE_URL", empty_database_url)
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 0, result.output
    assert f"Database at migration {head_revision()}" in result.output
    engine = create_database_engine(empty_database_url)
    try:
        assert "reference_value" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    # Running it again changes nothing and succeeds.
    assert CliRunner().invoke(main, ["migrate"]).exit_code == 0


def test_serve_refuses_production_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIMAS_ENV", "production")
    monkeypatch.delenv("PRIMAS_SECRET_KEY", raising=False)
    result = CliRunner().invoke(main, ["serve", "--port", "0"])
    assert result.exit_code == 2
    assert "cannot start" in result.output
    assert "PRIMAS_SECRET_KEY" in result.output


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PRIMAS_DATABASE_URL", database_url)
    monkeypatch.delenv("PRIMAS_ENV", raising=False)
    return database_url


def users_in(database_url: str) -> list[User]:
    engine = create_database_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(User).order_by(User.id)).all())
    finally:
        engine.dispose()


def test_create_user_reads_the_password_from_standard_input(cli_database: str) -> None:
    result = CliRunner().invoke(
        main,
        ["create-user", "--email", "Sam@Example.gov.uk", "--name", "Sam Taylor",
         "--role", "admin", "--role", "approver"],
        input="meadowlark piano train\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created Sam Taylor <sam@example.gov.uk> with roles: approver, admin" in result.output
    [user] = users_in(cli_database)
    assert user.roles == ["approver", "admin"]
    assert not user.must_change_password


def test_create_user_refuses_a_weak_password_and_bad_roles(cli_database: str) -> None:
    result = CliRunner().invoke(
        main, ["create-user", "--email", "a@example.gov.uk", "--name", "A", "--role", "lead"],
        input="password1234\n",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "too common" in result.output
    result = CliRunner().invoke(
        main, ["create-user", "--email", "a@example.gov.uk", "--name", "A", "--role", "boss"],
        input="meadowlark piano train\n",
    )  # fmt: skip
    assert result.exit_code == 2
    assert users_in(cli_database) == []


def test_load_demo_is_idempotent_and_prints_sign_in_details(cli_database: str) -> None:
    first = CliRunner().invoke(main, ["load-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo users: 4 added, 0 already there" in first.output
    for demo in DEMO_USERS:
        assert demo.email in first.output and demo.password in first.output
    assert f"Demo procurements: {len(DEMO_PROCUREMENTS)} added." in first.output
    second = CliRunner().invoke(main, ["load-demo"])
    assert "Demo users: 0 added, 4 already there" in second.output
    assert "Demo procurements: 0 added." in second.output
    assert len(users_in(cli_database)) == 4
    assert all(user.is_demo for user in users_in(cli_database))


def test_demo_data_is_never_loaded_in_production(
    cli_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRIMAS_ENV", "production")
    monkeypatch.setenv("PRIMAS_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("PRIMAS_SIGNING_KEY", "k" * 40)
    for name, value in PRODUCTION_MAIL.items():
        monkeypatch.setenv(f"PRIMAS_{name.upper()}", value)
    result = CliRunner().invoke(main, ["load-demo"])
    assert result.exit_code == 2
    assert users_in(cli_database) == []


def test_production_refuses_to_start_while_demo_users_exist(cli_database: str) -> None:
    assert CliRunner().invoke(main, ["load-demo"]).exit_code == 0
    settings = Settings(
        env="production",
        database_url=cli_database,
        secret_key="s" * 40,
        signing_key="s" * 40,
        **PRODUCTION_MAIL,
    )
    with pytest.raises(RuntimeError, match="demo users"), TestClient(create_app(settings)):
        pass
    # Without demo users it starts.
    settings = Settings(
        env="production",
        database_url=cli_database,
        secret_key="s" * 40,
        signing_key="s" * 40,
        **PRODUCTION_MAIL,
    )
    engine = create_database_engine(cli_database)
    with engine.begin() as connection:
        for table in ("procurement_involvement", "procurement_collaborator", "procurement"):
            connection.exec_driver_sql(f"DELETE FROM {table}")
        connection.exec_driver_sql("DELETE FROM user_account WHERE is_demo")
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200


def test_demo_procurements_cover_both_sides_of_the_line(cli_database: str) -> None:
    assert CliRunner().invoke(main, ["load-demo"]).exit_code == 0
    engine = create_database_engine(cli_database)
    try:
        with Session(engine) as session:
            recorded = session.exec(select(Procurement)).all()
    finally:
        engine.dispose()
    assert len(recorded) >= 8
    values = {p.value_pence for p in recorded}
    assert 9_999_999 in values and 10_000_000 in values  # £99,999.99 and £100,000.00
    assert sum(v < 10_000_000 for v in values) >= 2 and sum(v >= 10_000_000 for v in values) >= 6
    assert {p.contract_type for p in recorded} == {"goods", "services", "works"}
    assert len({p.category_id for p in recorded}) >= 8


BAD_FORM = """
id: primas
version: 9
title: Broken
sections:
  - id: s
    title: S
    tasks:
      - {id: t, title: T, questions: [{id: q, type: slider, label: Q}]}
      - {id: empty, title: Empty, questions: []}
"""


def test_check_forms_passes_the_shipped_definitions() -> None:
    result = CliRunner().invoke(main, ["check-forms"])
    assert result.exit_code == 0, result.output
    assert "primas-v1.yaml: ok" in result.output


def test_check_forms_lists_every_problem(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_FORM)
    result = CliRunner().invoke(main, ["check-forms", str(bad)])
    assert result.exit_code == 1
    assert "bad.yaml: 2 problem(s)" in result.output
    assert "[unknown-type]" in result.output and "[empty-task]" in result.output


def test_the_service_refuses_to_start_on_a_bad_definition(tmp_path, database_url: str) -> None:  # type: ignore[no-untyped-def]
    from app.forms.loader import DefinitionInvalid

    (tmp_path / "primas-v9.yaml").write_text(BAD_FORM)
    settings = Settings(env="test", database_url=database_url, forms_dir=tmp_path)
    with pytest.raises(DefinitionInvalid, match="unknown-type"):
        create_app(settings)


def test_create_token_prints_the_token_once_as_its_last_line(cli_database: str) -> None:
    """Issue 20: the token is the last line, so a script can take it with `tail -n 1`; only
    its hash is kept."""
    from app.models import ApiClient
    from app.services import api_clients

    result = CliRunner().invoke(
        main, ["create-token", "--name", "Contract management system", "--scopes", "read,write"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    token = lines[-1]
    assert lines[0] == "Created API client Contract management system with scopes: read, write."
    assert token.startswith("primas_") and len(token) == len("primas_") + 43
    engine = create_database_engine(cli_database)
    try:
        with Session(engine) as session:
            (client,) = session.exec(select(ApiClient)).all()
            assert client.token_hash == api_clients.hash_token(token)
            assert token not in str(client.model_dump())
            found = api_clients.authenticate(session, token, datetime.now(UTC))
            assert found is not None and found.scopes == ["read", "write"]
    finally:
        engine.dispose()
    refused = CliRunner().invoke(
        main, ["create-token", "--name", "contract management system", "--scopes", "admin"]
    )
    assert refused.exit_code == 1
    assert "already exists" in refused.output and "not admin" in refused.output
