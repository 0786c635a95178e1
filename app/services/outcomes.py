"""Outcomes against a procurement's contract KPIs, as they stand: each KPI's reports by
period (every version kept), its schedule and overdue periods, and the Procurement Act 2023
s.71 rating each report suggests or an editor gave. Reports are made, corrected and rated in
app/services/outcome_reports.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from app.models import (
    ContractKpi,
    OutcomeReport,
    OutcomeVersion,
    PerformanceRating,
    Procurement,
)
from app.scoring.kpi_choices import target_text
from app.scoring.performance import Bands, Period, Rating, Suggestion, overdue, periods, suggest
from app.services import reference_data
from app.services.contract_kpis import in_force_revision


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
    """An exact decimal as stored and shown, as a target is ("12.5", never "1.25E+1"), and
    minus nought as nought."""
    written = target_text(value)
    return "0" if written == "-0" else written


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
    scheduled = [period for period in periods(procurement.expected_start_date,
                                              procurement.term_months, kpi.frequency)
                 if kpi.since is None or period.end >= kpi.since]  # fmt: skip
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
