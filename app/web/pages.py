"""The service's general pages: the start page and the accessibility statement."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.deps import (
    CatalogueDep,
    OptionalSignIn,
    SessionDep,
    SettingsDep,
    TemplatesDep,
    throttle_policy,
)
from app.models import Role
from app.services import accounts, approvals
from app.services.reference_data import value_in_force
from app.timeutil import london_today, utcnow

router = APIRouter(tags=["pages"], default_response_class=HTMLResponse)


@router.get("/")
def home(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    signed_in: OptionalSignIn,
) -> HTMLResponse:
    """The start page: what PRIMAS is, when it is needed and what it covers; signed in, what
    needs you first."""
    today = london_today()
    threshold = value_in_force(session, "primas_threshold", today)
    context = {"threshold": threshold, "today": today, "topics": catalogue.topics,
               "needs": None, "now": utcnow()}  # fmt: skip
    if signed_in is not None:
        user = signed_in.user
        locked = (accounts.locked_users(session, throttle_policy(settings), utcnow())
                  if user.has_role(Role.ADMIN) else [])  # fmt: skip
        context["needs"] = approvals.needs_you(session, user, catalogue, today, locked)
    return templates.TemplateResponse(request, "pages/home.html", context)


@router.get("/accessibility")
def accessibility(request: Request, templates: TemplatesDep) -> HTMLResponse:
    """The accessibility statement, linked from every page's footer."""
    return templates.TemplateResponse(request, "pages/accessibility.html", {})
