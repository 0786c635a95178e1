"""A PRIMAS draft's life: starting it, checking the answers, and discarding or upgrading it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from app.deps import (
    CatalogueDep,
    CurrentUser,
    DraftAccess,
    DraftDep,
    EditableDraft,
    EditableProcurement,
    SessionDep,
    TemplatesDep,
)
from app.errors import PrimasError
from app.forms.definition import Question
from app.forms.moving import plan_move
from app.forms.types import question_type
from app.models import User
from app.scoring.reference_data import NoValueInForce
from app.services import approvals, assessments, kpis, procurements
from app.timeutil import london_today
from app.web.assessments import primas_path
from app.web.flash import Confirmation, FlashDep
from app.web.form_pages import navigate
from app.web.procurements import procurement_path

router = APIRouter(prefix="/procurements/{reference}/primas", tags=["primas"])


@router.post("/start")
def start(
    request: Request,
    procurement: EditableProcurement,
    user: CurrentUser,
    session: SessionDep,
    catalogue: CatalogueDep,
) -> Response:
    """Open the procurement's PRIMAS draft on the newest form version."""
    try:
        required = procurements.what_it_owes(session, procurement).applies
    except NoValueInForce:
        required = False
    if not required:
        raise PrimasError(
            409,
            "This procurement does not need a PRIMAS",
            "Its value is below the PRIMAS threshold: Think Local instead.",
        )
    assessments.start(session, user, procurement, catalogue.latest("primas"))
    return RedirectResponse(primas_path(request, procurement), 303)


def describe_answer(question: Question, value: Any) -> str:
    """An answer that counts, in words, as the summary lists show it."""
    return question_type(question.type).describe(question, value)


def check_page(
    request: Request,
    templates: Jinja2Templates,
    session: Session,
    access: DraftAccess,
    *,
    errors: Mapping[str, str] | None = None,
    missing: list[dict[str, str]] | None = None,
    status_code: int = 200,
    confirmation: str | None = None,
) -> HTMLResponse:
    """The check page: every answer that counts, what must be done before submitting, and the
    submission (or where it stands): `errors` for the declaration, `missing` for what stops it
    (error summary items, each linking to where it is put right)."""
    procurement, draft = access.procurement, access.draft
    work = kpis.work(session, draft, london_today())
    context = {
        "procurement": procurement,
        "draft": draft,
        "walk": draft.walk,
        "can_edit": access.editable,
        "describe": describe_answer,
        "result": work.result,
        "kpi_task": work.task,
        "standing": approvals.standing(session, draft.assessment),
        "is_lead": access.user.id == procurement.lead_officer_id,
        "lead_officer": session.get(User, procurement.lead_officer_id),
        "errors": errors or {},
        "missing": missing or [],
        "confirmation": confirmation,
    }
    if errors:
        status_code = 422
    return templates.TemplateResponse(request, "assessments/check.html", context,
                                      status_code=status_code)  # fmt: skip


@router.get("/check", response_class=HTMLResponse)
def check_answers(
    request: Request,
    access: DraftDep,
    session: SessionDep,
    templates: TemplatesDep,
    confirmation: Confirmation,
) -> HTMLResponse:
    """Every answer that counts, task by task, with a link to change it, anything that must
    be done before the assessment can be submitted, and the submission."""
    return check_page(request, templates, session, access, confirmation=confirmation)


@router.post("/acknowledge")
def acknowledge(request: Request, access: EditableDraft, session: SessionDep) -> Response:
    """The lead has seen how the procurement's changes affected the questions."""
    assessments.acknowledge_change(session, access.draft)
    return RedirectResponse(primas_path(request, access.procurement), 303)


@router.get("/discard", response_class=HTMLResponse)
def discard_form(request: Request, access: EditableDraft, templates: TemplatesDep) -> HTMLResponse:
    """Are you sure?"""
    procurement, draft = access.procurement, access.draft
    context = {
        "procurement": procurement,
        "draft": draft,
    }
    return templates.TemplateResponse(request, "assessments/discard.html", context)


@router.post("/discard")
def discard(
    request: Request, access: EditableDraft, session: SessionDep, flash: FlashDep
) -> Response:
    """Throw the draft away; the procurement can start a new one."""
    assessments.discard(session, access.user, access.draft.assessment)
    flash.say("PRIMAS draft discarded")
    return navigate(request, procurement_path(request, access.procurement))


@router.get("/upgrade", response_class=HTMLResponse)
def upgrade_form(
    request: Request, access: EditableDraft, templates: TemplatesDep, catalogue: CatalogueDep
) -> HTMLResponse:
    """What moving to the newest version of the questions would keep and drop."""
    procurement, draft = access.procurement, access.draft
    newest = catalogue.latest(draft.definition.id)
    if newest.version <= draft.definition.version:
        raise PrimasError(409, "This PRIMAS already uses the newest questions")
    context = {
        "procurement": procurement,
        "draft": draft,
        "newest": newest,
        "move": plan_move(draft.definition, newest, draft.raw_answers),
    }
    return templates.TemplateResponse(request, "assessments/upgrade.html", context)


@router.post("/upgrade", response_class=HTMLResponse)
def upgrade(
    request: Request,
    access: EditableDraft,
    session: SessionDep,
    templates: TemplatesDep,
    catalogue: CatalogueDep,
) -> Response:
    """Move the draft to the newest questions, keeping answers whose question still matches."""
    procurement, draft, user = access.procurement, access.draft, access.user
    newest = catalogue.latest(draft.definition.id)
    if newest.version <= draft.definition.version:
        raise PrimasError(409, "This PRIMAS already uses the newest questions")
    result = assessments.upgrade(session, user, draft, newest)
    context = {
        "procurement": procurement,
        "newest": newest,
        "result": result,
    }
    return templates.TemplateResponse(request, "assessments/upgraded.html", context)
