"""Worked examples: the contributions behind a score, officers' overrides, and factors."""

from __future__ import annotations

import yaml

from app.scoring.engine import Contribution, Override, Priority, priority_of
from app.scoring.rules import parse_rules
from app.scoring.topics import load_topics
from tests.unit.scoring.inputs import DEFINITION, RULES, RULES_FILE, run

SLAVERY, FAIR_PAY = "modern-slavery", "fair-pay-work"
WORKFORCE = "PPN 009 indicator: nature of the workforce"
LOCATION = "PPN 009 indicator: supplier location"


def said(answer: str, question: str) -> str:
    return f'You answered "{answer}" to "{DEFINITION.question(question).label}"'


def test_cleaning_with_agency_labour_is_a_modern_slavery_risk_of_3() -> None:
    # The example: a high-risk industry (+2) and agency labour (+1).
    risk = run({"agency_labour": "yes"}, category="cleaning").topic(SLAVERY).risk
    assert (risk.computed, risk.value, risk.total, risk.override) == (3, 3, 3, None)
    assert risk.contributions == (
        Contribution(2, 'Category "Cleaning services" is a high-risk industry for modern slavery '
                     "(cleaning services, named as a high-risk industry)"),
        Contribution(1, said("Yes", "agency_labour"), question_id="agency_labour",
                     factor=WORKFORCE, counted=True),
    )  # fmt: skip
    assert said("Yes", "agency_labour") == (
        'You answered "Yes" to "Is the supplier likely to use agency or temporary workers on '
        'the contract?"'
    )


def test_the_category_relevance_explains_the_base_of_every_other_topic() -> None:
    result = run(category="security")  # relevance: nature 0, carbon 1, local supply 2, fair pay 3
    bases = {row.topic.code: row.risk.contributions[0] for row in result.topics}
    assert bases["nature-pollution"] == Contribution(
        0, 'Category "Security services" is usually not relevant to this topic'
    )
    assert bases["carbon-energy"].reason.endswith("is usually of low relevance to this topic")
    assert bases["local-supply-chain"].points == 1
    assert bases[FAIR_PAY] == Contribution(
        2, 'Category "Security services" is usually of high relevance to this topic'
    )
    assert result.topic("nature-pollution").priority is Priority.NOT_APPLICABLE


def test_a_multiple_choice_answer_is_explained_by_its_highest_scoring_option() -> None:
    answers = {"supplies_goods": "yes", "commodities": ["chemicals", "electronics"]}
    risk = run(answers).topic(SLAVERY).risk
    commodities = [c for c in risk.contributions if c.question_id == "commodities"]
    assert commodities == [
        Contribution(1, said("Electronics or ICT equipment", "commodities"),
                     question_id="commodities", factor="PPN 009 indicator: commodities"),
    ]  # fmt: skip


def test_a_number_answer_is_explained_with_its_band() -> None:
    risk = run({"workforce_size": "50"}).topic("employment-skills").risk
    assert risk.contributions[1].reason == said("50 people (at least 50 people)", "workforce_size")


def test_large_spend_adds_scope_only_where_there_is_risk() -> None:
    result = run(category="security", value_pence=500_000_000)  # spend band 4
    influence = Contribution(
        1,
        "Spend band 4: a contract this size gives the council influence in the market to ask "
        "for more",
    )
    assert result.topic(FAIR_PAY).scope.contributions == (influence,)
    assert result.topic("nature-pollution").scope.contributions == ()
    smaller = run(category="security", value_pence=499_999_999)  # spend band 3
    assert smaller.topic(FAIR_PAY).scope.contributions == ()


def test_unanswered_questions_that_would_score_are_listed() -> None:
    before = run(category="cleaning").topic(SLAVERY).unanswered
    assert {"low_paid_roles", "agency_labour", "workforce_risk"} <= {q.id for q in before}
    assert "sourced_from" not in {q.id for q in before}  # hidden until goods are supplied
    after = run({"agency_labour": "no"}, category="cleaning").topic(SLAVERY).unanswered
    assert {q.id for q in before} - {q.id for q in after} == {"agency_labour"}


# Overrides -------------------------------------------------------------------------------

JUDGEMENT = Override(1, "The supplier is an accredited ethical employer with audited agencies",
                     by="Category lead")  # fmt: skip


def test_an_override_changes_the_value_and_priority_and_keeps_the_computed_score() -> None:
    before = run({"agency_labour": "yes"}).topic(SLAVERY)
    after = run({"agency_labour": "yes"}, overrides={(SLAVERY, "risk"): JUDGEMENT}).topic(SLAVERY)
    assert (after.risk.computed, after.risk.value) == (3, 1)
    assert after.risk.override == JUDGEMENT
    assert after.risk.override.reason == JUDGEMENT.reason and after.risk.override.by
    assert after.risk.contributions == before.risk.contributions
    assert after.scope == before.scope
    assert before.priority is priority_of(RULES, 3, before.scope.value) is Priority.MEDIUM
    assert after.priority is priority_of(RULES, 1, after.scope.value) is Priority.LOW


def test_a_scope_override_moves_the_priority_and_what_reads_it() -> None:
    raised = Override(3, "Large workforce on insecure terms", by="Category lead")
    before = run(category="cleaning")
    after = run(category="cleaning", overrides={(FAIR_PAY, "scope"): raised})
    row = after.topic(FAIR_PAY)
    assert (row.scope.computed, row.scope.value, row.risk.value) == (0, 3, 2)
    assert (before.topic(FAIR_PAY).priority, row.priority) == (Priority.LOW, Priority.HIGH)
    assert after.overall.highest is Priority.HIGH
    assert after.overall.topics_at_highest == (row.topic,)
    themes = {summary.theme.code: summary for summary in after.themes}
    assert themes["fair-delivery"].highest is Priority.HIGH
    assert themes["fair-delivery"].counts[Priority.HIGH] == 1


def test_the_modern_slavery_level_follows_an_override() -> None:
    # The level (and the blocker it brings) reads the risk in use, the officer's judgement.
    computed = run({"agency_labour": "yes"})
    judged = run({"agency_labour": "yes"}, overrides={(SLAVERY, "risk"): JUDGEMENT})
    assert (computed.modern_slavery_level, bool(computed.blockers)) == ("high", True)
    assert (judged.modern_slavery_level, judged.blockers) == ("low", ())


# Factors ---------------------------------------------------------------------------------


def test_a_factor_counts_only_its_largest_contribution() -> None:
    risk = run({"low_paid_roles": "yes", "agency_labour": "yes"}).topic(SLAVERY).risk
    workforce = [c for c in risk.contributions if c.factor == WORKFORCE]
    assert [(c.question_id, c.points, c.counted) for c in workforce] == [
        ("low_paid_roles", 1, True),  # the first of equals
        ("agency_labour", 1, False),
    ]
    assert (risk.total, risk.computed) == (3, 3)


def test_factors_add_up_and_the_cap_applies_after() -> None:
    answers = {"low_paid_roles": "yes", "agency_labour": "yes",
               "supplier_locations": "high-risk-countries"}  # fmt: skip
    risk = run(answers).topic(SLAVERY).risk
    assert [(c.points, c.counted) for c in risk.contributions] == [
        (2, True), (1, True), (1, False), (2, True),
    ]  # fmt: skip
    assert (risk.total, risk.computed) == (5, 3)


def test_the_largest_contribution_counts_wherever_it_is_in_the_factor() -> None:
    # Reorder the supplier location factor so the 1-point rule comes before the 2-point one.
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    factor = next(f for f in data["topics"][SLAVERY]["risk"] if f.get("factor") == LOCATION)
    factor["rules"].reverse()
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    rules = parse_rules(text, "reordered.scoring.yaml", DEFINITION, load_topics().topic_codes)
    answers = {"supplies_goods": "yes", "sourced_from": ["outside-europe"],
               "supplier_locations": "high-risk-countries"}  # fmt: skip
    risk = run(answers, category="ict-services", rules=rules).topic(SLAVERY).risk
    location = [(c.question_id, c.points, c.counted) for c in risk.contributions
                if c.factor == LOCATION]  # fmt: skip
    assert location == [("sourced_from", 1, False), ("supplier_locations", 2, True)]
    assert (risk.total, risk.computed) == (2, 2)  # a low-risk industry (0) and the location (2)
