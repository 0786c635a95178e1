"""A procurement with an approved PRIMAS and its contract KPIs, made through the services, for
the outcome tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from app.models import ContractKpi, Procurement, Role, User
from app.services import approvals, contract_kpis
from tests.support.factories import complete_draft, make_user

KEY = "a signing key for the tests, long enough to be one"


@dataclass
class Contract:
    """The procurement, its lead officer, the approver and its contract KPIs by key."""

    procurement: Procurement
    lead: User
    approver: User
    kpis: dict[str, ContractKpi]


def approve(session: Session, lead: User, approver: User, procurement: Procurement, draft) -> None:  # type: ignore[no-untyped-def]
    """Submit the draft as its lead and approve it."""
    session.refresh(draft.assessment)
    approvals.submit(session, lead, procurement, draft, declared=True,
                     seen_version=draft.assessment.status_version, today=date.today())  # fmt: skip
    session.refresh(draft.assessment)
    approvals.decide(session, approver, draft, approve=True, comment="", points=[],
                     seen_version=draft.assessment.status_version, signing_key=KEY,
                     today=date.today())  # fmt: skip


def approved_contract(session: Session, starts: date = date(2025, 1, 1)) -> Contract:
    """The £1.2m cleaning procurement of `complete_draft`, approved, its contract starting on
    `starts` (set after approval, as if the contract had been let) for three years."""
    approver = make_user(session, Role.APPROVER, email="grace.mensah@example.gov.uk")
    procurement, draft = complete_draft(session)
    lead = session.get(User, procurement.lead_officer_id)
    assert lead is not None
    approve(session, lead, approver, procurement, draft)
    procurement.expected_start_date = starts
    procurement.term_months = 36
    session.add(procurement)
    kpis = {kpi.key: kpi for kpi in contract_kpis.contract_kpis(session, procurement)}
    for kpi in kpis.values():  # as if approved before the contract began, as a PRIMAS is
        kpi.since = starts - timedelta(days=90)
        session.add(kpi)
    session.commit()
    return Contract(procurement, lead, approver, kpis)
