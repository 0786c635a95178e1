"""The outbox: email to send, written in the same transaction as the change that causes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime
from app.timeutil import utcnow


class OutboxMessage(SQLModel, table=True):
    """One email to send: what happened (`kind`) and the facts it is written from, its
    recipients, and how sending it has gone. Written with the change that causes it, so a
    change is never committed without its message, nor a message without its change; sent after
    commit (issue 19). `message_id` is fixed when it is written, so a message sent again after a
    crash is recognisably the same one."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sent', 'failed')", name="ck_outbox_status"),
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40)  # "primas.submitted", "primas.approved", "primas.returned"
    recipients: list[str] = Field(sa_column=Column(JSON, nullable=False))
    facts: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="queued", max_length=10)
    attempts: int = Field(default=0)
    # The token of the claim sending it now (or last): only that claim settles the try.
    claimed_by: str = Field(default="", max_length=32)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
