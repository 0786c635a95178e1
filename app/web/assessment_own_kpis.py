"""KPIs of the lead's own on the KPI task: write one, change it, take it off the list.

Plain forms (no htmx needed): each save comes back to the KPI task with a confirmation, or to
the form with the GOV.UK error summary. A change or removal names the revision the form was
drawn from, so one made after someone else changed the KPI is refused and their version shown.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from app.deps import (
    DraftAccess,
    EditableDraft,
    IdPath,
    PostedForm,
    SessionDep,
    TemplatesDep,
)
from app.errors import InvalidInput
from app.inputs import parse_id
from app.scoring.kpi_choices import (
    FREQUENCIES,
    CustomKpi,
    InvalidTarget,
    parse_target,
    target_text,
)
from app.services import kpis
from app.specification import FREQUENCY_WORDS
from app.timeutil import london_today
from app.web.assessment_kpis import KPI_REMOVED, kpis_path
from app.web.flash import FlashDep
from app.web.form_pages import Done, submit
from app.web.forms import typed_fields

router = APIRouter(prefix="/procurements/{reference}/primas/kpis/own", tags=["primas"])

FIELDS = ("title", "unit", "target", "frequency", "evidence", "better")
SAVED = "Your KPI has been saved."
OWN_CONFLICT = (
    "Someone else changed this KPI while you were editing it. Theirs is saved: “{title}”, "
    "target {target} ({unit}). What you entered is below and has not been saved: save it "
    "again if it should replace theirs."
)


def _own(access: DraftAccess, session: SessionDep, kpi_id: int) -> CustomKpi:
    return kpis.custom_kpi(kpis.work(session, access.draft, london_today()).task, kpi_id)


def _form_values(own: CustomKpi | None) -> dict[str, str]:
    """The form's fields, filled in from a saved KPI (or empty)."""
    if own is None:
        return dict.fromkeys(FIELDS, "") | {"better": "higher"}
    return {"title": own.title, "unit": own.unit, "target": target_text(own.target),
            "frequency": own.frequency, "evidence": own.evidence,
            "better": own.better}  # fmt: skip


def _own_kpi(values: dict[str, str]) -> kpis.OwnKpi:
    """The KPI the form gives; InvalidInput listing every problem when its target cannot be
    read (in the form's words) along with what the service finds in the rest."""
    unit = values["unit"].strip() or "the KPI's unit"
    typed = values["target"].strip()
    target, unread = None, {}
    if typed:
        try:
            target = parse_target(typed, unit)
        except InvalidTarget as invalid:
            unread["target"] = str(invalid)
    # A page drawn before the choice was asked sends none: above the target is better.
    kpi = kpis.OwnKpi(values["title"], values["unit"], target, values["frequency"],
                      values["evidence"], values["better"] or "higher")  # fmt: skip
    if unread:
        problems = kpis.own_kpi_problems(kpi)
        raise InvalidInput({name: unread.get(name, message) for name, message in problems.items()})
    return kpi


@router.get("", response_class=HTMLResponse)
def new_own(request: Request, access: EditableDraft, templates: TemplatesDep) -> HTMLResponse:
    """The form for a KPI of the lead's own."""
    return _own_page(request, templates, access, None, _form_values(None), {})


@router.post("", response_class=HTMLResponse)
def add_own(
    request: Request,
    access: EditableDraft,
    form: PostedForm,
    session: SessionDep,
    templates: TemplatesDep,
    flash: FlashDep,
) -> Response:
    """Save a KPI of the lead's own."""
    values = typed_fields(FIELDS, form)

    def save() -> Done:
        kpis.save_custom(session, access.user, access.draft, None, _own_kpi(values), 0)
        return Done(kpis_path(request, access, anchor="own-kpis"), SAVED)

    return submit(request, flash, save,
                  again=lambda errors: _own_page(request, templates, access, None, values,
                                                 errors))  # fmt: skip


@router.get("/{kpi_id}", response_class=HTMLResponse)
def own(
    request: Request,
    kpi_id: IdPath,
    access: EditableDraft,
    session: SessionDep,
    templates: TemplatesDep,
) -> HTMLResponse:
    """Change one of the lead's own KPIs."""
    found = _own(access, session, kpi_id)
    return _own_page(request, templates, access, found.id, _form_values(found), {},
                     revision=found.revision)  # fmt: skip


@router.post("/{kpi_id}", response_class=HTMLResponse)
def change_own(
    request: Request,
    kpi_id: IdPath,
    access: EditableDraft,
    form: PostedForm,
    session: SessionDep,
    templates: TemplatesDep,
    flash: FlashDep,
) -> Response:
    """Save a change to one of the lead's own KPIs, or take it off the list."""
    found = _own(access, session, kpi_id)
    seen = parse_id(str(form.get("revision") or "")) or 0
    values = typed_fields(FIELDS, form)
    removing = form.get("action") == "remove"

    def theirs() -> Response:  # changed elsewhere since: theirs stands, what was typed stays
        latest = _own(access, session, kpi_id)
        saved = _form_values(latest)
        notice = OWN_CONFLICT.format(title=saved["title"], target=saved["target"] or "none",
                                     unit=saved["unit"])  # fmt: skip
        shown = saved if removing else values
        return _own_page(request, templates, access, latest.id, shown, {},
                         revision=latest.revision, notice=notice, status_code=409)  # fmt: skip

    def change() -> Done | Response:
        if removing:
            done = kpis.remove_custom(session, access.user, access.draft, found, seen)
        else:
            own_kpi = _own_kpi(values)
            done = kpis.save_custom(session, access.user, access.draft, found, own_kpi, seen)
        if not done.saved:
            return theirs()
        if removing:
            return Done(kpis_path(request, access, anchor="own-kpis"), KPI_REMOVED)
        return Done(kpis_path(request, access, anchor=f"own-{kpi_id}"), SAVED)

    def again(errors: Mapping[str, str]) -> Response:
        if found.revision != seen:
            return theirs()
        # The form again as typed, still at the revision it saw.
        return _own_page(request, templates, access, found.id, values, errors, revision=seen)

    return submit(request, flash, change, again=again)


def _own_page(
    request: Request,
    templates: Jinja2Templates,
    access: DraftAccess,
    kpi_id: int | None,
    values: dict[str, str],
    errors: Mapping[str, str],
    *,
    revision: int = 0,
    notice: str = "",
    status_code: int | None = None,
) -> HTMLResponse:
    context = {
        "procurement": access.procurement,
        "draft": access.draft,
        "kpi_id": kpi_id,
        "values": values,
        "errors": errors,
        "revision": revision,
        "notice": notice,
        "frequencies": [(code, FREQUENCY_WORDS[code]) for code in FREQUENCIES],
    }
    code = status_code or (422 if errors else 200)
    return templates.TemplateResponse(
        request, "assessments/kpi_own.html", context, status_code=code
    )
