"""Jinja2 templates: our templates/ plus the GOV.UK Frontend macros, with shared helpers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from app import __version__
from app.settings import PROJECT_ROOT, Settings
from app.timeutil import to_london

TEMPLATES_DIR = PROJECT_ROOT / "templates"


def format_pence(pence: int) -> str:
    """Integer pence as pounds for people: 10000000 -> '£100,000', 12345 -> '£123.45'."""
    pounds, remainder = divmod(abs(pence), 100)
    sign = "-" if pence < 0 else ""
    if remainder:
        return f"{sign}£{pounds:,}.{remainder:02d}"
    return f"{sign}£{pounds:,}"


def format_date(value: Any) -> str:
    """A date the GOV.UK way: '1 January 2026'."""
    return f"{value.day} {value:%B %Y}"


def format_london_time(moment: datetime) -> str:
    """An aware datetime in London time, the GOV.UK way: '1 January 2026 at 2:05pm'."""
    local = to_london(moment)
    hour = local.hour % 12 or 12
    return f"{format_date(local)} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def static_url(path: str) -> str:
    """The URL of a static file, versioned so a new release is never served from a stale cache."""
    return f"/static/{path}?v={__version__}"


def _request_context(request: Request) -> dict[str, Any]:
    return {"csp_nonce": getattr(request.state, "csp_nonce", "")}


def create_templates(settings: Settings) -> Jinja2Templates:
    """The template renderer for one app."""
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
    )
    environment.globals.update(
        service_name=settings.service_name,
        council_name=settings.council_name,
        feedback_email=settings.feedback_email,
        app_version=__version__,
        static_url=static_url,
    )
    environment.filters.update(
        pence=format_pence, govuk_date=format_date, london_time=format_london_time
    )
    return Jinja2Templates(env=environment, context_processors=[_request_context])
