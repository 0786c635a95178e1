"""The outbox: email written in the transaction of the change that causes it, sent after commit
(issue 19, docs/email.md).

Messages hold only what a notification needs (the reference, the title, what happened, who did
it, where to look, and at most the first line of a comment), never answers. A sender claims due
messages (one sender each, however many run), sends them, and settles each: sent once the mail
server accepted it, or tried again later with a growing wait, or failed for an administrator to
retry. A claim lasts `claim_for`: a sender that stops mid-send leaves its messages to be claimed
again, so every message is sent at least once, with the Message-ID it was written with.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, func, update
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from app.errors import NotFound
from app.models import OutboxMessage, User
from app.services.audit import SYSTEM, Actor, record_event
from app.timeutil import utcnow

FIRST_LINE = 200  # at most this much of a comment's first line goes in a message
MAX_ERROR = 1000
STATUSES = ("queued", "sent", "failed")
# What each kind of message is about, for the administrators' list.
KINDS = {
    "primas.submitted": "Submitted for a decision",
    "primas.approved": "Approved",
    "primas.returned": "Returned",
    "primas.waiting": "Reminder: waiting for a decision",
}
_WRITTEN = "primas_outbox_written"


def first_line(text: str) -> str:
    """A comment's first line, shortened: the rest is read in the service, not in email."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= FIRST_LINE else line[: FIRST_LINE - 1].rstrip() + "…"


def enqueue(
    session: Session,
    kind: str,
    recipients: Iterable[str],
    facts: dict[str, Any],
    *,
    message_id: str | None = None,
    now: datetime | None = None,
    due: datetime | None = None,
) -> bool:
    """Add a message to the session's transaction (the caller commits it with the change); none
    when nobody is to be told. `message_id` names a message that must be written only once
    (the unique Message-ID refuses a second); by default a new one. Written `now`, and due
    then unless `due` says later."""
    assert kind in KINDS, kind
    to = sorted({address for address in recipients if address})
    if not to:
        return False
    written = now or utcnow()
    session.add(OutboxMessage(message_id=message_id or f"<{uuid.uuid4()}@primas>", kind=kind,
                              recipients=to, facts=facts, created_at=written,
                              next_attempt_at=due or written))  # fmt: skip
    session.info[_WRITTEN] = True
    return True


# Senders in this process, woken when a transaction that wrote a message commits (senders in
# other processes find it when they next look).
_wakers: list[Callable[[], None]] = []


def when_written(wake: Callable[[], None]) -> Callable[[], None]:
    """Call `wake` after each commit that wrote a message; returns the function that stops it."""
    _wakers.append(wake)
    return lambda: _wakers.remove(wake)


def _after_commit(session: OrmSession) -> None:
    if session.info.pop(_WRITTEN, False):
        for wake in list(_wakers):
            wake()


def _after_rollback(session: OrmSession, previous: SessionTransaction) -> None:
    if not previous.nested:  # a savepoint's rollback leaves the rest of the transaction
        session.info.pop(_WRITTEN, None)


def install_wake_hooks() -> None:
    """Wake this process's senders when a message is committed (idempotent)."""
    if not event.contains(OrmSession, "after_commit", _after_commit):
        event.listen(OrmSession, "after_commit", _after_commit)
        event.listen(OrmSession, "after_soft_rollback", _after_rollback)


@dataclass(frozen=True)
class RetryPolicy:
    """How often a message is tried, how long between tries, and how long a claim lasts."""

    max_attempts: int
    first_wait: timedelta
    claim_for: timedelta
    longest_wait: timedelta = timedelta(hours=6)

    def wait_after(self, attempt: int) -> timedelta:
        """The wait after the `attempt`-th try failed: doubling, at most `longest_wait`."""
        seconds = self.first_wait.total_seconds() * 2.0 ** min(attempt - 1, 30)
        return timedelta(seconds=min(seconds, self.longest_wait.total_seconds()))


@dataclass(frozen=True)
class Claimed:
    """A message one sender has claimed for its `attempt`-th try; `token` is the claim's own,
    so only this claim can settle it."""

    id: int
    attempt: int
    token: str
    message_id: str
    kind: str
    recipients: list[str]
    facts: dict[str, Any]
    created_at: datetime


def claim(session: Session, now: datetime, policy: RetryPolicy) -> Claimed | None:
    """Claim the message due longest, for this sender alone, or None when nothing is due. The
    claim counts the try, carries a token of its own, and makes the message not due again until
    it lapses (`policy.claim_for`), committed before anything is sent: a sender that stops leaves
    nothing locked. One message at a time, so a claim only has to outlast one send. On
    PostgreSQL a row another sender has locked is skipped (FOR UPDATE SKIP LOCKED); on SQLite,
    whose writers take turns, the claim is an update that holds only if nobody claimed it first."""
    due = (col(OutboxMessage.status) == "queued") & (col(OutboxMessage.next_attempt_at) <= now)
    oldest = select(OutboxMessage).where(due).order_by(
        col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))  # fmt: skip
    token = uuid.uuid4().hex
    postgres = session.get_bind().dialect.name == "postgresql"
    for _ in range(20):  # on SQLite another sender may win the one it read; read the next
        row = session.exec(oldest.limit(1).with_for_update(skip_locked=True) if postgres
                           else oldest.limit(1)).first()  # fmt: skip
        if row is None:
            session.rollback()
            return None
        won = session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == row.id,
                   col(OutboxMessage.attempts) == row.attempts, due)
            .values(attempts=row.attempts + 1, next_attempt_at=now + policy.claim_for,
                    claimed_by=token)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        if won.rowcount == 1:  # type: ignore[attr-defined]
            assert row.id is not None
            claimed = Claimed(row.id, row.attempts + 1, token, row.message_id, row.kind,
                              list(row.recipients), dict(row.facts), row.created_at)  # fmt: skip
            session.commit()
            return claimed
        session.rollback()
    return None


def _settle(session: Session, claimed: Claimed, values: dict[str, Any]) -> bool:
    """Write the outcome of a try, unless the message has since been settled or claimed again
    (its claim lapsed, or an administrator sent it again)."""
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == claimed.id, col(OutboxMessage.status) == "queued",
               col(OutboxMessage.claimed_by) == claimed.token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def mark_sent(
    session: Session,
    claimed: Claimed,
    now: datetime,
    *,
    refused: dict[str, str] | None = None,
    later: list[str] | None = None,
    later_at: datetime | None = None,
) -> None:
    """The mail server accepted the message. `refused`: recipients it refused for good (their
    replies become the message's last problem); `later`: recipients it refused for now, who get a
    message of their own, tried from `later_at` as any other. Marked sent even if its claim had
    lapsed: it was sent, whoever sends it again."""
    refused, later = refused or {}, later or []
    problem = "; ".join(f"Refused for {to}: {reply}" for to, reply in sorted(refused.items()))
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == claimed.id, col(OutboxMessage.status) != "sent")
        .values(status="sent", sent_at=now, last_error=_short(problem))
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    record_event(session, "mail.sent", actor=SYSTEM, entity_type="outbox_message",
                 entity_id=claimed.id, detail={"message_id": claimed.message_id,
                 "kind": claimed.kind, "to": claimed.recipients, "refused": refused,
                 "later": later, "attempt": claimed.attempt})  # fmt: skip
    if later:
        enqueue(session, claimed.kind, later, claimed.facts, now=now, due=later_at)
    session.commit()


def mark_failed(
    session: Session,
    claimed: Claimed,
    now: datetime,
    policy: RetryPolicy,
    error: str,
    *,
    permanent: bool = False,
) -> str:
    """A try failed: try again after the policy's wait, or, after the last try or when the
    server refused the message for good, mark it failed. Returns "failed" or "retrying", or
    "lapsed" when its claim had lapsed and the message was left to the claim that followed."""
    give_up = permanent or claimed.attempt >= policy.max_attempts
    retry_at = None if give_up else now + policy.wait_after(claimed.attempt)
    values: dict[str, Any] = {"last_error": _short(error)}
    values |= {"status": "failed"} if retry_at is None else {"next_attempt_at": retry_at}
    if not _settle(session, claimed, values):
        session.rollback()
        return "lapsed"
    record_event(session, "mail.failed", actor=SYSTEM, entity_type="outbox_message",
                 entity_id=claimed.id, detail={"message_id": claimed.message_id,
                 "kind": claimed.kind, "attempt": claimed.attempt, "error": _short(error),
                 "retry_at": retry_at.isoformat() if retry_at else None})  # fmt: skip
    session.commit()
    return "failed" if give_up else "retrying"


def _short(error: str) -> str:
    return error if len(error) <= MAX_ERROR else error[: MAX_ERROR - 1] + "…"


def retry(session: Session, admin: User, message_id: int) -> bool:
    """An administrator sends a failed message again, with a full set of tries. False when it
    had not failed (it was sent, or is already waiting to be); NotFound when there is none."""
    if session.get(OutboxMessage, message_id) is None:
        raise NotFound(f"outbox message {message_id}")
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == "failed")
        .values(status="queued", attempts=0, next_attempt_at=utcnow(), claimed_by="")
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return False
    record_event(session, "mail.retried", actor=Actor.of(admin), entity_type="outbox_message",
                 entity_id=message_id)  # fmt: skip
    session.info[_WRITTEN] = True
    session.commit()
    return True


def failed_count(session: Session) -> int:
    """How many messages are marked failed, waiting for an administrator."""
    count = session.exec(
        select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.status) == "failed")
    ).one()
    return int(count)


@dataclass(frozen=True)
class MailPage:
    """One page of messages, newest first, with how many there are of each status."""

    messages: list[OutboxMessage]
    total: int
    page: int
    per_page: int
    counts: dict[str, int]

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.per_page))


def messages(session: Session, status: str = "", *, page: int = 1, per_page: int = 50) -> MailPage:
    """Messages newest first, all or of one status (`STATUSES`), a page at a time."""
    counted = session.exec(
        select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))
    ).all()
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0) | dict(counted)
    total = counts.get(status, 0) if status else sum(counts.values())
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc())
    if status:
        query = query.where(col(OutboxMessage.status) == status)
    rows = session.exec(query.offset((page - 1) * per_page).limit(per_page)).all()
    return MailPage(list(rows), total, page, per_page, counts)
