"""Migrations are the only way the schema changes: they build it and match the models."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.db import create_database_engine
from app.schema import alembic_config, current_revision, head_revision, upgrade_to_head

EXPECTED_TABLES = [
    "alembic_version",
    "assessment",
    "assessment_answer",
    "audit_event",
    "category",
    "directorate",
    "kpi_selection",
    "procurement",
    "procurement_collaborator",
    "reference_value",
    "score_override",
    "sign_in_failure",
    "user_account",
    "user_session",
]


def test_migrations_build_an_empty_database_up_to_head(empty_database_url: str) -> None:
    engine = create_database_engine(empty_database_url)
    try:
        assert inspect(engine).get_table_names() == []
        upgrade_to_head(engine)
        assert sorted(inspect(engine).get_table_names()) == EXPECTED_TABLES
        with engine.connect() as connection:
            assert current_revision(connection) == head_revision()
    finally:
        engine.dispose()


def test_models_and_migrations_agree(database_url: str) -> None:
    engine = create_database_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
        assert differences == []
        assert sorted(SQLModel.metadata.tables) == [
            t for t in EXPECTED_TABLES if t != "alembic_version"
        ]
    finally:
        engine.dispose()


def test_migrations_downgrade_to_nothing_and_back(database_url: str) -> None:
    engine = create_database_engine(database_url)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        assert inspect(engine).get_table_names() == ["alembic_version"]
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM category")).scalar_one() >= 20
    finally:
        engine.dispose()


def test_migrated_database_reports_its_dialect(database_url: str) -> None:
    """The PostgreSQL pass really runs on PostgreSQL (and the SQLite pass on SQLite)."""
    import os

    engine = create_database_engine(database_url)
    try:
        expected = "postgresql" if os.environ.get("PRIMAS_TEST_DATABASE_URL") else "sqlite"
        assert engine.dialect.name == expected
        with engine.connect() as connection:
            if expected == "postgresql":
                version = connection.execute(text("SHOW server_version")).scalar_one()
                assert version.startswith("15.")
            else:
                mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar_one()
                assert mode == "wal"
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
                assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 5000
    finally:
        engine.dispose()
