"""Changing a procurement: editing, withdrawing, its lead officer and its collaborators."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

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
from app.errors import PrimasError
from app.inputs import parse_id
from app.models import Procurement
from app.services import procurements
from app.web.flash import FlashDep
from app.web.form_pages import Done, navigate, submit
from app.web.forms import field
from app.web.procurement_form_page import form_page
from app.web.procurement_input import ProcurementInput, merged, page_errors
from app.web.procurements import procurement_path, show_page

router = APIRouter(prefix="/procurements", tags=["procurements"])


def _back(request: Request, procurement: Procurement, message: str) -> Done:
    return Done(procurement_path(request, procurement), message)


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
    flash: FlashDep,
) -> Response:
    """Save, unless someone else saved first: then show what they changed beside yours."""
    raw = ProcurementInput.from_form(form)
    base = ProcurementInput.from_form(form, prefix="base-")
    version = parse_id(field(form, "version")) or 0

    def save() -> Done | Response:
        try:
            procurements.update(session, user, procurement, raw.facts(session), version=version,
                                base=base.started_from())  # fmt: skip
        except procurements.EditConflict as conflict:
            current = conflict.current
            theirs = ProcurementInput.from_procurement(current, session)
            # The editor's own changes kept; the other person's wherever the editor left a field.
            shown = merged(raw, base, theirs) if conflict.changes else raw
            return form_page(request, templates, session, shown, mode="edit", user=user,
                             procurement=current, version=current.version, base=theirs,
                             conflict=conflict.changes)  # fmt: skip
        return _back(request, procurement, "Your changes have been saved")

    def again(errors: Mapping[str, str]) -> Response:
        return form_page(request, templates, session, raw, mode="edit", user=user,
                         procurement=procurement, errors=page_errors(errors),
                         version=version, base=base)  # fmt: skip

    return submit(request, flash, save, again=again)


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
    flash: FlashDep,
) -> Response:
    """Withdraw it: kept on record, marked withdrawn, with the reason."""
    reason = field(form, "reason")

    def withdraw() -> Done:
        procurements.withdraw(session, user, procurement, reason)
        return _back(request, procurement, "Procurement withdrawn. It stays on record")

    def again(errors: Mapping[str, str]) -> Response:
        context = {"procurement": procurement, "reason": reason, "errors": errors}
        return templates.TemplateResponse(request, "procurements/withdraw.html", context)

    return submit(request, flash, withdraw, again=again)


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
    flash: FlashDep,
) -> Response:
    """Give the procurement to the chosen lead officer."""
    chosen = field(form, "lead_officer")

    def reassign() -> Done:
        procurements.reassign_lead_officer(session, user, procurement, parse_id(chosen))
        return _back(request, procurement, "Lead officer changed")

    def again(errors: Mapping[str, str]) -> Response:
        context = {
            "procurement": procurement,
            "choices": procurements.lead_officer_choices(session),
            "selected": chosen,
            "errors": errors,
        }
        return templates.TemplateResponse(request, "procurements/lead_officer.html", context)

    return submit(request, flash, reassign, again=again)


@router.post("/{reference}/collaborators", response_class=HTMLResponse)
def add_collaborator(
    request: Request,
    form: PostedForm,
    procurement: LeadOfficerProcurement,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
    flash: FlashDep,
) -> Response:
    """Add a colleague who may edit the procurement."""
    chosen = field(form, "collaborator")

    def add() -> Done:
        procurements.add_collaborator(session, user, procurement, parse_id(chosen))
        return _back(request, procurement, "Collaborator added")

    def again(errors: Mapping[str, str]) -> Response:
        return show_page(request, templates, session, procurement, user, errors=errors)

    return submit(request, flash, add, again=again)


@router.post("/{reference}/collaborators/{collaborator_id}/remove")
def remove_collaborator(
    request: Request,
    procurement: LeadOfficerProcurement,
    collaborator_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    flash: FlashDep,
) -> Response:
    """Stop a colleague editing the procurement."""
    if not procurements.remove_collaborator(session, user, procurement, collaborator_id):
        raise PrimasError(404, "Page not found")
    flash.say("Collaborator removed")
    return navigate(request, procurement_path(request, procurement))
