"""A procurement's PRIMAS through the API: its revisions, one revision whole, and the KPIs
approved (docs/api.md)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from sqlmodel import col, select

from app.api.procurements import Reference, procurement_or_404
from app.api.responses import tagged
from app.api.schemas import (
    INVALID,
    NOT_FOUND,
    PROBLEMS,
    AssessmentDetail,
    AssessmentList,
    AssessmentSummary,
    Decision,
    KpiList,
    KpiOut,
    SignedRecord,
)
from app.deps import SessionDep
from app.deps.api import ReadClient
from app.deps.records import CatalogueDep
from app.errors import NotFound
from app.inputs import MAX_INTEGER
from app.models import ApprovedRecord, Assessment, AssessmentDecision, Procurement, User
from app.services import approvals, assessments, contract_kpis
from app.timeutil import london_today

router = APIRouter(prefix="/api/v1", tags=["assessments"], responses=PROBLEMS)

AssessmentId = Annotated[int, Path(ge=1, le=MAX_INTEGER)]
APPROVED_DECISIONS = contract_kpis.APPROVED_DECISIONS


def _summary(assessment: Assessment) -> dict[str, Any]:
    return AssessmentSummary(
        id=assessment.id or 0, revision=assessment.revision,
        status=assessment.status,
        form=assessment.form_id, form_version=assessment.form_version,
        created_at=assessment.created_at, submitted_at=assessment.submitted_at,
    ).model_dump(mode="json")  # fmt: skip


@router.get("/procurements/{reference}/assessments", response_model=AssessmentList,
            responses=NOT_FOUND | INVALID,
            summary="A procurement's PRIMAS revisions")  # fmt: skip
def api_list_assessments(
    request: Request, reference: Reference, _client: ReadClient, session: SessionDep
) -> Response:
    """Every revision of the procurement's PRIMAS, oldest first, with its status."""
    procurement = procurement_or_404(session, reference)
    rows = session.exec(
        select(Assessment)
        .where(col(Assessment.procurement_id) == procurement.id)
        .order_by(col(Assessment.revision))
    ).all()
    return tagged(request, {"items": [_summary(row) for row in rows]})


@router.get("/assessments/{assessment_id}", response_model=AssessmentDetail,
            responses=NOT_FOUND | INVALID,
            summary="One PRIMAS revision, whole")  # fmt: skip
def api_get_assessment(
    request: Request,
    assessment_id: AssessmentId,
    _client: ReadClient,
    session: SessionDep,
    catalogue: CatalogueDep,
) -> Response:
    """The revision in the signed record's layout: its facts, every answer with its question's
    text, the result (topics, obligations), its KPIs and specification; for an approved or
    superseded revision, the record as frozen with its hash and signature."""
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound(f"assessment {assessment_id}")
    procurement = session.get(Procurement, assessment.procurement_id)
    assert procurement is not None
    frozen = session.exec(
        select(ApprovedRecord).where(col(ApprovedRecord.assessment_id) == assessment.id)
    ).first()
    if frozen is not None:
        content = json.loads(frozen.content)
        record = SignedRecord(sha256=frozen.sha256, signature=frozen.signature,
                              approved_at=frozen.approved_at).model_dump(mode="json")  # fmt: skip
    else:
        draft = assessments.load(session, assessment, catalogue)
        content = approvals.current_content(session, draft, london_today())
        record = None
    decided = session.exec(
        select(AssessmentDecision, User.email)
        .join(User, col(User.id) == col(AssessmentDecision.decided_by_id))
        .where(col(AssessmentDecision.assessment_id) == assessment.id)
        .order_by(col(AssessmentDecision.decided_at), col(AssessmentDecision.id))
    ).all()
    decisions = [
        Decision(outcome=row.outcome, comment=row.comment,
                 points=list(row.points), decided_by=email,
                 decided_at=row.decided_at).model_dump(mode="json")
        for row, email in decided
    ]  # fmt: skip
    return tagged(request, _summary(assessment) | {
        "procurement": procurement.reference, "content": content, "decisions": decisions,
        "record": record})  # fmt: skip


@router.get("/procurements/{reference}/kpis", response_model=KpiList,
            responses=NOT_FOUND | INVALID,
            summary="The KPIs approved for a procurement")  # fmt: skip
def api_procurement_kpis(
    request: Request,
    reference: Reference,
    _client: ReadClient,
    session: SessionDep,
    catalogue: CatalogueDep,
) -> Response:
    """The KPIs of the approved revision in force, as frozen in its signed record: accepted
    from the library (with the lead's target if they changed it) and the lead's own. None
    before a revision is approved."""
    procurement = procurement_or_404(session, reference)
    approved = approvals.in_force(session, procurement)
    frozen = session.exec(
        select(ApprovedRecord).where(col(ApprovedRecord.assessment_id) == approved.id)
    ).first() if approved is not None else None  # fmt: skip
    if approved is None or frozen is None:
        return tagged(request, {"revision": None, "items": []})
    content = json.loads(frozen.content)
    ids = {row.key: row.id for row in contract_kpis.contract_kpis(session, procurement)}
    keys = [row["key"] for row in contract_kpis.contract_kpis_from(content, catalogue.kpis)]
    chosen = [kpi for kpi in content["kpis"] if kpi["decision"] in APPROVED_DECISIONS]
    items = [
        KpiOut(id=ids.get(key), code=kpi["code"], title=kpi["title"], unit=kpi["unit"],
               target=kpi["target"], baseline=kpi["baseline"],
               frequency=kpi["frequency"]).model_dump(mode="json")
        for key, kpi in zip(keys, chosen, strict=True)
    ]  # fmt: skip
    return tagged(request, {"revision": approved.revision, "items": items})
