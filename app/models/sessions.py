"""Server-side sign-in sessions and the failed sign-ins that throttle an account."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime
from app.timeutil import utcnow

FLASH_MAX = 300


class UserSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored here."""

    __tablename__ = "user_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # A confirmation to show on the next page this browser opens ("Procurement recorded"), left
    # by the change that redirected there: a flash message, kept here rather than in the URL.
    flash: str | None = Field(default=None, max_length=FLASH_MAX)


class SignInFailure(SQLModel, table=True):
    """One failed sign-in for an email address, counted for throttling."""

    __tablename__ = "sign_in_failure"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    failed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
