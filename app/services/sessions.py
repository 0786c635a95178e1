"""Server-side sign-in sessions: started at sign-in, touched as the user works, ended by time.

The browser holds a random token; the database holds its SHA-256, so a leaked database gives
no one a way in. A session ends when idle for longer than the idle timeout, at its absolute
expiry, at sign-out, or when the user is deactivated.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select, update

from app.models import User, UserSession
from app.models.sessions import FLASH_MAX


@dataclass(frozen=True)
class SessionPolicy:
    """How long sessions last."""

    idle_timeout: timedelta
    max_age: timedelta
    # Writing last_seen_at on every request costs a write; this often is enough.
    touch_interval: timedelta = timedelta(seconds=60)


@dataclass(frozen=True)
class SignedIn:
    """A valid session and its user."""

    user: User
    session: UserSession
    expires_at: datetime  # when it ends if the user does nothing more


def hash_token(token: str) -> str:
    """The stored form of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _ends_at(row: UserSession, policy: SessionPolicy) -> datetime:
    return min(row.last_seen_at + policy.idle_timeout, row.expires_at)


def start_session(session: Session, user: User, policy: SessionPolicy, now: datetime) -> str:
    """Create a session for `user` and return the token for the cookie (the caller commits)."""
    assert user.id is not None, "the user must be saved first"
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=hash_token(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + policy.max_age,
        )
    )
    return token


def resolve_session(
    session: Session, token: str, policy: SessionPolicy, now: datetime
) -> SignedIn | None:
    """The signed-in user for a cookie token, touching the session; None if it has ended."""
    # One query for both: this runs on every signed-in request.
    found = session.exec(
        select(UserSession, User)
        .join(User, col(User.id) == col(UserSession.user_id))
        .where(col(UserSession.token_hash) == hash_token(token))
    ).first()
    if found is None:
        return None
    row, user = found
    if not user.active or now >= _ends_at(row, policy):
        session.delete(row)
        session.commit()
        return None
    if now - row.last_seen_at >= min(policy.touch_interval, policy.idle_timeout / 10):
        row.last_seen_at = now
        session.commit()
    return SignedIn(user=user, session=row, expires_at=_ends_at(row, policy))


def extend_session(
    session: Session, signed_in: SignedIn, policy: SessionPolicy, now: datetime
) -> SignedIn:
    """'Stay signed in': restart the idle clock now (never past the absolute expiry)."""
    signed_in.session.last_seen_at = now
    session.commit()
    return SignedIn(signed_in.user, signed_in.session, _ends_at(signed_in.session, policy))


def leave_message(session: Session, token_hash: str, message: str) -> None:
    """Keep `message` for the next page the session with `token_hash` opens (a flash message),
    replacing any not yet shown; committed, since the change it confirms already is."""
    if not message or len(message) > FLASH_MAX:
        raise ValueError(f"a flash message has 1 to {FLASH_MAX} characters")
    statement = update(UserSession).where(col(UserSession.token_hash) == token_hash)
    session.exec(statement.values(flash=message))
    session.commit()


def take_message(session: Session, signed_in: SignedIn) -> str | None:
    """The message left for this session, if any, which is then gone: shown once."""
    row = signed_in.session
    message = row.flash
    if message is not None:
        row.flash = None
        session.commit()
    return message


def end_session(session: Session, token: str) -> None:
    """Delete the session for a token, if there is one (the caller commits)."""
    row = session.get(UserSession, hash_token(token))
    if row is not None:
        session.delete(row)


def end_all_sessions(session: Session, user_id: int, *, keep: str | None = None) -> None:
    """Delete every session of a user, except the one whose token hash is `keep`."""
    statement = delete(UserSession).where(col(UserSession.user_id) == user_id)
    if keep is not None:
        statement = statement.where(col(UserSession.token_hash) != keep)
    session.exec(statement)


def delete_ended_sessions(session: Session, policy: SessionPolicy, now: datetime) -> None:
    """Remove sessions that have ended, so the table does not grow for ever (caller commits)."""
    session.exec(
        delete(UserSession).where(
            (col(UserSession.last_seen_at) <= now - policy.idle_timeout)
            | (col(UserSession.expires_at) <= now)
        )
    )
