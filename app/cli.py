"""The `primas` command line: serve the service and look after its database and users."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.settings import Settings


def load_settings() -> Settings:
    """Settings from the environment, or a clear message and exit status 2."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())
        raise click.UsageError(f"cannot start: {problems}") from None


@contextmanager
def database_session(settings: Settings) -> Iterator[Session]:
    """A session on the configured database, for one command, with the audit log on."""
    from app.db import create_database_engine
    from app.services.startup import start

    start(settings.forms_dir)
    engine = create_database_engine(settings.database_url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


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


def _read_password() -> str:
    if sys.stdin.isatty():
        password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    return sys.stdin.readline().rstrip("\n")


@main.command("create-user")
@click.option("--email", required=True, help="Their work email address (their sign-in name).")
@click.option("--name", required=True, help="Their full name.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(["lead", "approver", "admin"]),
    help="A role to give them; repeat for several.",
)
def create_user_command(email: str, name: str, roles: tuple[str, ...]) -> None:
    """Create a user. The password is prompted for, or read from standard input."""
    from app.errors import InvalidInput
    from app.services.accounts import create_user
    from app.services.audit import SYSTEM

    settings = load_settings()
    password = _read_password()
    with database_session(settings) as session:
        try:
            user, _ = create_user(
                session, SYSTEM, name=name, email=email, roles=roles, password=password
            )
        except InvalidInput as invalid:
            raise click.ClickException("; ".join(invalid.errors.values())) from None
    click.echo(f"Created {user.name} <{user.email}> with roles: {', '.join(user.roles)}")


@main.command("create-token")
@click.option("--name", required=True, help="The client's name, such as the system's name.")
@click.option(
    "--scopes",
    required=True,
    help="What it may do, comma-separated: read, write (procurements), outcomes.",
)
def create_token(name: str, scopes: str) -> None:
    """Make an API client and print its token, once, as the last line."""
    from app.errors import InvalidInput
    from app.services import api_clients
    from app.services.audit import SYSTEM

    settings = load_settings()
    chosen = [scope.strip() for scope in scopes.split(",") if scope.strip()]
    with database_session(settings) as session:
        try:
            client, token = api_clients.create(session, SYSTEM, name, chosen, by_user_id=None)
        except InvalidInput as invalid:
            raise click.ClickException("; ".join(invalid.errors.values())) from None
    click.echo(f"Created API client {client.name} with scopes: {', '.join(client.scopes)}.")
    click.echo("Its token, shown this once (keep it secret; it cannot be shown again):")
    click.echo(token)


@main.command("load-demo")
def load_demo() -> None:
    """Add the demo users and procurements (once) and print how to sign in. Not in production."""
    from app.services.demo import load_demo_procurements, load_demo_users
    from app.timeutil import london_today

    settings = load_settings()
    if settings.is_production:
        raise click.UsageError("demo data is never loaded when PRIMAS_ENV=production")
    with database_session(settings) as session:
        results = load_demo_users(session)
        procurements_added = load_demo_procurements(session, london_today())
    added = sum(created for _, created in results)
    click.echo(f"Demo procurements: {procurements_added} added.")
    click.echo(f"Demo users: {added} added, {len(results) - added} already there. Sign in with:")
    for demo, _ in results:
        roles = ", ".join(role.label for role in demo.roles)
        click.echo(f"  {roles:<16} {demo.email:<26} password: {demo.password}")


@main.command("send-mail")
def send_mail() -> None:
    """Send the email that is due from the outbox once (and today's reminders), then stop: for
    a process that does not run the app's own sender (PRIMAS_SEND_MAIL=false)."""
    from app.web.mail import sender_for, site_paths

    settings = load_settings()
    with database_session(settings) as session:
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        tally = sender_for(settings, engine, site_paths()).run_once()
    click.echo(f"Reminders written: {tally.reminders}. Sent: {tally.sent}. "
               f"To try again later: {tally.retrying}. Failed: {tally.failed}.")  # fmt: skip
    if tally.failed:
        raise SystemExit(1)


@main.command("check-forms")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_forms(paths: tuple[Path, ...]) -> None:
    """Check form definitions (the shipped ones, or the files given) and the scoring rules
    beside each (and, for the shipped ones, the KPI library), and list every problem."""
    from app.forms.loader import DefinitionInvalid, check_files, definition_files, parse_definition
    from app.scoring.kpis import LIBRARY_FILE, load_library
    from app.scoring.rules import load_rules_beside, rules_path
    from app.scoring.topics import load_topics

    topics = load_topics().topic_codes
    results = check_files(paths or definition_files(), topics)
    checked = []
    for path, errors in list(results.items()):
        if errors:
            continue
        definition = parse_definition(path.read_text(encoding="utf-8"), path.name, topics)
        checked.append(definition)
        try:
            load_rules_beside(path.parent, definition, topics)
            results[rules_path(path.parent, definition)] = []
        except DefinitionInvalid as invalid:
            results[rules_path(path.parent, definition)] = invalid.errors
    if not paths and not any(results.values()):  # the shipped files: the KPI library too
        try:
            load_library(topics, checked)
            results[LIBRARY_FILE] = []
        except DefinitionInvalid as invalid:
            results[LIBRARY_FILE] = invalid.errors
    for path, errors in results.items():
        click.echo(f"{path.name}: {'ok' if not errors else f'{len(errors)} problem(s)'}")
        for error in errors:
            click.echo(f"  {error}")
    if any(results.values()):
        raise SystemExit(1)
