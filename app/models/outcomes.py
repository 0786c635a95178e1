"""What suppliers deliver against a procurement's approved KPIs: each KPI as the contract knows
it, the outcome reported for each period (every correction kept as a version) and the
Procurement Act 2023 s.71 rating an editor confirmed for it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlalchemy.orm import declared_attr
from sqlmodel import Column, Field, SQLModel

from app.models.types import UTCDateTime
from app.timeutil import utcnow

RATINGS = ("good", "approaching-target", "requires-improvement", "inadequate", "other")


class ContractKpi(SQLModel, table=True):
    """A KPI of a procurement's approved assessment, known by its library code (or, for the
    lead's own, by "own:" and its title) across revisions: each approval brings the row up to
    date with the revision's unit, frequency and target, so reports against it carry on when
    the assessment is amended. Outcome reports hang on it."""

    __tablename__ = "contract_kpi"
    __table_args__ = (
        UniqueConstraint("procurement_id", "key", name="uq_contract_kpi_key"),
        CheckConstraint("better IN ('higher', 'lower')", name="ck_contract_kpi_better"),
    )

    id: int | None = Field(default=None, primary_key=True)
    procurement_id: int = Field(foreign_key="procurement.id", index=True)
    key: str = Field(max_length=210)
    code: str | None = Field(default=None, max_length=64)
    title: str = Field(max_length=200)
    unit: str = Field(max_length=100)
    frequency: str = Field(max_length=12)
    # The approved target as an exact decimal ("90", "12.5"); None while it is a baseline.
    target: str | None = Field(default=None, max_length=20)
    better: str = Field(default="higher", max_length=6)
    # The latest approved revision that has it: it is in force while that revision is.
    revision: int
    # The day an approval first put it in the contract (London): its reports fall due from the
    # period holding that day. None for those approved before this was kept: from the start.
    since: date | None = Field(default=None)


class OutcomeReport(SQLModel, table=True):
    """What was delivered against a KPI over one period. The period never changes; the figure
    and commentary do, each change a new OutcomeVersion. `version` is the latest's number, and
    every UPDATE checks it, so two corrections from the same version cannot both be written."""

    __tablename__ = "outcome_report"
    __table_args__ = (CheckConstraint("period_start <= period_end", name="ck_outcome_period"),)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805  (SQLAlchemy's declared_attr)
        # The service sets the next version; the ORM writes it only WHERE version = the one read.
        return {
            "version_id_col": cls.__table__.c.version,  # type: ignore[attr-defined]
            "version_id_generator": False,
        }

    id: int | None = Field(default=None, primary_key=True)
    contract_kpi_id: int = Field(foreign_key="contract_kpi.id", index=True)
    period_start: date
    period_end: date
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class OutcomeVersion(SQLModel, table=True):
    """One version of a report, never changed once written: the first as reported, the rest
    corrections with their reason."""

    __tablename__ = "outcome_version"
    __table_args__ = (UniqueConstraint("report_id", "version", name="uq_outcome_version"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="outcome_report.id", index=True)
    version: int
    actual: str = Field(max_length=24)  # an exact decimal, in the KPI's unit
    commentary: str = Field(default="", sa_column=Column(Text, nullable=False))
    correction_reason: str = Field(default="", max_length=1000)
    # The KPI's target when it was reported, so later amendments do not rewrite its rating.
    target: str | None = Field(default=None, max_length=20)
    reported_by: str = Field(max_length=320)  # a person's email, or api:<client>
    reported_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    reported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class PerformanceRating(SQLModel, table=True):
    """An editor's rating of a report (confirming the suggested one, or changing it with a
    reason), for the version they saw. Never changed once written: the latest counts."""

    __tablename__ = "performance_rating"
    __table_args__ = (
        CheckConstraint(
            "rating IN ('good', 'approaching-target', 'requires-improvement', 'inadequate', "
            "'other')",
            name="ck_performance_rating",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="outcome_report.id", index=True)
    report_version: int
    rating: str = Field(max_length=24)
    suggested: str = Field(max_length=24)
    reason: str = Field(default="", max_length=1000)
    rated_by_id: int = Field(foreign_key="user_account.id")
    rated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
