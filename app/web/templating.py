"""Jinja2 templates: our templates/ plus the GOV.UK Frontend macros, with shared helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    Undefined,
    select_autoescape,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from app import __version__
from app.db import DatabaseUnavailable
from app.deps import csrf, resolve_signed_in
from app.forms.types import question_type
from app.inputs import format_pounds
from app.models import Role
from app.scoring.obligations import by_basis
from app.services.sessions import SignedIn
from app.settings import PROJECT_ROOT, Settings
from app.specification import target_words
from app.timeutil import long_date, to_london, utcnow

TEMPLATES_DIR = PROJECT_ROOT / "templates"


def format_clock_time(moment: datetime) -> str:
    """The London time of day the GOV.UK way: '2:05pm', '12:30am'."""
    local = to_london(moment)
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def format_london_time(moment: datetime) -> str:
    """An aware datetime in London time, the GOV.UK way: '1 January 2026 at 2:05pm'."""
    return f"{long_date(to_london(moment))} at {format_clock_time(moment)}"


def format_duration(seconds: int) -> str:
    """A length of time in words: 1800 -> '30 minutes', 3600 -> '1 hour', 45 -> '45 seconds'."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    if seconds >= 60:
        minutes = round(seconds / 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def static_url(path: str) -> str:
    """The URL of a static file, versioned so a new release is never served from a stale cache."""
    return f"/static/{path}?v={__version__}"


def navigation_for(
    path: str, signed_in: SignedIn | None, url_path_for: PathBuilder
) -> list[dict[str, Any]]:
    """The service navigation items this user sees, the current one marked."""
    if signed_in is None:
        return []
    items = [("Home", "home"), ("Procurements", "list_procurements")]
    if signed_in.user.has_role(Role.APPROVER):
        items.append(("Approvals", "approval_queue"))
    if signed_in.user.has_role(Role.ADMIN):
        items += [
            ("Users", "list_users"),
            ("Reference data", "list_reference_data"),
            ("Audit log", "show_audit_log"),
            ("Email", "show_outbox"),
            ("API clients", "list_api_clients"),
        ]
    hrefs = [(text, str(url_path_for(name))) for text, name in items]
    return [
        {
            "text": text,
            "href": href,
            "active": path == href or (href != "/" and path.startswith(href)),
        }
        for text, href in hrefs
    ]


def _signed_in_for_page(request: Request) -> SignedIn | None:
    """The page's user: from the request's dependencies, or looked up for error pages."""
    settings: Settings = request.app.state.settings
    if hasattr(request.state, "signed_in"):
        cached: SignedIn | None = request.state.signed_in
        return cached
    try:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            return resolve_signed_in(request, session, settings)
    except (SQLAlchemyError, DatabaseUnavailable):
        return None


def _request_context(request: Request) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    signed_in = _signed_in_for_page(request)
    anonymous_id = getattr(request.state, "anonymous_csrf_id", None) or request.cookies.get(
        csrf.ANONYMOUS_COOKIE
    )
    return {
        "csp_nonce": getattr(request.state, "csp_nonce", ""),
        "signed_in": signed_in,
        "current_user": signed_in.user if signed_in else None,
        "csrf_token": csrf.token_for(settings, signed_in, anonymous_id),
        "navigation": navigation_for(request.url.path, signed_in, request.app.state.paths),
        "current_path": request.url.path,
        "session_warning_seconds": settings.session_warning_seconds,
        "session_idle_time": format_duration(settings.session_idle_timeout_seconds),
        "server_now": utcnow().isoformat(),
    }


class PathBuilder(Protocol):
    """What builds a route's path from its name (a Starlette app's `url_path_for`)."""

    def __call__(self, name: str, /, **params: Any) -> str: ...  # noqa: D102


def path_builder(url_path_for: PathBuilder) -> Callable[..., str]:
    """`path_to(name, anchor="", **params)` for templates: the path of the route called `name`
    with its parameters, and an optional #anchor. A parameter that is missing or empty (an
    undefined variable in a template renders as nothing) is an error, never a broken link."""

    def path_to(name: str, /, anchor: object = "", **params: object) -> str:
        for key, value in params.items():
            if isinstance(value, Undefined) or value is None or str(value) == "":
                raise ValueError(f"path_to({name!r}): no value for {key!r}")
        path = str(url_path_for(name, **{key: str(value) for key, value in params.items()}))
        return f"{path}#{anchor}" if anchor else path

    return path_to


def create_templates(settings: Settings, url_path_for: PathBuilder) -> Jinja2Templates:
    """The template renderer for one app, whose routes `url_path_for` knows."""
    environment = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES_DIR),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Checking every template file's modification time on each use cost 40% of the largest
        # task page (benchmarks/README.md); only development wants edits picked up live.
        auto_reload=settings.env == "development",
    )
    environment.globals.update(
        service_name=settings.service_name,
        council_name=settings.council_name,
        feedback_email=settings.feedback_email,
        reminder_working_days=settings.reminder_working_days,
        app_version=__version__,
        static_url=static_url,
        question_options=lambda question: question_type(question.type).options(question),
        question_template=lambda question: question_type(question.type).template,
        target_words=target_words,
        by_basis=by_basis,
        path_to=path_builder(url_path_for),
    )
    environment.filters.update(
        pence=format_pounds,
        govuk_date=long_date,
        london_time=format_london_time,
        clock_time=format_clock_time,
    )
    return Jinja2Templates(env=environment, context_processors=[_request_context])
