"""Outcomes against a procurement's approved KPIs: the KPIs as the contract knows them, reports
for each period (a correction is a new version; the old ones are kept), which reports are
overdue, and the Procurement Act 2023 s.71 rating an editor confirms for each report.

The same rules serve the pages and the API: each reads its own input into the values here,
and this module refuses what the rules refuse (InvalidInput, field by field) or what clashes
with what is stored (PrimasError 409)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from app.db import one_at_a_time
from app.errors import InvalidInput, PrimasError
from app.inputs import clean_text
from app.models import (
    Assessment,
    ContractKpi,
    OutcomeReport,
    OutcomeVersion,
    PerformanceRating,
    Procurement,
    ProcurementStatus,
    User,
)
from app.numbers import read_number
from app.scoring.kpis import KpiLibrary
from app.scoring.performance import (
    Bands,
    Period,
    Rating,
    Suggestion,
    add_months,
    overdue,
    periods,
    suggest,
)
from app.services import reference_data
from app.services.audit import Actor, act_as, record_event

# The KPI decisions an approval puts in the contract (records.py `_kpis`).
APPROVED_DECISIONS = ("accepted", "edited", "own")
COMMENTARY_MAX = 2000
REASON_MAX = 1000
ACTUAL_PLACES = 4
ACTUAL_LIMIT = Decimal(10) ** 12
# Every figure goes out as a JSON number, which its readers hold as a double: 15 significant
# digits always come back exactly.
ACTUAL_DIGITS = 15
EARLIEST = date(2000, 1, 1)


def key_of(kpi: dict[str, Any]) -> str:
    """The key a record's KPI is known by across revisions: its library code, or for the
    lead's own, "own:" and its title (spacing and case aside)."""
    code: str | None = kpi["code"]
    return code or "own:" + re.sub(r"\s+", " ", kpi["title"]).strip().casefold()[:200]


def approved_keys(content: dict[str, Any]) -> set[str]:
    """The keys of the KPIs an approved record puts in the contract."""
    return {key_of(kpi) for kpi in content["kpis"] if kpi["decision"] in APPROVED_DECISIONS}


def contract_kpis_from(content: dict[str, Any], library: KpiLibrary) -> list[dict[str, Any]]:
    """The contract KPIs an approved record sets: its accepted, edited and own KPIs, each with
    the key it is known by across revisions (its library code, or "own:" and its title)."""
    lower = {kpi.code for kpi in library.kpis if kpi.better == "lower"}
    return [
        {"key": key_of(kpi), "code": kpi["code"],
         "title": kpi["title"], "unit": kpi["unit"], "frequency": kpi["frequency"],
         "target": None if kpi["target"] is None else plain(Decimal(str(kpi["target"]))),
         "better": "lower" if kpi["code"] in lower else "higher"}
        for kpi in content["kpis"] if kpi["decision"] in APPROVED_DECISIONS
    ]  # fmt: skip


def record_approved(
    session: Session, procurement_id: int, revision: int, content: dict[str, Any],
    library: KpiLibrary,
) -> None:  # fmt: skip
    """Bring the procurement's contract KPIs up to date with a revision being approved (the
    caller commits with the approval): new ones added, kept ones given its unit, frequency and
    target. Those it drops stay, with their reports, no longer in force."""
    known = {row.key: row for row in session.exec(
        select(ContractKpi).where(col(ContractKpi.procurement_id) == procurement_id))}  # fmt: skip
    for values in contract_kpis_from(content, library):
        row = known.get(values["key"]) or ContractKpi(procurement_id=procurement_id,
                                                      revision=revision, **values)  # fmt: skip
        for name, value in values.items():
            setattr(row, name, value)
        row.revision = revision
        known[row.key] = row  # two of one title (before titles had to differ) share one row
        session.add(row)


def in_force_revision(session: Session, procurement_id: int) -> int | None:
    """The number of the procurement's approved revision in force, if any."""
    return session.exec(
        select(Assessment.revision).where(
            col(Assessment.procurement_id) == procurement_id, col(Assessment.status) == "approved"
        )
    ).first()


def contract_kpis(session: Session, procurement: Procurement) -> list[ContractKpi]:
    """Every KPI the procurement's approvals have set, in force first, then by title."""
    rows = session.exec(
        select(ContractKpi).where(col(ContractKpi.procurement_id) == procurement.id)
    ).all()
    current = in_force_revision(session, procurement.id or 0)
    return sorted(rows, key=lambda row: (row.revision != current, row.title.casefold(), row.id))


# ---------------------------------------------------------------------------------------------
# Reading


def bands(session: Session, on: date) -> Bands:
    """The rating bands in force on `on` (reference data)."""
    approaching, improvement = (
        reference_data.value_in_force(session, key, on).amount
        for key in ("rating_approaching_within", "rating_improvement_within")
    )
    # Admin > Reference data refuses bands that cross (reference_data.py); values set before
    # that check, or one day's pair changed on different days, are read nested all the same.
    return Bands(min(approaching, improvement), max(approaching, improvement))


def number(text: str | None) -> Decimal | None:
    """A stored exact decimal ("12.5"), or None."""
    return None if text is None else Decimal(text)


def plain(value: Decimal) -> str:
    """An exact decimal as stored and shown: no exponent, no trailing zeros after the point."""
    written = f"{value:f}"
    if "." in written:
        written = written.rstrip("0").rstrip(".")
    return "0" if written in ("-0", "") else written


@dataclass(frozen=True)
class ReportView:
    """A report with every version (oldest first), the rating its latest suggests and the
    latest rating an editor gave (which may be of an earlier version)."""

    report: OutcomeReport
    versions: list[OutcomeVersion]
    suggestion: Suggestion
    rated: PerformanceRating | None

    @property
    def latest(self) -> OutcomeVersion:
        """The version in force."""
        return self.versions[-1]

    @property
    def period(self) -> Period:
        """The period it reports on."""
        return Period(self.report.period_start, self.report.period_end)

    @property
    def confirmed(self) -> Rating | None:
        """The editor's rating, if they gave it for the version in force."""
        if self.rated is None or self.rated.report_version != self.report.version:
            return None
        return Rating(self.rated.rating)

    @property
    def rating(self) -> Rating:
        """The rating that stands: the editor's for the version in force, else the suggested."""
        return self.confirmed or self.suggestion.rating


@dataclass(frozen=True)
class KpiOutcomes:
    """A contract KPI with its reports by period, its schedule and the overdue periods."""

    kpi: ContractKpi
    procurement: Procurement
    in_force: bool
    reports: list[ReportView]
    scheduled: list[Period]
    overdue: list[Period]
    report_days: int
    bands: Bands = field(repr=False)

    def next_period(self, today: date) -> Period | None:
        """The first scheduled period that has ended and has no report (for the form)."""
        reported = [view.period for view in self.reports]
        return next((period for period in self.scheduled if period.end <= today
                     and not any(period.overlaps(done) for done in reported)), None)  # fmt: skip


def _views(session: Session, reports: Iterable[OutcomeReport], kpi: ContractKpi,
           found_bands: Bands) -> list[ReportView]:  # fmt: skip
    reports = list(reports)
    ids = [report.id for report in reports]
    versions: dict[int, list[OutcomeVersion]] = {}
    written = select(OutcomeVersion).where(col(OutcomeVersion.report_id).in_(ids))
    for version in session.exec(written.order_by(col(OutcomeVersion.version))):
        versions.setdefault(version.report_id, []).append(version)
    rated: dict[int, PerformanceRating] = {}
    given = select(PerformanceRating).where(col(PerformanceRating.report_id).in_(ids))
    for rating in session.exec(given.order_by(col(PerformanceRating.id))):
        rated[rating.report_id] = rating
    views = []
    for report in reports:
        assert report.id is not None
        latest = versions[report.id][-1]
        views.append(ReportView(
            report, versions[report.id],
            suggest(number(latest.target), Decimal(latest.actual), kpi.better,  # type: ignore[arg-type]
                    found_bands),
            rated.get(report.id),
        ))  # fmt: skip
    return sorted(views, key=lambda view: (view.report.period_start, view.report.id))


def outcomes_of(session: Session, kpi: ContractKpi, today: date) -> KpiOutcomes:
    """A KPI's reports, schedule and overdue periods as they stand today."""
    procurement = session.get(Procurement, kpi.procurement_id)
    assert procurement is not None
    found_bands = bands(session, today)
    report_days = reference_data.value_in_force(session, "outcome_report_days", today).amount
    views = _views(session, session.exec(
        select(OutcomeReport).where(col(OutcomeReport.contract_kpi_id) == kpi.id)), kpi,
        found_bands)  # fmt: skip
    scheduled = periods(procurement.expected_start_date, procurement.term_months, kpi.frequency)
    return KpiOutcomes(
        kpi=kpi, procurement=procurement,
        in_force=kpi.revision == in_force_revision(session, kpi.procurement_id),
        reports=views, scheduled=scheduled,
        overdue=overdue(scheduled, [view.period for view in views], today, report_days),
        report_days=report_days, bands=found_bands,
    )  # fmt: skip


def report_view(session: Session, kpi: ContractKpi, report: OutcomeReport,
                today: date) -> ReportView:  # fmt: skip
    """One report as its page shows it."""
    return _views(session, [report], kpi, bands(session, today))[0]


def report_of(session: Session, kpi: ContractKpi, report_id: int) -> OutcomeReport | None:
    """The KPI's report with this id, if it has one."""
    report = session.get(OutcomeReport, report_id)
    return report if report is not None and report.contract_kpi_id == kpi.id else None


# ---------------------------------------------------------------------------------------------
# Reporting


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
    rating: str, reason: str, today: date,
) -> PerformanceRating:  # fmt: skip
    """An editor's rating of a report's version in force: the suggested one confirmed (a reason
    is optional), or another with the reason. 409 if the report was corrected since."""
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
    rated = PerformanceRating(
        report_id=report.id or 0, report_version=report.version, rating=chosen,
        suggested=view.suggestion.rating.value, reason=cleaned, rated_by_id=user.id or 0,
    )  # fmt: skip
    session.add(rated)
    _in_history(session, "outcome.rated", kpi, report, rating=chosen, reason=cleaned)
    session.commit()
    return rated
