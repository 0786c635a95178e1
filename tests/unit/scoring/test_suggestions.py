"""KPI suggestions, rule by rule: each obligation's mandatory KPI, the cap, the employment and
skills minimum, the KPI duty's minimum, topics that are not applicable, ranking and targets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from app.scoring.engine import Override
from app.scoring.reference_data import ReferenceData, ReferenceEntry
from app.scoring.suggestions import Suggestion, policy_on, suggest
from tests.unit.scoring.inputs import KPI_LIBRARY, REFERENCE, TENDER, context, reference, run

LIBRARY = KPI_LIBRARY  # the council defaults as seeded
OFF_PREMISES = {"staff_on_premises": "no"}
# Answers that make every Better Society and Fair Delivery topic a high priority.
BUSY = {
    "staff_on_premises": "yes", "hours_per_day": "3", "weeks_per_year": "52",
    "workforce_size": "60", "low_paid_roles": "yes", "agency_labour": "yes", "new_jobs": "many",
    "local_recruitment": "a-lot", "apprenticeships": "yes", "local_suppliers": "many",
    "sme_subcontracting": "a-lot", "subcontracting": "most", "community_benefit": "a-lot",
    "resident_contact": "yes", "direct_service": "yes", "access_barriers": "yes",
    "under_represented_work": "a-lot", "fair_work_scope": "a-lot", "insecure_work": "yes",
}  # fmt: skip


def suggested(
    answers: dict[str, Any] | None = None,
    *,
    data: ReferenceData = REFERENCE,
    **fields: Any,
) -> tuple[Suggestion, ...]:
    result = run(answers or {}, reference_data=data, **fields)
    fields.pop("category", None)
    return suggest(LIBRARY, result, context(**fields), data, answers=answers or {})


def codes(found: tuple[Suggestion, ...], *, mandatory: bool | None = None) -> list[str]:
    return [s.kpi.code for s in found if mandatory is None or s.mandatory is mandatory]


def test_the_london_living_wage_makes_its_kpi_mandatory() -> None:
    found = suggested({"staff_on_premises": "yes", "hours_per_day": "2", "weeks_per_year": "8"})
    assert codes(found, mandatory=True) == ["llw-staff-share"]
    assert found[0].reason == "Required: the London Living Wage applies"
    assert "llw-staff-share" not in codes(suggested(OFF_PREMISES))
    short = suggested({"staff_on_premises": "yes", "hours_per_day": "8", "weeks_per_year": "7"})
    assert "llw-staff-share" not in codes(short, mandatory=True)
    # An average under 2 hours does not show that no one works 2 hours on a day: still required.
    average = suggested(
        {"staff_on_premises": "yes", "hours_per_day": "1.99", "weeks_per_year": "8"}
    )
    assert "llw-staff-share" in codes(average, mandatory=True)


@pytest.mark.parametrize(
    ("answers", "mandatory"),
    [
        pytest.param({**OFF_PREMISES, "agency_labour": "yes"}, True, id="high"),
        pytest.param(OFF_PREMISES, False, id="medium"),
    ],
)
def test_high_modern_slavery_risk_makes_due_diligence_mandatory(
    answers: dict[str, Any], mandatory: bool
) -> None:
    found = suggested(answers)
    assert ("supply-chain-due-diligence" in codes(found, mandatory=True)) is mandatory


@pytest.mark.parametrize(
    ("annual", "mandatory"), [(500_000_000, False), (500_000_001, True)], ids=["5m", "5m+1p"]
)
def test_a_carbon_reduction_plan_makes_emissions_reporting_mandatory(
    annual: int, mandatory: bool
) -> None:
    found = suggested(OFF_PREMISES, annual_value_pence=annual)
    assert ("carbon-emissions-reported" in codes(found, mandatory=True)) is mandatory


@pytest.mark.parametrize(
    ("value", "light_touch", "count"),
    [(500_000_000, False, 1), (500_000_001, False, 3), (500_000_001, True, 1)],
    ids=["5m", "5m+1p", "light-touch"],
)
def test_the_kpi_duty_makes_at_least_three(value: int, light_touch: bool, count: int) -> None:
    # Professional services, nothing answered: every topic is low priority or not applicable,
    # so one KPI comes from the topics to focus on, and the duty brings its minimum of three in,
    # none of them required by an obligation (its minimum is the duty's own check).
    found = suggested(
        OFF_PREMISES, category="professional-services", value_pence=value, light_touch=light_touch
    )
    assert len(found) == count
    if count:
        assert not any(s.mandatory for s in found)
        assert "performance-rated" not in codes(found)


def test_at_most_the_policy_number_are_suggested() -> None:
    assert len(suggested(BUSY)) == 8
    fewer = reference(ReferenceEntry("suggest_kpis_maximum", date(2026, 1, 1), 5))
    found = suggested(BUSY, data=fewer)
    assert len(found) == 5
    assert codes(found, mandatory=True) == ["llw-staff-share", "supply-chain-due-diligence"]


def test_mandatory_kpis_and_the_employment_minimum_are_kept_beyond_the_cap() -> None:
    no_room = reference(ReferenceEntry("suggest_kpis_maximum", date(2026, 1, 1), 1))
    found = suggested(BUSY, data=no_room)
    assert codes(found) == [
        "llw-staff-share", "supply-chain-due-diligence", "local-residents-employed"
    ]  # fmt: skip


def test_an_employment_and_skills_kpi_where_that_topic_matters() -> None:
    # Cap 3 leaves one optional place; fair pay outranks employment, so the minimum swaps it.
    tight = reference(ReferenceEntry("suggest_kpis_maximum", date(2026, 1, 1), 3))
    answers = {**BUSY, "new_jobs": "none", "local_recruitment": "little", "apprenticeships": "no"}
    result = run(answers, reference_data=tight)
    employment = result.topic("employment-skills").priority.value
    assert employment in ("medium", "high")
    found = suggest(LIBRARY, result, context(), tight, answers=answers)
    assert [s.kpi.topic for s in found if not s.mandatory] == ["employment-skills"]
    no_minimum = reference(
        ReferenceEntry("suggest_kpis_maximum", date(2026, 1, 1), 3),
        ReferenceEntry("suggest_kpis_employment_minimum", date(2026, 1, 1), 0),
    )
    found = suggest(LIBRARY, run(answers, reference_data=no_minimum), context(), no_minimum,
                    answers=answers)  # fmt: skip
    assert [s.kpi.topic for s in found if not s.mandatory] != ["employment-skills"]


def test_ranked_by_priority_then_risk_and_each_with_its_reason() -> None:
    found = suggested(BUSY)
    result = run(BUSY)
    ranks = [result.topic(s.kpi.topic).priority.rank for s in found if not s.mandatory]
    firsts = ranks[: len({s.kpi.topic for s in found if not s.mandatory})]
    assert firsts == sorted(firsts, reverse=True)
    for s in found:
        assert s.reason.startswith("Required:") if s.mandatory else " priority (risk " in s.reason


def test_topics_that_are_not_applicable_or_low_are_not_suggested() -> None:
    result = run({**BUSY, "staff_on_premises": "no"}, category="legal-services")
    found = suggest(LIBRARY, result, context("legal-services"), REFERENCE)
    for s in found:
        if not s.mandatory:
            assert result.topic(s.kpi.topic).priority.value in ("medium", "high"), s.kpi.code


def test_an_override_changes_the_suggestions() -> None:
    judged = Override(3, "The offices are in a regeneration area")
    raised = run(OFF_PREMISES, overrides={("community-wellbeing", "risk"): judged,
                                          ("community-wellbeing", "scope"): judged})  # fmt: skip
    found = suggest(LIBRARY, raised, context(), REFERENCE, answers=OFF_PREMISES)
    assert {s.kpi.topic for s in found} >= {"community-wellbeing"}
    assert "community-wellbeing" not in {s.kpi.topic for s in suggested(OFF_PREMISES)}


def test_targets_come_from_the_contract() -> None:
    found = suggested(BUSY, value_pence=240_000_000, term_months=60)
    by_code = {s.kpi.code: s for s in found}
    share = by_code["local-residents-employed"].target
    # The people counted are the answer to "how many people will work on the contract" (60).
    assert share.value == Decimal(25) and "(about 15 of 60)" in share.formula
    assert by_code["llw-staff-share"].target.value == Decimal(100)


def test_the_policy_in_force() -> None:
    assert policy_on(REFERENCE, TENDER).maximum == 8
    assert policy_on(REFERENCE, TENDER).employment_minimum == 1
    assert policy_on(REFERENCE, None).maximum is None
    assert policy_on(REFERENCE, date(2017, 1, 1)).employment_minimum == 0


def test_suggestions_are_deterministic() -> None:
    assert suggested(BUSY) == suggested(BUSY)
