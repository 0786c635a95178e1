"""API clients (issue 20, docs/api.md): made and revoked by administrators (or `primas
create-token`), each with a bearer token shown once and kept only as its SHA-256 hash.

A token is "primas_" and 43 characters of `secrets.token_urlsafe(32)`: 256 random bits, so a
fast hash is enough (nobody can guess their way through 2^256, whatever the hash's speed) and a
token is found by its hash in one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from app.errors import InvalidInput
from app.models import API_SCOPES, ApiClient
from app.services.audit import Actor, act_as
from app.timeutil import utcnow

TOKEN_PREFIX = "primas_"
NAME_MAX = 80
HINT_LENGTH = len(TOKEN_PREFIX) + 6
# Recording each use would write on every read: the last use is kept to the minute.
LAST_USE_PRECISION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    """The SHA-256 of a token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def actor_for(client: ApiClient) -> Actor:
    """Who the audit log names for the client's changes: "api:<its name>"."""
    return Actor(user_id=None, email=f"api:{client.name}")


def create(
    session: Session, actor: Actor, name: str, scopes: Iterable[str], *, by_user_id: int | None
) -> tuple[ApiClient, str]:
    """A new client with the scopes given, and its token (shown once, never stored)."""
    name = " ".join(name.split())
    chosen = [scope for scope in API_SCOPES if scope in set(scopes)]
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter a name for the client, such as the system's name"
    elif len(name) > NAME_MAX:
        errors["name"] = f"Name must be {NAME_MAX} characters or fewer"
    elif session.exec(
        select(ApiClient.id).where(func.lower(col(ApiClient.name)) == name.lower())
    ).first():
        errors["name"] = "A client with this name already exists: choose another name"
    unknown = sorted(set(scopes) - set(API_SCOPES))
    if unknown:
        errors["scopes"] = f"Scopes must be {', '.join(API_SCOPES)}: not {', '.join(unknown)}"
    elif not chosen:
        errors["scopes"] = "Select what the client may do"
    if errors:
        raise InvalidInput(errors)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    act_as(session, actor)
    client = ApiClient(name=name, scopes=chosen, token_hash=hash_token(token),
                       token_hint=token[:HINT_LENGTH], created_by_id=by_user_id)  # fmt: skip
    session.add(client)
    session.commit()
    session.refresh(client)
    return client, token


def authenticate(session: Session, token: str, now: datetime) -> ApiClient | None:
    """The active client whose token this is, or None; its last use is recorded (to the
    minute, so that reads do not each write)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    client = session.exec(
        select(ApiClient).where(col(ApiClient.token_hash) == hash_token(token))
    ).first()
    if client is None or not client.active:
        return None
    if client.last_used_at is None or now - client.last_used_at >= LAST_USE_PRECISION:
        client.last_used_at = now
        session.add(client)
        session.commit()
        session.refresh(client)
    return client


def revoke(session: Session, admin: Actor, client: ApiClient) -> bool:
    """Stop the client's token working at once; False if it was already revoked."""
    if not client.active:
        return False
    act_as(session, admin)
    client.revoked_at = utcnow()
    session.add(client)
    session.commit()
    return True


def every_client(session: Session) -> list[ApiClient]:
    """Every client, active ones first, then by name."""
    clients = session.exec(select(ApiClient).order_by(col(ApiClient.name))).all()
    return sorted(clients, key=lambda client: not client.active)


def get(session: Session, client_id: int) -> ApiClient | None:
    """The client with this id, if any."""
    return session.get(ApiClient, client_id)
