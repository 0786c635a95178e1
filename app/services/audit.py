"""The audit log: explicit events (sign-ins, refusals) and every create, update and delete.

Records are audited automatically: after each flush, every inserted, updated or deleted row of
an audited table becomes an AuditEvent in the same transaction, naming the actor the service put
on the session (`act_as`), the fields that changed with their old and new values, and SHA-256
digests of the row before (as read from the database just before the flush) and after. Secret
columns (password hashes) count as changed but their values never reach the log. Bulk UPDATE
and DELETE statements would slip past the flush, so they are refused on audited tables.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import and_, event, insert, inspect
from sqlalchemy import select as core_select
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel

from app.models import AuditEvent, User
from app.timeutil import utcnow

# The outbox's sending is logged as events of its own (mail.sent, mail.failed), not row changes;
# an API request's idempotency key is bookkeeping (the record it creates is audited).
NOT_AUDITED = frozenset({"audit_event", "user_session", "sign_in_failure", "outbox_message",
                         "idempotency_key"})  # fmt: skip
ACTOR_KEY = "primas_actor"
BEFORE_KEY = "primas_audit_before"


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


def current_actor(session: OrmSession) -> Actor:
    """Who the session's changes are attributed to (`act_as`; the system if nobody)."""
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
    who = actor or current_actor(session)
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


def _stored_state(session: OrmSession, instance: Any) -> dict[str, Any] | None:
    """The record as the database holds it now, before this flush changes it."""
    mapper = inspect(instance).mapper
    if inspect(instance).key is None:
        return None
    key = inspect(instance).key[1]
    condition = and_(
        *(column == value for column, value in zip(mapper.primary_key, key, strict=True))
    )
    query = core_select(mapper.local_table).where(condition)
    row = session.connection().execute(query).mappings().first()
    if row is None:
        return None
    return {prop.key: row[prop.columns[0].name] for prop in mapper.column_attrs}


def _capture_before(session: OrmSession, _flush: UOWTransaction, _instances: Any) -> None:
    # Read each changing record from the database first: an attribute that was never loaded
    # (expired after a commit) has no old value in the session's history.
    captured = session.info.setdefault(BEFORE_KEY, {})
    for instance in [*session.dirty, *session.deleted]:
        if _audited(instance) and id(instance) not in captured:
            state = _stored_state(session, instance)
            if state is not None:
                captured[id(instance)] = state


def _change_row(
    actor: Actor, instance: Any, verb: str, stored: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The audit row for one inserted, updated or deleted record; None if nothing changed."""
    table = str(instance.__tablename__)
    before, after, changed = _row_states(instance)
    if stored is not None:
        before = stored
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
        "detail": {"changed": changed, "values": _values(instance, changed, before, after)}
        if verb == "updated"
        else {},
    }


def _json_safe(value: Any) -> Any:
    """A column value as the log's JSON holds it: dates as ISO text, decimals as text."""
    return json.loads(json.dumps(value, default=lambda v: str(_plain(v))))


def _values(
    instance: Any, changed: list[str], before: dict[str, Any], after: dict[str, Any]
) -> dict[str, list[Any]]:
    """Each changed field's old and new value, secrets left out (they show only as changed)."""
    secret: frozenset[str] = getattr(type(instance), "__audit_secret__", frozenset())
    return {
        name: [_json_safe(before.get(name)), _json_safe(after.get(name))]
        for name in changed
        if name not in secret
    }


def _audit_flush(session: OrmSession, _flush: UOWTransaction) -> None:
    # after_flush: primary keys are known and the session still lists what this flush wrote.
    actor = current_actor(session)
    stored = session.info.pop(BEFORE_KEY, {})
    batches = (("created", session.new), ("updated", session.dirty), ("deleted", session.deleted))
    rows = [
        row
        for verb, instances in batches
        for instance in instances
        if _audited(instance)
        and (row := _change_row(actor, instance, verb, stored.get(id(instance)))) is not None
    ]
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


def _refuse_unaudited_bulk_changes(execute_state: ORMExecuteState) -> None:
    # UPDATE and DELETE statements run without loading rows, so no flush sees them.
    if not (execute_state.is_update or execute_state.is_delete):
        return
    mapper = execute_state.bind_mapper
    table = getattr(mapper.local_table, "name", None) if mapper is not None else None
    if table is not None and table not in NOT_AUDITED:
        raise RuntimeError(
            f"a bulk UPDATE or DELETE on {table} would bypass the audit log; "
            "load the records and change them through the session instead"
        )


def install_audit_hooks() -> None:
    """Audit every flush of every session (idempotent)."""
    hooks = (
        ("before_flush", _capture_before),
        ("after_flush", _audit_flush),
        ("do_orm_execute", _refuse_unaudited_bulk_changes),
    )
    for name, hook in hooks:
        if not event.contains(OrmSession, name, hook):
            event.listen(OrmSession, name, hook)
