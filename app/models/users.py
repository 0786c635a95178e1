"""Council staff who use the service, and the roles they hold."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime
from app.timeutil import utcnow


class Role(StrEnum):
    """What a user may do; a user may hold several roles."""

    LEAD = "lead"
    APPROVER = "approver"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The role's name for people."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.LEAD: "Category lead",
    Role.APPROVER: "Approver",
    Role.ADMIN: "Administrator",
}


class User(SQLModel, table=True):
    """A member of staff with a password, roles and an active flag. Never deleted: deactivated."""

    __tablename__ = "user_account"
    __audit_ignore__ = frozenset({"last_signed_in_at"})
    __audit_secret__ = frozenset({"password_hash"})

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    roles: list[str] = Field(sa_column=Column(JSON, nullable=False))
    active: bool = Field(default=True)
    must_change_password: bool = Field(default=False)
    is_demo: bool = Field(default=False)
    # Reminder emails about submissions waiting for a decision; decisions are always sent.
    mail_reminders: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_signed_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def has_role(self, role: Role | str) -> bool:
        """True when the user holds `role`."""
        return Role(role).value in self.roles

    @property
    def role_labels(self) -> list[str]:
        """The user's roles for people, in a fixed order."""
        return [role.label for role in Role if self.has_role(role)]
