"""The application factory: one FastAPI app per Settings, with its own database engine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import __version__
from app.api import health, openapi
from app.api.routes import api_router
from app.db import create_database_engine
from app.deps.errors import install_error_handlers
from app.deps.limits import (
    ApiRate,
    BodyLimit,
    ClientFailures,
    PasswordCheckGate,
    SignInFloodGuard,
)
from app.deps.paths import RoutePaths
from app.scoring.catalogue import Catalogue
from app.security_headers import SecurityHeadersMiddleware
from app.services.demo import demo_users_exist
from app.services.mail import MailWorker
from app.services.startup import start
from app.settings import PROJECT_ROOT, Settings
from app.web.mail import sender_for
from app.web.routes import pages_router
from app.web.templating import create_templates

STATIC_DIR = PROJECT_ROOT / "app" / "static"


def create_app(settings: Settings | None = None, *, catalogue: Catalogue | None = None) -> FastAPI:
    """Build the service for `settings` (read from the environment when not given). A process
    that builds many apps (the tests) passes the `catalogue` it set up once with `start`."""
    settings = settings or Settings()
    if catalogue is None:
        # Refuse to start on a bad form, rules or KPI library (DefinitionInvalid lists all).
        catalogue = start(settings.forms_dir)  # and turn on the audit log
    engine = create_database_engine(
        settings.database_url, sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.is_production:
            refuse_demo_users_in_production(engine)
        worker = None
        if settings.send_mail:  # email goes out from the app's own process (docs/email.md)
            worker = MailWorker(sender_for(settings, engine, app.state.paths),
                                settings.mail_poll_seconds)  # fmt: skip
            worker.start()
        yield
        if worker:
            await asyncio.to_thread(worker.stop)
        engine.dispose()

    app = FastAPI(
        title="PRIMAS",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served by app/api/openapi.py: the API's paths only
    )
    app.state.settings = settings
    app.state.catalogue = catalogue
    app.state.engine = engine
    app.state.paths = RoutePaths(app)
    app.state.password_checks = PasswordCheckGate(
        settings.password_checks_in_flight, settings.password_checks_per_second
    )
    app.state.api_rate = ApiRate(settings.api_requests_per_minute)
    app.state.sign_in_failures = ClientFailures(
        settings.sign_in_client_max_failures, settings.sign_in_client_window_seconds
    )
    app.state.templates = create_templates(settings, app.state.paths)

    # The last added is the outermost: bodies are limited first, and every answer (the flood
    # guard's small refusals included) carries the security headers.
    app.add_middleware(SignInFloodGuard, failures=app.state.sign_in_failures,
                       trusted_proxies=settings.trusted_proxy_addresses,
                       delay_seconds=settings.sign_in_refusal_delay_seconds)  # fmt: skip
    app.add_middleware(SecurityHeadersMiddleware, production=settings.is_production)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(health.router)
    app.include_router(openapi.router)
    app.include_router(api_router())
    app.include_router(pages_router())
    return app


def refuse_demo_users_in_production(engine: Engine) -> None:
    """Production must never run with the published demo passwords."""
    with Session(engine) as session:
        if demo_users_exist(session):
            raise RuntimeError(
                "refusing to start: PRIMAS_ENV=production but the database holds demo users "
                "(loaded by `primas load-demo`). Use a database that never had demo data."
            )


def app_from_environment() -> FastAPI:
    """Factory for `uvicorn --factory`: settings from PRIMAS_ environment variables."""
    return create_app(Settings())
