"""Outcome reports made, corrected and rated: the same rules for the pages and the API, each
of which reads its own input into the values here; what the rules refuse is InvalidInput,
field by field, and what clashes with what is stored a 409 (a period already reported, a
report or rating changed since it was read, a KPI no longer in force)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from app.db import one_at_a_time
from app.errors import InvalidInput, PrimasError
from app.inputs import clean_text
from app.models import (
    ContractKpi,
    OutcomeReport,
    OutcomeVersion,
    PerformanceRating,
    Procurement,
    ProcurementStatus,
    User,
)
from app.numbers import read_number
from app.scoring.performance import Period, Rating, add_months
from app.services.audit import Actor, act_as, record_event
from app.services.contract_kpis import in_force_revision
from app.services.outcomes import plain, report_view

COMMENTARY_MAX = 2000
REASON_MAX = 1000
ACTUAL_PLACES = 4
ACTUAL_LIMIT = Decimal(10) ** 12
# Every figure goes out as a JSON number, which its readers hold as a double: 15 significant
# digits always come back exactly.
ACTUAL_DIGITS = 15
EARLIEST = date(2000, 1, 1)


def _in_history(session: Session, action: str, kpi: ContractKpi, report: OutcomeReport,
                **more: object) -> None:  # fmt: skip
    """The report's event in the procurement's history (and the API's changes feed), in the
    same transaction as the report."""
    record_event(session, action, entity_type="procurement", entity_id=kpi.procurement_id,
                 detail={"kpi": kpi.id, "kpi_title": kpi.title, "outcome": report.id,
                         "version": report.version, "period_start": report.period_start.isoformat(),
                         "period_end": report.period_end.isoformat(), **more})  # fmt: skip


@dataclass(frozen=True)
class NewOutcome:
    """A report as given: the period (None where missing or not a date, already said by the
    caller's own reading), the figure as typed, and the commentary."""

    period_start: date | None
    period_end: date | None
    actual: str
    commentary: str = ""


def _actual(text: str, unit: str, errors: dict[str, str]) -> Decimal | None:
    if not text.strip():
        errors["actual"] = f"Enter the actual figure, in {unit}"
        return None
    typed = read_number(text)
    if typed is None:
        errors["actual"] = f"Enter the actual figure as a number, like 12 or 12.5, in {unit}"
        return None
    if typed.places > ACTUAL_PLACES:
        errors["actual"] = f"Enter the actual figure with at most {ACTUAL_PLACES} decimal places"
        return None
    if abs(typed.value) >= ACTUAL_LIMIT:
        errors["actual"] = "Enter an actual figure smaller than 1,000,000,000,000"
        return None
    if len(typed.value.normalize().as_tuple().digits) > ACTUAL_DIGITS:
        errors["actual"] = f"Enter the actual figure with at most {ACTUAL_DIGITS} digits"
        return None
    return typed.value


def _period(outcome: NewOutcome, today: date, errors: dict[str, str]) -> Period | None:
    start, end = outcome.period_start, outcome.period_end
    if start is None:
        errors.setdefault("period_start", "Enter the date the period started")
    elif start < EARLIEST:
        errors["period_start"] = "The period must start in 2000 or later"
    if end is None:
        errors.setdefault("period_end", "Enter the date the period ended")
    elif end > today:
        errors["period_end"] = "The period must have ended: its end must be today or earlier"
    if start is None or end is None or errors.keys() & {"period_start", "period_end"}:
        return None
    if end < start:
        errors["period_end"] = "The period must end on or after the day it starts"
        return None
    if end > add_months(start, 12):
        errors["period_end"] = "A report covers at most a year: end the period sooner"
        return None
    return Period(start, end)


def _commentary(text: str, errors: dict[str, str]) -> str:
    cleaned = clean_text(text).strip()
    if len(cleaned) > COMMENTARY_MAX:
        errors["commentary"] = f"Commentary must be {COMMENTARY_MAX:,} characters or fewer"
    return cleaned


def check(kpi: ContractKpi, outcome: NewOutcome, today: date) -> tuple[Period, Decimal, str]:
    """The report's period, figure and commentary, or InvalidInput naming each problem."""
    errors: dict[str, str] = {}
    period = _period(outcome, today, errors)
    actual = _actual(outcome.actual, kpi.unit, errors)
    commentary = _commentary(outcome.commentary, errors)
    if errors:
        raise InvalidInput(errors)
    assert period is not None and actual is not None
    return period, actual, commentary


def _open_for_reports(session: Session, kpi: ContractKpi) -> None:
    procurement = session.get(Procurement, kpi.procurement_id)
    assert procurement is not None
    if procurement.status != ProcurementStatus.ACTIVE:
        raise PrimasError(409, "This procurement has been withdrawn",
                          "A withdrawn procurement is kept on record but takes no more "
                          "reports.")  # fmt: skip
    if kpi.revision != in_force_revision(session, kpi.procurement_id):
        raise PrimasError(409, "This KPI is no longer in the contract",
                          "The approved assessment in force no longer has this KPI, so it "
                          "takes no more reports. Its earlier reports are kept.")  # fmt: skip


class PeriodTaken(PrimasError):
    """A report already covers part of the period: correct that one instead."""

    def __init__(self, existing: OutcomeReport) -> None:
        super().__init__(
            409, "There is already a report for this period",
            f"The report for {existing.period_start.isoformat()} to "
            f"{existing.period_end.isoformat()} covers part of it. To change its figures, "
            "correct that report.",
            existing=existing.id,
        )  # fmt: skip
        self.existing = existing


def report(
    session: Session, actor: Actor, kpi: ContractKpi, outcome: NewOutcome, today: date
) -> OutcomeReport:
    """Record what was delivered against `kpi` over a period, as version 1 of its report.
    InvalidInput for what the rules refuse; 409 (PeriodTaken) if a report of the KPI already
    covers any day of the period; 409 if the KPI is no longer in the contract."""
    period, actual, commentary = check(kpi, outcome, today)
    _open_for_reports(session, kpi)
    act_as(session, actor)
    one_at_a_time(session, f"outcomes-{kpi.id}")  # two reports of one period: one waits, then sees
    for existing in session.exec(
        select(OutcomeReport).where(col(OutcomeReport.contract_kpi_id) == kpi.id)
    ):
        if period.overlaps(Period(existing.period_start, existing.period_end)):
            taken = PeriodTaken(existing)
            session.rollback()
            raise taken
    created = OutcomeReport(contract_kpi_id=kpi.id or 0, period_start=period.start,
                            period_end=period.end)  # fmt: skip
    session.add(created)
    session.flush()
    session.add(OutcomeVersion(
        report_id=created.id or 0, version=1, actual=plain(actual), commentary=commentary,
        target=kpi.target, reported_by=actor.email, reported_by_id=actor.user_id,
    ))  # fmt: skip
    _in_history(session, "outcome.reported", kpi, created)
    session.commit()
    session.refresh(created)
    return created


def _stale(report: OutcomeReport) -> PrimasError:
    return PrimasError(409, "This report has changed since you opened it",
                       f"It is now at version {report.version}. Check its latest figures, "
                       "then make your change again.", version=report.version)  # fmt: skip


def correct(
    session: Session, actor: Actor, kpi: ContractKpi, report: OutcomeReport, seen_version: int,
    outcome: NewOutcome, reason: str, today: date,
) -> OutcomeReport:  # fmt: skip
    """A correction of a report's figure and commentary (its period stays): a new version, the
    old ones kept. `seen_version` is the version the correction was made from; 409 if another
    was written since. The reason is required."""
    kept = NewOutcome(report.period_start, report.period_end, outcome.actual, outcome.commentary)
    errors: dict[str, str] = {}
    try:
        _period_ok, actual, commentary = check(kpi, kept, today)
    except InvalidInput as refused:
        errors = dict(refused.errors)
    cleaned = clean_text(reason).strip()
    if not cleaned:
        errors["reason"] = "Say why the report is being corrected"
    elif len(cleaned) > REASON_MAX:
        errors["reason"] = f"The reason must be {REASON_MAX:,} characters or fewer"
    if errors:
        raise InvalidInput(errors)
    _open_for_reports(session, kpi)
    if report.version != seen_version:
        raise _stale(report)
    versions = select(OutcomeVersion).where(col(OutcomeVersion.report_id) == report.id)
    first = session.exec(versions.where(col(OutcomeVersion.version) == 1)).one()
    act_as(session, actor)
    report.version = seen_version + 1
    session.add(report)
    session.add(OutcomeVersion(  # against the target it was first reported against
        report_id=report.id or 0, version=report.version, actual=plain(actual),
        commentary=commentary, correction_reason=cleaned, target=first.target,
        reported_by=actor.email, reported_by_id=actor.user_id,
    ))  # fmt: skip
    _in_history(session, "outcome.corrected", kpi, report, reason=cleaned)
    try:
        session.commit()
    except StaleDataError:  # another correction from the same version was written first
        session.rollback()
        session.refresh(report)
        raise _stale(report) from None
    session.refresh(report)
    return report


def rate(
    session: Session, user: User, kpi: ContractKpi, report: OutcomeReport, seen_version: int,
    rating: str, reason: str, today: date, *, seen_rating: int | None,
) -> PerformanceRating:  # fmt: skip
    """An editor's rating of a report's version in force: the suggested one confirmed (a reason
    is optional), or another with the reason. `seen_rating` is the latest rating the editor
    saw (None: none); 409 if the report was corrected, or rated again, since."""
    view = report_view(session, kpi, report, today)
    errors: dict[str, str] = {}
    chosen = rating if rating in {item.value for item in Rating} else None
    cleaned = clean_text(reason).strip()
    if chosen is None:
        errors["rating"] = "Select the rating for this period"
    elif chosen != view.suggestion.rating and not cleaned:
        errors["reason"] = "Say why the rating differs from the one suggested"
    if len(cleaned) > REASON_MAX:
        errors["reason"] = f"The reason must be {REASON_MAX:,} characters or fewer"
    if errors:
        raise InvalidInput(errors)
    assert chosen is not None
    _open_for_reports(session, kpi)
    if report.version != seen_version:
        raise _stale(report)
    act_as(session, Actor.of(user))
    one_at_a_time(session, f"rating-{report.id}")  # two editors at once: the second is told
    latest = session.exec(select(PerformanceRating.id).where(
        col(PerformanceRating.report_id) == report.id).order_by(
        col(PerformanceRating.id).desc())).first()  # fmt: skip
    if latest != seen_rating:
        session.rollback()
        raise PrimasError(409, "This period was rated while you were rating it",
                          "Check the rating now saved, then rate it again if it should "
                          "change.", rated=latest)  # fmt: skip
    rated = PerformanceRating(
        report_id=report.id or 0, report_version=report.version, rating=chosen,
        suggested=view.suggestion.rating.value, reason=cleaned, rated_by_id=user.id or 0,
    )  # fmt: skip
    session.add(rated)
    _in_history(session, "outcome.rated", kpi, report, rating=chosen, reason=cleaned)
    session.commit()
    return rated
