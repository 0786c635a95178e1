"""Reading the audit log: describing events in words, filtering and paging, a record's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from app.models import AuditEvent

ENTITY_LABELS = {
    "user_account": "user",
    "procurement": "procurement",
    "procurement_collaborator": "procurement collaborator",
    "reference_value": "reference value",
    "category": "category",
    "directorate": "directorate",
    "kpi_duty_exception": "reason for setting no KPIs (Procurement Act s.52(2))",
}
ACTION_LABELS = {
    "sign_in": "Signed in",
    "sign_in.failed": "Sign-in failed: wrong email address or password",
    "sign_in.throttled": "Sign-in refused: too many failed attempts",
    "sign_in.refused_deactivated": "Sign-in refused: account deactivated",
    "sign_out": "Signed out",
    "password.changed": "Changed their own password",
    "password.change_failed": "Password change refused: current password wrong",
    "password.change_throttled": "Password change refused: too many wrong passwords",
    "user.unlocked": "Unlocked a user after failed sign-ins",
    "procurement.created": "Recorded the procurement",
    "procurement.updated": "Changed the procurement",
    "procurement_collaborator.created": "Added a collaborator",
    "procurement_collaborator.deleted": "Removed a collaborator",
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
    page = min(page, max(1, -(-total // per_page)))  # past the end: the last page
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


def procurement_history(session: Session, procurement_id: int) -> list[AuditEvent]:
    """Every event about a procurement and its collaborators, oldest first."""
    return list(
        session.exec(
            select(AuditEvent)
            .where(
                or_(
                    and_(
                        col(AuditEvent.entity_type) == "procurement",
                        col(AuditEvent.entity_id) == str(procurement_id),
                    ),
                    and_(
                        col(AuditEvent.entity_type) == "procurement_collaborator",
                        col(AuditEvent.entity_id).startswith(f"{procurement_id},"),
                    ),
                )
            )
            .order_by(col(AuditEvent.occurred_at), col(AuditEvent.id))
        ).all()
    )
