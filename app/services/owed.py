"""What a procurement owes, as one list for both faces' summaries and the API (issue 20): from
its approved revision in force (as frozen in the signed record), else its open draft (scored
now), else its record alone (the newest form's rules with no answers yet, so that what depends
on answers applies until answers say otherwise, the cautious reading)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from app.models import Assessment, Procurement
from app.scoring.catalogue import Catalogue
from app.scoring.obligations.model import Obligation
from app.scoring.results import Result
from app.services import approvals, assessments, records, scoring
from app.services.assessments import Draft
from app.services.reference_data import load_reference_data

FORM = "primas"  # the form a new draft starts on


@dataclass(frozen=True)
class Owes:
    """One obligation: `status` is "applies", "applies-unless-answers-show-otherwise",
    "does-not-apply" or "cannot-decide-yet" (when `applies` is None); `basis` is "law",
    "council-policy" or "practice"; `level` (modern slavery) or `value` (the social value
    weighting, as a percentage) where it has one."""

    code: str
    title: str
    status: str
    applies: bool | None
    basis: str
    reason: str
    level: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class Owed:
    """Every obligation, and where they were worked out from: "approved" (with the revision),
    "draft" (with the revision) or "record"."""

    source: str
    revision: int | None
    obligations: tuple[Owes, ...]


def status_of(obligation: Obligation) -> str:
    """An obligation's status in the service's own words."""
    if not obligation.applies and not obligation.confirmed:
        return "cannot-decide-yet"
    return records.obligation_status(obligation)


def _extra(code: str, level: str, weighting: str) -> dict[str, str]:
    if code == "modern-slavery":
        return {"level": level}
    if code == "social-value-weighting":
        return {"value": weighting}
    return {}


def from_result(result: Result) -> tuple[Owes, ...]:
    """The obligations of a scored assessment."""
    found = []
    for obligation in result.obligations:
        status = status_of(obligation)
        found.append(Owes(
            code=obligation.code, title=obligation.title, status=status,
            applies=None if status == "cannot-decide-yet" else obligation.applies,
            basis=obligation.basis.value, reason=obligation.reason,
            **_extra(obligation.code, result.modern_slavery_level, result.weighting.percent),
        ))  # fmt: skip
    return tuple(found)


def _from_record(content: dict[str, Any]) -> tuple[Owes, ...]:
    result = content["result"]
    found = []
    for item in result["obligations"]:
        status = item["status"]
        found.append(Owes(
            code=item["code"], title=item["title"], status=status,
            applies=None if status == "cannot-decide-yet" else item["applies"],
            basis=item["basis"], reason=item["reason"],
            **_extra(item["code"], result["modern_slavery_level"],
                     result["social_value_weighting"]),
        ))  # fmt: skip
    return tuple(found)


def before_answers(
    session: Session, catalogue: Catalogue, procurement: Procurement, today: date
) -> Result:
    """The result of a PRIMAS on the newest form with no answers yet: what the record alone
    says. Nothing is stored."""
    reference = load_reference_data(session)
    definition = catalogue.latest(FORM)
    unsaved = Assessment(procurement_id=procurement.id or 0, revision=0, form_id=definition.id,
                         form_version=definition.version, created_by_id=0,
                         context_seen={})  # fmt: skip
    draft = Draft(
        assessment=unsaved,
        definition=definition,
        context=assessments.procurement_context(session, procurement, reference),
        answers={},
        catalogue=catalogue,
        reference=reference,
    )
    return scoring.result(draft, today)


def owed(session: Session, catalogue: Catalogue, procurement: Procurement, today: date) -> Owed:
    """What the procurement owes, from its approved revision in force, else its open draft,
    else its record alone."""
    approved = approvals.in_force(session, procurement)
    found = records.record_of(session, procurement, approved.revision) if approved else None
    if approved is not None and found is not None:
        return Owed("approved", approved.revision, _from_record(json.loads(found[0].content)))
    opened = assessments.open_draft(session, procurement)
    if opened is not None and opened.status != "approved":
        draft = assessments.load(session, opened, catalogue)
        return Owed("draft", opened.revision, from_result(scoring.result(draft, today)))
    return Owed("record", None, from_result(before_answers(session, catalogue, procurement, today)))
