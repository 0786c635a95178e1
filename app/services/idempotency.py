"""Idempotency keys for the API's POST requests (docs/api.md): the first request with a key
goes ahead and its answer is kept; a retry with the same key and body gets that answer (waiting
for it if the first is still being answered), and creates nothing more; the same key with
another body is refused. Keys are a client's own, and kept for a day."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from app.models import IdempotencyKey
from app.timeutil import utcnow

KEPT_FOR = timedelta(days=1)
WAIT_SECONDS = 5.0  # how long a retry waits for the first request's answer
# A first request still "running" after this has died without recording anything (a request
# that created something names it in the same transaction): a retry may take its place.
LEASE = timedelta(seconds=30)


@dataclass(frozen=True)
class Answer:
    """The answer a key's first request got; for one that created something but stopped
    before answering, `body` is None and `location` names what it created."""

    status: int
    body: str | None
    location: str | None


class KeyReused(Exception):
    """The key came with a different request before."""


class StillAnswering(Exception):
    """The key's first request is still being answered after the wait."""


def _find(session: Session, client_id: int, key: str) -> IdempotencyKey | None:
    return session.exec(
        select(IdempotencyKey).where(
            col(IdempotencyKey.client_id) == client_id, col(IdempotencyKey.key) == key
        )
    ).first()


def begin(
    session: Session, client_id: int, key: str, request_hash: str, *, now: datetime | None = None
) -> Answer | None:
    """None when this request is the key's first and goes ahead (then `finish` or `abandon`);
    else the first request's answer. KeyReused for another body; StillAnswering when the first
    has not been answered within the wait."""
    deadline = time.monotonic() + WAIT_SECONDS
    _forget_expired(session, now or utcnow())
    while True:
        moment = now or utcnow()
        found = _find(session, client_id, key)
        if found is not None and found.request_hash != request_hash:
            raise KeyReused(key)
        if found is not None and found.state == "done" and found.status_code is not None:
            return Answer(found.status_code, found.body, found.location)
        if found is not None and found.location is not None:
            return Answer(201, None, found.location)  # created, then stopped before answering
        if found is not None and found.created_at < moment - LEASE:
            session.exec(delete(IdempotencyKey).where(col(IdempotencyKey.id) == found.id))
            session.commit()  # its request died having created nothing: take its place
            found = None
        if found is None:
            session.add(IdempotencyKey(client_id=client_id, key=key, request_hash=request_hash,
                                       created_at=moment))  # fmt: skip
            try:
                session.commit()
                return None
            except IntegrityError:  # another request with the key got there first
                session.rollback()
                continue
        if time.monotonic() > deadline:
            raise StillAnswering(key)
        session.expire_all()
        time.sleep(0.05)


def _forget_expired(session: Session, now: datetime) -> None:
    session.exec(delete(IdempotencyKey).where(col(IdempotencyKey.created_at) < now - KEPT_FOR))
    session.commit()


def created(session: Session, client_id: int, key: str, location: str) -> None:
    """Name what the key's request created, in the transaction that creates it (the caller
    commits), so that a retry finds it even if the request stops before it answers."""
    found = _find(session, client_id, key)
    if found is not None:
        found.location = location
        session.add(found)


def finish(
    session: Session, client_id: int, key: str, status: int, body: str, location: str | None
) -> None:
    """Keep the answer to the key's first request."""
    found = _find(session, client_id, key)
    if found is None:
        return
    found.state, found.status_code, found.body, found.location = "done", status, body, location
    session.add(found)
    session.commit()


def abandon(session: Session, client_id: int, key: str) -> None:
    """Forget the key (its request failed for a reason of the service's own), so that a retry
    goes ahead."""
    session.rollback()
    session.exec(
        delete(IdempotencyKey).where(
            col(IdempotencyKey.client_id) == client_id, col(IdempotencyKey.key) == key
        )
    )
    session.commit()
