"""Procurement pages: the list with search and filters, recording a new one, and its page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session
from starlette.templating import Jinja2Templates

from app.deps import (
    BuyerUser,
    CurrentUser,
    PostedForm,
    ProcurementDep,
    SessionDep,
    TemplatesDep,
)
from app.inputs import clean_text, parse_id
from app.models import Category, DeliveryLocation, Directorate, Procurement, User
from app.scoring.reference_data import NoValueInForce
from app.services import assessments, audit_log, procurements
from app.services.procurement_form import FIELD_LABELS, describe_value
from app.services.procurement_search import (
    PRIMAS_STATUSES,
    STATUSES,
    VALUE_BANDS,
    ProcurementFilter,
    search_procurements,
)
from app.services.reference_data import list_categories, list_directorates
from app.timeutil import london_today
from app.web.flash import Confirmation, FlashDep
from app.web.form_pages import Done, path_to, submit
from app.web.forms import page_number
from app.web.procurement_form_page import form_page
from app.web.procurement_input import ProcurementInput, page_errors

router = APIRouter(prefix="/procurements", tags=["procurements"])


def procurement_path(request: Request, procurement: Procurement, *, anchor: str = "") -> str:
    """A procurement's own page."""
    return path_to(request, "show_procurement", reference=procurement.reference, anchor=anchor)


# Audit columns that are not fields on the form, in words.
HISTORY_FIELD_LABELS = FIELD_LABELS | {"status": "Status", "withdrawn_reason": "Reason withdrawn"}


MAX_QUERY = 200


def filter_from_query(query: Mapping[str, str]) -> ProcurementFilter:
    """The list's filter from the URL's query string; unknown values are ignored, not refused."""
    status, band = query.get("status", "active"), query.get("band", "")
    primas = query.get("primas", "")
    return ProcurementFilter(
        q=clean_text(query.get("q", "")).strip()[:MAX_QUERY],
        status=status if status in STATUSES else "active",
        category=query.get("category", "")[:MAX_QUERY],
        directorate=query.get("directorate", "")[:MAX_QUERY],
        lead=parse_id(query.get("lead")),
        band=band if band in {b.code for b in VALUE_BANDS} else "",
        mine=query.get("mine") == "yes",
        primas=primas if primas in PRIMAS_STATUSES else "",
    )


def query_of(wanted: ProcurementFilter) -> dict[str, str]:
    """The filters in use, as the query string that reproduces the list."""
    values = {
        "q": wanted.q,
        "status": wanted.status if wanted.status != "active" else "",
        "category": wanted.category,
        "directorate": wanted.directorate,
        "lead": str(wanted.lead or ""),
        "band": wanted.band,
        "mine": "yes" if wanted.mine else "",
        "primas": wanted.primas,
    }
    return {name: value for name, value in values.items() if value}


@router.get("", response_class=HTMLResponse)
def list_procurements(
    request: Request, user: CurrentUser, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    """Every procurement, searched and filtered by the URL, newest first."""
    wanted = filter_from_query(request.query_params)
    page = search_procurements(session, wanted, user, page=page_number(request.query_params))
    query = query_of(wanted)
    context = {
        "page": page,
        "wanted": wanted,
        "filtered": bool(query),
        "categories": list_categories(session),
        "directorates": list_directorates(session),
        "lead_officers": procurements.lead_officers_to_filter_by(session),
        "value_bands": VALUE_BANDS,
        "primas_statuses": PRIMAS_STATUSES,
        "statuses": STATUSES,
        "page_link": lambda number: (
            path_to(request, "list_procurements") + "?" + urlencode({**query, "page": number})
        ),
    }
    return templates.TemplateResponse(request, "procurements/list.html", context)


@router.get("/new", response_class=HTMLResponse)
def new_procurement(
    request: Request, user: BuyerUser, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    """The form to record a procurement."""
    return form_page(request, templates, session, ProcurementInput(), mode="new", user=user)


@router.post("/new", response_class=HTMLResponse)
def create_procurement(
    request: Request,
    form: PostedForm,
    user: BuyerUser,
    session: SessionDep,
    templates: TemplatesDep,
    flash: FlashDep,
) -> Response:
    """Record the procurement, or show the form again with what was typed and what is wrong."""
    raw = ProcurementInput.from_form(form)

    def create() -> Done:
        procurement = procurements.create(session, user, raw.facts(session), today=london_today())
        return Done(procurement_path(request, procurement), "Procurement recorded")

    def again(errors: Mapping[str, str]) -> Response:
        return form_page(request, templates, session, raw, mode="new", user=user,
                         errors=page_errors(errors))  # fmt: skip

    return submit(request, flash, create, again=again)


def _owes(session: Session, procurement: Procurement) -> dict[str, Any]:
    owed = {"owed": procurements.owed_on_the_record(session, procurement)}
    try:
        return {"obligation": procurements.what_it_owes(session, procurement), **owed}
    except NoValueInForce:
        return {"obligation": None, **owed}


# Fields whose old and new values are too long to read in a history line.
LONG_FIELDS = frozenset({"description", "withdrawn_reason"})


def change_words(session: Session, field: str, values: list[Any] | None) -> str:
    """One changed field in words: "Whole-life value changed from £600,000 to £650,000", or,
    for events logged before values were kept (or a long text), "Whole-life value changed"."""
    label = HISTORY_FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
    if not values or field in LONG_FIELDS:
        return f"{label} changed"
    old, new = (_words(session, field, value) for value in values)
    return f"{label} changed from {old} to {new}"


def _words(session: Session, field: str, value: Any) -> str:
    if value is None or value == "":
        return "none"
    if field.endswith("_date") and isinstance(value, str):
        value = date.fromisoformat(value)
    return describe_value(session, field, value)


def history_rows(session: Session, procurement: Procurement) -> list[dict[str, Any]]:
    """The procurement's audit history in words: when, who, what, and each field's change."""
    rows = []
    events = audit_log.procurement_history(session, procurement.id or 0)
    names = audit_log.actor_names(session, events)
    for event in events:
        what = audit_log.describe_action(event.action)
        values = event.detail.get("values") or {}
        changes = [
            change_words(session, name, values.get(name))
            for name in event.detail.get("changed") or []
        ]
        if event.action.startswith("primas.") and event.detail.get("revision"):
            what += f" (revision {event.detail['revision']})"
            if event.detail.get("comment"):
                what += f": “{event.detail['comment']}”"
        if event.action.startswith("outcome."):
            start, end = (date.fromisoformat(event.detail[name])
                          for name in ("period_start", "period_end"))  # fmt: skip
            what += (f": {event.detail.get('kpi_title', '')}, {start.day} {start:%B %Y} to "
                     f"{end.day} {end:%B %Y}")  # fmt: skip
            if event.detail.get("rating"):
                what += f", {event.detail['rating'].replace('-', ' ')}"
        if event.entity_type == "procurement_collaborator":
            colleague = session.get(User, int(event.entity_id.split(",")[1]))
            what += f" ({colleague.name})" if colleague else ""
        who = names.get(event.actor_id, event.actor_email) if event.actor_id else "The system"
        rows.append({"when": event.occurred_at, "who": who, "what": what, "changes": changes})
    return rows


def show_page(
    request: Request,
    templates: Jinja2Templates,
    session: Session,
    procurement: Procurement,
    user: User,
    *,
    confirmation: str | None = None,
    errors: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The procurement's page: details, what it owes, who works on it and its history."""
    working = procurements.collaborators(session, procurement)
    taken = {procurement.lead_officer_id} | {u.id for u in working}
    context = {
        "procurement": procurement,
        "category": session.get(Category, procurement.category_id),
        "directorate": session.get(Directorate, procurement.directorate_id),
        "lead_officer": session.get(User, procurement.lead_officer_id),
        "collaborators": working,
        "collaborator_choices": [
            u for u in procurements.lead_officer_choices(session) if u.id not in taken
        ],
        "can_edit": procurements.can_edit(session, user, procurement),
        "can_reassign": procurements.can_reassign(user) and procurement.status == "active",
        "can_manage_collaborators": procurements.is_lead_officer_or_admin(user, procurement),
        "can_withdraw": procurements.is_lead_officer_or_admin(user, procurement),
        "history": history_rows(session, procurement),
        "location_label": DeliveryLocation(procurement.delivery_location).label,
        "framework_label": procurement.framework_words,
        "draft": assessments.open_draft(session, procurement),
        "approved_record": assessments.approved_record(session, procurement),
        "tender_in_past": procurement.status == "active"
        and procurement.planned_tender_date < london_today(),
        "confirmation": confirmation,
        "errors": errors or {},
        **_owes(session, procurement),
    }
    return templates.TemplateResponse(
        request, "procurements/show.html", context, status_code=422 if errors else 200
    )


@router.get("/{reference}", response_class=HTMLResponse)
def show_procurement(
    request: Request,
    procurement: ProcurementDep,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
    confirmation: Confirmation,
) -> HTMLResponse:
    """One procurement: its details, what it owes, who works on it and its history."""
    return show_page(request, templates, session, procurement, user, confirmation=confirmation)
