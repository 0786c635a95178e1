"""The changes feed (docs/api.md): what happened to procurements and their PRIMAS, in order,
read from the audit log, which records every change in the transaction that makes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.models import AuditEvent, Procurement

# The audit log's actions that the feed gives, and what it calls them.
FEED_TYPES = {
    "procurement.created": "procurement.created",
    "procurement.updated": "procurement.updated",
    "primas.submitted": "assessment.submitted",
    "primas.approved": "assessment.approved",
    "primas.returned": "assessment.returned",
    "primas.taken_back": "assessment.taken_back",
    "primas.amended": "assessment.amended",
    "outcome.reported": "outcome.reported",
    "outcome.corrected": "outcome.corrected",
    "outcome.rated": "outcome.rated",
}


@dataclass(frozen=True)
class Change:
    """One thing that happened: its place in the feed, what, when, to which procurement, for
    a PRIMAS which revision, and for an outcome report which (its KPI, id and version)."""

    position: int
    type: str
    occurred_at: datetime
    reference: str
    assessment_id: int | None
    revision: int | None
    outcome: tuple[int, int, int] | None = None


def changes_after(
    session: Session, after: int, *, limit: int, settled_before: datetime
) -> list[Change]:
    """Up to `limit` changes after position `after`, in order, ending before the first that
    happened after `settled_before`: on PostgreSQL a transaction may commit after one that
    began later, so a reader that went past a position could otherwise miss what commits
    behind it. The page stops there (rather than leaving it out and going on), so a client's
    cursor never passes a change it has not been given."""
    found_events = session.exec(
        select(AuditEvent)
        .where(
            col(AuditEvent.id) > after,
            col(AuditEvent.action).in_(FEED_TYPES),
            col(AuditEvent.entity_type) == "procurement",
        )
        .order_by(col(AuditEvent.id))
        .limit(limit)
    ).all()
    events = []
    for event in found_events:
        if event.occurred_at > settled_before:
            break
        events.append(event)
    ids = {int(event.entity_id) for event in events if event.entity_id.isdecimal()}
    references = dict(session.exec(
        select(Procurement.id, Procurement.reference).where(col(Procurement.id).in_(ids))
    ).all())  # fmt: skip
    found = []
    for event in events:
        reference = references.get(int(event.entity_id)) if event.entity_id.isdecimal() else None
        if reference is None or event.id is None:
            continue
        detail = event.detail or {}
        assessment = detail.get("assessment") if event.action.startswith("primas.") else None
        revision = detail.get("revision") if event.action.startswith("primas.") else None
        outcome = ((detail["kpi"], detail["outcome"], detail["version"])
                   if event.action.startswith("outcome.") else None)  # fmt: skip
        found.append(Change(event.id, FEED_TYPES[event.action], event.occurred_at, reference,
                            assessment, revision, outcome))  # fmt: skip
    return found
