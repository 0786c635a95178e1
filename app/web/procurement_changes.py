"""Changing a procurement: editing, withdrawing, its lead officer and its collaborators."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.deps import (
    CurrentUser,
    EditableProcurement,
    IdPath,
    LeadOfficerProcurement,
    PostedForm,
    ReassignableProcurement,
    SessionDep,
    TemplatesDep,
)
from app.errors import InvalidInput, PrimasError
from app.inputs import parse_id
from app.models import Procurement
from app.services import procurements
from app.web.forms import field
from app.web.procurement_form_page import form_page
from app.web.procurement_input import ProcurementInput, merged, page_errors
from app.web.procurements import show_page

router = APIRouter(prefix="/procurements", tags=["procurements"])


def _back(procurement: Procurement, updated: str) -> RedirectResponse:
    return RedirectResponse(f"/procurements/{procurement.reference}?updated={updated}", 303)


@router.get("/{reference}/edit", response_class=HTMLResponse)
def edit_form(
    request: Request,
    procurement: EditableProcurement,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
) -> HTMLResponse:
    """The form filled in from the record, carrying the version it was opened at."""
    raw = ProcurementInput.from_procurement(procurement, session)
    return form_page(request, templates, session, raw, mode="edit", user=user,
                     procurement=procurement, version=procurement.version)  # fmt: skip


@router.post("/{reference}/edit", response_class=HTMLResponse)
def save_edit(
    request: Request,
    form: PostedForm,
    procurement: EditableProcurement,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
) -> Response:
    """Save, unless someone else saved first: then show what they changed beside yours."""
    raw = ProcurementInput.from_form(form)
    base = ProcurementInput.from_form(form, prefix="base-")
    version = parse_id(field(form, "version")) or 0
    try:
        facts = raw.facts(session)
        procurements.update(session, user, procurement, facts, version=version,
                            base=base.started_from())  # fmt: skip
    except InvalidInput as invalid:
        return form_page(request, templates, session, raw, mode="edit", user=user,
                         procurement=procurement, errors=page_errors(invalid.errors),
                         version=version, base=base)  # fmt: skip
    except procurements.EditConflict as conflict:
        current = conflict.current
        theirs = ProcurementInput.from_procurement(current, session)
        # The editor's own changes kept; the other person's wherever the editor left a field.
        shown = merged(raw, base, theirs) if conflict.changes else raw
        return form_page(request, templates, session, shown, mode="edit", user=user,
                         procurement=current, version=current.version, base=theirs,
                         conflict=conflict.changes)  # fmt: skip
    return _back(procurement, "saved")


@router.get("/{reference}/withdraw", response_class=HTMLResponse)
def withdraw_form(
    request: Request, procurement: LeadOfficerProcurement, templates: TemplatesDep
) -> HTMLResponse:
    """Ask why the procurement is being withdrawn."""
    context = {"procurement": procurement, "reason": "", "errors": {}}
    return templates.TemplateResponse(request, "procurements/withdraw.html", context)


@router.post("/{reference}/withdraw", response_class=HTMLResponse)
def withdraw(
    request: Request,
    form: PostedForm,
    procurement: LeadOfficerProcurement,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
) -> Response:
    """Withdraw it: kept on record, marked withdrawn, with the reason."""
    reason = field(form, "reason")
    try:
        procurements.withdraw(session, user, procurement, reason)
    except InvalidInput as invalid:
        context = {"procurement": procurement, "reason": reason, "errors": invalid.errors}
        return templates.TemplateResponse(
            request, "procurements/withdraw.html", context, status_code=422
        )
    return _back(procurement, "withdrawn")


@router.get("/{reference}/lead-officer", response_class=HTMLResponse)
def lead_officer_form(
    request: Request,
    procurement: ReassignableProcurement,
    session: SessionDep,
    templates: TemplatesDep,
) -> HTMLResponse:
    """Choose another lead officer."""
    context = {
        "procurement": procurement,
        "choices": procurements.lead_officer_choices(session),
        "selected": str(procurement.lead_officer_id),
        "errors": {},
    }
    return templates.TemplateResponse(request, "procurements/lead_officer.html", context)


@router.post("/{reference}/lead-officer", response_class=HTMLResponse)
def reassign(
    request: Request,
    form: PostedForm,
    procurement: ReassignableProcurement,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
) -> Response:
    """Give the procurement to the chosen lead officer."""
    chosen = field(form, "lead_officer")
    try:
        procurements.reassign_lead_officer(session, user, procurement, parse_id(chosen))
    except InvalidInput as invalid:
        context = {
            "procurement": procurement,
            "choices": procurements.lead_officer_choices(session),
            "selected": chosen,
            "errors": invalid.errors,
        }
        return templates.TemplateResponse(
            request, "procurements/lead_officer.html", context, status_code=422
        )
    return _back(procurement, "lead-officer")


@router.post("/{reference}/collaborators", response_class=HTMLResponse)
def add_collaborator(
    request: Request,
    form: PostedForm,
    procurement: LeadOfficerProcurement,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
) -> Response:
    """Add a colleague who may edit the procurement."""
    chosen = field(form, "collaborator")
    try:
        procurements.add_collaborator(session, user, procurement, parse_id(chosen))
    except InvalidInput as invalid:
        return show_page(request, templates, session, procurement, user, errors=invalid.errors)
    return _back(procurement, "collaborator-added")


@router.post("/{reference}/collaborators/{collaborator_id}/remove")
def remove_collaborator(
    procurement: LeadOfficerProcurement,
    collaborator_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
) -> Response:
    """Stop a colleague editing the procurement."""
    if not procurements.remove_collaborator(session, user, procurement, collaborator_id):
        raise PrimasError(404, "Page not found")
    return _back(procurement, "collaborator-removed")
