"""Show-if conditions: every operator, on answers and on the procurement's fields."""

from decimal import Decimal
from typing import Any

import pytest

from app.forms.conditions import ProcurementContext, holds
from app.forms.definition import AllOf, AnyOf, Comparison

CONTEXT = ProcurementContext(
    contract_type="services",
    category="cleaning",
    value_pence=250_000_00,
    annual_value_pence=50_000_00,
    term_months=60,
    light_touch=False,
    framework="none",
    delivery_location="in-borough",
    topic_relevance={"fair-pay-work": 3, "materials-food": 2, "nature-pollution": 0},
)
ANSWERS: dict[str, Any] = {
    "staff_on_premises": "yes",
    "commodities": ["textiles", "electronics"],
    "hours": "2.5",
    "budget": 12_000_000,  # money in pence: £120,000
}


def comparison(**spec: Any) -> Comparison:
    return Comparison.model_validate(spec)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"question": "staff_on_premises", "equals": "yes"}, True),
        ({"question": "staff_on_premises", "equals": "no"}, False),
        ({"question": "staff_on_premises", "not_equals": "no"}, True),
        ({"question": "staff_on_premises", "one_of": ["yes", "not-known"]}, True),
        ({"question": "staff_on_premises", "one_of": ["no"]}, False),
        ({"question": "commodities", "contains": "textiles"}, True),
        ({"question": "commodities", "contains": "timber"}, False),
        ({"question": "hours", "greater_than": 2}, True),
        ({"question": "hours", "greater_than": 2.5}, False),
        ({"question": "hours", "less_than": 3}, True),
        ({"question": "hours", "equals": 2.5}, True),
        ({"question": "budget", "greater_than": 100000}, True),  # pounds, though stored in pence
        ({"question": "budget", "less_than": 100000}, False),
        ({"question": "staff_on_premises", "answered": True}, True),
        ({"question": "never_answered", "answered": False}, True),
        ({"question": "never_answered", "answered": True}, False),
        ({"question": "never_answered", "equals": "yes"}, False),
        ({"question": "never_answered", "not_equals": "yes"}, False),  # unanswered is not "not yes"
        ({"question": "never_answered", "greater_than": 1}, False),
    ],
)
def test_operators_on_answers(spec: dict[str, Any], expected: bool) -> None:
    assert holds(comparison(**spec), ANSWERS, CONTEXT, frozenset({"budget"})) is expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"field": "contract_type", "equals": "services"}, True),
        ({"field": "contract_type", "not_equals": "services"}, False),
        ({"field": "category", "one_of": ["catering", "cleaning"]}, True),
        ({"field": "category", "one_of": ["home-care"]}, False),
        ({"field": "value", "greater_than": 249999.99}, True),
        ({"field": "value", "greater_than": 250000}, False),
        ({"field": "value", "less_than": 250000.01}, True),
        ({"field": "annual_value", "greater_than": 5000000}, False),
        ({"field": "light_touch", "equals": False}, True),
        ({"field": "term_months", "equals": 60}, True),
        ({"field": "delivery_location", "equals": "in-borough"}, True),
        ({"field": "relevance.fair-pay-work", "greater_than": 2}, True),
        ({"field": "relevance.nature-pollution", "greater_than": 0}, False),
        ({"field": "relevance.unknown-topic", "equals": 0}, True),
    ],
)
def test_operators_on_procurement_fields(spec: dict[str, Any], expected: bool) -> None:
    assert holds(comparison(**spec), ANSWERS, CONTEXT) is expected


def test_all_and_any_combine_and_nest() -> None:
    yes = comparison(question="staff_on_premises", equals="yes")
    no = comparison(question="staff_on_premises", equals="no")
    services = comparison(field="contract_type", equals="services")
    assert holds(AllOf(all=(yes, services)), ANSWERS, CONTEXT)
    assert not holds(AllOf(all=(yes, no)), ANSWERS, CONTEXT)
    assert holds(AnyOf(any=(no, services)), ANSWERS, CONTEXT)
    assert not holds(AnyOf(any=(no,)), ANSWERS, CONTEXT)
    assert holds(AllOf(all=(AnyOf(any=(no, yes)), services)), ANSWERS, CONTEXT)


@pytest.mark.parametrize(
    "spec",
    [
        {"question": "a", "field": "category", "equals": "x"},  # two subjects
        {"equals": "x"},  # no subject
        {"question": "a"},  # no operator
        {"question": "a", "equals": "x", "one_of": ["x"]},  # two operators
        {"question": "a", "matches": "x"},  # not an operator at all
    ],
)
def test_malformed_conditions_are_refused(spec: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Comparison.model_validate(spec)


def test_money_fields_compare_in_pounds() -> None:
    assert CONTEXT.get("value") == Decimal("250000")
