"""Reference values with effective dates: thresholds, rates and policy settings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime
from app.timeutil import utcnow


class ReferenceValue(SQLModel, table=True):
    """One value of a reference key, in force from `effective_from` until the next value's."""

    __tablename__ = "reference_value"
    __table_args__ = (
        UniqueConstraint("key", "effective_from", name="uq_reference_value_key_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, index=True)
    effective_from: date
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    source: str = Field(default="", max_length=500)
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
