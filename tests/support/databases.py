"""Isolated databases for tests: every test gets its own copy of a database migrated once.

SQLite: the migrated template file is copied into the test's own directory.
PostgreSQL (PRIMAS_TEST_DATABASE_URL set to a server's maintenance database): each test gets
CREATE DATABASE ... TEMPLATE, dropped afterwards.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.db import create_database_engine
from app.schema import upgrade_to_head

_counter = itertools.count(1)


class TestDatabases:
    """Hands out fresh databases, empty or migrated, on SQLite or PostgreSQL."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, workdir: Path, server_url: str | None) -> None:
        self.workdir = workdir
        self.server_url = server_url
        self.dialect = make_url(server_url).get_backend_name() if server_url else "sqlite"
        self._template: str | None = None
        self._admin = (
            create_engine(server_url, isolation_level="AUTOCOMMIT") if server_url else None
        )

    def _name(self, prefix: str) -> str:
        return f"{prefix}_{os.getpid()}_{next(_counter)}"

    def _server_database_url(self, name: str) -> str:
        assert self.server_url is not None
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def empty(self, directory: Path) -> str:
        """The URL of a new, empty database."""
        if self._admin is None:
            return f"sqlite:///{directory / 'empty.db'}"
        return self.empty_named(self._name("primas_empty"))

    def migrated(self, directory: Path) -> str:
        """The URL of a new database at the latest migration, with its seed data."""
        template = self._migrated_template()
        if self._admin is None:
            path = directory / "primas.db"
            shutil.copyfile(template, path)
            return f"sqlite:///{path}"
        name = self._name("primas_test")
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return self._server_database_url(name)

    def _migrated_template(self) -> str:
        if self._template is not None:
            return self._template
        if self._admin is None:
            path = self.workdir / "template.db"
            engine = create_database_engine(f"sqlite:///{path}")
            upgrade_to_head(engine)
            engine.dispose()
            # Fold the write-ahead log into the file so a plain copy holds everything.
            with sqlite3.connect(path) as connection:
                connection.execute("PRAGMA journal_mode=DELETE")
            self._template = str(path)
        else:
            name = self._name("primas_template")
            engine = create_database_engine(self.empty_named(name))
            upgrade_to_head(engine)
            engine.dispose()
            self._template = name
        return self._template

    def empty_named(self, name: str) -> str:
        """Create an empty server database with this name and return its URL."""
        assert self._admin is not None
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        return self._server_database_url(name)

    def drop(self, url: str) -> None:
        """Drop a server database made by this object (SQLite files go with their directory)."""
        if self._admin is None:
            return
        name = make_url(url).database
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        """Drop the template and release the admin connection pool."""
        if self._admin is None:
            return
        if self._template is not None:
            self.drop(self._server_database_url(self._template))
        self._admin.dispose()
