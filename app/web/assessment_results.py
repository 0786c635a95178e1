"""A PRIMAS draft's results: topic priorities, obligations and how each was worked out, and the
officer's professional judgement on a topic's scores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

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
    TemplatesDep,
)
from app.errors import InvalidInput
from app.services import assessments, kpis, scoring
from app.services.assessments import progress
from app.services.scoring import MEASURES
from app.timeutil import london_today
from app.web.flash import Confirmation, FlashDep
from app.web.form_pages import Done, path_to, submit
from app.web.forms import field

router = APIRouter(prefix="/procurements/{reference}/primas", tags=["primas"])

# The radio that keeps a measure's computed score rather than the officer's own.
KEEP_COMPUTED = "computed"


@router.get("/results", response_class=HTMLResponse)
def results(
    request: Request,
    access: DraftDep,
    session: SessionDep,
    templates: TemplatesDep,
    confirmation: Confirmation,
) -> HTMLResponse:
    """The heatmap, every obligation and how each number was reached."""
    procurement, draft = access.procurement, access.draft
    work = kpis.work(session, draft, london_today())
    done = progress(draft, work.task.status, work.result)
    context = {
        "procurement": procurement,
        "draft": draft,
        "result": work.result,
        "can_edit": access.editable,
        "completed": done.completed,
        "applicable": done.applicable,
        "confirmation": confirmation,
    }
    return templates.TemplateResponse(request, "assessments/results.html", context)


def _judgement_page(
    request: Request,
    templates: Jinja2Templates,
    access: DraftAccess,
    topic: str,
    *,
    version: str,
    values: dict[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    conflict: bool = False,
) -> HTMLResponse:
    row = scoring.result(access.draft, london_today()).topic(topic)
    if values is None:  # the page as saved: the officer's values, or the computed ones
        overrides = {"risk": row.risk.override, "scope": row.scope.override}
        values = {m: str(o.value) if o else KEEP_COMPUTED for m, o in overrides.items()}
        values["reason"] = next((o.reason for o in overrides.values() if o), "")
    context = {
        "procurement": access.procurement,
        "draft": access.draft,
        "row": row,
        "values": values,
        "errors": errors or {},
        "version": version,
        "conflict": conflict,
    }
    status = 409 if conflict else 422 if errors else 200
    return templates.TemplateResponse(
        request, "assessments/judgement.html", context, status_code=status
    )


@router.get("/results/{topic}", response_class=HTMLResponse)
def judgement(
    request: Request,
    topic: str,
    access: EditableDraft,
    session: SessionDep,
    templates: TemplatesDep,
) -> HTMLResponse:
    """A topic's explanation, with the officer's own risk and scope if they differ."""
    scoring.known_topic(access.draft, topic)
    version = scoring.judgement_version(session, access.draft, topic)
    return _judgement_page(request, templates, access, topic, version=version)


def _judgement(values: dict[str, str]) -> scoring.Judgement:
    """The judgement the form gives: each measure "computed" or 0 to 3. InvalidInput names
    every measure that is neither (with the service's own problems left to the service)."""
    chosen: dict[str, int | None] = {}
    errors: dict[str, str] = {}
    for measure in MEASURES:
        typed = values[measure]
        if typed == KEEP_COMPUTED:
            chosen[measure] = None
        elif typed in ("0", "1", "2", "3"):
            chosen[measure] = int(typed)
        else:
            errors[measure] = f"Select the {measure} to use, or keep the computed {measure}"
    if errors:  # with what the service would say of the reason, so every problem shows at once
        try:
            scoring.check_reason(chosen, values["reason"])
        except InvalidInput as invalid:
            errors |= invalid.errors
        raise InvalidInput(errors)
    return scoring.Judgement(chosen["risk"], chosen["scope"], values["reason"])


@router.post("/results/{topic}", response_class=HTMLResponse)
def save_judgement(
    request: Request,
    topic: str,
    access: EditableDraft,
    form: PostedForm,
    session: SessionDep,
    templates: TemplatesDep,
    catalogue: CatalogueDep,
    flash: FlashDep,
) -> Response:
    """Save the officer's risk and scope (or go back to the computed ones), unless someone
    changed the judgement since the page was drawn: then theirs is shown beside what was typed."""
    scoring.known_topic(access.draft, topic)  # not found before anything typed is read
    values = {name: field(form, name).strip() for name in (*MEASURES, "reason")}
    seen = field(form, "version")[:40]

    def save() -> Done | Response:
        if not scoring.set_overrides(session, access.user, access.draft, topic,
                                     _judgement(values), seen=seen):  # fmt: skip
            fresh = replace(access, draft=assessments.load(session, access.draft.assessment,
                                                            catalogue))  # fmt: skip
            return _judgement_page(request, templates, fresh, topic, values=values,
                                   version=scoring.judgement_version(session, fresh.draft, topic),
                                   conflict=True)  # fmt: skip
        target = path_to(request, "results", reference=access.procurement.reference,
                         anchor=f"topic-{topic}")  # fmt: skip
        return Done(target, "Your professional judgement has been saved.")

    def again(errors: Mapping[str, str]) -> Response:
        return _judgement_page(request, templates, access, topic, values=values, errors=errors,
                               version=seen)  # fmt: skip

    return submit(request, flash, save, again=again)
