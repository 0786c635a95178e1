"""What a procurement owes, as one list for both faces' summaries and the API (issue 20): from
its approved revision in force (as frozen in the signed record), else its open draft (scored
now), else its record alone (the newest form's rules with no answers yet, so that what depends
on answers applies until answers say otherwise, the cautious reading)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from app.errors import InvalidInput
from app.forms.definition import FormDefinition
from app.forms.types import answer_fits, answer_size_problem
from app.models import Assessment, Procurement
from app.scoring.catalogue import Catalogue
from app.scoring.obligations.model import Obligation
from app.scoring.results import Result
from app.services import approvals, assessments, records, scoring
from app.services.assessments import Draft, StoredAnswer
from app.services.procurement_form import ProcurementFacts, validate
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
    return _scored(session, catalogue, catalogue.latest(FORM), procurement, {}, today)


def _scored(session: Session, catalogue: Catalogue, definition: FormDefinition,
            procurement: Procurement, answers: dict[str, Any], today: date) -> Result:  # fmt: skip
    """The result of a draft that is never stored: `procurement` (stored or not) with these
    answers on `definition`."""
    reference = load_reference_data(session)
    unsaved = Assessment(procurement_id=procurement.id or 0, revision=0, form_id=definition.id,
                         form_version=definition.version, created_by_id=0,
                         context_seen={})  # fmt: skip
    draft = Draft(
        assessment=unsaved,
        definition=definition,
        context=assessments.procurement_context(session, procurement, reference),
        answers={question: StoredAnswer(raw, 0) for question, raw in answers.items()},
        catalogue=catalogue,
        reference=reference,
    )
    return scoring.result(draft, today)


def evaluate(
    session: Session,
    catalogue: Catalogue,
    definition: FormDefinition,
    facts: ProcurementFacts,
    answers: dict[str, Any],
    today: date,
) -> Result:
    """The result a PRIMAS on `definition` would have for a procurement with `facts` and these
    answers (question id -> the answer as a page sends it), storing nothing. InvalidInput names
    each fact at fault, and each answer as `answers.<question>`: one to no question of the
    form, or not in the shape its question takes."""
    errors: dict[str, str] = {}
    try:
        values = validate(session, facts)
    except InvalidInput as invalid:
        errors |= invalid.errors
    for question_id, raw in answers.items():
        try:
            question = definition.question(question_id)
        except KeyError:
            errors[f"answers.{question_id}"] = "The form has no question with this id"
            continue
        if not answer_fits(question, raw):
            errors[f"answers.{question_id}"] = "The answer is not in the form this question takes"
        elif problem := answer_size_problem(question, raw):
            errors[f"answers.{question_id}"] = problem
    if errors:
        raise InvalidInput(errors)
    unsaved = Procurement(**asdict(values), reference="", lead_officer_id=0, created_by_id=0)
    return _scored(session, catalogue, definition, unsaved, answers, today)


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
