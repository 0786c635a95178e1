"""The `primas` command line."""

import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from app.cli import main
from app.db import create_database_engine


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
    assert "Database at migration 0001" in result.output
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
