"""Procurements: what the council is buying, its value and dates, and who leads it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Text, event
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime
from app.textsearch import indexed_text
from app.timeutil import utcnow


class ContractType(StrEnum):
    """What kind of contract: the Procurement Act's goods, services or works."""

    GOODS = "goods"
    SERVICES = "services"
    WORKS = "works"

    @property
    def label(self) -> str:
        """The contract type for people."""
        return self.value.capitalize()


class DeliveryLocation(StrEnum):
    """Where the contract is delivered or the goods are made."""

    IN_BOROUGH = "in-borough"
    LONDON = "london"
    UK = "uk"
    OVERSEAS = "overseas"

    @property
    def label(self) -> str:
        """The location for people."""
        return LOCATION_LABELS[self]


LOCATION_LABELS = {
    DeliveryLocation.IN_BOROUGH: "In the borough",
    DeliveryLocation.LONDON: "Elsewhere in London",
    DeliveryLocation.UK: "Elsewhere in the UK",
    DeliveryLocation.OVERSEAS: "Overseas",
}


class FrameworkRole(StrEnum):
    """Whether the procurement sets up a framework agreement, calls off from one, or neither."""

    NONE = "none"
    SETTING_UP = "setting-up"
    CALL_OFF = "call-off"

    @property
    def label(self) -> str:
        """The choice for people."""
        return FRAMEWORK_LABELS[self]


FRAMEWORK_LABELS = {
    FrameworkRole.NONE: "Neither",
    FrameworkRole.SETTING_UP: "Sets up a framework agreement",
    FrameworkRole.CALL_OFF: "Calls off from an existing framework",
}


class ProcurementStatus(StrEnum):
    """A procurement is active, or withdrawn when it was created in error (never deleted)."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class Procurement(SQLModel, table=True):
    """One procurement. Money is integer pence; `version` guards against lost updates."""

    __tablename__ = "procurement"
    # Bookkeeping that changes with every edit: never the reason an edit is listed.
    __audit_ignore__ = frozenset({"updated_at", "version", "search_text"})
    __table_args__ = (
        CheckConstraint(
            "contract_type IN ('goods', 'services', 'works')", name="ck_procurement_type"
        ),
        CheckConstraint(
            "delivery_location IN ('in-borough', 'london', 'uk', 'overseas')",
            name="ck_procurement_location",
        ),
        CheckConstraint("status IN ('active', 'withdrawn')", name="ck_procurement_status"),
        CheckConstraint(
            "framework IN ('none', 'setting-up', 'call-off')", name="ck_procurement_framework"
        ),
        CheckConstraint("value_pence > 0", name="ck_procurement_value_positive"),
        CheckConstraint("term_months > 0 AND extension_months >= 0", name="ck_procurement_months"),
        # The list is newest first (the order recorded: id), of one status by default, and
        # narrowed by these: each index counts and pages its filter without reading the table.
        Index("ix_procurement_status", "status", "id"),
        Index("ix_procurement_category_id", "category_id", "status", "id"),
        Index("ix_procurement_directorate_id", "directorate_id", "status", "id"),
        Index("ix_procurement_lead_officer_id", "lead_officer_id", "status", "id"),
        Index("ix_procurement_value", "status", "value_pence", "id"),
        # Every status: SQLite's table is ordered by id but holds whole rows, so paging deep
        # into it would read every row skipped (migration 0017 says more).
        Index("ix_procurement_recorded", "id"),
    )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805  (SQLAlchemy's declared_attr)
        # Every UPDATE says "WHERE version = <the version loaded>" and bumps it: a concurrent
        # save makes SQLAlchemy raise StaleDataError instead of overwriting silently.
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    title: str = Field(max_length=200)
    description: str = Field(sa_column=Column(Text, nullable=False))
    directorate_id: int = Field(foreign_key="directorate.id")
    category_id: int = Field(foreign_key="category.id")
    contract_type: str = Field(max_length=10)
    light_touch: bool = Field(default=False)
    framework: str = Field(default=FrameworkRole.NONE.value, max_length=10)
    framework_name: str = Field(default="", max_length=200)  # for a call-off: which framework
    value_pence: int = Field(sa_column=Column(BigInteger, nullable=False))
    term_months: int
    extension_months: int = Field(default=0)
    planned_tender_date: date
    expected_start_date: date
    delivery_location: str = Field(max_length=12)
    lead_officer_id: int = Field(foreign_key="user_account.id")
    status: str = Field(default=ProcurementStatus.ACTIVE.value, max_length=10)
    withdrawn_reason: str = Field(default="", max_length=500)
    version: int = Field(default=1, nullable=False)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # What the list's search finds it by (app/textsearch.indexed_text): kept up to date on every
    # insert and update below. Indexed by the database's own text search, made by migration
    # 0017 outside the models: an FTS5 table kept by triggers on SQLite; on PostgreSQL a stored
    # generated column `search_vector` (to_tsvector('simple', search_text)) with a GIN index.
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))

    @property
    def total_months(self) -> int:
        """Term plus optional extensions."""
        return self.term_months + self.extension_months

    @property
    def framework_words(self) -> str:
        """Its framework role in words, naming the framework a call-off is made from."""
        role = FrameworkRole(self.framework)
        if role is FrameworkRole.CALL_OFF and self.framework_name:
            return f"Calls off from {self.framework_name}"
        return role.label

    @property
    def annual_value_pence(self) -> int:
        """Whole-life value a year: value x 12 / total months, or all of it under 12 months."""
        if self.total_months < 12:
            return self.value_pence
        return self.value_pence * 12 // self.total_months


class ProcurementCollaborator(SQLModel, table=True):
    """A colleague the lead officer has asked to help; collaborators may edit the procurement."""

    __tablename__ = "procurement_collaborator"

    procurement_id: int = Field(foreign_key="procurement.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ProcurementInvolvement(SQLModel, table=True):
    """Someone who has had a hand in a procurement: its lead officer or a collaborator, now or
    at any time before. Kept when they are reassigned or removed, so that approval can refuse
    anyone who had a hand in what they would approve (an approver who made themselves the lead
    officer, then gave it back, included)."""

    __tablename__ = "procurement_involvement"

    procurement_id: int = Field(foreign_key="procurement.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)
    role: str = Field(max_length=20)  # how they first came to it: "lead officer", "collaborator"
    since: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


@event.listens_for(Procurement, "before_insert")
@event.listens_for(Procurement, "before_update")
def _keep_search_text(_mapper: Any, _connection: Any, procurement: Procurement) -> None:
    procurement.search_text = indexed_text(
        procurement.reference, procurement.title, procurement.description
    )
