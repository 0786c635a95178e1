"""API clients: systems (the contract management system) that call the JSON API with a token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime
from app.timeutil import utcnow

# What a client may do: read anything; record and change procurements; report outcomes.
API_SCOPES = ("read", "write", "outcomes")


class ApiClient(SQLModel, table=True):
    """A system allowed to call the API, by a bearer token kept only as its SHA-256 hash (the
    token itself is shown once, when it is made). Revoked, never deleted, so the audit log's
    entries under its name keep their meaning."""

    __tablename__ = "api_client"
    __audit_ignore__ = frozenset({"last_used_at"})
    __audit_secret__ = frozenset({"token_hash"})

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    scopes: list[str] = Field(sa_column=Column(JSON, nullable=False))
    token_hash: str = Field(max_length=64, unique=True)
    # The token's first characters, so that people can tell tokens apart without the secret.
    token_hint: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)

    def may(self, scope: str) -> bool:
        """Whether its token carries `scope`."""
        return scope in self.scopes

    @property
    def active(self) -> bool:
        """Not revoked."""
        return self.revoked_at is None


class IdempotencyKey(SQLModel, table=True):
    """A client's Idempotency-Key on a POST: the request it came with (as a hash) and, once
    answered, the answer, so that a retry with the same key and body gets the same answer and
    creates nothing more (docs/api.md). Kept for a day."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("client_id", "key", name="uq_idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="api_client.id")
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)
    state: str = Field(default="running", max_length=10)  # "running", then "done"
    status_code: int | None = Field(default=None)
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    location: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
