"""The shipped PRIMAS v1 questionnaire: coverage, guidance, and questions only where they apply."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from app.forms.conditions import ProcurementContext
from app.forms.definition import AllOf, AnyOf, Comparison, Condition
from app.forms.journey import walk
from app.scoring.topics import load_topics
from tests.support.catalogue import primas_definition

PRIMAS = primas_definition(1)
SEED = Path("migrations/data/0001_categories.yaml")


def context(category: str, **overrides: Any) -> ProcurementContext:
    seed = yaml.safe_load(SEED.read_text())
    row = next(c for c in seed["categories"] if c["code"] == category)
    fields: dict[str, Any] = {
        "contract_type": "services",
        "category": category,
        "value_pence": 250_000_00,
        "annual_value_pence": 50_000_00,
        "term_months": 60,
        "light_touch": False,
        "framework": "none",
        "delivery_location": "in-borough",
        "topic_relevance": dict(zip(seed["topics"], row["relevance"], strict=True)),
    }
    return ProcurementContext(**(fields | overrides))


def shown(category: str, answers: dict[str, Any], **overrides: Any) -> set[str]:
    return set(walk(PRIMAS, context(category, **overrides), answers).shown_ids)


def test_sections_follow_the_strategy() -> None:
    assert [s.title for s in PRIMAS.sections] == [
        "About the procurement",
        "Procuring Green",
        "Procuring for a Better Society",
        "Procuring for Fair Delivery",
    ]
    topics = [t.topic for t in PRIMAS.tasks if t.topic]
    assert topics == [topic.code for topic in load_topics().topics]


@pytest.mark.parametrize("topic", sorted(load_topics().topic_codes))
def test_every_topic_has_at_least_three_questions_that_move_its_scores(topic: str) -> None:
    scoring = [q.id for q in PRIMAS.questions if f"score:{topic}" in q.feeds]
    assert len(scoring) >= 3, scoring


@pytest.mark.parametrize("question", PRIMAS.questions, ids=lambda q: q.id)
def test_every_question_is_guided_and_used(question) -> None:  # type: ignore[no-untyped-def]
    assert question.hint, "a hint"
    assert question.guidance is not None
    assert question.guidance.why and question.guidance.good_practice
    assert question.guidance.specification, "what to put in the specification"
    assert question.guidance.sources, "links to public sources"
    assert question.feeds, "it must feed a score, an obligation, a KPI or the specification"
    for feed in question.feeds:
        kind = feed.split(":")[0]
        assert kind in {"score", "obligation", "kpi", "specification"}, feed


def _comparisons(condition: Condition) -> list[Comparison]:
    if isinstance(condition, AllOf):
        return [c for part in condition.all for c in _comparisons(part)]
    if isinstance(condition, AnyOf):
        return [c for part in condition.any for c in _comparisons(part)]
    return [condition]


def test_conditions_name_only_real_categories() -> None:
    codes = {c["code"] for c in yaml.safe_load(SEED.read_text())["categories"]}
    for question in PRIMAS.questions:
        for comparison in _comparisons(question.show_if) if question.show_if else []:
            if comparison.field == "category":
                assert set(comparison.operand) <= codes, question.id


def test_not_known_yet_is_offered_where_an_officer_may_not_know() -> None:
    offering = {q.id for q in PRIMAS.questions if q.not_known}
    assert {"staff_on_premises", "subcontracting", "agency_labour", "workforce_risk"} <= offering
    assert len(offering) >= 30


def test_staff_on_premises_asks_the_london_living_wage_follow_ups() -> None:
    follow_ups = {"hours_per_day", "weeks_per_year", "premises_staff_count"}
    assert follow_ups <= shown("cleaning", {"staff_on_premises": "yes"})
    assert not follow_ups & shown("cleaning", {"staff_on_premises": "no"})
    assert not follow_ups & shown("cleaning", {})


def test_overseas_goods_or_high_risk_commodities_ask_for_supply_chain_mapping() -> None:
    goods = {"supplies_goods": "yes"}
    assert "supply_chain_mapped" in shown(
        "ict-hardware", goods | {"sourced_from": ["outside-europe"]}
    )
    assert "supply_chain_mapped" in shown("ict-hardware", goods | {"commodities": ["electronics"]})
    assert "supply_chain_mapped" not in shown("office-supplies", goods | {"sourced_from": ["uk"]})


def test_a_home_care_buyer_is_not_asked_about_timber_or_food() -> None:
    answers = {"supplies_goods": "yes", "commodities": ["textiles"]}
    questions = shown("home-care", answers)
    assert not {"timber_used", "timber_certified", "food_provided", "noise_dust"} & questions
    assert {"staff_on_premises", "workforce_risk", "new_jobs"} <= questions


def test_a_construction_buyer_is_asked_about_timber_noise_and_waste() -> None:
    questions = shown("construction-works", {"supplies_goods": "yes"}, contract_type="works")
    assert {"timber_used", "noise_dust", "waste_generated", "green_space"} <= questions


def test_legal_services_are_spared_the_environmental_detail() -> None:
    questions = shown("legal-services", {"supplies_goods": "no"})
    assert not {"waste_generated", "vehicle_use", "chemicals_used", "green_space"} & questions
    assert "carbon_scope" in questions  # relevance 1: still asked the basics
