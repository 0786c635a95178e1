"""Approval pages: submitting a PRIMAS from its check page, taking it back, the approvers' queue
and the decision page, where an approver who had no hand in it approves it or returns it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app.deps import (
    ApproverUser,
    CatalogueDep,
    CurrentUser,
    DecisionDraft,
    DraftAccess,
    EditableProcurement,
    IdPath,
    LeadOfficerDraft,
    PostedForm,
    ProcurementDep,
    ReviewDraft,
    SessionDep,
    SettingsDep,
    TemplatesDep,
)
from app.errors import InvalidInput, PrimasError
from app.inputs import parse_id
from app.models import (
    ApprovedRecord,
    Assessment,
    Category,
    DeliveryLocation,
    Directorate,
    Procurement,
    User,
)
from app.services import approvals, assessments, contract_kpis, kpis, outcomes, records
from app.services.approvals import Incomplete, Missing
from app.specification import FREQUENCY_WORDS, SCHEDULE_COLUMNS, clause, word_document
from app.timeutil import london_today, utcnow
from app.web import charts
from app.web.assessment_drafts import check_page, describe_answer
from app.web.assessment_kpis import DOCX
from app.web.assessments import primas_path
from app.web.flash import Confirmation, FlashDep
from app.web.form_pages import Done, path_to, submit
from app.web.forms import field, values
from app.web.procurements import history_rows

router = APIRouter(tags=["approval"])
PRIMAS = "/procurements/{reference}/primas"


def _version(form: FormData) -> int:
    """The status version the page was drawn at (-1, never current, if missing or odd)."""
    found = parse_id(field(form, "status_version")[:12])
    return found if found is not None else -1


def missing_links(
    request: Request, access: DraftAccess, missing: list[Missing]
) -> list[dict[str, str]]:
    """Each missing thing as an error summary item linking to where it is put right."""
    reference = access.procurement.reference
    items = []
    for item in missing:
        if item.review:
            href = path_to(request, "task_list", reference=reference, anchor="changes")
        elif item.kpi_anchor:
            href = path_to(request, "kpi_task", reference=reference, anchor=item.kpi_anchor)
        else:
            href = path_to(request, "show_task", reference=reference, task_id=item.task_id,
                           anchor=f"question-{item.question_id}")  # fmt: skip
        items.append({"text": item.text, "href": href})
    return items


@router.post(PRIMAS + "/submit", response_class=HTMLResponse)
def submit_assessment(
    request: Request,
    form: PostedForm,
    access: LeadOfficerDraft,
    session: SessionDep,
    templates: TemplatesDep,
    flash: FlashDep,
) -> Response:
    """Submit the PRIMAS for a decision, with the declaration; if anything is missing, the
    check page lists it, each linking to where to put it right."""
    declared = field(form, "declaration") == "yes"

    def send() -> Done:
        approvals.submit(session, access.user, access.procurement, access.draft,
                         declared=declared, seen_version=_version(form),
                         today=london_today())  # fmt: skip
        return Done(primas_path(request, access.procurement) + "/check",
                    "PRIMAS submitted for approval")  # fmt: skip

    def again(errors: Mapping[str, str]) -> Response:
        return check_page(request, templates, session, access, errors=errors)

    try:
        return submit(request, flash, send, again=again)
    except Incomplete as incomplete:
        return check_page(request, templates, session, access, status_code=422,
                          missing=missing_links(request, access, incomplete.missing))  # fmt: skip


@router.post(PRIMAS + "/take-back")
def take_back(
    request: Request,
    form: PostedForm,
    access: LeadOfficerDraft,
    session: SessionDep,
    flash: FlashDep,
) -> Response:
    """The lead officer takes the submission back to draft, to change it."""

    def back() -> Done:
        approvals.take_back(session, access.user, access.procurement, access.draft.assessment,
                            seen_version=_version(form))  # fmt: skip
        return Done(primas_path(request, access.procurement),
                    "PRIMAS taken back to draft. Submit it again when it is ready")  # fmt: skip

    return submit(request, flash, back, again=lambda errors: Response(status_code=422))


@router.get("/approvals", response_class=HTMLResponse)
def approval_queue(
    request: Request,
    _approver: ApproverUser,
    session: SessionDep,
    templates: TemplatesDep,
    catalogue: CatalogueDep,
    confirmation: Confirmation,
) -> HTMLResponse:
    """Every submitted PRIMAS, the longest waiting first."""
    context = {
        "waiting": approvals.waiting(session, catalogue, london_today()),
        "confirmation": confirmation,
    }
    return templates.TemplateResponse(request, "approvals/queue.html", context)


def decision_page(
    request: Request,
    templates: TemplatesDep,
    session: SessionDep,
    access: DraftAccess,
    *,
    typed: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The whole assessment in one place, and the decision form for an approver who may make
    it (or why they may not)."""
    procurement, draft = access.procurement, access.draft
    work = kpis.work(session, draft, london_today())
    assessment = draft.assessment
    context = {
        "procurement": procurement,
        "draft": draft,
        "walk": draft.walk,
        "result": work.result,
        "kpi_task": work.task,
        "can_edit": False,
        "describe": describe_answer,
        "category": session.get(Category, procurement.category_id),
        "directorate": session.get(Directorate, procurement.directorate_id),
        "lead_officer": session.get(User, procurement.lead_officer_id),
        "standing": approvals.standing(session, assessment),
        "history": history_rows(session, procurement),
        "framework_label": procurement.framework_words,
        "location_label": DeliveryLocation(procurement.delivery_location).label,
        "why_not": approvals.hand_in_it(session, access.user, assessment),
        "since_return": _since_return(session, access),
        "typed": typed or {"outcome": "", "comment": "", "points": []},
        "errors": errors or {},
    }
    return templates.TemplateResponse(request, "approvals/decision.html", context,
                                      status_code=422 if errors else 200)  # fmt: skip


def _since_return(session: SessionDep, access: DraftAccess) -> records.Changes | None:
    """What changed since the revision was last returned, if it was."""
    decision = approvals.standing(session, access.draft.assessment).decision
    if decision is None or decision.outcome != "returned" or decision.seen is None:
        return None
    now = approvals.current_content(session, access.draft, london_today())
    return records.compare(json.loads(decision.seen), now)


@router.get(PRIMAS + "/decision", response_class=HTMLResponse)
def show_decision(
    request: Request, access: ReviewDraft, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    """The approver's view of a submitted PRIMAS."""
    if access.draft.assessment.status != "submitted":
        raise PrimasError(
            409,
            "This PRIMAS is not waiting for a decision",
            "It has not been submitted, or it has been decided or taken back.",
        )
    return decision_page(request, templates, session, access)


@router.post(PRIMAS + "/decision", response_class=HTMLResponse)
def decide_on_assessment(
    request: Request,
    form: PostedForm,
    access: DecisionDraft,
    session: SessionDep,
    templates: TemplatesDep,
    flash: FlashDep,
    settings: SettingsDep,
) -> Response:
    """Approve, or return with a comment that may point at tasks."""
    outcome = field(form, "outcome")
    comment = field(form, "comment")[: approvals.MAX_COMMENT + 1]
    points = values(form, "points")[:100]
    typed = {"outcome": outcome, "comment": comment, "points": points}

    def decided() -> Done:
        if outcome not in ("approve", "return"):
            raise InvalidInput({"outcome": "Select whether to approve or return the PRIMAS"})
        approvals.decide(session, access.user, access.draft, approve=outcome == "approve",
                         comment=comment, points=points, seen_version=_version(form),
                         signing_key=settings.effective_signing_key,
                         today=london_today())  # fmt: skip
        said = "PRIMAS approved" if outcome == "approve" else "PRIMAS returned to its lead officer"
        return Done(path_to(request, "approval_queue"), said)

    return submit(request, flash, decided,
                  again=lambda errors: decision_page(request, templates, session, access,
                                                     typed=typed, errors=errors))  # fmt: skip


def _record_or_404(
    session: SessionDep, procurement: Procurement, revision: int
) -> tuple[ApprovedRecord, Assessment]:
    """The signed record of one revision and the revision; 404 if it was never approved."""
    found = records.record_of(session, procurement, revision)
    if found is None:
        raise PrimasError(404, "Page not found", "This procurement has no approved PRIMAS "
                          "of that revision.")  # fmt: skip
    return found


def _outcome_charts(
    session: Session, procurement: Procurement, content: dict[str, Any]
) -> list[dict[str, Any]]:
    """For each KPI the record set, its chart and figures as reported so far (none reported,
    none shown)."""
    keys = contract_kpis.approved_keys(content)
    charted = []
    for kpi in contract_kpis.contract_kpis(session, procurement):
        if kpi.key in keys:
            found = outcomes.outcomes_of(session, kpi, london_today())
            if found.reports:
                charted.append(
                    {"found": found, "rows": charts.rows(found), "alt": charts.alt_text(found)}
                )
    return charted


def _record_page(
    request: Request,
    session: Session,
    templates: TemplatesDep,
    procurement: Procurement,
    found: tuple[ApprovedRecord, Assessment],
    checked: records.Check | None,
) -> HTMLResponse:
    record, assessment = found
    content = records.content_of(record)
    context = {
        "outcome_charts": _outcome_charts(session, procurement, content),
        "procurement": procurement,
        "record": record,
        "assessment": assessment,
        "content": content,
        "answers": records.answers_by_task(content),
        "checked": checked,
    }
    return templates.TemplateResponse(request, "approvals/record.html", context)


@router.get(PRIMAS + "/revisions/{revision}", response_class=HTMLResponse)
def show_record(
    request: Request,
    revision: IdPath,
    procurement: ProcurementDep,
    session: SessionDep,
    templates: TemplatesDep,
) -> HTMLResponse:
    """The signed record of an approved revision, as it was approved."""
    found = _record_or_404(session, procurement, revision)
    return _record_page(request, session, templates, procurement, found, None)


@router.get(PRIMAS + "/revisions/{revision}/check", response_class=HTMLResponse)
def check_record(
    request: Request,
    revision: IdPath,
    procurement: ProcurementDep,
    session: SessionDep,
    templates: TemplatesDep,
    settings: SettingsDep,
) -> HTMLResponse:
    """The record with its hash and signature worked out again and compared with those kept."""
    found = _record_or_404(session, procurement, revision)
    checked = records.check(found[0], settings.effective_signing_key)
    return _record_page(request, session, templates, procurement, found, checked)


@router.post(PRIMAS + "/amend")
def amend(
    request: Request,
    procurement: EditableProcurement,
    user: CurrentUser,
    session: SessionDep,
    flash: FlashDep,
) -> Response:
    """Start the next revision from the approved one, which stays in force until it is
    approved."""

    def start() -> Done:
        approved = approvals.in_force(session, procurement)
        if approved is None:
            raise PrimasError(409, "This PRIMAS cannot be amended",
                              "It has no approved revision.")  # fmt: skip
        approvals.amend(session, user, procurement, approved)
        return Done(primas_path(request, procurement),
                    "Amendment started: the approved PRIMAS stays in force until this is "
                    "approved")  # fmt: skip

    return submit(request, flash, start, again=lambda errors: Response(status_code=422))


def _contents(
    session: SessionDep, procurement: Procurement, catalogue: CatalogueDep
) -> dict[int, tuple[str, dict[str, Any]]]:
    """Each revision that can be compared, by number: its label and content (an approved or
    superseded revision's signed record; the open revision as it stands)."""
    found: dict[int, tuple[str, dict[str, Any]]] = {}
    for record in records.approved_records(session, procurement):
        found[record.revision] = (f"Revision {record.revision} (approved)",
                                  records.content_of(record))  # fmt: skip
    opened = assessments.open_draft(session, procurement)
    if opened is not None:
        draft = assessments.load(session, opened, catalogue)
        content = approvals.current_content(session, draft, london_today())
        found[opened.revision] = (f"Revision {opened.revision} ({opened.status})", content)
    return dict(sorted(found.items()))


@router.get(PRIMAS + "/compare", response_class=HTMLResponse)
def compare_revisions(
    request: Request,
    procurement: ProcurementDep,
    session: SessionDep,
    templates: TemplatesDep,
    catalogue: CatalogueDep,
) -> HTMLResponse:
    """What changed between two revisions: answers, topic priorities, obligations and KPIs."""
    contents = _contents(session, procurement, catalogue)
    numbers = list(contents)
    chosen = [parse_id(request.query_params.get(name, "")[:10]) for name in ("from", "to")]
    errors = {}
    if len(numbers) < 2:
        pair = None
    else:
        start = chosen[0] if chosen[0] in contents else numbers[-2]
        end = chosen[1] if chosen[1] in contents else numbers[-1]
        if start == end:
            errors["to"] = "Choose two different revisions"
        pair = (start, end)
    changes = (records.compare(contents[pair[0]][1], contents[pair[1]][1])
               if pair and not errors else None)  # fmt: skip
    context = {
        "procurement": procurement,
        "revisions": {number: label for number, (label, _) in contents.items()},
        "pair": pair,
        "changes": changes,
        "errors": errors,
    }
    return templates.TemplateResponse(request, "approvals/compare.html", context,
                                      status_code=422 if errors else 200)  # fmt: skip


def _approved_specification(
    session: SessionDep, procurement: Procurement, revision: int, council: str
) -> tuple[Any, list[Any], list[Any]]:
    return records.specification_of(_record_or_404(session, procurement, revision)[0], council)


@router.get(PRIMAS + "/revisions/{revision}/specification", response_class=HTMLResponse)
def approved_specification(
    request: Request,
    revision: IdPath,
    procurement: ProcurementDep,
    session: SessionDep,
    templates: TemplatesDep,
    settings: SettingsDep,
) -> HTMLResponse:
    """The approved revision's specification to print, written from its signed record."""
    contract, applying, accepted = _approved_specification(
        session, procurement, revision, settings.council_name
    )
    reference = procurement.reference
    context = {
        "procurement": procurement,
        "contract": contract,
        "requirements": applying,
        "accepted": accepted,
        "clauses": [clause(kpi, contract.title) for kpi in accepted],
        "schedule_columns": SCHEDULE_COLUMNS,
        "frequency_words": FREQUENCY_WORDS,
        "can_edit": False,
        "record_href": path_to(request, "show_record", reference=reference, revision=revision),
        "document_href": path_to(
            request, "approved_specification_document", reference=reference, revision=revision
        ),  # fmt: skip
    }
    return templates.TemplateResponse(request, "assessments/specification.html", context)


@router.get(PRIMAS + "/revisions/{revision}/specification.docx")
def approved_specification_document(
    revision: IdPath, procurement: ProcurementDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """The approved revision's specification as a Word document, written from its record."""
    contract, applying, accepted = _approved_specification(
        session, procurement, revision, settings.council_name
    )
    document = word_document(contract, applying, accepted, created=utcnow())
    name = f"{procurement.reference}-r{revision}-sustainability-specification.docx"
    return Response(document, media_type=DOCX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip
