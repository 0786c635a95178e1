"""Show-if conditions: structured tests over earlier answers and the procurement's own fields.

Conditions are data with a fixed set of operators, never expression strings. A question that
is not answered (or whose answer is invalid, or is on a hidden question) satisfies only
`answered: false`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.forms.definition import AllOf, AnyOf, Comparison, Condition


@dataclass(frozen=True)
class ProcurementContext:
    """The facts about the procurement that questions may depend on."""

    contract_type: str
    category: str
    value_pence: int
    annual_value_pence: int
    term_months: int
    light_touch: bool
    framework: bool
    delivery_location: str
    topic_relevance: Mapping[str, int] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        """A field's value as conditions compare it: money in pounds, relevance 0 to 3."""
        if name.startswith("relevance."):
            return self.topic_relevance.get(name.removeprefix("relevance."), 0)
        if name in ("value", "annual_value"):
            return Decimal(getattr(self, f"{name}_pence")) / 100
        return getattr(self, name)


# Each procurement field, and the operators that make sense for it.
CHOICE = frozenset({"equals", "not_equals", "one_of"})
NUMERIC = frozenset({"equals", "not_equals", "greater_than", "less_than"})
CONTEXT_FIELDS: Mapping[str, frozenset[str]] = {
    "contract_type": CHOICE,
    "category": CHOICE,
    "delivery_location": CHOICE,
    "light_touch": frozenset({"equals"}),
    "framework": frozenset({"equals"}),
    "value": NUMERIC,
    "annual_value": NUMERIC,
    "term_months": NUMERIC,
}
CONTEXT_FIELD_VALUES: Mapping[str, frozenset[Any]] = {
    "contract_type": frozenset({"goods", "services", "works"}),
    "delivery_location": frozenset({"in-borough", "london", "uk", "overseas"}),
    "light_touch": frozenset({True, False}),
    "framework": frozenset({True, False}),
}


def field_operators(name: str, topics: frozenset[str]) -> frozenset[str] | None:
    """The operators allowed on a procurement field, or None when there is no such field."""
    if name.startswith("relevance."):
        return NUMERIC if name.removeprefix("relevance.") in topics else None
    return CONTEXT_FIELDS.get(name)


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _compare(operator: str, value: Any, operand: Any, *, pence: bool = False) -> bool:
    if operator == "answered":
        return (value is not None) == bool(operand)
    if value is None:
        return False
    if pence:  # money answers are stored in pence; conditions speak in pounds
        value = Decimal(value) / 100
    if operator == "one_of":
        return value in operand
    if operator == "contains":
        return isinstance(value, list) and operand in value
    if (
        operator in ("greater_than", "less_than", "equals", "not_equals")
        and isinstance(operand, int | float | Decimal)
        and not isinstance(operand, bool)
    ):
        number = _number(value)
        if number is None:
            return False
        difference = number - Decimal(str(operand))
        return {
            "greater_than": difference > 0,
            "less_than": difference < 0,
            "equals": difference == 0,
            "not_equals": difference != 0,
        }[operator]
    if operator == "equals":
        return bool(value == operand)
    if operator == "not_equals":
        return bool(value != operand)
    return False


def holds(
    condition: Condition,
    answers: Mapping[str, Any],
    context: ProcurementContext,
    money_questions: frozenset[str] = frozenset(),
) -> bool:
    """Whether the condition is true for these (visible, valid) answers and this procurement."""
    if isinstance(condition, AllOf):
        return all(holds(part, answers, context, money_questions) for part in condition.all)
    if isinstance(condition, AnyOf):
        return any(holds(part, answers, context, money_questions) for part in condition.any)
    assert isinstance(condition, Comparison)
    if condition.field is not None:
        return _compare(condition.operator, context.get(condition.field), condition.operand)
    assert condition.question is not None
    value = answers.get(condition.question)
    pence = condition.question in money_questions and condition.operator != "answered"
    return _compare(condition.operator, value, condition.operand, pence=pence)
