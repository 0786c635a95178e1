"""Outcome pages: a procurement's contract KPIs with their overdue reports and ratings, one
KPI's chart, table and reports, and the forms an editor of the procurement (its lead officer,
collaborators, administrators) reports, corrects and rates with. Plain forms: each goes back
to the KPI's page with a confirmation, or comes back with the GOV.UK error summary. The API
(app/api/outcomes.py) takes the same reports by the same rules (app/services/outcome_reports.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session
from starlette.templating import Jinja2Templates

from app.deps import (
    CurrentUser,
    EditableProcurement,
    PostedForm,
    ProcurementDep,
    SessionDep,
    TemplatesDep,
)
from app.errors import InvalidInput, PrimasError
from app.inputs import MAX_INTEGER, InputError, parse_date_parts, parse_id
from app.models import ContractKpi, OutcomeReport, Procurement, User
from app.scoring.performance import RATING_MEANINGS, Rating
from app.services import contract_kpis, outcome_reports, outcomes, procurements
from app.services.audit import Actor
from app.services.outcome_reports import NewOutcome
from app.services.outcomes import KpiOutcomes, ReportView
from app.specification import FREQUENCY_WORDS
from app.timeutil import london_today
from app.web import charts
from app.web.flash import Confirmation, FlashDep
from app.web.form_pages import Done, path_to, submit
from app.web.forms import field, typed_fields
from app.web.procurement_input import date_fields

router = APIRouter(prefix="/procurements/{reference}/outcomes", tags=["outcomes"])

KPI = "/{contract_kpi}"
REPORT = KPI + "/reports/{report}"
REPORT_FIELDS = ("period_start_day", "period_start_month", "period_start_year",
                 "period_end_day", "period_end_month", "period_end_year", "actual",
                 "commentary")  # fmt: skip
DATE_ANCHORS = {"period_start": "period_start-day", "period_end": "period_end-day"}
RATING_CHOICES = [(rating, RATING_MEANINGS[rating]) for rating in Rating]


def _kpi(
    contract_kpi: Annotated[int, Path(ge=1, le=MAX_INTEGER)], procurement: ProcurementDep,
    session: SessionDep,
) -> ContractKpi:  # fmt: skip
    kpi = session.get(ContractKpi, contract_kpi)
    if kpi is None or kpi.procurement_id != procurement.id:
        raise PrimasError(404, "Page not found")
    return kpi


KpiDep = Annotated[ContractKpi, Depends(_kpi)]


def _report(
    report: Annotated[int, Path(ge=1, le=MAX_INTEGER)], kpi: KpiDep, session: SessionDep
) -> OutcomeReport:
    found = outcomes.report_of(session, kpi, report)
    if found is None:
        raise PrimasError(404, "Page not found")
    return found


ReportDep = Annotated[OutcomeReport, Depends(_report)]


def kpi_path(request: Request, kpi: ContractKpi, procurement: Procurement, anchor: str = "") -> str:
    """The KPI's outcomes page."""
    return path_to(request, "show_kpi_outcomes", reference=procurement.reference,
                   contract_kpi=kpi.id, anchor=anchor)  # fmt: skip


def _common(session: Session, user: User, procurement: Procurement) -> dict[str, Any]:
    return {"procurement": procurement, "frequency_words": FREQUENCY_WORDS,
            "can_edit": procurement.status == "active"
            and procurements.can_edit(session, user, procurement)}  # fmt: skip


@router.get("", response_class=HTMLResponse)
def show_outcomes(
    request: Request, procurement: ProcurementDep, user: CurrentUser, session: SessionDep,
    templates: TemplatesDep,
) -> HTMLResponse:  # fmt: skip
    """Every KPI the procurement's approvals set: its target, latest rating and overdue reports."""
    today = london_today()
    found = [outcomes.outcomes_of(session, kpi, today)
             for kpi in contract_kpis.contract_kpis(session, procurement)]  # fmt: skip
    return templates.TemplateResponse(
        request,
        "outcomes/list.html",
        {
            **_common(session, user, procurement),
            "kpis": found,
            "overdue": sum(len(item.overdue) for item in found if item.in_force),
        },
    )


@router.get(KPI, response_class=HTMLResponse)
def show_kpi_outcomes(
    request: Request, procurement: ProcurementDep, kpi: KpiDep, user: CurrentUser,
    session: SessionDep, templates: TemplatesDep, confirmation: Confirmation,
) -> HTMLResponse:  # fmt: skip
    """One KPI: its chart and the same figures as a table, every report with its versions and
    rating, and the periods overdue."""
    found = outcomes.outcomes_of(session, kpi, london_today())
    return templates.TemplateResponse(request, "outcomes/kpi.html", {
        **_common(session, user, procurement), "found": found, "kpi": kpi,
        "chart_rows": charts.rows(found), "alt": charts.alt_text(found),
        "confirmation": confirmation})  # fmt: skip


@router.get(KPI + "/chart.svg")
def kpi_chart(procurement: ProcurementDep, kpi: KpiDep, session: SessionDep) -> Response:
    """The KPI's chart, as an SVG image (its page gives the same figures as a table)."""
    found = outcomes.outcomes_of(session, kpi, london_today())
    return Response(charts.svg(found), media_type="image/svg+xml")  # no-store, as every page


def _unless_changed(
    attempt: Callable[[], Response], kinds: set[str],
    changed: Callable[[PrimasError], Response],
) -> Response:  # fmt: skip
    """`attempt` (a form's submit), or `changed` when it was refused because the report, or its
    rating, changed since the page was drawn (a 409 carrying one of `kinds`)."""
    try:
        return attempt()
    except PrimasError as refused:
        if refused.status != 409 or not refused.extra.keys() & kinds:
            raise
        return changed(refused)


def _report_page(
    request: Request, templates: Jinja2Templates, procurement: Procurement, found: KpiOutcomes,
    values: Mapping[str, str], errors: Mapping[str, str], *, status: int = 200,
    taken: OutcomeReport | None = None,
) -> HTMLResponse:  # fmt: skip
    taken_href = kpi_path(request, found.kpi, procurement, anchor=f"report-{taken.id}") \
        if taken is not None else None  # fmt: skip
    return templates.TemplateResponse(request, "outcomes/report.html", {
        "procurement": procurement, "found": found, "kpi": found.kpi, "values": values,
        "errors": errors, "anchors": DATE_ANCHORS, "taken_href": taken_href},
        status_code=status)  # fmt: skip


def _blank(found: KpiOutcomes) -> dict[str, str]:
    """The form, with the first period due and not reported filled in."""
    values = dict.fromkeys(REPORT_FIELDS, "")
    due = found.next_period(london_today())
    if due is not None:
        values |= date_fields("period_start", due.start) | date_fields("period_end", due.end)
    return values


@router.get(KPI + "/report", response_class=HTMLResponse)
def new_outcome(
    request: Request, procurement: EditableProcurement, kpi: KpiDep, session: SessionDep,
    templates: TemplatesDep,
) -> HTMLResponse:  # fmt: skip
    """The form to report an outcome for a period."""
    found = outcomes.outcomes_of(session, kpi, london_today())
    return _report_page(request, templates, procurement, found, _blank(found), {})


def _dates(values: Mapping[str, str]) -> tuple[Any, Any, dict[str, str]]:
    """The period's two dates as typed (None where missing or unreadable) and what is wrong."""
    read, unread = {}, {}
    for name, label in (("period_start", "Start of the period"),
                        ("period_end", "End of the period")):  # fmt: skip
        try:
            read[name] = parse_date_parts(label, values[f"{name}_day"], values[f"{name}_month"],
                                          values[f"{name}_year"])  # fmt: skip
        except InputError as wrong:
            read[name], unread[name] = None, str(wrong)
    return read["period_start"], read["period_end"], unread


@router.post(KPI + "/report", response_class=HTMLResponse)
def add_outcome(
    request: Request, procurement: EditableProcurement, kpi: KpiDep, user: CurrentUser,
    form: PostedForm, session: SessionDep, templates: TemplatesDep, flash: FlashDep,
) -> Response:  # fmt: skip
    """Record the report, or show the form again with what is wrong."""
    values = typed_fields(REPORT_FIELDS, form)
    today = london_today()
    start, end, unread = _dates(values)

    def save() -> Done:
        try:
            report = outcome_reports.report(
                session,
                Actor.of(user),
                kpi,
                NewOutcome(start, end, values["actual"], values["commentary"]),
                today,
            )
        except InvalidInput as refused:
            merged = {name: unread.get(name, message) for name, message in refused.errors.items()}
            raise InvalidInput(merged) from None
        return Done(kpi_path(request, kpi, procurement, anchor=f"report-{report.id}"),
                    "Your report has been saved.")  # fmt: skip

    found = outcomes.outcomes_of(session, kpi, today)
    try:
        return submit(request, flash, save, again=lambda errors: _report_page(
            request, templates, procurement, found, values, errors))  # fmt: skip
    except outcome_reports.PeriodTaken as taken:
        existing = taken.existing
        message = (f"There is already a report for {existing.period_start:%-d %B %Y} to "
                   f"{existing.period_end:%-d %B %Y}: choose a period it does not "
                   "cover")  # fmt: skip
        return _report_page(request, templates, procurement, found, values,
                            {"period_start": message}, status=409, taken=existing)  # fmt: skip


def _view(session: Session, kpi: ContractKpi, report: OutcomeReport) -> ReportView:
    return outcomes.report_view(session, kpi, report, london_today())


def _correct_page(
    request: Request, templates: Jinja2Templates, procurement: Procurement, kpi: ContractKpi,
    view: ReportView, values: Mapping[str, str], errors: Mapping[str, str], *,
    status: int = 200, notice: str = "",
) -> HTMLResponse:  # fmt: skip
    return templates.TemplateResponse(request, "outcomes/correct.html", {
        "procurement": procurement, "kpi": kpi, "view": view, "values": values,
        "errors": errors, "notice": notice,
        "period": charts.period_words(view.report.period_start, view.report.period_end)},
        status_code=status)  # fmt: skip


@router.get(REPORT + "/correct", response_class=HTMLResponse)
def correct_outcome_form(
    request: Request, procurement: EditableProcurement, kpi: KpiDep, report: ReportDep,
    session: SessionDep, templates: TemplatesDep,
) -> HTMLResponse:  # fmt: skip
    """The form to correct a report: its figures now, to change, and why."""
    view = _view(session, kpi, report)
    values = {"actual": view.latest.actual, "commentary": view.latest.commentary, "reason": "",
              "version": str(report.version)}  # fmt: skip
    return _correct_page(request, templates, procurement, kpi, view, values, {})


@router.post(REPORT + "/correct", response_class=HTMLResponse)
def correct_outcome(
    request: Request, procurement: EditableProcurement, kpi: KpiDep, report: ReportDep,
    user: CurrentUser, form: PostedForm, session: SessionDep, templates: TemplatesDep,
    flash: FlashDep,
) -> Response:  # fmt: skip
    """Save the correction as a new version (the old ones are kept)."""
    values = typed_fields(("actual", "commentary", "reason", "version"), form)
    seen = parse_id(values["version"][:12]) or 0

    def save() -> Done:
        outcome_reports.correct(session, Actor.of(user), kpi, report, seen,
                                NewOutcome(None, None, values["actual"], values["commentary"]),
                                values["reason"], london_today())  # fmt: skip
        return Done(kpi_path(request, kpi, procurement, anchor=f"report-{report.id}"),
                    "Your correction has been saved.")  # fmt: skip

    def again(errors: Mapping[str, str]) -> Response:
        view = _view(session, kpi, report)
        return _correct_page(request, templates, procurement, kpi, view, values, errors)

    def changed(_refused: PrimasError) -> Response:
        view = _view(session, kpi, report)
        notice = (f"Someone else corrected this report while you were editing it: its figure "
                  f"is now {view.latest.actual} ({kpi.unit}). What you entered is below and "
                  "has not been saved: save it again if it should replace theirs.")  # fmt: skip
        return _correct_page(request, templates, procurement, kpi, view,
                             values | {"version": str(view.report.version)}, {}, status=409,
                             notice=notice)  # fmt: skip

    return _unless_changed(lambda: submit(request, flash, save, again=again), {"version"},
                           changed)  # fmt: skip


def _rate_page(
    request: Request, templates: Jinja2Templates, procurement: Procurement, kpi: ContractKpi,
    view: ReportView, values: Mapping[str, str], errors: Mapping[str, str], *,
    status: int = 200, notice: str = "",
) -> HTMLResponse:  # fmt: skip
    return templates.TemplateResponse(request, "outcomes/rate.html", {
        "procurement": procurement, "kpi": kpi, "view": view, "values": values,
        "errors": errors, "notice": notice, "choices": RATING_CHOICES,
        "period": charts.period_words(view.report.period_start, view.report.period_end)},
        status_code=status)  # fmt: skip


@router.get(REPORT + "/rating", response_class=HTMLResponse)
def rate_outcome_form(
    request: Request, procurement: EditableProcurement, kpi: KpiDep, report: ReportDep,
    session: SessionDep, templates: TemplatesDep,
) -> HTMLResponse:  # fmt: skip
    """The form to confirm the suggested rating of a period, or give another with a reason."""
    view = _view(session, kpi, report)
    values = {"rating": (view.confirmed or view.suggestion.rating).value, "reason": "",
              "version": str(report.version),
              "rated": str(view.rated.id) if view.rated else ""}  # fmt: skip
    return _rate_page(request, templates, procurement, kpi, view, values, {})


@router.post(REPORT + "/rating", response_class=HTMLResponse)
def rate_outcome(
    request: Request, procurement: EditableProcurement, kpi: KpiDep, report: ReportDep,
    user: CurrentUser, form: PostedForm, session: SessionDep, templates: TemplatesDep,
    flash: FlashDep,
) -> Response:  # fmt: skip
    """Save the rating for the report's version in force."""
    values = {"rating": field(form, "rating")[:40], "reason": field(form, "reason"),
              "version": field(form, "version")[:12],
              "rated": field(form, "rated")[:12]}  # fmt: skip
    seen = parse_id(values["version"]) or 0

    def save() -> Done:
        outcome_reports.rate(session, user, kpi, report, seen, values["rating"],
                             values["reason"], london_today(),
                             seen_rating=parse_id(values["rated"]))  # fmt: skip
        return Done(kpi_path(request, kpi, procurement, anchor=f"report-{report.id}"),
                    "The rating has been saved.")  # fmt: skip

    def again(errors: Mapping[str, str]) -> Response:
        view = _view(session, kpi, report)
        return _rate_page(request, templates, procurement, kpi, view, values, errors)

    def changed(refused: PrimasError) -> Response:
        view = _view(session, kpi, report)
        if "rated" in refused.extra and view.rated is not None:
            notice = (f"Someone else rated this period while you were rating it: their rating, "
                      f"“{Rating(view.rated.rating).words}”, is saved. Yours is below and has "
                      "not been saved: save it again if it should replace theirs.")  # fmt: skip
        else:
            notice = (f"This report was corrected while you were rating it: its figure is now "
                      f"{view.latest.actual} ({kpi.unit}), which suggests "
                      f"“{view.suggestion.rating.words}”. Check the rating, then save it "
                      "again.")  # fmt: skip
        now = {"version": str(view.report.version),
               "rated": str(view.rated.id) if view.rated else ""}  # fmt: skip
        return _rate_page(request, templates, procurement, kpi, view, values | now, {},
                          status=409, notice=notice)  # fmt: skip

    return _unless_changed(lambda: submit(request, flash, save, again=again),
                           {"version", "rated"}, changed)  # fmt: skip
