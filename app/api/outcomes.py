"""Outcomes against KPIs through the API: a contract KPI with its overdue periods, its reports
(each with every version and its rating), a new report, and a correction (docs/api.md). The
contract management system reports with the `outcomes` scope; reading needs `read`."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, Response
from sqlmodel import Session

from app.api.responses import body_and_etag, names_exactly, tagged
from app.api.schemas import (
    INVALID,
    NOT_FOUND,
    PROBLEMS,
    ContractKpiOut,
    CorrectionIn,
    OutcomeIn,
    OutcomeList,
    OutcomeOut,
    OutcomeVersionOut,
    PeriodOut,
    RatingOut,
    problem,
)
from app.deps import SessionDep
from app.deps.api import OutcomesClient, ReadClient
from app.errors import InvalidInput, NotFound, PrimasError
from app.inputs import MAX_INTEGER
from app.models import ContractKpi, OutcomeReport, User
from app.services import api_clients, outcome_reports, outcomes
from app.services.outcome_reports import NewOutcome
from app.services.outcomes import KpiOutcomes, ReportView
from app.timeutil import london_today

router = APIRouter(prefix="/api/v1", tags=["outcomes"], responses=PROBLEMS)

KpiId = Annotated[int, Path(ge=1, le=MAX_INTEGER, description="a contract KPI's id")]
OutcomeId = Annotated[int, Path(ge=1, le=MAX_INTEGER, description="an outcome report's id")]
KPI_PATH = "/kpis/{kpi_id}"
OUTCOMES_PATH = KPI_PATH + "/outcomes"
REPORT_PATH = OUTCOMES_PATH + "/{outcome_id}"


def _kpi_or_404(session: Session, kpi_id: int) -> ContractKpi:
    kpi = session.get(ContractKpi, kpi_id)
    if kpi is None:
        raise NotFound(f"KPI {kpi_id}")
    return kpi


def _number(text: str | None) -> float | int | None:
    if text is None:
        return None
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def _actual_text(actual: float | int | str) -> str:
    """The figure as the form would have it typed: a JSON number in plain digits."""
    if isinstance(actual, str):
        return actual
    return f"{Decimal(repr(actual)):f}" if isinstance(actual, float) else str(actual)


def kpi_out(request: Request, found: KpiOutcomes) -> ContractKpiOut:
    """A contract KPI as the API shows it."""
    kpi = found.kpi
    assert kpi.id is not None
    return ContractKpiOut(
        id=kpi.id, procurement=found.procurement.reference, code=kpi.code, title=kpi.title,
        unit=kpi.unit, frequency=kpi.frequency, target=_number(kpi.target),
        better=kpi.better, in_force=found.in_force,
        revision=kpi.revision, since=kpi.since, report_days=found.report_days,
        overdue=[PeriodOut(start=p.start, end=p.end) for p in found.overdue],
        outcomes=str(request.url_for("api_list_outcomes", kpi_id=kpi.id).path),
    )  # fmt: skip


def outcome_out(session: Session, view: ReportView) -> OutcomeOut:
    """A report as the API shows it."""
    report, latest, rated = view.report, view.latest, view.rated
    assert report.id is not None
    rater = session.get(User, rated.rated_by_id) if rated is not None else None
    return OutcomeOut(
        id=report.id, kpi=report.contract_kpi_id,
        period=PeriodOut(start=report.period_start, end=report.period_end),
        version=report.version, actual=_number(latest.actual) or 0,
        commentary=latest.commentary,
        versions=[OutcomeVersionOut(
            version=v.version, actual=_number(v.actual) or 0, commentary=v.commentary,
            correction_reason=v.correction_reason, target=_number(v.target),
            reported_by=v.reported_by, reported_at=v.reported_at) for v in view.versions],
        rating=RatingOut(
            rating=view.rating.value, suggested=view.suggestion.rating.value,
            why=view.suggestion.why,
            confirmed=view.confirmed.value if view.confirmed else None,
            reason=rated.reason if rated is not None else None,
            rated_by=rater.email if rater is not None else None,
            rated_at=rated.rated_at if rated is not None else None,
            rated_version=rated.report_version if rated is not None else None),
    )  # fmt: skip


def _report_or_404(session: Session, kpi: ContractKpi, outcome_id: int) -> OutcomeReport:
    report = outcomes.report_of(session, kpi, outcome_id)
    if report is None:
        raise NotFound(f"outcome report {outcome_id} of KPI {kpi.id}")
    return report


def _refused(refused: InvalidInput) -> PrimasError:
    """422 naming each field at fault, by the body's names (the service uses the same)."""
    listed = [{"location": ["body", name], "message": message}
              for name, message in refused.errors.items()]  # fmt: skip
    return PrimasError(422, "Unprocessable Content", "The report is not valid: see errors.",
                       errors=listed)  # fmt: skip


@router.get(KPI_PATH, response_model=ContractKpiOut, responses=NOT_FOUND | INVALID,
            summary="A contract KPI, with its overdue periods")  # fmt: skip
def api_get_kpi(
    request: Request, kpi_id: KpiId, _client: ReadClient, session: SessionDep
) -> Response:
    """A KPI of a procurement's contract, its target and whether it is in force, and which
    reports are overdue today."""
    found = outcomes.outcomes_of(session, _kpi_or_404(session, kpi_id), london_today())
    return tagged(request, kpi_out(request, found))


@router.get(OUTCOMES_PATH, response_model=OutcomeList, responses=NOT_FOUND | INVALID,
            summary="A KPI's outcome reports")  # fmt: skip
def api_list_outcomes(
    request: Request, kpi_id: KpiId, _client: ReadClient, session: SessionDep
) -> Response:
    """Every report of the KPI by period, each with every version (corrections keep the old
    figures) and its rating; and the KPI with its overdue periods."""
    found = outcomes.outcomes_of(session, _kpi_or_404(session, kpi_id), london_today())
    return tagged(
        request,
        OutcomeList(
            kpi=kpi_out(request, found), items=[outcome_out(session, v) for v in found.reports]
        ),
    )


@router.post(OUTCOMES_PATH, response_model=OutcomeOut, status_code=201,
             responses=NOT_FOUND | INVALID | {
                 409: problem("A report already covers part of the period (`existing` links to "
                              "it: correct that one), or the KPI is no longer in force, or the "
                              "procurement is withdrawn")},
             summary="Report an outcome against a KPI")  # fmt: skip
def api_report_outcome(
    request: Request, kpi_id: KpiId, body: OutcomeIn, client: OutcomesClient, session: SessionDep
) -> Response:
    """Record what was delivered over a period, in the KPI's unit, checked by the rules the
    page's form uses. The period must have ended; a second report for any day of a reported
    period is refused with 409 (a retry of a report that was recorded gets the same 409, with
    `existing`), and a report of a KPI no longer in force too."""
    kpi = _kpi_or_404(session, kpi_id)
    outcome = NewOutcome(body.period_start, body.period_end, _actual_text(body.actual),
                         body.commentary)  # fmt: skip
    actor = api_clients.actor_for(client)
    try:
        report = outcome_reports.report(session, actor, kpi, outcome, london_today())
    except InvalidInput as refused:
        raise _refused(refused) from None
    except outcome_reports.PeriodTaken as taken:
        existing = request.url_for("api_get_outcome", kpi_id=kpi_id,
                                   outcome_id=taken.existing.id or 0).path  # fmt: skip
        raise PrimasError(409, taken.title, taken.detail, existing=str(existing)) from None
    view = outcomes.report_view(session, kpi, report, london_today())
    location = request.url_for("api_get_outcome", kpi_id=kpi_id, outcome_id=report.id or 0)
    return tagged(request, outcome_out(session, view), status=201,
                  headers={"Location": str(location.path)})  # fmt: skip


@router.get(REPORT_PATH, response_model=OutcomeOut, responses=NOT_FOUND | INVALID,
            summary="One outcome report, with every version")  # fmt: skip
def api_get_outcome(
    request: Request, kpi_id: KpiId, outcome_id: OutcomeId, _client: ReadClient,
    session: SessionDep,
) -> Response:  # fmt: skip
    """One report with every version and its rating. Its ETag goes in If-Match to correct it."""
    kpi = _kpi_or_404(session, kpi_id)
    view = outcomes.report_view(session, kpi, _report_or_404(session, kpi, outcome_id),
                                london_today())  # fmt: skip
    return tagged(request, outcome_out(session, view))


@router.post(REPORT_PATH + "/corrections", response_model=OutcomeOut,
             responses=NOT_FOUND | INVALID | {
                 409: problem("The KPI is no longer in force, or the procurement is withdrawn"),
                 412: problem("The report changed since the ETag in If-Match was read"),
                 428: problem("If-Match is missing")},
             summary="Correct an outcome report")  # fmt: skip
def api_correct_outcome(
    request: Request, kpi_id: KpiId, outcome_id: OutcomeId, body: CorrectionIn,
    client: OutcomesClient, session: SessionDep,
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", max_length=200, description="the ETag it was read with"),
    ] = None,
) -> Response:  # fmt: skip
    """A new version of the report with the corrected figure and commentary, and the reason;
    the earlier versions are kept. `If-Match` must carry the ETag the report was read with:
    428 without it, 412 if it has changed since."""
    kpi = _kpi_or_404(session, kpi_id)
    report = _report_or_404(session, kpi, outcome_id)
    if if_match is None:
        raise PrimasError(428, "Precondition Required", "Send If-Match with the ETag the "
                          "report was read with, so that no correction is lost.")  # fmt: skip
    today = london_today()
    _body, current = body_and_etag(outcome_out(session, outcomes.report_view(
        session, kpi, report, today)))  # fmt: skip
    if not names_exactly(if_match, current):
        raise PrimasError(412, "Precondition Failed",
                          "The report has changed since it was read: read it again, then decide.",
                          headers={"ETag": current})  # fmt: skip
    outcome = NewOutcome(None, None, _actual_text(body.actual), body.commentary)
    try:
        outcome_reports.correct(
            session,
            api_clients.actor_for(client),
            kpi,
            report,
            report.version,
            outcome,
            body.reason,
            today,
        )
    except InvalidInput as refused:
        raise _refused(refused) from None
    except PrimasError as refused:
        if refused.status == 409 and "version" in refused.extra:  # corrected at the same moment
            raise PrimasError(412, "Precondition Failed", refused.detail) from None
        raise
    return tagged(request, outcome_out(session, outcomes.report_view(session, kpi, report, today)))
