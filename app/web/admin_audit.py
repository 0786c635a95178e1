"""The audit log, for administrators to browse and filter."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.deps import AdminUser, SessionDep, TemplatesDep
from app.inputs import clean_text
from app.services import audit_log
from app.timeutil import LONDON
from app.web.form_pages import path_to
from app.web.forms import page_number, parse_date_input

router = APIRouter(prefix="/admin/audit", tags=["admin: audit"])

FILTER_FIELDS = ("action", "actor", "entity_type", "entity_id")
DATE_FIELDS = ("from-day", "from-month", "from-year", "to-day", "to-month", "to-year")


@router.get("", response_class=HTMLResponse)
def show_audit_log(
    request: Request, _admin: AdminUser, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    """Events newest first, filtered by action, who, record and London dates."""
    query = request.query_params
    entered = {name: clean_text(query.get(name, "")) for name in FILTER_FIELDS + DATE_FIELDS}
    errors: dict[str, str] = {}
    start, error = parse_date_input(
        "Date from", entered["from-day"], entered["from-month"], entered["from-year"]
    )
    if error:
        errors["from"] = error
    end, error = parse_date_input(
        "Date to", entered["to-day"], entered["to-month"], entered["to-year"]
    )
    if error:
        errors["to"] = error
    if start and end and end < start:
        errors["to"] = "Date to must be the same as or after date from"
    wanted = audit_log.AuditFilter(
        action=entered["action"],
        actor=entered["actor"],
        entity_type=entered["entity_type"],
        entity_id=entered["entity_id"],
        occurred_from=datetime.combine(start, time(), LONDON) if start else None,
        occurred_before=datetime.combine(end + timedelta(days=1), time(), LONDON) if end else None,
    )
    page = audit_log.search_audit(session, wanted, page=page_number(query))
    filters = {name: value for name, value in entered.items() if value}
    context = {
        "page": page,
        "values": entered,
        "errors": errors,
        "actions": audit_log.known_actions(session),
        "entity_types": sorted(audit_log.ENTITY_LABELS),
        "describe": audit_log.describe_action,
        "actors": audit_log.actor_names(session, page.events),
        "records": audit_log.record_names(session, page.events),
        "entity_labels": audit_log.ENTITY_LABELS,
        "page_link": lambda number: (
            path_to(request, "show_audit_log") + "?" + urlencode({**filters, "page": number})
        ),
    }
    return templates.TemplateResponse(
        request, "admin/audit.html", context, status_code=422 if errors else 200
    )
