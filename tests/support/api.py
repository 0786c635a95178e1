"""Helpers for tests of the JSON API: a client with a token, and its Authorization header."""

from __future__ import annotations

from itertools import count

from sqlmodel import Session

from app.models import ApiClient
from app.services import api_clients
from app.services.audit import SYSTEM

_names = count(1)


def make_api_client(
    session: Session, *scopes: str, name: str | None = None
) -> tuple[ApiClient, str]:
    """An API client with `scopes` (read alone by default) and its token."""
    return api_clients.create(session, SYSTEM, name or f"Test system {next(_names)}",
                              scopes or ("read",), by_user_id=None)  # fmt: skip


def bearer(token: str) -> dict[str, str]:
    """The header that carries `token`."""
    return {"Authorization": f"Bearer {token}"}
