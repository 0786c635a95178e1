"""The service's general pages: the start page and the accessibility statement."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.deps import CatalogueDep, OptionalSignIn, SessionDep, TemplatesDep
from app.services.reference_data import value_in_force
from app.timeutil import london_today

router = APIRouter(tags=["pages"], default_response_class=HTMLResponse)


@router.get("/")
def home(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    catalogue: CatalogueDep,
    _signed_in: OptionalSignIn,
) -> HTMLResponse:
    """The start page: what PRIMAS is, when it is needed and what it covers."""
    today = london_today()
    threshold = value_in_force(session, "primas_threshold", today)
    context = {"threshold": threshold, "today": today, "topics": catalogue.topics}
    return templates.TemplateResponse(request, "pages/home.html", context)


@router.get("/accessibility")
def accessibility(request: Request, templates: TemplatesDep) -> HTMLResponse:
    """The accessibility statement, linked from every page's footer."""
    return templates.TemplateResponse(request, "pages/accessibility.html", {})
