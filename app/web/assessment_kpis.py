"""The KPI task of a PRIMAS draft: the suggested KPIs to accept (with the suggested or an edited
target) or reject, the library to search and add from, the lead's own KPIs, and the
specification (an HTML print view and a Word document).

Each decision is saved as it is made. With JavaScript, htmx sends it and swaps in the KPI's
redrawn card and the task's progress; without, the form posts and the page comes back at the
KPI (or with the GOV.UK error summary).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from app.deps import (
    CatalogueDep,
    DraftAccess,
    DraftDep,
    EditableDraft,
    PostedForm,
    SessionDep,
    SettingsDep,
    TemplatesDep,
    is_htmx,
)
from app.errors import InvalidInput
from app.inputs import parse_id
from app.scoring.kpi_choices import (
    InvalidTarget,
    KpiRow,
    parse_target,
    search,
    target_text,
)
from app.scoring.kpis import suggested_target
from app.services import assessments, kpis
from app.services.kpis import KpiWork
from app.specification import (
    DRAFT_NOTE,
    FREQUENCY_WORDS,
    SCHEDULE_COLUMNS,
    AcceptedKpi,
    SupplierRequirement,
    accepted_kpis,
    clause,
    requirements,
    word_document,
)
from app.timeutil import london_today, utcnow
from app.web.flash import Confirmation, FlashDep
from app.web.form_pages import Done, navigate, path_to, submit
from app.web.forms import field

router = APIRouter(prefix="/procurements/{reference}/primas/kpis", tags=["primas"])

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONFLICT = (
    "Someone else changed this KPI while you were looking at it. Their decision is shown; "
    "what you entered is still in the form and has not been saved: decide again if yours "
    "should replace theirs."
)
KPI_ADDED = "The KPI has been added to your list."
KPI_REMOVED = "The KPI has been taken off your list."
KPI_DUTY_RECORDED = "Your reason has been recorded: the KPI duty does not apply."
KPI_DUTY_WITHDRAWN = "Your reason has been taken back: the KPI duty applies again."


def kpis_path(request: Request, access: DraftAccess, *, anchor: str = "") -> str:
    """Where a draft's KPI task lives."""
    return path_to(request, "kpi_task", reference=access.procurement.reference, anchor=anchor)


def _work(access: DraftAccess, session: SessionDep) -> KpiWork:
    return kpis.work(session, access.draft, london_today())


def _card_values(row: KpiRow) -> dict[str, str]:
    """A KPI card's fields as saved: the target it carries and the reason given."""
    target = row.target
    return {"target": target_text(target) if target is not None else "", "reason": row.rejection}


def _context(request: Request, access: DraftAccess, work: KpiWork, **extra: Any) -> dict[str, Any]:
    return {
        "procurement": access.procurement,
        "draft": access.draft,
        "task": work.task,
        "result": work.result,
        "frequency_words": FREQUENCY_WORDS,
        "clause": lambda row, target: _clause_preview(row, target, access),
        "own_clause": lambda own: clause(
            AcceptedKpi(
                own.title, own.unit, own.frequency, own.evidence, own.target, better=own.better
            ),
            access.procurement.title,
        ),
        "card_values": _card_values,
        **extra,
    }


def _clause_preview(row: KpiRow, typed: str, access: DraftAccess) -> str:
    """The clause as it would read with the target on the card (the one typed, if it is valid)."""
    try:
        target = parse_target(typed, row.kpi.unit) if typed else row.target
    except InvalidTarget:
        target = row.target
    return clause(AcceptedKpi.of(row.kpi, target), access.procurement.title)


def _page(
    request: Request,
    templates: Jinja2Templates,
    access: DraftAccess,
    work: KpiWork,
    *,
    errors: Mapping[str, str] | None = None,
    typed: dict[str, dict[str, str]] | None = None,
    notices: dict[str, str] | None = None,
    confirmation: str | None = None,
    exception_conflict: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    context = _context(
        request, access, work, errors=errors or {}, typed=typed or {}, notices=notices or {},
        confirmation=confirmation, exception_conflict=exception_conflict,
    )  # fmt: skip
    return templates.TemplateResponse(
        request, "assessments/kpis.html", context, status_code=status_code
    )


@router.get("", response_class=HTMLResponse)
def kpi_task(
    request: Request,
    access: EditableDraft,
    session: SessionDep,
    templates: TemplatesDep,
    confirmation: Confirmation,
) -> HTMLResponse:
    """The suggested KPIs with their reasons and targets, the lead's decisions and own KPIs."""
    work = _work(access, session)
    return _page(request, templates, access, work, confirmation=confirmation)


@router.get("/library", response_class=HTMLResponse)
def library(
    request: Request,
    access: EditableDraft,
    session: SessionDep,
    templates: TemplatesDep,
    q: str = "",
) -> HTMLResponse:
    """Search the KPI library to add a KPI that was not suggested."""
    work = _work(access, session)
    query = q.strip()[:100]
    topics = {topic.code: topic.name for topic in access.draft.catalogue.topics.topics}
    suggested = {row.kpi.code for row in work.task.suggested_rows}
    added = {row.kpi.code for row in work.task.added_rows}
    context = _context(
        request, access, work, query=query, found=search(work.library, query, topics),
        topics=topics, suggested_codes=suggested, added_codes=added,
        revisions=kpis.decision_revisions(session, access.draft),
        suggested_target=lambda kpi: suggested_target(
            kpi, access.draft.context.value_pence, access.draft.context.term_months,
            answers=access.draft.walk.values,
        ),
    )  # fmt: skip
    return templates.TemplateResponse(request, "assessments/kpi_library.html", context)


def _requirements(access: DraftAccess, work: KpiWork) -> list[SupplierRequirement]:
    """What the specification requires of the supplier, its actions included."""
    actions = kpis.supplier_actions(access.draft)
    return requirements(work.result.obligations, work.result.requirements, actions)


@router.get("/specification", response_class=HTMLResponse)
def specification(
    request: Request,
    access: DraftDep,
    session: SessionDep,
    templates: TemplatesDep,
    settings: SettingsDep,
) -> HTMLResponse:
    """The specification to print: obligations, clauses and the KPI schedule."""
    work = _work(access, session)
    contract = kpis.contract(access.procurement, access.draft, settings.council_name)
    accepted = accepted_kpis(work.task)
    context = _context(
        request, access, work, contract=contract, accepted=accepted,
        clauses=[clause(kpi, contract.title) for kpi in accepted],
        requirements=_requirements(access, work),
        draft_note=DRAFT_NOTE,
        schedule_columns=SCHEDULE_COLUMNS,
        can_edit=access.editable,
    )  # fmt: skip
    return templates.TemplateResponse(request, "assessments/specification.html", context)


@router.get("/specification.docx")
def specification_document(
    access: DraftDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """The specification as a Word document for the tender pack."""
    work = _work(access, session)
    document = word_document(
        kpis.contract(access.procurement, access.draft, settings.council_name),
        _requirements(access, work),
        accepted_kpis(work.task),
        created=utcnow(),
    )
    name = f"{access.procurement.reference}-sustainability-specification.docx"
    return Response(
        document,
        media_type=DOCX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/kpi-duty", response_class=HTMLResponse)
def kpi_duty_exception(
    request: Request,
    access: EditableDraft,
    form: PostedForm,
    session: SessionDep,
    templates: TemplatesDep,
    catalogue: CatalogueDep,
    flash: FlashDep,
) -> Response:
    """Record why the supplier's performance could not appropriately be assessed by KPIs (the
    Procurement Act's KPI duty then does not apply), change the reason, or take it back."""
    seen = parse_id(str(form.get("revision") or "")) or 0
    reason = str(form.get("reason") or "")
    withdrawing = form.get("action") == "withdraw"

    def change() -> Done | Response:
        if withdrawing:
            decided = kpis.withdraw_kpi_exception(session, access.user, access.draft, seen)
        else:
            decided = kpis.record_kpi_exception(session, access.user, access.draft, reason, seen)
        if not decided.saved:  # changed on another page since: show what it holds now
            fresh = replace(access, draft=assessments.load(session, access.draft.assessment,
                                                            catalogue))  # fmt: skip
            return _page(request, templates, fresh, _work(fresh, session),
                         typed={"kpi-duty": {"reason": reason}}, exception_conflict=True,
                         status_code=409)  # fmt: skip
        done = KPI_DUTY_WITHDRAWN if withdrawing else KPI_DUTY_RECORDED
        return Done(kpis_path(request, access, anchor="s52-duty"), done)

    def again(errors: Mapping[str, str]) -> Response:
        # The service names the reason; the page calls it s52-reason.
        return _page(request, templates, access, _work(access, session),
                     errors={"s52-reason": errors["reason"]},
                     typed={"kpi-duty": {"reason": reason}})  # fmt: skip

    return submit(request, flash, change, again=again)


# The form's field (before "-<code>") for each fact of a decision the service names.
FIELD_FOR_FACT = {"action": "decision", "target": "target", "reason": "reason"}


def _decision(access: DraftAccess, code: str, fields: dict[str, str]) -> kpis.KpiDecision:
    """The decision the form gives; InvalidInput by the service's names for what cannot be
    read (NotFound for a KPI not in the library, before anything else)."""
    kpi = kpis.library_kpi(access.draft, code)
    try:
        action = kpis.KpiAction(fields["action"])
    except ValueError:
        raise InvalidInput({"action": "Choose accept or reject"}) from None
    target = None
    typed = fields["target"].strip()
    if action is kpis.KpiAction.ACCEPT and typed:  # empty: a baseline accepted as one
        try:
            target = parse_target(typed, kpi.unit)
        except InvalidTarget as invalid:
            raise InvalidInput({"target": str(invalid)}) from None
    revision = parse_id(fields["revision"]) or 0
    return kpis.KpiDecision(action, target, fields["reason"], revision)


@router.post("/{code}", response_class=HTMLResponse)
def decide(
    request: Request,
    code: str,
    access: EditableDraft,
    form: PostedForm,
    session: SessionDep,
    templates: TemplatesDep,
    flash: FlashDep,
) -> Response:
    """Accept, reject, add or remove a library KPI."""
    before = _work(access, session)
    fields = {name: field(form, name) for name in ("action", "target", "reason", "revision")}

    def change() -> Done | Response:
        try:
            decision = _decision(access, code, fields)
        except InvalidInput:
            # A page decided on elsewhere since is shown that decision first, whatever it sent.
            seen = parse_id(fields["revision"]) or 0
            if fields["action"] == "add" or not kpis.changed_since(
                session, access.draft, code, seen
            ):
                raise
            decided = kpis.Decided(saved=False)
        else:
            decided = kpis.decide(session, access.user, access.draft, before.task, code, decision)
        after = _work(access, session)
        if not decided.saved:  # someone else decided it first: show theirs
            typed = {code: {"target": fields["target"], "reason": fields["reason"]}}
            return _reply(request, templates, access, after, code, notices={code: CONFLICT},
                          typed=typed, status_code=409)  # fmt: skip
        if fields["action"] == "add":
            return Done(kpis_path(request, access, anchor=f"kpi-{code}"), KPI_ADDED)
        if fields["action"] == "remove":
            return Done(kpis_path(request, access, anchor="own-kpis"), KPI_REMOVED)
        if is_htmx(request):
            return _reply(request, templates, access, after, code)
        return Done(kpis_path(request, access, anchor=f"kpi-{code}"))

    def again(problems: Mapping[str, str]) -> Response:
        typed = {code: {"target": fields["target"], "reason": fields["reason"]}}
        errors = {f"{FIELD_FOR_FACT[key]}-{code}": message
                  for key, message in problems.items()}  # fmt: skip
        return _reply(request, templates, access, before, code, errors=errors, typed=typed)

    return submit(request, flash, change, again=again)


def _reply(
    request: Request,
    templates: Jinja2Templates,
    access: DraftAccess,
    work: KpiWork,
    code: str,
    *,
    errors: Mapping[str, str] | None = None,
    typed: dict[str, dict[str, str]] | None = None,
    notices: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """What a decision's page shows. Without JavaScript: the whole page (with the error summary
    or the conflict notice). With htmx: the KPI's card, the task's progress (out of band) and a
    message for screen readers, or, when the KPI is no longer on the list, the page afresh."""
    if not is_htmx(request):
        return _page(request, templates, access, work, errors=errors, typed=typed,
                     notices=notices, status_code=status_code)  # fmt: skip
    try:
        row = work.task.row(code)
    except KeyError:
        return navigate(request, kpis_path(request, access))
    context = _context(
        request, access, work, row=row, errors=errors or {}, typed=typed or {},
        notices=notices or {},
    )  # fmt: skip
    return templates.TemplateResponse(  # a conflict's card is news, not a failure: 200
        request, "assessments/_kpi_decided.html", context, status_code=422 if errors else 200
    )
