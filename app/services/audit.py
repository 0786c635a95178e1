"""The audit log: explicit events (sign-ins, refusals) and every create, update and delete.

Records are audited automatically: after each flush, every inserted, updated or deleted row of
an audited table becomes an AuditEvent in the same transaction, naming the actor the service put
on the session (`act_as`), the fields that changed, and SHA-256 digests of the row before and
after. Secret columns (password hashes) count as changed but never reach the log.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import event, func, insert, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlmodel import Session, SQLModel, col, select

from app.models import AuditEvent, User
from app.timeutil import utcnow

NOT_AUDITED = frozenset({"audit_event", "user_session", "sign_in_failure"})
ACTOR_KEY = "primas_actor"


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user, or the system itself (command line, migrations)."""

    user_id: int | None
    email: str

    @classmethod
    def of(cls, user: User) -> Actor:
        """The actor for a signed-in user."""
        return cls(user_id=user.id, email=user.email)


SYSTEM = Actor(user_id=None, email="system")
ANONYMOUS = Actor(user_id=None, email="anonymous")


def act_as(session: Session, actor: Actor) -> None:
    """Attribute every change made through `session` from now on to `actor`."""
    session.info[ACTOR_KEY] = actor


def _actor(session: OrmSession) -> Actor:
    actor = session.info.get(ACTOR_KEY, SYSTEM)
    assert isinstance(actor, Actor)
    return actor


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def digest(state: dict[str, Any] | None) -> str | None:
    """SHA-256 of a row's state as canonical JSON, or None for no state."""
    if state is None:
        return None
    canonical = json.dumps(state, sort_keys=True, separators=(",", ":"), default=_plain)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_event(
    session: Session,
    action: str,
    *,
    actor: Actor | None = None,
    entity_type: str = "",
    entity_id: object = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an explicit event to the session's transaction (the caller commits)."""
    who = actor or _actor(session)
    session.add(
        AuditEvent(
            occurred_at=utcnow(),
            actor_id=who.user_id,
            actor_email=who.email,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            detail=detail or {},
        )
    )


def _row_states(instance: Any) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """The row's column values before and after this flush, and the columns that changed."""
    state = inspect(instance)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    changed: list[str] = []
    for column in state.mapper.column_attrs:
        history = state.attrs[column.key].history
        current = getattr(instance, column.key)
        after[column.key] = current
        if history.has_changes():
            before[column.key] = history.deleted[0] if history.deleted else None
            changed.append(column.key)
        else:
            before[column.key] = current
    return before, after, changed


def _public(instance: Any, values: dict[str, Any]) -> dict[str, Any]:
    secret: frozenset[str] = getattr(type(instance), "__audit_secret__", frozenset())
    return {key: value for key, value in values.items() if key not in secret}


def _audited(instance: Any) -> bool:
    return isinstance(instance, SQLModel) and instance.__tablename__ not in NOT_AUDITED


def _change_row(actor: Actor, instance: Any, verb: str) -> dict[str, Any] | None:
    """The audit row for one inserted, updated or deleted record; None if nothing changed."""
    table = str(instance.__tablename__)
    before, after, changed = _row_states(instance)
    ignored: frozenset[str] = getattr(type(instance), "__audit_ignore__", frozenset())
    changed = sorted(name for name in changed if name not in ignored)
    if verb == "updated" and not changed:
        return None
    primary_key = inspect(instance).mapper.primary_key_from_instance(instance)
    return {
        "occurred_at": utcnow(),
        "actor_id": actor.user_id,
        "actor_email": actor.email,
        "action": f"{table}.{verb}",
        "entity_type": table,
        "entity_id": ",".join(str(part) for part in primary_key),
        "before_digest": None if verb == "created" else digest(_public(instance, before)),
        "after_digest": None if verb == "deleted" else digest(_public(instance, after)),
        "detail": {"changed": changed} if verb == "updated" else {},
    }


def _audit_flush(session: OrmSession, _flush: UOWTransaction) -> None:
    # after_flush: primary keys are known and the session still lists what this flush wrote.
    actor = _actor(session)
    batches = (("created", session.new), ("updated", session.dirty), ("deleted", session.deleted))
    rows = [
        row
        for verb, instances in batches
        for instance in instances
        if _audited(instance) and (row := _change_row(actor, instance, verb)) is not None
    ]
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


def install_audit_hooks() -> None:
    """Audit every flush of every session (idempotent)."""
    if not event.contains(OrmSession, "after_flush", _audit_flush):
        event.listen(OrmSession, "after_flush", _audit_flush)


ENTITY_LABELS = {
    "user_account": "user",
    "reference_value": "reference value",
    "category": "category",
    "directorate": "directorate",
}
ACTION_LABELS = {
    "sign_in": "Signed in",
    "sign_in.failed": "Sign-in failed: wrong email address or password",
    "sign_in.throttled": "Sign-in refused: too many failed attempts",
    "sign_in.refused_deactivated": "Sign-in refused: account deactivated",
    "sign_out": "Signed out",
    "password.changed": "Changed their own password",
    "user.unlocked": "Unlocked a user after failed sign-ins",
    "access.refused": "Access refused: role needed",
    "csrf.refused": "Request refused: form token missing or wrong",
}
VERBS = {"created": "Created", "updated": "Updated", "deleted": "Deleted"}


def describe_action(action: str) -> str:
    """An action code in words: 'user_account.updated' -> 'Updated user'."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    entity, _, verb = action.rpartition(".")
    if verb in VERBS:
        return f"{VERBS[verb]} {ENTITY_LABELS.get(entity, entity.replace('_', ' '))}"
    return action


@dataclass(frozen=True)
class AuditFilter:
    """What an administrator is looking for in the log; empty fields match everything."""

    action: str = ""
    actor: str = ""
    entity_type: str = ""
    entity_id: str = ""
    occurred_from: datetime | None = None  # inclusive, UTC
    occurred_before: datetime | None = None  # exclusive, UTC


@dataclass(frozen=True)
class AuditPage:
    """One page of events, newest first, and how many match in all."""

    events: list[AuditEvent]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.per_page))


def search_audit(
    session: Session, wanted: AuditFilter, *, page: int = 1, per_page: int = 50
) -> AuditPage:
    """Events matching the filter, newest first, one page at a time."""
    conditions = []
    if wanted.action:
        conditions.append(col(AuditEvent.action) == wanted.action)
    if wanted.actor:
        conditions.append(col(AuditEvent.actor_email).contains(wanted.actor.strip().lower()))
    if wanted.entity_type:
        conditions.append(col(AuditEvent.entity_type) == wanted.entity_type)
    if wanted.entity_id:
        conditions.append(col(AuditEvent.entity_id) == wanted.entity_id.strip())
    if wanted.occurred_from:
        conditions.append(col(AuditEvent.occurred_at) >= wanted.occurred_from)
    if wanted.occurred_before:
        conditions.append(col(AuditEvent.occurred_at) < wanted.occurred_before)
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()
    events = session.exec(
        select(AuditEvent)
        .where(*conditions)
        .order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return AuditPage(events=list(events), total=total, page=page, per_page=per_page)


def history_of(session: Session, entity_type: str, entity_id: object) -> list[AuditEvent]:
    """Every event about one record, oldest first."""
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
            .order_by(col(AuditEvent.occurred_at), col(AuditEvent.id))
        ).all()
    )


def known_actions(session: Session) -> list[str]:
    """Every action code in the log, for the filter's list."""
    rows = session.exec(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return list(rows)
