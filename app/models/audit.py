"""The append-only audit log: who did what, to which record, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime
from app.timeutil import utcnow


class AuditEvent(SQLModel, table=True):
    """One event. Database triggers refuse UPDATE and DELETE on this table."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
    # No foreign key: the log outlives anything it mentions. actor_email is a snapshot.
    actor_id: int | None = Field(default=None, index=True)
    actor_email: str = Field(default="", max_length=254)
    action: str = Field(max_length=64, index=True)
    entity_type: str = Field(default="", max_length=64)
    entity_id: str = Field(default="", max_length=64)
    before_digest: str | None = Field(default=None, max_length=64)
    after_digest: str | None = Field(default=None, max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
