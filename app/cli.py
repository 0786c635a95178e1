"""The `primas` command line: serve the service and look after its database."""

from __future__ import annotations

import os

import click
from pydantic import ValidationError

from app.settings import Settings


def load_settings() -> Settings:
    """Settings from the environment, or a clear message and exit status 2."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())
        raise click.UsageError(f"cannot start: {problems}") from None


@click.group()
def main() -> None:
    """PRIMAS: the council's Procurement Impact Assessment service."""


@main.command()
def migrate() -> None:
    """Apply every pending database migration (PRIMAS_DATABASE_URL, or ./var/primas.db)."""
    from app.db import create_database_engine
    from app.schema import head_revision, upgrade_to_head

    settings = load_settings()
    engine = create_database_engine(settings.database_url)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()
    click.echo(f"Database at migration {head_revision()}: {engine.url.render_as_string()}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=int,
    default=lambda: int(os.environ.get("PORT", "8000")),
    show_default="$PORT or 8000",
    help="Port to listen on.",
)
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the service over HTTP."""
    import uvicorn

    load_settings()
    click.echo(f"PRIMAS is running on http://{host}:{port} (press Ctrl+C to stop)")
    uvicorn.run(
        "app.main:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        server_header=False,
        log_level="info",
    )
