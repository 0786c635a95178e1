"""Rendering the procurement form, shared by recording a new procurement and editing one."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session
from starlette.templating import Jinja2Templates

from app.models import ContractType, DeliveryLocation, Procurement, User
from app.services.procurements import FieldChange
from app.services.reference_data import list_categories, list_directorates
from app.web.procurement_input import ProcurementInput

# Where each field's error links to: a date input's first box, a radio group's first option.
ERROR_ANCHORS = {"tender": "tender-day", "start": "start-day"}


def form_page(
    request: Request,
    templates: Jinja2Templates,
    session: Session,
    raw: ProcurementInput,
    *,
    mode: str,
    user: User,
    procurement: Procurement | None = None,
    errors: dict[str, str] | None = None,
    version: int | None = None,
    base: ProcurementInput | None = None,
    conflict: list[FieldChange] | None = None,
) -> HTMLResponse:
    """The form with what was typed, its errors, and (when editing) the version it started from."""
    errors = errors or {}
    context: dict[str, Any] = {
        "mode": mode,
        "procurement": procurement,
        "values": raw.as_dict(),
        "errors": errors,
        "anchors": ERROR_ANCHORS,
        "directorates": list_directorates(session),
        "categories": list_categories(session),
        "contract_types": list(ContractType),
        "locations": list(DeliveryLocation),
        "version": version,
        "base": (base or raw).as_dict(),
        "conflict": conflict,
        "user": user,
    }
    status = 409 if conflict is not None else 422 if errors else 200
    return templates.TemplateResponse(
        request, "procurements/form.html", context, status_code=status
    )
