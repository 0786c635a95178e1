"""PRIMAS version 2: the questions the obligations need, asked as their sources put them.

The Living Wage Foundation's test is per worker (2 or more hours on any day of the week, for 8
or more consecutive weeks of the year); care in people's own homes is the council's own choice;
paying subcontractors within 30 days is law (Procurement Act 2023 s.73, s.88(8)), so it is not
asked; the Modern Slavery Assessment Tool is for the winning supplier, then each year.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.forms.conditions import ProcurementContext
from app.forms.journey import walk
from tests.support.catalogue import primas_definition
from tests.support.categories import context_fields

V1, V2 = primas_definition(1), primas_definition(2)
CARE = ("home-care", "adult-social-care", "childrens-services", "public-health")


def shown(category: str, answers: dict[str, Any], **facts: Any) -> set[str]:
    fields: dict[str, Any] = {
        "contract_type": "services", "value_pence": 50_000_000, "annual_value_pence": 10_000_000,
        "term_months": 60, "light_touch": False, "framework": "none",
        "delivery_location": "in-borough", **context_fields(category),
    }  # fmt: skip
    return set(walk(V2, ProcurementContext(**(fields | facts)), answers).shown_ids)


def test_the_living_wage_is_asked_per_worker_not_as_an_average() -> None:
    question = V2.question("llw_workers")
    assert question.type == "yes_no" and question.not_known
    for words in ("anyone", "2 hours or more on any day of the week", "8 or more weeks in a row"):
        assert words in question.label
    assert "Apprentices, interns and volunteers do not count" in question.hint
    ids = {q.id for q in V2.questions}
    assert not {"staff_on_premises", "hours_per_day", "weeks_per_year"} & ids
    assert "premises_staff_count" in shown("cleaning", {"llw_workers": "yes"})
    assert "premises_staff_count" not in shown("cleaning", {"llw_workers": "no"})


@pytest.mark.parametrize("category", CARE)
def test_care_in_people_s_own_homes_is_asked_for_care(category: str) -> None:
    assert "care_in_homes" in shown(category, {})


@pytest.mark.parametrize("category", ["cleaning", "ict-hardware", "construction-works"])
def test_care_in_people_s_own_homes_is_not_asked_of_other_work(category: str) -> None:
    assert "care_in_homes" not in shown(category, {})


def test_paying_subcontractors_is_not_asked_because_the_law_requires_it() -> None:
    ids = {q.id for q in V2.questions}
    assert "prompt_payment" not in ids
    reporting = V2.question("payment_reporting")
    assert "report" in reporting.label
    assert "obligation:payment-terms" in reporting.feeds
    assert not any(feed.startswith("score:") for feed in reporting.feeds)  # a promise
    assert "payment_reporting" in shown("cleaning", {"subcontracting": "some"})
    assert "payment_reporting" not in shown("cleaning", {"subcontracting": "none"})


def test_the_assessment_tool_is_for_the_winning_supplier_then_each_year() -> None:
    msat = V2.question("msat")
    assert "winning supplier" in msat.label and "each year" in msat.label
    assert "bidders" not in msat.label
    assert "bidders" in V1.question("msat").label  # version 1 is never changed


def test_every_version_2_question_is_guided_and_used() -> None:
    for question in V2.questions:
        assert question.hint and question.guidance is not None, question.id
        assert question.guidance.sources and question.feeds, question.id
