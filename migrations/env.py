"""Alembic environment: migrates the connection it is given, or PRIMAS_DATABASE_URL."""

from alembic import context
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from app.db import create_database_engine
from app.models.types import UTCDateTime
from app.settings import Settings

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_, obj, autogen_context):  # type: ignore[no-untyped-def]
    """Autogenerate writes our own column types with their import."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("from app.models.types import UTCDateTime")
        return "UTCDateTime()"
    return False


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = create_database_engine(Settings().database_url)
    with engine.connect() as new_connection:
        run_migrations(new_connection)
    engine.dispose()
