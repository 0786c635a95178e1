"""The signed record an approval freezes: what the approver approved, as canonical JSON (RFC 8785)
with its SHA-256 and an HMAC-SHA-256 of that hash under the signing key, so that anyone can later
check that it has not changed. Written in the approval's own transaction (approvals.decide);
database triggers refuse any UPDATE or DELETE of it (migration 0020).

The record holds everything the decision rested on, as it was: the procurement's facts, the form
and rules it was read against, every shown answer with its question as asked, each topic's risk,
scope and priority (with any judgement beside the computed score), each obligation, the KPIs
with their targets as numbers, the approver, the time and the comment. New reference data or
rules never change it: pages of an approved revision are drawn from it, not worked out again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import rfc8785
from sqlmodel import Session, col, select

from app.forms.types import question_type
from app.models import (
    ApprovedRecord,
    Assessment,
    Category,
    Directorate,
    Procurement,
    User,
)
from app.scoring.kpi_choices import KpiTask
from app.scoring.obligations import OBLIGATION_RULES
from app.scoring.obligations.model import Obligation
from app.scoring.results import Result
from app.services import kpis
from app.services.assessments import Draft
from app.specification import (
    AcceptedKpi,
    Contract,
    SupplierRequirement,
    accepted_kpis,
    requirements,
)
from app.timeutil import long_date

FORMAT = 1  # the record's own layout; a later layout is a new number, old records keep theirs


def _number(value: Decimal | None) -> int | float | None:
    """A target as a JSON number: whole numbers as integers (RFC 8785 writes numbers as the
    shortest form that reads back as the same double)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def obligation_status(obligation: Obligation) -> str:
    """The obligation's status in the service's own words (as the API gives it)."""
    if obligation.applies:
        return "applies" if obligation.confirmed else "applies-unless-answers-show-otherwise"
    return "does-not-apply"


def _obligation(obligation: Obligation) -> dict[str, Any]:
    return {
        "code": obligation.code,
        "title": obligation.title,
        "status": obligation_status(obligation),
        "applies": obligation.applies,
        "basis": obligation.basis.value,
        "reason": obligation.reason,
        "facts": [[label, value] for label, value in obligation.facts],
    }


def result_content(result: Result) -> dict[str, Any]:
    """A result as the record (and the API's evaluation) lays it out."""
    return {
        "overall": result.overall.rating,
        "spend_band": result.overall.spend_band,
        "modern_slavery_level": result.modern_slavery_level,
        "social_value_weighting": result.weighting.percent,
        "topics": _topics(result),
        "obligations": [_obligation(obligation) for obligation in result.obligations],
    }


def _topics(result: Result) -> list[dict[str, Any]]:
    rows = []
    for row in result.topics:
        entry: dict[str, Any] = {"topic": row.topic.code, "name": row.topic.name,
                                 "priority": row.priority.value}  # fmt: skip
        for measure in ("risk", "scope"):
            score = getattr(row, measure)
            entry[measure] = score.value
            entry[f"{measure}_computed"] = score.computed
            if score.override is not None:
                entry[f"{measure}_judgement"] = {"reason": score.override.reason,
                                                 "by": score.override.by}  # fmt: skip
        rows.append(entry)
    return rows


def _kpis(task: KpiTask) -> list[dict[str, Any]]:
    decided = []
    for row in task.rows:
        if row.choice is None:
            continue
        decided.append({
            "code": row.kpi.code, "title": row.kpi.title, "unit": row.kpi.unit,
            "frequency": row.kpi.frequency, "decision": row.status.value,
            "target": _number(row.target) if row.accepted else None,
            "baseline": row.kpi.target.kind == "baseline" and row.target is None,
            "reason": row.reason,
        })  # fmt: skip
    for own in task.custom:
        decided.append({
            "code": None, "title": own.title, "unit": own.unit, "frequency": own.frequency,
            "decision": "own", "target": _number(own.target), "baseline": False,
            "reason": "", "evidence": own.evidence, "better": own.better,
        })  # fmt: skip
    return decided


def _answers(draft: Draft) -> list[dict[str, Any]]:
    walked = draft.walk
    rows = []
    for task in walked.applicable_tasks():
        for question in walked.questions_in(task):
            value = walked.values.get(question.id)
            if value is None:
                continue
            rows.append({
                "task": task.id, "task_title": task.title, "question": question.id,
                "asked": question.label, "answer": draft.raw_answers.get(question.id),
                "in_words": question_type(question.type).describe(question, value),
            })  # fmt: skip
    return rows


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _specification(
    procurement: Procurement, draft: Draft, result: Result, kpi_task: KpiTask
) -> dict[str, Any]:
    """What the specification is written from, so an approved one is written from its record:
    the contract's facts, what the supplier must do, and each accepted KPI with its clause."""
    contract = kpis.contract(procurement, draft)
    applying = requirements(result.obligations, result.requirements,
                            kpis.supplier_actions(draft))  # fmt: skip
    return {
        "description": contract.description,
        "facts": [[label, value] for label, value in contract.facts],
        "requirements": [
            {"title": r.title, "supplier": r.supplier, "details_heading": r.details_heading,
             "details": list(r.details)} for r in applying
        ],
        "kpis": [
            {"title": k.title, "unit": k.unit, "frequency": k.frequency, "evidence": k.evidence,
             "target": None if k.target is None else str(k.target), "definition": k.definition,
             "clause_template": k.clause_template, "code": k.code, "fallback": k.fallback,
             "better": k.better}
            for k in accepted_kpis(kpi_task)
        ],
    }  # fmt: skip


def specification_of(
    record: ApprovedRecord, council: str
) -> tuple[Contract, list[SupplierRequirement], list[AcceptedKpi]]:
    """An approved revision's specification, from its signed record alone: marked approved,
    with the approver, the date and the record's hash."""
    content = content_of(record)
    written, decision = content["specification"], content["decision"]
    facts = content["procurement"]
    approval = (f"Approved by {decision['approved_by']['name']} on "
                f"{long_date(record.approved_at.date())}: the PRIMAS record's SHA-256 is "
                f"{record.sha256}.")  # fmt: skip
    contract = Contract(facts["reference"], facts["title"], written["description"],
                        tuple((label, value) for label, value in written["facts"]),
                        council=council, approved=True, approval=approval)  # fmt: skip
    applying = [
        SupplierRequirement(r["title"], r["supplier"], r["details_heading"], tuple(r["details"]))
        for r in written["requirements"]
    ]
    accepted = [
        AcceptedKpi(k["title"], k["unit"], k["frequency"], k["evidence"],
                    None if k["target"] is None else Decimal(k["target"]), k["definition"],
                    k["clause_template"], k["code"], k["fallback"],
                    k.get("better", "higher"))  # before December 2026: always "higher"
        for k in written["kpis"]
    ]  # fmt: skip
    return contract, applying, accepted


def snapshot(
    session: Session,
    procurement: Procurement,
    draft: Draft,
    result: Result,
    kpi_task: KpiTask,
    *,
    approver: User | None = None,
    approved_at: datetime | None = None,
    comment: str = "",
) -> dict[str, Any]:
    """The record of the approval, as plain JSON values (without an approver: the revision as
    it stands, for comparing)."""
    category = session.get(Category, procurement.category_id)
    directorate = session.get(Directorate, procurement.directorate_id)
    lead = session.get(User, procurement.lead_officer_id)
    assert category is not None and directorate is not None and lead is not None
    return {
        "format": FORMAT,
        "procurement": {
            "reference": procurement.reference,
            "title": procurement.title,
            "description": procurement.description,
            "directorate": {"code": directorate.code, "name": directorate.name},
            "category": {"code": category.code, "name": category.name},
            "contract_type": procurement.contract_type,
            "light_touch": procurement.light_touch,
            "framework": procurement.framework,
            "framework_name": procurement.framework_name,
            "whole_life_value_pence": procurement.value_pence,
            "term_months": procurement.term_months,
            "extension_months": procurement.extension_months,
            "planned_tender_date": _day(procurement.planned_tender_date),
            "expected_start_date": _day(procurement.expected_start_date),
            "delivery_location": procurement.delivery_location,
            "lead_officer": {"name": lead.name, "email": lead.email},
        },
        "assessment": {
            "revision": draft.assessment.revision,
            "form": draft.definition.id,
            "form_version": draft.definition.version,
            "obligation_rules": OBLIGATION_RULES.marker,
        },
        "answers": _answers(draft),
        "result": result_content(result),
        "kpis": _kpis(kpi_task),
        "specification": _specification(procurement, draft, result, kpi_task),
        "decision": None if approver is None or approved_at is None else {
            "approved_by": {"name": approver.name, "email": approver.email},
            "approved_at": approved_at.isoformat(),
            "comment": comment,
        },
    }  # fmt: skip


def canonical(content: dict[str, Any]) -> bytes:
    """The record as RFC 8785 canonical JSON: one byte sequence for one record."""
    return rfc8785.dumps(content)


def signature(sha256: str, key: str) -> str:
    """HMAC-SHA-256 of the record's hash under the signing key, as hex."""
    return hmac.new(key.encode(), sha256.encode(), hashlib.sha256).hexdigest()


def seal(content: dict[str, Any], key: str) -> tuple[str, str, str]:
    """The canonical JSON (as text), its SHA-256 and its signature."""
    text = canonical(content)
    digest = hashlib.sha256(text).hexdigest()
    return text.decode(), digest, signature(digest, key)


@dataclass(frozen=True)
class Check:
    """What checking a record found: whether its JSON is still canonical and hashes to the hash
    stored, and whether the signature is the signing key's for that hash."""

    canonical: bool
    hash_matches: bool
    signature_matches: bool

    @property
    def intact(self) -> bool:
        return self.canonical and self.hash_matches and self.signature_matches


def check(record: ApprovedRecord, key: str) -> Check:
    """Recompute the record's hash and signature and compare them with those stored."""
    raw = record.content.encode()
    try:
        still_canonical = canonical(json.loads(raw)) == raw
    except ValueError:
        still_canonical = False
    digest = hashlib.sha256(raw).hexdigest()
    return Check(
        canonical=still_canonical,
        hash_matches=hmac.compare_digest(digest, record.sha256),
        signature_matches=hmac.compare_digest(signature(record.sha256, key), record.signature)
        and hmac.compare_digest(digest, record.sha256),
    )


def answers_by_task(content: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """A record's answers, grouped under their tasks' titles in the order they were asked."""
    grouped: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    for row in content["answers"]:
        grouped.setdefault(row["task"], (row["task_title"], []))[1].append(row)
    return list(grouped.values())


def content_of(record: ApprovedRecord) -> dict[str, Any]:
    """The record's content, read back."""
    found: dict[str, Any] = json.loads(record.content)
    return found


def approved_records(session: Session, procurement: Procurement) -> list[ApprovedRecord]:
    """The procurement's approved records, newest revision first."""
    return list(
        session.exec(
            select(ApprovedRecord)
            .where(col(ApprovedRecord.procurement_id) == procurement.id)
            .order_by(col(ApprovedRecord.revision).desc())
        ).all()
    )


def record_of(
    session: Session, procurement: Procurement, revision: int
) -> tuple[ApprovedRecord, Assessment] | None:
    """The approved record of one revision, with the revision (approved, or superseded)."""
    found = session.exec(
        select(ApprovedRecord, Assessment)
        .join(Assessment, col(Assessment.id) == col(ApprovedRecord.assessment_id))
        .where(
            col(ApprovedRecord.procurement_id) == procurement.id,
            col(ApprovedRecord.revision) == revision,
        )
    ).first()
    return None if found is None else (found[0], found[1])


@dataclass(frozen=True)
class Change:
    """One thing that differs between two revisions: what, and its value in each."""

    what: str
    was: str
    now: str


@dataclass(frozen=True)
class Changes:
    """What differs between two revisions' contents, by kind."""

    answers: list[Change]
    priorities: list[Change]
    obligations: list[Change]
    kpis: list[Change]

    @property
    def any(self) -> bool:
        return bool(self.answers or self.priorities or self.obligations or self.kpis)


def _differences(
    before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]]
) -> list[Change]:
    """Each key's (label, value) that differs, in `after`'s order and then those gone."""
    changes = []
    for key in [*after, *(key for key in before if key not in after)]:
        label, was = before.get(key, ("", "none"))
        label_now, now = after.get(key, (label, "none"))
        if was != now:
            changes.append(Change(label_now or label, was, now))
    return changes


def _kpi_words(row: dict[str, Any]) -> str:
    if row["decision"] == "rejected":
        return "rejected" + (f": {row['reason']}" if row["reason"] else "")
    if row["baseline"]:
        return "accepted, a baseline to be set"
    return f"target {row['target']} {row['unit']}, {row['frequency']}"


def compare(before: dict[str, Any], after: dict[str, Any]) -> Changes:
    """What changed from one revision's content to another's: answers (as asked, in words),
    topic priorities, whether each obligation applies, and the KPIs."""

    def answers(content: dict[str, Any]) -> dict[str, tuple[str, str]]:
        return {row["question"]: (row["asked"], row["in_words"]) for row in content["answers"]}

    def priorities(content: dict[str, Any]) -> dict[str, tuple[str, str]]:
        return {row["topic"]: (row["name"], row["priority"].replace("-", " "))
                for row in content["result"]["topics"]}  # fmt: skip

    def obligations(content: dict[str, Any]) -> dict[str, tuple[str, str]]:
        return {row["code"]: (row["title"], row["status"].replace("-", " "))
                for row in content["result"]["obligations"]}  # fmt: skip

    def kpis(content: dict[str, Any]) -> dict[str, tuple[str, str]]:
        own = (f"own:{n}" for n in range(len(content["kpis"])))  # the lead's own, in order
        return {row["code"] or next(own): (row["title"], _kpi_words(row))
                for row in content["kpis"]}  # fmt: skip

    return Changes(
        answers=_differences(answers(before), answers(after)),
        priorities=_differences(priorities(before), priorities(after)),
        obligations=_differences(obligations(before), obligations(after)),
        kpis=_differences(kpis(before), kpis(after)),
    )
