"""A reviewed expected result for each demo procurement, scored on its facts alone (no answers
yet), with the demo loaded as on 26 November 2026. Each row was checked by hand against
docs/scoring.md: the spend band from the fixed bands, the obligations from their thresholds on
the planned tender date, and the category's points for each topic. The London Living Wage
applies to each (unconfirmed) because nobody has yet said whether staff work on premises, and
modern slavery due diligence applies to every contract (at low risk, the standard clauses)."""

from datetime import date

import pytest
from sqlmodel import Session, col, select

from app.models import Procurement
from app.scoring.engine import score
from app.services import demo
from app.services.assessments import procurement_context
from app.services.reference_data import load_reference_data
from tests.support.catalogue import primas_rules, shipped

TODAY = date(2026, 11, 26)
# Every contract: the council pays within 30 days and so does the supply chain (Procurement Act
# 2023 s.68/s.73, or s.88 below the threshold); nobody has said yet whether staff meet the
# Living Wage test; modern slavery due diligence; bidders' turnover is not known, so their own
# s.54 statement is treated as applying until it is.
PAY, LLW, SLAVERY = ("payment-terms",), ("london-living-wage",), ("modern-slavery",)
STATEMENT = ("modern-slavery-statement",)
# title: (spend band, overall rating, modern slavery level, weighting, obligations that apply)
EXPECTED = {
    # £2.4m services, tender Feb 2027: Social Value Act (>= £207,720); KPI duty no (not > £5m).
    "Cleaning of council offices and libraries":
        (3, "medium", "medium", "10%", ("primas", "social-value-act", *PAY, *LLW, *SLAVERY,
                                        *STATEMENT, "social-value-weighting")),
    # £6.8m services: KPI duty (a public contract > £5m); weighting 10% + 5% for >= £5m.
    "School meals catering":
        (4, "high", "medium", "15%", ("primas", "social-value-act", "kpi-duty", *PAY, *LLW,
                                      *SLAVERY, *STATEMENT, "social-value-weighting")),
    # £12m light-touch, setting up a framework: Social Value Act against £663,540 (considered
    # when the framework is set up); KPI duty not for light-touch nor for setting up a framework.
    "Home care framework for adults":
        (4, "high", "medium", "15%", ("primas", "social-value-act", *PAY, *LLW, *SLAVERY,
                                      *STATEMENT, "social-value-weighting")),
    # £850,000 goods: no Social Value Act (goods); band 2.
    "Laptops and docking stations refresh":
        (2, "low", "medium", "10%", ("primas", *PAY, *LLW, *SLAVERY, *STATEMENT,
                                     "social-value-weighting")),
    "Estate grounds maintenance":
        (3, "medium", "medium", "10%", ("primas", "social-value-act", *PAY, *LLW, *SLAVERY,
                                        *STATEMENT, "social-value-weighting")),
    # £3.5m works: the Act covers services only; not over £5m for KPIs.
    "Changing rooms refurbishment at the marshes":
        (3, "medium", "medium", "10%", ("primas", *PAY, *LLW, *SLAVERY, *STATEMENT,
                                        "social-value-weighting")),
    "Staff uniforms and personal protective equipment":
        (1, "low", "medium", "10%", ("primas", *PAY, *LLW, *SLAVERY, *STATEMENT,
                                     "social-value-weighting")),
    # Exactly £100,000.00: PRIMAS (and above); below the £207,720 Social Value Act line.
    "Print and mailing of council tax bills":
        (1, "low", "low", "10%", ("primas", *PAY, *LLW, *SLAVERY, *STATEMENT,
                                  "social-value-weighting")),
    # £99,999.99: Think Local, so no weighting is recommended.
    "Legal advice on housing disrepair claims":
        (1, "low", "low", "None", (*PAY, *LLW, *SLAVERY, *STATEMENT)),
    "Stewarding for community events":
        (1, "low", "medium", "None", (*PAY, *LLW, *SLAVERY, *STATEMENT)),
}  # fmt: skip


@pytest.fixture
def demo_procurements(session: Session) -> list[Procurement]:
    demo.load_demo_users(session)
    demo.load_demo_procurements(session, TODAY)
    return list(session.exec(select(Procurement).order_by(col(Procurement.id))).all())


def test_each_demo_procurement_scores_as_reviewed(
    session: Session, demo_procurements: list[Procurement]
) -> None:
    forms = shipped().forms
    rules = primas_rules(1)
    reference = load_reference_data(session)
    got = {}
    for procurement in demo_procurements:
        context = procurement_context(session, procurement)
        result = score(
            forms[("primas", 1)],
            rules,
            context,
            {},
            reference,
            topics=shipped().topics,
            as_of=TODAY,
        )
        applying = tuple(o.code for o in result.obligations if o.applies)
        band = result.spend_band.band if result.spend_band else None
        got[procurement.title] = (band, result.overall.rating, result.modern_slavery_level,
                                  result.weighting.percent, applying)  # fmt: skip
    assert got == EXPECTED


def test_topics_not_relevant_to_legal_services_are_not_applicable(
    session: Session, demo_procurements: list[Procurement]
) -> None:
    forms = shipped().forms
    rules = primas_rules(1)
    legal = next(p for p in demo_procurements if p.title.startswith("Legal advice"))
    result = score(forms[("primas", 1)], rules, procurement_context(session, legal), {},
                   load_reference_data(session), topics=shipped().topics, as_of=TODAY)  # fmt: skip
    not_applicable = [t.topic.code for t in result.topics if t.priority.value == "not-applicable"]
    # Legal services: relevance 0 for these topics. Modern slavery is low, never "not
    # applicable": it can happen in any supply chain (PPN 009).
    assert not_applicable == ["waste-circular", "transport-air", "materials-food",
                              "nature-pollution"]  # fmt: skip
    assert result.topic("modern-slavery").priority.value == "low"
