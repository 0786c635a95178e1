"""Assessments (a PRIMAS for a procurement) and the answers given in them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, Text, UniqueConstraint, text
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime
from app.timeutil import utcnow


class AssessmentStatus(StrEnum):
    """Where an assessment has got to (app/scoring/approval.py: what moves it; docs/approval.md)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    SUPERSEDED = "superseded"
    DISCARDED = "discarded"


# Still being worked on or decided: a procurement has at most one such revision.
OPEN_STATUSES = ("draft", "submitted", "returned")
_OPEN = "status IN ('draft', 'submitted', 'returned')"


class Assessment(SQLModel, table=True):
    """One revision of a procurement's PRIMAS, pinned to the form version it was started on."""

    __tablename__ = "assessment"
    __table_args__ = (
        UniqueConstraint("procurement_id", "revision", name="uq_assessment_revision"),
        CheckConstraint(
            "status IN ('draft', 'submitted', 'returned', 'approved', 'superseded', 'discarded')",
            name="ck_assessment_status",
        ),
        # At most one open revision per procurement, whatever races happen.
        Index(
            "uq_assessment_one_open",
            "procurement_id",
            unique=True,
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
    )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805  (SQLAlchemy's declared_attr)
        # The application sets status_version (approvals.py); the ORM only checks it.
        return {
            "version_id_col": cls.__table__.c.status_version,  # type: ignore[attr-defined]
            "version_id_generator": False,
        }

    id: int | None = Field(default=None, primary_key=True)
    procurement_id: int = Field(foreign_key="procurement.id", index=True)
    revision: int
    form_id: str = Field(max_length=64)
    form_version: int
    status: str = Field(default=AssessmentStatus.DRAFT.value, max_length=12)
    # The procurement's facts when the lead last reviewed the task list, to say what changed.
    context_seen: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # Goes up with each change of status (submit, take back, approve, return, discard, amend's
    # supersede) and with nothing else. Every UPDATE of the row says "WHERE status_version = <the
    # one read>", so of two changes of status racing (approve and return) only one is written,
    # and an edit racing a submission fails rather than slipping in after it; edits of a draft
    # leave it as it is, so they never trip each other.
    status_version: int = Field(default=1)
    # The latest submission (earlier ones are in the audit log): who and when, for the queue.
    submitted_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    # SHA-256 of what was submitted (the record's layout, canonical JSON): an approval checks
    # that what it approves is still exactly that.
    submitted_digest: str | None = Field(default=None, max_length=64)


class AssessmentDecision(SQLModel, table=True):
    """An approver's decision on a submitted revision: approved, or returned with a comment
    (which may point at tasks or questions). A revision returned and submitted again has
    several; the last approves it. Never changed once written."""

    __tablename__ = "assessment_decision"
    __table_args__ = (
        CheckConstraint("outcome IN ('approved', 'returned')", name="ck_decision_outcome"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    outcome: str = Field(max_length=10)
    comment: str = Field(default="", max_length=4000)
    # The tasks or questions the comment is about: ["task:workforce", "question:agency_labour"].
    points: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    decided_by_id: int = Field(foreign_key="user_account.id")
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # The revision as the approver saw it (records.snapshot's content as canonical JSON), so
    # that after a return the next decision shows what changed since.
    seen: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ApprovedRecord(SQLModel, table=True):
    """The signed record an approval froze (app/services/records.py): its canonical JSON, the
    SHA-256 of that and an HMAC of the hash. Database triggers refuse UPDATE and DELETE."""

    __tablename__ = "approved_record"

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", unique=True)
    procurement_id: int = Field(foreign_key="procurement.id", index=True)
    revision: int
    approved_by_id: int = Field(foreign_key="user_account.id")
    approved_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    content: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(max_length=64)
    signature: str = Field(max_length=64)


class AssessmentContributor(SQLModel, table=True):
    """Someone who changed a revision: an answer, an override, a KPI decision, the KPI duty's
    exception, or the procurement's facts while it was open. Kept so that nobody decides on
    what they had a hand in (with procurement_involvement: its lead officers and
    collaborators)."""

    __tablename__ = "assessment_contributor"

    assessment_id: int = Field(foreign_key="assessment.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)
    since: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class AssessmentAnswer(SQLModel, table=True):
    """The answer to one question, exactly as typed. `revision` detects two pages editing it."""

    __tablename__ = "assessment_answer"
    __audit_ignore__ = frozenset({"updated_at", "revision", "saved_from"})

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805  (SQLAlchemy's declared_attr)
        # Every UPDATE says "WHERE revision = <the revision read>" and bumps it, so two saves
        # racing between their read and their write cannot both win: the later one fails.
        return {"version_id_col": cls.__table__.c.revision}  # type: ignore[attr-defined]

    assessment_id: int = Field(foreign_key="assessment.id", primary_key=True)
    question_id: str = Field(max_length=64, primary_key=True)
    raw: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    revision: int = Field(default=1)
    updated_by_id: int = Field(foreign_key="user_account.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # The page that last saved it (a token drawn when the page was): that page's next save of
    # it, sent before the page had seen the first's new revision, is no conflict.
    saved_from: str | None = Field(default=None, max_length=32)


class ScoreOverride(SQLModel, table=True):
    """An officer's professional judgement: a topic's risk or scope set by hand, with the reason.

    The computed value stays in the result beside the override, so the approver sees both.
    """

    __tablename__ = "score_override"
    __table_args__ = (
        CheckConstraint("measure IN ('risk', 'scope')", name="ck_score_override_measure"),
        CheckConstraint("value BETWEEN 0 AND 3", name="ck_score_override_value"),
    )

    assessment_id: int = Field(foreign_key="assessment.id", primary_key=True)
    topic: str = Field(max_length=64, primary_key=True)
    measure: str = Field(max_length=5, primary_key=True)
    value: int
    reason: str = Field(max_length=1000)
    updated_by_id: int = Field(foreign_key="user_account.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class KpiSelection(SQLModel, table=True):
    """The lead's choice about one KPI of a draft: a library KPI (by code) with its decision,
    target and reason, or a KPI of their own (title, unit, frequency and evidence, no code).
    `revision` detects two pages deciding the same KPI, as it does for answers."""

    __tablename__ = "kpi_selection"
    __audit_ignore__ = frozenset({"updated_at", "revision"})
    __table_args__ = (
        UniqueConstraint("assessment_id", "kpi_code", name="uq_kpi_selection_code"),
        CheckConstraint(
            "status IN ('suggested', 'accepted', 'edited', 'rejected')",
            name="ck_kpi_selection_status",
        ),
        CheckConstraint(
            "kpi_code IS NOT NULL OR (title IS NOT NULL AND unit IS NOT NULL "
            "AND frequency IS NOT NULL AND evidence IS NOT NULL AND target IS NOT NULL)",
            name="ck_kpi_selection_custom",
        ),
    )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805  (SQLAlchemy's declared_attr)
        return {"version_id_col": cls.__table__.c.revision}  # type: ignore[attr-defined]

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    kpi_code: str | None = Field(default=None, max_length=64)
    status: str = Field(default="suggested", max_length=10)  # scoring.kpi_choices.KpiStatus
    # The lead's target as an exact decimal string ("125", "12.5"); None: the suggested one.
    target: str | None = Field(default=None, max_length=20)
    # For an edited target, the suggested one when it was set ("baseline" for a baseline), so a
    # change of suggestion asks the lead to confirm theirs; "unknown" if edited before December
    # 2026 (confirmed once); None for other decisions.
    suggested_then: str | None = Field(default=None, max_length=20)
    reason: str = Field(default="", max_length=1000)
    # A KPI of the lead's own (no code):
    title: str | None = Field(default=None, max_length=200)
    unit: str | None = Field(default=None, max_length=100)
    frequency: str | None = Field(default=None, max_length=12)
    evidence: str | None = Field(default=None, max_length=1000)
    # Whether a figure above the target is better ("higher") or below it ("lower"); None,
    # for one written before the choice was asked, is "higher".
    better: str | None = Field(default=None, max_length=6)
    revision: int = Field(default=1)
    updated_by_id: int = Field(foreign_key="user_account.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class KpiDutyException(SQLModel, table=True):
    """The lead's record that the supplier's performance could not appropriately be assessed by
    KPIs (Procurement Act 2023 s.52(2)), so the KPI duty does not apply, with the reason.
    `revision` detects two pages changing it, as it does for answers."""

    __tablename__ = "kpi_duty_exception"
    __audit_ignore__ = frozenset({"updated_at", "revision"})

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805  (SQLAlchemy's declared_attr)
        return {"version_id_col": cls.__table__.c.revision}  # type: ignore[attr-defined]

    assessment_id: int = Field(foreign_key="assessment.id", primary_key=True)
    reason: str = Field(max_length=1000)
    revision: int = Field(default=1)
    updated_by_id: int = Field(foreign_key="user_account.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
