"""PRIMAS version 3: questions that fit what is bought, each fact asked once, scales that say
what they mean, jargon explained, and promises that become requirements instead of scores."""

from __future__ import annotations

from typing import Any

import pytest

from app.forms.conditions import ProcurementContext
from app.forms.definition import Question
from app.forms.journey import walk
from tests.support.catalogue import primas_definition, primas_rules
from tests.support.categories import context_fields

V3 = primas_definition(3)
RULES = primas_rules(3)
PROMISES = ("carbon_plan_requested", "whole_life_costing", "equality_data", "msat")


def shown(category: str, answers: dict[str, Any], **facts: Any) -> dict[str, Question]:
    fields: dict[str, Any] = {
        "contract_type": "services", "value_pence": 50_000_000, "annual_value_pence": 10_000_000,
        "term_months": 60, "light_touch": False, "framework": "none",
        "delivery_location": "in-borough", **context_fields(category),
    }  # fmt: skip
    return walk(V3, ProcurementContext(**(fields | facts)), answers).shown_by_id


@pytest.mark.parametrize("qid", PROMISES)
def test_a_promise_feeds_the_specification_never_a_score(qid: str) -> None:
    question = V3.question(qid)
    assert not any(feed.startswith("score:") for feed in question.feeds)
    assert qid in RULES.promises and RULES.promises[qid].requirement


def test_agency_and_low_paid_work_are_asked_once() -> None:
    offered = {option.value for option in V3.question("workforce_risk").options}
    assert not {"agency", "low-skilled"} & offered
    assert "asked earlier" in V3.question("workforce_risk").label
    assert "Where goods are made is asked" in V3.question("supplier_locations").hint


def test_seeing_the_work_and_using_the_service_are_told_apart() -> None:
    assert "see the work" in V3.question("resident_contact").label
    assert " use " not in V3.question("resident_contact").label
    assert "use the service directly" in V3.question("direct_service").label


def test_the_countries_question_s_options_do_not_overlap() -> None:
    labels = [option.label for option in V3.question("supplier_locations").options]
    assert labels == [
        "Only in the UK",
        "Partly overseas, in countries where modern slavery is not known to be widespread",
        "Partly or wholly in countries where modern slavery is known to be widespread",
    ]


@pytest.mark.parametrize(
    "question",
    [q for q in V3.questions if {o.value for o in q.options} >= {"a-lot", "some", "little"}
     or {o.value for o in q.options} >= {"most", "some", "few"}],
    ids=lambda q: q.id,
)  # fmt: skip
def test_every_a_lot_some_little_scale_says_what_each_level_means(question: Question) -> None:
    for option in question.options:
        assert option.hint, f"{question.id}: '{option.label}' needs its meaning"
    # No two levels overlap: "Some" is not "up to" an amount that includes "Little or none".
    hints = {option.value: option.hint for option in question.options}
    assert not hints.get("some", "").startswith("Up to"), question.id
    if hints.get("a-lot", "").startswith("More than a third"):
        assert (hints["some"], hints["little"]) == ("A tenth to a third", "Less than a tenth")


def test_jargon_is_explained() -> None:
    assert "businesses that supply workers to others" in V3.question("agency_labour").hint
    assert (
        "treated as self-employed although they work like employees"
        in V3.question("insecure_work").hint
    )


def test_a_goods_contract_is_asked_about_its_supply_chain_s_workers() -> None:
    goods = shown("ict-hardware", {"supplies_goods": "yes"}, contract_type="goods")
    services = shown("ict-hardware", {"supplies_goods": "yes"})
    assert "made, grown, picked or packed" in goods["low_paid_roles"].label
    assert "made or packed by agency or temporary workers" in goods["agency_labour"].label
    assert "deliver, install or look after the goods" in goods["workforce_size"].label
    assert services["low_paid_roles"].label == V3.question("low_paid_roles").label


def test_waste_collection_is_asked_its_recycling_rate_not_how_much_waste_it_makes() -> None:
    waste = shown("waste-collection", {})
    assert "recycling_rate" in waste and "waste_generated" not in waste
    # Separate weekly food waste collection from households is law in England from 31 March
    # 2026 (Environment Act 2021 s.57, inserting s.45A into the Environmental Protection Act
    # 1990), so a waste collection contract is asked whether it does it.
    assert "food_waste_collection" in waste
    cleaning = shown("cleaning", {})
    assert "waste_generated" in cleaning and "recycling_rate" not in cleaning
    assert "food_waste_collection" not in cleaning


def test_home_care_is_not_asked_how_many_sites_it_has() -> None:
    assert "sites" not in shown("home-care", {"visit_frequency": "daily"})
    assert "sites" in shown("cleaning", {"visit_frequency": "daily"})
    # Other care is asked where it is not in people's own homes (a care home has a site).
    in_homes = {"visit_frequency": "daily", "care_in_homes": "yes"}
    assert "sites" not in shown("adult-social-care", in_homes)
    assert "sites" in shown("adult-social-care", in_homes | {"care_in_homes": "no"})


def test_a_term_time_service_is_asked_the_living_wage_test_within_a_term() -> None:
    """The Living Wage Foundation's test counts 8 or more weeks in a row: within a school term,
    which the holidays do not break."""
    term_time = shown("catering", {"term_time": "yes"})["llw_workers"]
    assert term_time.label.startswith("During a school term, will anyone work on the contract")
    assert "The holidays do not break the test" in term_time.hint
    all_year = shown("catering", {"term_time": "no"})["llw_workers"]
    assert all_year.label.startswith("Will anyone work on the contract on council premises")


def test_each_mitigation_action_says_who_carries_it_out() -> None:
    parts = {part.id: part for part in V3.question("mitigation_actions").fields}
    who = parts["carried_out_by"]
    assert who.type == "single_choice"
    assert [o.value for o in who.options] == ["supplier", "council"]
