"""KPI decisions through the service, as the API will make them: typed, and refused by the
names of the decision's own facts, never a page's fields."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session

from app.errors import InvalidInput, NotFound
from app.models import KpiSelection, Role
from app.services import assessments, kpis
from app.services.kpis import KpiAction, KpiDecision
from tests.support.catalogue import shipped
from tests.support.factories import make_draft, make_procurement, make_user

APPRENTICESHIPS = "apprenticeship-weeks"  # in the library, not suggested without answers
LLW = "llw-staff-share"  # suggested, and required by the London Living Wage obligation
TODAY = date(2026, 12, 5)


def _decide(session: Session, code: str, decision: KpiDecision) -> kpis.Decided:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead, value="2,400,000")
    draft = assessments.load(session, make_draft(session, procurement, lead, version=3), shipped())
    task = kpis.work(session, draft, TODAY).task
    return kpis.decide(session, lead, draft, task, code, decision)


@pytest.mark.parametrize(
    ("code", "decision", "errors"),
    [
        (APPRENTICESHIPS, KpiDecision(KpiAction.ACCEPT, Decimal("1.234")),
         {"target": "The target can have up to 2 decimal places"}),
        (APPRENTICESHIPS, KpiDecision(KpiAction.ACCEPT, Decimal("-5")),
         {"target": "The target must be a positive number in weeks of apprenticeship or "
                    "training (more than 0)"}),
        (APPRENTICESHIPS, KpiDecision(KpiAction.ACCEPT, Decimal("Infinity")),
         {"target": "The target must be a number in weeks of apprenticeship or training, like 25"}),
        (APPRENTICESHIPS, KpiDecision(KpiAction.ACCEPT, None),
         {"target": "Enter the target, as a number in weeks of apprenticeship or training"}),
        (LLW, KpiDecision(KpiAction.REJECT, reason="x" * 1001),
         {"reason": "The reason must be 1000 characters or fewer"}),
        (LLW, KpiDecision(KpiAction.REJECT, reason="  "),
         {"reason": "Enter why you are rejecting this KPI: an obligation requires it"}),
        (LLW, KpiDecision(KpiAction.REMOVE),
         {"action": "Reject a suggested KPI instead of removing"}),
        (APPRENTICESHIPS, KpiDecision(KpiAction.REJECT, reason="No"),
         {"action": "This KPI is not on your list: add it first"}),
    ],
)  # fmt: skip
def test_a_decision_is_refused_by_its_own_facts(
    session: Session, code: str, decision: KpiDecision, errors: dict[str, str]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _decide(session, code, decision)
    assert refused.value.errors == errors


def test_a_typed_target_is_saved(session: Session) -> None:
    assert _decide(session, APPRENTICESHIPS, KpiDecision(KpiAction.ACCEPT, Decimal("150"))).saved


def test_a_kpi_not_in_the_library_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        _decide(session, "no-such-kpi", KpiDecision(KpiAction.ACCEPT, Decimal("1")))


def test_adding_from_the_library_never_overturns_a_decision_taken_since(
    session: Session,
) -> None:
    """A library KPI rejected since the library page was drawn (when it was suggested, before
    the procurement changed) stays rejected when the stale page's "Add" arrives; adding it from
    a page that saw the rejection works."""
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead, value="2,400,000")
    draft = assessments.load(session, make_draft(session, procurement, lead, version=3), shipped())
    rejected = KpiSelection(assessment_id=draft.assessment.id, kpi_code=APPRENTICESHIPS,
                            status="rejected", reason="Not for this contract",
                            updated_by_id=lead.id)  # fmt: skip
    session.add(rejected)
    session.commit()
    assert kpis.decision_revisions(session, draft) == {APPRENTICESHIPS: 1}
    task = kpis.work(session, draft, TODAY).task
    stale = kpis.decide(session, lead, draft, task, APPRENTICESHIPS,
                        KpiDecision(KpiAction.ADD, revision=0))  # fmt: skip
    assert stale == kpis.Decided(saved=False)
    session.refresh(rejected)
    assert (rejected.status, rejected.reason) == ("rejected", "Not for this contract")
    seen = kpis.decide(session, lead, draft, task, APPRENTICESHIPS,
                       KpiDecision(KpiAction.ADD, revision=1))  # fmt: skip
    assert seen == kpis.Decided(saved=True)
    session.refresh(rejected)
    assert rejected.status == "accepted"
