"""Reading the audit log: describing events in words, filtering and paging, a record's history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from app.models import (
    Assessment,
    AuditEvent,
    Category,
    Directorate,
    KpiSelection,
    Procurement,
    ReferenceValue,
    User,
)

ENTITY_LABELS = {
    "user_account": "user",
    "procurement": "procurement",
    "procurement_collaborator": "procurement collaborator",
    "reference_value": "reference value",
    "category": "category",
    "directorate": "directorate",
    "kpi_duty_exception": "reason for setting no KPIs (Procurement Act s.52(2))",
    "outbox_message": "email",
    "api_client": "API client",
    "contract_kpi": "contract KPI",
    "outcome_report": "outcome report",
    "outcome_version": "outcome report version",
    "performance_rating": "performance rating",
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
    "approval.refused": "Decision refused: they had a hand in the PRIMAS",
    "primas.submitted": "Submitted the PRIMAS for approval",
    "primas.taken_back": "Took the PRIMAS back to draft",
    "primas.approved": "Approved the PRIMAS",
    "primas.returned": "Returned the PRIMAS",
    "primas.amended": "Started amending the approved PRIMAS",
    "outcome.reported": "Reported an outcome",
    "outcome.corrected": "Corrected an outcome report",
    "outcome.rated": "Rated an outcome",
    "csrf.refused": "Request refused: form token missing or wrong",
    "mail.sent": "Sent an email",
    "mail.failed": "Could not send an email",
    "mail.retried": "Sent a failed email again",
    "api_client.created": "Added an API client",
    "api_client.updated": "Changed an API client",
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
        # Autoescaped: "%" and "_" typed in the filter are themselves, not wildcards.
        needle = wanted.actor.strip().lower()
        conditions.append(col(AuditEvent.actor_email).contains(needle, autoescape=True))
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


def actor_names(session: Session, events: Iterable[AuditEvent]) -> dict[int, str]:
    """The name of each person who acted in `events`, by user id (one query)."""
    ids = {event.actor_id for event in events if event.actor_id is not None}
    if not ids:
        return {}
    users = session.exec(select(User).where(col(User.id).in_(ids))).all()
    return {user.id: user.name for user in users if user.id is not None}


def _ids(events: Iterable[AuditEvent], entity: str, part: int = 0) -> set[int]:
    found = set()
    for event in events:
        if event.entity_type == entity:
            piece = event.entity_id.split(",")[part] if event.entity_id else ""
            if piece.isdecimal():
                found.add(int(piece))
    return found


def record_names(session: Session, events: list[AuditEvent]) -> dict[tuple[str, str], str]:
    """Each record the events mention, named as people know it ("Procurement PRC-2026-0001:
    Cleaning of council offices", "Priya Shah (priya@…)"), keyed by (entity type, entity id).
    Records since deleted, and explicit events about no record, are left out."""
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(
        _ids(events, "user_account") | _ids(events, "procurement_collaborator", 1)
    ))).all()}  # fmt: skip
    assessment_ids = set().union(*(
        _ids(events, entity) for entity in ASSESSMENT_PARTS
    )) | _ids(events, "assessment")  # fmt: skip
    assessments = {a.id: a for a in session.exec(
        select(Assessment).where(col(Assessment.id).in_(assessment_ids))).all()}  # fmt: skip
    procurement_ids = (
        _ids(events, "procurement")
        | _ids(events, "procurement_collaborator")
        | {a.procurement_id for a in assessments.values()}
    )
    procurements = {p.id: p for p in session.exec(
        select(Procurement).where(col(Procurement.id).in_(procurement_ids))).all()}  # fmt: skip
    selections = {k.id: k for k in session.exec(select(KpiSelection).where(
        col(KpiSelection.id).in_(_ids(events, "kpi_selection")))).all()}  # fmt: skip
    values = {v.id: v for v in session.exec(select(ReferenceValue).where(
        col(ReferenceValue.id).in_(_ids(events, "reference_value")))).all()}  # fmt: skip
    categories = {c.id: c for c in session.exec(select(Category).where(
        col(Category.id).in_(_ids(events, "category")))).all()}  # fmt: skip
    directorates = {d.id: d for d in session.exec(select(Directorate).where(
        col(Directorate.id).in_(_ids(events, "directorate")))).all()}  # fmt: skip

    def procurement_words(procurement_id: int | None) -> str | None:
        found = procurements.get(procurement_id) if procurement_id else None
        return f"{found.reference}: {found.title}" if found else None

    def primas_of(assessment_id: int) -> str | None:
        found = assessments.get(assessment_id)
        where = procurement_words(found.procurement_id) if found else None
        return f"PRIMAS for {where}" if where else None

    def person(user_id: int) -> str | None:
        found = users.get(user_id)
        return f"{found.name} ({found.email})" if found else None

    names: dict[tuple[str, str], str] = {}
    for event in events:
        kind, key = event.entity_type, event.entity_id
        parts = key.split(",")
        number = int(parts[0]) if parts[0].isdecimal() else 0
        name: str | None = None
        if kind == "user_account":
            name = person(number)
        elif kind == "procurement":
            name = procurement_words(number)
            name = f"Procurement {name}" if name else None
        elif kind == "procurement_collaborator" and len(parts) == 2 and parts[1].isdecimal():
            who, where = person(int(parts[1])), procurement_words(number)
            name = f"{who} on {where}" if who and where else None
        elif kind == "assessment":
            name = primas_of(number)
        elif kind in ("assessment_answer", "score_override", "kpi_duty_exception"):
            where = primas_of(number)
            what = {"assessment_answer": f"Answer to “{parts[1]}”" if len(parts) > 1 else "",
                    "score_override": f"Judgement of {' '.join(parts[1:])}",
                    "kpi_duty_exception": "Reason for setting no KPIs"}[kind]  # fmt: skip
            name = f"{what}, {where}" if where and what else None
        elif kind == "kpi_selection" and (selection := selections.get(number)):
            what = selection.kpi_code or f"own KPI “{selection.title}”"
            where = primas_of(selection.assessment_id)
            name = f"KPI {what}, {where}" if where else None
        elif kind == "reference_value" and (value := values.get(number)):
            name = f"{value.key} from {value.effective_from.isoformat()}"
        elif kind == "category" and (category := categories.get(number)):
            name = f"Category {category.name}"
        elif kind == "directorate" and (directorate := directorates.get(number)):
            name = f"Directorate {directorate.name}"
        if name:
            names[(kind, key)] = name
    return names


# Records that belong to an assessment, their id starting with the assessment's id.
ASSESSMENT_PARTS = ("assessment_answer", "score_override", "kpi_duty_exception")
