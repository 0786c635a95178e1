"""Realistic procurements, from office cleaning to home care, housing repairs and waste
collection, with every obligation and basis each must get. Written from the sources, never by
running the engine:

- Procurement Act 2023 (https://www.legislation.gov.uk/ukpga/2023/54): s.3 a public contract is
  one worth not less than the threshold for its type (from 1 January 2026 £207,720 goods and
  services, £5,193,000 works, £663,540 light-touch); s.52 at least 3 KPIs for a public contract
  worth more than £5m, not a framework or a light-touch contract (s.52(6)), unless performance
  could not appropriately be assessed by KPIs (s.52(2)); s.68 and s.73 30-day payment in a
  public contract and its subcontracts; s.88(1) and (8) the same below the threshold.
- Public Services (Social Value) Act 2012 s.1: services contracts at or above the threshold,
  considered when a framework is concluded and not for contracts based on it.
- Council policy: PRIMAS at £100,000 and above; the London Living Wage (Living Wage
  Foundation's test per worker; care in people's own homes by the council's own decision); PPN
  006 (over £5m a year) and PPN 002 (a minimum weighting) while adopted.
- Recommended practice: PPN 009 due diligence. Law on the supplier: Modern Slavery Act 2015
  s.54, a statement at a turnover of £36m or more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from app.scoring.engine import Result, score
from app.scoring.reference_data import ReferenceData, ReferenceEntry
from tests.support.catalogue import primas_definition, shipped
from tests.unit.scoring.inputs import AS_OF, SEEDED, context

RULES = shipped().rules
TENDER = date(2026, 3, 1)  # the 2026 thresholds are in force
BASIS = {
    "primas": "council-policy", "social-value-act": "law", "kpi-duty": "law",
    "payment-terms": "law", "london-living-wage": "council-policy", "modern-slavery": "practice",
    "modern-slavery-statement": "law", "carbon-reduction-plan": "council-policy",
    "social-value-weighting": "council-policy",
}  # fmt: skip
APPLIES, NOT, UNLESS = "Applies", "Does not apply", "Applies unless your answers show otherwise"
NOT_POLICY = "Does not apply: not council policy"


def decision(key: str, yes: bool, note: str) -> ReferenceEntry:
    """A council policy decision recorded by an administrator from 1 January 2026."""
    return ReferenceEntry(key, date(2026, 1, 1), 1 if yes else 0, "", note)


@dataclass(frozen=True)
class Case:
    name: str
    facts: dict[str, Any]
    answers: dict[str, Any]
    owes: dict[str, str]  # every obligation's status
    phrases: dict[str, str] = field(default_factory=dict)  # words each reason must contain
    version: int = 2
    decisions: tuple[ReferenceEntry, ...] = ()


def pounds(value: int) -> int:
    return value * 100


def facts(value: int, months: int, **more: Any) -> dict[str, Any]:
    """A contract's value and term; the annual value as the service works it out."""
    annual = value if months < 12 else value * 12 // months
    return {"value_pence": pounds(value), "annual_value_pence": pounds(annual),
            "term_months": months, "planned_tender_date": TENDER} | more  # fmt: skip


CASES = [
    Case(
        "£600k office cleaning: a public services contract with cleaners on site",
        facts(600_000, 36),
        {"llw_workers": "yes", "large_suppliers": "yes"},
        {"primas": APPLIES, "social-value-act": APPLIES, "kpi-duty": NOT,
         "payment-terms": APPLIES, "london-living-wage": APPLIES, "modern-slavery": APPLIES,
         "modern-slavery-statement": APPLIES, "carbon-reduction-plan": NOT,
         "social-value-weighting": APPLIES},
        {"payment-terms": "(section 73)", "kpi-duty": "not more than £5,000,000"},
    ),
    Case(
        "£450k laptops: goods, so no Social Value Act, and no one works on site",
        facts(450_000, 48, contract_type="goods", category="ict-hardware"),
        {"llw_workers": "no", "large_suppliers": "yes"},
        {"primas": APPLIES, "social-value-act": NOT, "kpi-duty": NOT, "payment-terms": APPLIES,
         "london-living-wage": NOT, "modern-slavery": APPLIES,
         "modern-slavery-statement": APPLIES, "carbon-reduction-plan": NOT,
         "social-value-weighting": APPLIES},
        {"social-value-act": "this is a goods contract", "payment-terms": "(section 68)"},
    ),
    Case(
        "£12m home care: light-touch, no KPI duty; care in homes is in the council's policy",
        facts(12_000_000, 48, category="home-care", light_touch=True),
        {"llw_workers": "no", "care_in_homes": "yes", "large_suppliers": "not-known"},
        {"primas": APPLIES, "social-value-act": APPLIES, "kpi-duty": NOT,
         "payment-terms": APPLIES, "london-living-wage": APPLIES, "modern-slavery": APPLIES,
         "modern-slavery-statement": UNLESS, "carbon-reduction-plan": NOT,
         "social-value-weighting": APPLIES},
        {"kpi-duty": "does not apply to light-touch contracts",
         "social-value-act": "£663,540 threshold",
         "london-living-wage": "the council's policy is that care workers there are paid"},
    ),
    Case(
        "£12m home care where the council has decided care in homes is outside its policy",
        facts(12_000_000, 48, category="home-care", light_touch=True),
        {"llw_workers": "no", "care_in_homes": "yes", "large_suppliers": "yes"},
        {"primas": APPLIES, "social-value-act": APPLIES, "kpi-duty": NOT,
         "payment-terms": APPLIES, "london-living-wage": NOT, "modern-slavery": APPLIES,
         "modern-slavery-statement": APPLIES, "carbon-reduction-plan": NOT,
         "social-value-weighting": APPLIES},
        {"london-living-wage": "outside the council's Living Wage policy from 1 January 2026"},
        decisions=(decision("policy_llw_home_care", False, "Cabinet, 12 January 2026"),),
    ),
    Case(
        "£8m housing repairs: works, a public contract over £5m, so the KPI duty applies",
        facts(8_000_000, 60, contract_type="works", category="housing-repairs"),
        {"llw_workers": "yes", "large_suppliers": "yes"},
        {"primas": APPLIES, "social-value-act": NOT, "kpi-duty": APPLIES,
         "payment-terms": APPLIES, "london-living-wage": APPLIES, "modern-slavery": APPLIES,
         "modern-slavery-statement": APPLIES, "carbon-reduction-plan": NOT,
         "social-value-weighting": APPLIES},
        {"kpi-duty": "A public contract worth £8,000,000"},
    ),
    Case(
        "£5.1m works: over £5m but under the £5,193,000 works threshold, so not a public "
        "contract and no KPI duty; below-threshold payment terms",
        facts(5_100_000, 24, contract_type="works", category="construction-works"),
        {"llw_workers": "yes", "large_suppliers": "no"},
        {"primas": APPLIES, "social-value-act": NOT, "kpi-duty": NOT, "payment-terms": APPLIES,
         "london-living-wage": APPLIES, "modern-slavery": APPLIES,
         "modern-slavery-statement": NOT, "carbon-reduction-plan": NOT,
         "social-value-weighting": APPLIES},
        {"kpi-duty": "not a public contract", "payment-terms": "section 88(8)"},
    ),
    Case(
        "£48m waste collection over 8 years: £6m a year, so a carbon reduction plan",
        facts(48_000_000, 96, category="waste-collection"),
        {"llw_workers": "yes", "large_suppliers": "yes"},
        {"primas": APPLIES, "social-value-act": APPLIES, "kpi-duty": APPLIES,
         "payment-terms": APPLIES, "london-living-wage": APPLIES, "modern-slavery": APPLIES,
         "modern-slavery-statement": APPLIES, "carbon-reduction-plan": APPLIES,
         "social-value-weighting": APPLIES},
        {"carbon-reduction-plan": "£6,000,000 is over £5,000,000 a year"},
    ),
    Case(
        "The same waste contract once the council records that PPN 006 is not its policy",
        facts(48_000_000, 96, category="waste-collection"),
        {"llw_workers": "yes", "large_suppliers": "yes"},
        {"primas": APPLIES, "social-value-act": APPLIES, "kpi-duty": APPLIES,
         "payment-terms": APPLIES, "london-living-wage": APPLIES, "modern-slavery": APPLIES,
         "modern-slavery-statement": APPLIES, "carbon-reduction-plan": NOT_POLICY,
         "social-value-weighting": APPLIES},
        {"carbon-reduction-plan": "not council policy from 1 January 2026 (Cabinet decision"},
        decisions=(decision("policy_carbon_reduction_plan", False, "Cabinet decision 42"),),
    ),
    Case(
        "A £6m cleaning call-off: its own value brings the KPI duty; the Social Value Act was "
        "considered when the framework was set up",
        facts(6_000_000, 36, framework="call-off", framework_name="Total Facilities Management"),
        {"llw_workers": "yes", "large_suppliers": "yes"},
        {"primas": APPLIES, "social-value-act": NOT, "kpi-duty": APPLIES,
         "payment-terms": APPLIES, "london-living-wage": APPLIES, "modern-slavery": APPLIES,
         "modern-slavery-statement": APPLIES, "carbon-reduction-plan": NOT,
         "social-value-weighting": APPLIES},
        {"social-value-act": "A call-off from the Total Facilities Management framework",
         "kpi-duty": "(a call-off's value is its own)"},
    ),
    Case(
        "Setting up a £20m cleaning framework: the Social Value Act, not the KPI duty",
        facts(20_000_000, 48, framework="setting-up"),
        {"llw_workers": "yes", "large_suppliers": "yes"},
        {"primas": APPLIES, "social-value-act": APPLIES, "kpi-duty": NOT,
         "payment-terms": APPLIES, "london-living-wage": APPLIES, "modern-slavery": APPLIES,
         "modern-slavery-statement": APPLIES, "carbon-reduction-plan": NOT,
         "social-value-weighting": APPLIES},
        {"kpi-duty": "does not apply to setting up a framework"},
    ),
    Case(
        "£150k consultancy: under the services threshold, so no Social Value Act",
        facts(150_000, 12, category="professional-services"),
        {"llw_workers": "no", "large_suppliers": "no"},
        {"primas": APPLIES, "social-value-act": NOT, "kpi-duty": NOT, "payment-terms": APPLIES,
         "london-living-wage": NOT, "modern-slavery": APPLIES,
         "modern-slavery-statement": NOT, "carbon-reduction-plan": NOT,
         "social-value-weighting": APPLIES},
        {"social-value-act": "below the £207,720 threshold", "payment-terms": "section 88(1)"},
    ),
    Case(
        "£207,720 exactly: at the services threshold, so the Social Value Act applies",
        facts(207_720, 12),
        {"llw_workers": "yes", "large_suppliers": "no"},
        {"primas": APPLIES, "social-value-act": APPLIES, "kpi-duty": NOT,
         "payment-terms": APPLIES, "london-living-wage": APPLIES, "modern-slavery": APPLIES,
         "modern-slavery-statement": NOT, "carbon-reduction-plan": NOT,
         "social-value-weighting": APPLIES},
        {"payment-terms": "section 73"},
    ),
    Case(
        "£80k event stewarding: Think Local, but the Living Wage still applies",
        facts(80_000, 6, category="security"),
        {"llw_workers": "yes", "large_suppliers": "no"},
        {"primas": NOT, "social-value-act": NOT, "kpi-duty": NOT, "payment-terms": APPLIES,
         "london-living-wage": APPLIES, "modern-slavery": APPLIES,
         "modern-slavery-statement": NOT, "carbon-reduction-plan": NOT,
         "social-value-weighting": NOT},
        {"primas": "The London Living Wage still applies, whatever the value"},
    ),
    Case(
        "£2.4m cleaning once the council records that a minimum weighting is not its policy",
        facts(2_400_000, 60),
        {"llw_workers": "not-known", "large_suppliers": "yes"},
        {"primas": APPLIES, "social-value-act": APPLIES, "kpi-duty": NOT,
         "payment-terms": APPLIES, "london-living-wage": UNLESS, "modern-slavery": APPLIES,
         "modern-slavery-statement": APPLIES, "carbon-reduction-plan": NOT,
         "social-value-weighting": NOT_POLICY},
        {"social-value-weighting": "not council policy from 1 January 2026"},
        decisions=(decision("policy_social_value_weighting", False, "Officer decision 7"),),
    ),
    Case(
        "A version 1 draft: an average under 2 hours a day cannot show no one meets the test",
        facts(600_000, 36),
        {"staff_on_premises": "yes", "hours_per_day": "1.5", "weeks_per_year": "52",
         "large_suppliers": "yes", "subcontracting": "some", "prompt_payment": "no"},
        {"primas": APPLIES, "social-value-act": APPLIES, "kpi-duty": NOT,
         "payment-terms": APPLIES, "london-living-wage": UNLESS, "modern-slavery": APPLIES,
         "modern-slavery-statement": APPLIES, "carbon-reduction-plan": NOT,
         "social-value-weighting": APPLIES},
        {"london-living-wage": "the test is per worker",
         "payment-terms": "Your answer about paying subcontractors is not scored"},
        version=1,
    ),
]  # fmt: skip


def scored(case: Case) -> Result:
    definition = primas_definition(case.version)
    return score(
        definition,
        RULES[("primas", case.version)],
        context(**case.facts),
        case.answers,
        ReferenceData(SEEDED + case.decisions),
        topics=shipped().topics,
        as_of=AS_OF,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name[:60])
def test_each_procurement_owes_what_its_sources_say(case: Case) -> None:
    result = scored(case)
    assert {o.code: o.status for o in result.obligations} == case.owes
    assert {o.code: o.basis.value for o in result.obligations} == BASIS
    for code, phrase in case.phrases.items():
        assert phrase in result.obligation(code).reason, code


def test_a_legal_duty_is_never_a_question_whose_no_raises_a_score() -> None:
    """Paying subcontractors within 30 days is law for every council contract (s.73, s.88(8)):
    version 1's question about it is never scored, and version 2 does not ask it."""
    v1 = CASES[-1]
    answered_no = scored(v1).topic("local-supply-chain")
    answered_yes = scored(
        Case(**{**v1.__dict__, "answers": {**v1.answers, "prompt_payment": "yes"}})
    )
    assert answered_no.scope == answered_yes.topic("local-supply-chain").scope
    assert all(part.question_id != "prompt_payment" for part in answered_no.scope.contributions)
    assert "prompt_payment" not in {q.id for q in primas_definition(2).questions}


@pytest.mark.parametrize(
    "category",
    ["construction-works", "housing-repairs", "highways", "building-maintenance",
     "fleet-transport", "adult-social-care", "home-care", "childrens-services",
     "public-health", "facilities-management"],
)  # fmt: skip
def test_construction_transport_and_care_are_never_low_modern_slavery_risk_alone(
    category: str,
) -> None:
    """PPN 009 names construction, transport and logistics, and health and social care as
    high-risk industries: from the category alone (no answers), the level is at least medium."""
    result = score(primas_definition(2), RULES[("primas", 2)],
                   context(category, **facts(1_000_000, 36)), {}, ReferenceData(SEEDED),
                   topics=shipped().topics, as_of=AS_OF)  # fmt: skip
    assert result.modern_slavery_level in ("medium", "high")
    base = result.topic("modern-slavery").risk.contributions[0]
    assert (base.points, "high-risk industry") == (2, base.reason.split("is a ")[1][:18])


def test_care_in_homes_unanswered_shows_the_council_s_policy_and_applies_until_known() -> None:
    result = score(primas_definition(2), RULES[("primas", 2)],
                   context("adult-social-care", **facts(3_000_000, 36)), {"llw_workers": "no"},
                   ReferenceData(SEEDED), topics=shipped().topics, as_of=AS_OF)  # fmt: skip
    llw = result.obligation("london-living-wage")
    assert llw.status == UNLESS
    assert "Whether care will be delivered in people's own homes is not known yet" in llw.reason
    assert dict(llw.facts)["Care in people's own homes"].startswith(
        "Covered: council policy from 1 January 2018"
    )


def llw(category: str, answers: dict[str, Any], *, version: int = 2,
        reference: ReferenceData | None = None):  # type: ignore[no-untyped-def]  # fmt: skip
    result = score(primas_definition(version), RULES[("primas", version)],
                   context(category, **facts(3_000_000, 36)), answers,
                   reference or ReferenceData(SEEDED), topics=shipped().topics,
                   as_of=AS_OF)  # fmt: skip
    return result.obligation("london-living-wage")


def test_with_no_home_care_decision_recorded_it_applies_until_one_is() -> None:
    without = ReferenceData(tuple(e for e in SEEDED if e.key != "policy_llw_home_care"))
    found = llw("home-care", {"llw_workers": "no", "care_in_homes": "yes"}, reference=without)
    assert found.status == UNLESS
    assert "No council decision on care in people's own homes is recorded" in found.reason
    assert "outside the council's Living Wage policy" not in found.reason
    assert dict(found.facts)["Care in people's own homes"] == (
        "No council decision is recorded for the planned tender date"
    )


def test_a_version_1_care_draft_may_have_counted_homes_once_they_are_outside_policy() -> None:
    """Version 1's premises question counted residents' homes; once the council decides care in
    homes is outside its policy, an adult social care draft's "yes" no longer proves the test."""
    no = ReferenceData(SEEDED + (decision("policy_llw_home_care", False, "Cabinet"),))
    answers = {"staff_on_premises": "yes", "hours_per_day": "3", "weeks_per_year": "52"}
    found = llw("adult-social-care", answers, version=1, reference=no)
    assert found.status == UNLESS
    assert "may have counted work in people's own homes" in found.reason
    assert llw("cleaning", answers, version=1, reference=no).status == APPLIES


def test_the_home_care_requirement_stays_while_it_is_not_known_whether_care_is_at_home() -> None:
    found = llw("adult-social-care", {"llw_workers": "yes", "care_in_homes": "not-known"})
    assert found.status == APPLIES
    assert "care workers who work in people's own homes" in found.supplier
    plain = llw("adult-social-care", {"llw_workers": "yes", "care_in_homes": "no"})
    assert "people's own homes" not in plain.supplier
