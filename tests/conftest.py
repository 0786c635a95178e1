"""Fixtures every test can use: settings, an isolated database, the app and an HTTP client.

Database-touching tests are marked `db` automatically. `make test` runs everything on SQLite,
then the PostgreSQL set again on a throwaway PostgreSQL server (PRIMAS_TEST_DATABASE_URL): every
database test in tests/db and tests/test_cli.py, and the page and browser tests marked
`postgres` (docs/testing.md says which and why). With CI=true a skipped test fails the run, so
a missing browser or database can never pass silently.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from app.db import create_database_engine
from app.main import create_app
from app.settings import Settings
from tests.support.catalogue import shipped
from tests.support.databases import TestDatabases

DATABASE_FIXTURES = {"database_url", "empty_database_url", "shared_database_url"}
TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
DIALECT_KEY = pytest.StashKey[str]()
db_test_outcomes: Counter[str] = Counter()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)
            if "/tests/db/" in str(item.path) or "/tests/test_cli.py" in str(item.path):
                item.add_marker(pytest.mark.postgres)


def in_postgres_set(item: pytest.Item) -> bool:
    """Whether the PostgreSQL pass runs this test again: every database test of tests/db and
    the command line, and the page and browser tests marked `postgres` (docs/testing.md)."""
    return bool(item.get_closest_marker("db") and item.get_closest_marker("postgres"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    if report.when == "call" and in_postgres_set(item):
        dialect = item.stash.get(DIALECT_KEY, None)
        if dialect:  # carried with the report, so pytest-xdist brings it to the main process
            report.user_properties.append(("database", dialect))
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.passed:
        for name, value in report.user_properties:
            if name == "database":
                db_test_outcomes[str(value)] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):
        return  # a pytest-xdist worker: the main process counts and reports for all of them
    report_path = os.environ.get("PRIMAS_TEST_REPORT")
    if report_path:
        Path(report_path).parent.mkdir(parents=True, exist_ok=True)
        Path(report_path).write_text(json.dumps({"postgres_set_passed": dict(db_test_outcomes)}))
    if os.environ.get("CI") == "true":
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
        if skipped:
            print(f"\nCI=true: {skipped} test(s) skipped; in CI every test must run.")
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def skip_or_fail(reason: str) -> None:
    """Skip locally; in CI, where nothing may be skipped, fail with the same reason."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: nothing may be skipped)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def test_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabases]:
    databases = TestDatabases(
        tmp_path_factory.mktemp("databases"), os.environ.get("PRIMAS_TEST_DATABASE_URL")
    )
    yield databases
    databases.close()


def _own_database(
    request: pytest.FixtureRequest, databases: TestDatabases, url: str
) -> Iterator[str]:
    request.node.stash[DIALECT_KEY] = make_url(url).get_backend_name()
    yield url
    databases.drop(url)


@pytest.fixture
def database_url(
    request: pytest.FixtureRequest, test_databases: TestDatabases, tmp_path: Path
) -> Iterator[str]:
    """A fresh database at the latest migration, for this test alone."""
    yield from _own_database(request, test_databases, test_databases.migrated(tmp_path))


@pytest.fixture(scope="module")
def module_database_url(
    test_databases: TestDatabases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database at the latest migration shared by one module's tests: only for tests that
    read, or whose writes change nothing another test of the module looks at. Use it through
    `shared_database_url`, which marks each test `db` and records the database it ran on."""
    url = test_databases.migrated(tmp_path_factory.mktemp("module"))
    yield url
    test_databases.drop(url)


@pytest.fixture
def shared_database_url(request: pytest.FixtureRequest, module_database_url: str) -> str:
    """The module's shared database (`module_database_url`), for this test."""
    request.node.stash[DIALECT_KEY] = make_url(module_database_url).get_backend_name()
    return module_database_url


@pytest.fixture
def empty_database_url(
    request: pytest.FixtureRequest, test_databases: TestDatabases, tmp_path: Path
) -> Iterator[str]:
    """A fresh database with no tables at all, for this test alone."""
    yield from _own_database(request, test_databases, test_databases.empty(tmp_path))


def test_settings(database_url: str) -> Settings:
    """The settings tests run the app with, on `database_url`."""
    # Tests sign in far faster than people do: the limits on password checks, and the held
    # refusal, are tested with their defaults in tests/web/test_sign_in_floods.py, and kept out
    # of the way elsewhere. Email is sent by the tests that start a sender (tests/db/test_mail.py).
    return Settings(env="test", database_url=database_url, secret_key=TEST_SECRET_KEY,
                    password_checks_in_flight=8, password_checks_per_second=1000,
                    sign_in_refusal_delay_seconds=0, send_mail=False,
                    api_changes_delay_seconds=0)  # fmt: skip


test_settings.__test__ = False  # type: ignore[attr-defined]  # not a test, whatever its name


@pytest.fixture
def settings(database_url: str) -> Settings:
    return test_settings(database_url)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    shipped()  # set up as create_app does: the audit log on, the catalogue read
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    app = create_app(settings, catalogue=shipped())  # read once per run, as a process does
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client
